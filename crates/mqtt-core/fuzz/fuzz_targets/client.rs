//! A connected client fed arbitrary server bytes, with timeouts and commands in between:
//! whatever arrives, the client must not panic and must keep answering its poll calls.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mqtt_core::*;

/// Drains every output, as the browser driver does after each call in.
fn drain(client: &mut Client) {
    while client.poll_transmit().is_some() {}
    while client.poll_transport().is_some() {}
    while client.poll_event().is_some() {}
    let _ = client.poll_timeout();
}

fuzz_target!(|input: &[u8]| {
    let Some((&control, bytes)) = input.split_first() else {
        return;
    };
    let version = if control & 1 == 0 {
        ProtocolVersion::V311
    } else {
        ProtocolVersion::V5
    };
    let mut options = ClientOptions::new(version, "fuzz");
    options.topic_alias_maximum = Some(4);
    options.receive_maximum = Some(8);
    let mut client = Client::new(options, u64::from(control));
    let mut now = Instant::from_millis(0);
    client.connect(now);
    drain(&mut client);
    client.handle_transport_open(now);
    drain(&mut client);
    // A successful CONNACK, so the fuzz bytes meet a connected client.
    let connack: &[u8] = match version {
        ProtocolVersion::V311 => &[0x20, 0x02, 0x00, 0x00],
        ProtocolVersion::V5 => &[0x20, 0x03, 0x00, 0x00, 0x00],
    };
    client.handle_bytes(now, connack);
    drain(&mut client);
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
    drain(&mut client);
    // Chunks of the input, each followed by a step of virtual time.
    let chunk_len = usize::from(control >> 1) + 1;
    for chunk in bytes.chunks(chunk_len) {
        client.handle_bytes(now, chunk);
        drain(&mut client);
        now = now + core::time::Duration::from_millis(u64::from(chunk[0]) * 100);
        client.handle_timeout(now);
        drain(&mut client);
    }
});
