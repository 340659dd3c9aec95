//! Decode and encode throughput, in packets per second, for a 1 KiB QoS 1 PUBLISH and a
//! PUBACK in both versions. Decoding feeds a buffer of `BATCH` packets and drains it, as a
//! busy WebSocket delivers them. When `CODEC_BENCH_BYTES_DIR` is set, the exact packet bytes
//! are written there so that `bench/mqtt-packet` measures mqtt-packet on the same input.
//!
//! Time is the CPU time of the measuring thread (see `support`); mqtt-packet's side counts its
//! process's CPU time in the same way.

mod support;

use std::hint::black_box;
use std::num::NonZeroU16;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mqtt_core::codec::MAX_PACKET_SIZE;
use mqtt_core::*;
use support::ThreadCpuTime;

const BATCH: usize = 1000;

fn publish_1k() -> Packet {
    Packet::Publish(Publish {
        dup: false,
        delivery: Delivery::AtLeastOnce(NonZeroU16::new(42).expect("non-zero")),
        retain: false,
        topic: "devices/sensor-0042/telemetry".into(),
        payload: Bytes::from((0..1024u32).map(|i| (i % 251) as u8).collect::<Vec<u8>>()),
        properties: PublishProperties::default(),
    })
}

fn puback() -> Packet {
    Packet::PubAck(Ack {
        packet_id: NonZeroU16::new(42).expect("non-zero"),
        reason: ReasonCode::SUCCESS,
        properties: AckProperties::default(),
    })
}

fn version_name(version: ProtocolVersion) -> &'static str {
    match version {
        ProtocolVersion::V311 => "v311",
        ProtocolVersion::V5 => "v5",
    }
}

fn codec(c: &mut Criterion<ThreadCpuTime>) {
    let output = std::env::var_os("CODEC_BENCH_BYTES_DIR");
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        for (name, packet) in [("publish_1k_qos1", publish_1k()), ("puback", puback())] {
            let id = format!("{name}_{}", version_name(version));
            let bytes = encode(&packet, version, None).expect("valid packet");
            if let Some(directory) = &output {
                std::fs::create_dir_all(directory).expect("bytes directory");
                std::fs::write(
                    std::path::Path::new(directory).join(format!("{id}.bin")),
                    &bytes,
                )
                .expect("write packet bytes");
            }
            let stream = bytes.repeat(BATCH);

            let mut group = c.benchmark_group("decode");
            group.throughput(Throughput::Elements(BATCH as u64));
            group.bench_function(&id, |b| {
                let mut decoder = Decoder::new(version, MAX_PACKET_SIZE);
                b.iter(|| {
                    decoder.feed(black_box(&stream)).expect("valid stream");
                    let mut count = 0;
                    while let Some(packet) = decoder.next_packet().expect("valid packet") {
                        black_box(packet);
                        count += 1;
                    }
                    assert_eq!(count, BATCH);
                })
            });
            group.finish();

            let mut group = c.benchmark_group("encode");
            group.throughput(Throughput::Elements(1));
            group.bench_function(&id, |b| {
                b.iter(|| encode(black_box(&packet), version, None).expect("valid packet"))
            });
            group.finish();
        }
    }
}

criterion_group! {
    name = benches;
    config = support::criterion();
    targets = codec
}
criterion_main!(benches);
