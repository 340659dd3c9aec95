//! Decode and encode throughput, in packets per second, for a 1 KiB QoS 1 PUBLISH and a
//! PUBACK in both versions. Decoding feeds a buffer of `BATCH` packets and drains it, as a
//! busy WebSocket delivers them. When `CODEC_BENCH_BYTES_DIR` is set, the exact packet bytes
//! are written there so that `bench/mqtt-packet` measures mqtt-packet on the same input.
//!
//! Time is the CPU time of the measuring thread, not the wall clock: the machines this runs on
//! are shared, and a busy neighbour stretches wall time by however long the scheduler gives
//! the core away, which says nothing about the codec. mqtt-packet's side counts its process's
//! CPU time in the same way.

use std::hint::black_box;
use std::num::NonZeroU16;
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mqtt_core::codec::MAX_PACKET_SIZE;
use mqtt_core::*;

const BATCH: usize = 1000;

/// Nanoseconds of CPU time spent by the calling thread.
struct ThreadCpuTime;

fn thread_cpu_nanos() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec, and the clock id is one Linux always has.
    let result = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(result, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}

/// Values are nanoseconds, like the wall clock's, so its formatter prints them.
static NANOSECONDS: WallTime = WallTime;

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_nanos()
    }

    fn end(&self, start: u64) -> u64 {
        thread_cpu_nanos() - start
    }

    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }

    fn zero(&self) -> u64 {
        0
    }

    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        NANOSECONDS.formatter()
    }
}

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
    config = Criterion::default()
        .with_measurement(ThreadCpuTime)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    targets = codec
}
criterion_main!(benches);
