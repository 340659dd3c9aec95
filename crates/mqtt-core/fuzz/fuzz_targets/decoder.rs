//! The decoder on arbitrary bytes: it must never panic, must give the same packets and the
//! same first error however the bytes are split, and every packet it accepts must encode
//! back to bytes that decode to the same packet.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mqtt_core::codec::MAX_PACKET_SIZE;
use mqtt_core::*;

/// Every packet up to the first error, and that error.
fn observe(version: ProtocolVersion, chunks: &[&[u8]]) -> (Vec<Packet>, Option<DecodeError>) {
    let mut decoder = Decoder::new(version, MAX_PACKET_SIZE);
    let mut packets = Vec::new();
    for chunk in chunks {
        if let Err(error) = decoder.feed(chunk) {
            return (packets, Some(error));
        }
        loop {
            match decoder.next_packet() {
                Ok(Some(packet)) => packets.push(packet),
                Ok(None) => break,
                Err(error) => return (packets, Some(error)),
            }
        }
    }
    (packets, None)
}

fuzz_target!(|input: &[u8]| {
    // The first byte chooses the version and how to split the rest.
    let Some((&control, bytes)) = input.split_first() else {
        return;
    };
    let version = if control & 1 == 0 {
        ProtocolVersion::V311
    } else {
        ProtocolVersion::V5
    };
    let whole = observe(version, &[bytes]);
    let chunk_len = usize::from(control >> 1) + 1;
    let chunks: Vec<&[u8]> = bytes.chunks(chunk_len).collect();
    assert_eq!(whole, observe(version, &chunks), "split into {chunk_len}-byte chunks");

    for packet in &whole.0 {
        match encode(packet, version, None) {
            Ok(encoded) => {
                let again = observe(version, &[&encoded]);
                assert_eq!(again, (vec![packet.clone()], None), "re-encoded {encoded:02X?}");
            }
            // Valid packets mqttbytes-ng cannot write (an empty user name, say).
            Err(EncodeError::Unsupported { .. }) => {}
            Err(error) => panic!("decoded {packet:?} but cannot encode it: {error}"),
        }
    }
});
