//! The checks behind the cargo-fuzz targets (`fuzz/fuzz_targets/`), shared with
//! `tests/fuzz_corpus.rs`, which replays the kept corpus through them on every test run.

use mqtt_core::codec::MAX_PACKET_SIZE;
use mqtt_core::*;

/// The input's first byte, which steers the check (its lowest bit picks the version), and
/// the bytes after it.
fn split_control(input: &[u8]) -> Option<(u8, ProtocolVersion, &[u8])> {
    let (&control, bytes) = input.split_first()?;
    let version = if control & 1 == 0 {
        ProtocolVersion::V311
    } else {
        ProtocolVersion::V5
    };
    Some((control, version, bytes))
}

/// The decoder on arbitrary bytes: it must never panic, must give the same packets and the
/// same first error however the bytes are split, and every packet it accepts must encode
/// back to bytes that decode to the same packet.
pub fn decoder(input: &[u8]) {
    // The first byte chooses the version and how to split the rest.
    let Some((control, version, bytes)) = split_control(input) else {
        return;
    };
    let whole = observe(version, &[bytes]);
    let chunk_len = usize::from(control >> 1) + 1;
    let chunks: Vec<&[u8]> = bytes.chunks(chunk_len).collect();
    assert_eq!(
        whole,
        observe(version, &chunks),
        "split into {chunk_len}-byte chunks"
    );

    for packet in &whole.0 {
        match encode(packet, version, None) {
            Ok(encoded) => {
                let again = observe(version, &[&encoded]);
                assert_eq!(
                    again,
                    (vec![packet.clone()], None),
                    "re-encoded {encoded:02X?}"
                );
            }
            // Valid packets mqttbytes-ng cannot write (an empty user name, say).
            Err(EncodeError::Unsupported { .. }) => {}
            Err(error) => panic!("decoded {packet:?} but cannot encode it: {error}"),
        }
    }
}

/// A connected client fed arbitrary server bytes, with timeouts and commands in between:
/// whatever arrives, the client must not panic and must keep answering its poll calls.
pub fn client(input: &[u8]) {
    let Some((control, version, bytes)) = split_control(input) else {
        return;
    };
    let mut options = ClientOptions::new(version, "fuzz");
    options.topic_alias_maximum = Some(4);
    options.receive_maximum = Some(8);
    let mut client = Client::new(options, u64::from(control));
    let mut now = Instant::from_millis(0);
    // The transport the client last asked for: the fuzz bytes arrive on it.
    let mut transport = TransportId::from_raw(0);
    client.connect(now);
    drain(&mut client, &mut transport);
    client.handle_transport_open(now, transport);
    drain(&mut client, &mut transport);
    // A successful CONNACK, so the fuzz bytes meet a connected client.
    let connack: &[u8] = match version {
        ProtocolVersion::V311 => &[0x20, 0x02, 0x00, 0x00],
        ProtocolVersion::V5 => &[0x20, 0x03, 0x00, 0x00, 0x00],
    };
    client.handle_bytes(now, transport, connack);
    drain(&mut client, &mut transport);
    let _ = client.subscribe(
        now,
        vec![SubscribeFilter {
            filter: "a/#".into(),
            options: SubscriptionOptions {
                qos: QoS::ExactlyOnce,
                no_local: false,
                retain_as_published: false,
                retain_handling: RetainHandling::SendAtSubscribe,
            },
        }],
        SubscribeProperties::default(),
    );
    let _ = client.publish(
        now,
        OutgoingMessage {
            topic: "a/b".into(),
            payload: Bytes::from_static(b"x"),
            qos: QoS::ExactlyOnce,
            retain: false,
            properties: PublishProperties::default(),
        },
    );
    drain(&mut client, &mut transport);
    // Chunks of the input, each followed by a step of virtual time.
    let chunk_len = usize::from(control >> 1) + 1;
    for chunk in bytes.chunks(chunk_len) {
        client.handle_bytes(now, transport, chunk);
        drain(&mut client, &mut transport);
        now = now + core::time::Duration::from_millis(u64::from(chunk[0]) * 100);
        client.handle_timeout(now);
        drain(&mut client, &mut transport);
    }
}

/// What a receiver observes: every packet up to the first error, and that error.
pub fn observe(version: ProtocolVersion, chunks: &[&[u8]]) -> (Vec<Packet>, Option<DecodeError>) {
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

/// Drains every output, as the browser driver does after each call in; `transport` follows
/// the newest transport opened.
fn drain(client: &mut Client, transport: &mut TransportId) {
    let mut bytes = Vec::new();
    while client.poll_transmit(&mut bytes).is_some() {}
    while let Some(command) = client.poll_transport() {
        if let TransportCommand::Open(id) = command {
            *transport = id;
        }
    }
    while client.poll_event().is_some() {}
    let _ = client.poll_timeout();
}
