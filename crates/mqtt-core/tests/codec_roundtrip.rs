//! Encode then decode gives back the same packet, for every packet type and both versions,
//! whether the bytes arrive together, one at a time, or all packets in one buffer.

mod codec_common;

use codec_common::samples::samples;
use mqtt_core::codec::MAX_PACKET_SIZE;
use mqtt_core::*;

const VERSIONS: [ProtocolVersion; 2] = [ProtocolVersion::V311, ProtocolVersion::V5];

fn decode_stream(version: ProtocolVersion, chunks: &[&[u8]]) -> Vec<Packet> {
    let mut decoder = Decoder::new(version, MAX_PACKET_SIZE);
    let mut packets = Vec::new();
    for chunk in chunks {
        decoder.feed(chunk).expect("valid stream");
        while let Some(packet) = decoder.next_packet().expect("valid packet") {
            packets.push(packet);
        }
    }
    assert_eq!(decoder.buffered_len(), 0, "nothing left over");
    packets
}

#[test]
fn every_sample_round_trips() {
    for version in VERSIONS {
        for packet in samples(version) {
            let bytes = encode(&packet, version, None)
                .unwrap_or_else(|error| panic!("{version:?} {packet:?}: {error}"));
            let decoded = decode_stream(version, &[&bytes]);
            assert_eq!(decoded, vec![packet], "{version:?} {bytes:02X?}");
        }
    }
}

#[test]
fn byte_at_a_time_equals_all_at_once() {
    for version in VERSIONS {
        let packets = samples(version);
        let stream: Vec<u8> = packets
            .iter()
            .flat_map(|packet| encode(packet, version, None).expect("valid sample"))
            .collect();
        let single_bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(decode_stream(version, &single_bytes), packets);
        assert_eq!(decode_stream(version, &[&stream]), packets);
    }
}

#[test]
fn known_bytes() {
    let puback = Packet::PubAck(Ack {
        packet_id: codec_common::samples::id(0x1234),
        reason: ReasonCode::SUCCESS,
        properties: AckProperties::default(),
    });
    for version in VERSIONS {
        assert_eq!(
            encode(&puback, version, None),
            Ok(vec![0x40, 0x02, 0x12, 0x34])
        );
    }
    let disconnect = Packet::Disconnect(Disconnect {
        reason: ReasonCode::NORMAL_DISCONNECTION,
        properties: DisconnectProperties::default(),
    });
    assert_eq!(
        encode(&disconnect, ProtocolVersion::V5, None),
        Ok(vec![0xE0, 0x00])
    );
    assert_eq!(
        encode(&Packet::PingReq, ProtocolVersion::V5, None),
        Ok(vec![0xC0, 0x00])
    );
}
