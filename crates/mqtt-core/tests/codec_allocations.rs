//! Allocations per packet, counted by a wrapping global allocator: decoding a PUBLISH
//! allocates its topic string and nothing else (the payload is a slice of the received
//! buffer); a PUBACK allocates nothing. Encoding allocates the output, plus the topic copy
//! mqttbytes-ng needs for a PUBLISH.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::num::NonZeroU16;

use mqtt_core::codec::MAX_PACKET_SIZE;
use mqtt_core::*;

struct Counting;

thread_local! {
    /// Per thread, so that tests running in parallel do not count each other.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

fn count_one() {
    ALLOCATIONS.with(|count| count.set(count.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: the caller's guarantees for `layout` are passed on as they are.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through `alloc` or `realloc` above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: as for `dealloc`, and the caller's guarantees for `new_size`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const COUNT: usize = 1000;

/// Allocations made while decoding `COUNT` copies of `packet` fed as one buffer.
fn allocations_to_decode(version: ProtocolVersion, packet: &Packet) -> usize {
    let stream = encode(packet, version, None).expect("valid").repeat(COUNT);
    let mut decoder = Decoder::new(version, MAX_PACKET_SIZE);
    let mut decoded = Vec::with_capacity(COUNT);
    let before = allocations();
    decoder.feed(&stream).expect("valid stream");
    while let Some(packet) = decoder.next_packet().expect("valid packet") {
        decoded.push(packet);
    }
    let allocations = allocations() - before;
    assert_eq!(decoded.len(), COUNT);
    assert!(decoded.iter().all(|decoded| decoded == packet));
    allocations
}

fn id(value: u16) -> PacketId {
    NonZeroU16::new(value).expect("non-zero")
}

fn allocations_to_encode(version: ProtocolVersion, packet: &Packet) -> usize {
    // Once outside the count, for whatever the first call sets up.
    drop(encode(packet, version, None).expect("valid"));
    let before = allocations();
    for _ in 0..COUNT {
        drop(encode(packet, version, None).expect("valid"));
    }
    allocations() - before
}

fn samples() -> (Packet, Packet) {
    let publish = Packet::Publish(Publish {
        dup: false,
        delivery: Delivery::AtLeastOnce(id(1)),
        retain: false,
        topic: "devices/sensor/telemetry".into(),
        payload: Bytes::from(vec![7u8; 1024]),
        properties: PublishProperties::default(),
    });
    let puback = Packet::PubAck(Ack {
        packet_id: id(1),
        reason: ReasonCode::SUCCESS,
        properties: AckProperties::default(),
    });
    (publish, puback)
}

#[test]
fn decoding_allocates_only_the_topic() {
    let (publish, puback) = samples();
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let publish_allocations = allocations_to_decode(version, &publish);
        let puback_allocations = allocations_to_decode(version, &puback);
        // One for the buffer, one to share it, then one topic per PUBLISH.
        assert!(
            publish_allocations <= COUNT + 4,
            "{version:?} PUBLISH: {publish_allocations}"
        );
        assert!(
            puback_allocations <= 4,
            "{version:?} PUBACK: {puback_allocations}"
        );
    }
}

#[test]
fn encoding_allocates_the_output_and_the_topic_copy() {
    let (publish, puback) = samples();
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        assert_eq!(
            allocations_to_encode(version, &publish),
            2 * COUNT,
            "{version:?}"
        );
        assert_eq!(
            allocations_to_encode(version, &puback),
            COUNT,
            "{version:?}"
        );
    }
}
