//! Property tests: encode/decode round trips of generated packets of every type in both
//! versions, split-anywhere equivalence, and a million random buffers through the decoder
//! without a panic.

mod codec_common;
// Only its `observe` is used here.
#[allow(dead_code)]
mod fuzz_checks;

use codec_common::samples::samples;
use codec_common::strategies::versioned_packets;
use fuzz_checks::observe;
use mqtt_core::*;
use proptest::collection::vec;
use proptest::prelude::*;

/// Cuts `bytes` at the given points (taken modulo its length, sorted).
fn split<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts.iter().map(|cut| cut % (bytes.len() + 1)).collect();
    points.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for point in points {
        chunks.push(&bytes[start..point]);
        start = point;
    }
    chunks.push(&bytes[start..]);
    chunks
}

proptest! {
    #![proptest_config(codec_common::deterministic(1_000))]

    #[test]
    fn encode_then_decode_gives_the_packet_back(
        (version, packets) in versioned_packets(),
        cuts in vec(any::<usize>(), 0..6),
    ) {
        let mut stream = Vec::new();
        for packet in &packets {
            let bytes = encode(packet, version, None).map_err(|error| {
                TestCaseError::fail(format!("{packet:?}: {error}"))
            })?;
            stream.extend_from_slice(&bytes);
        }
        prop_assert_eq!(observe(version, &[&stream]), (packets.clone(), None));
        prop_assert_eq!(observe(version, &split(&stream, &cuts)), (packets, None));
    }

    #[test]
    fn any_bytes_split_anywhere_give_the_same_result(
        v5 in any::<bool>(),
        bytes in vec(any::<u8>(), 0..200),
        cuts in vec(any::<usize>(), 0..6),
    ) {
        let version = if v5 { ProtocolVersion::V5 } else { ProtocolVersion::V311 };
        prop_assert_eq!(observe(version, &[&bytes]), observe(version, &split(&bytes, &cuts)));
    }

    #[test]
    fn a_mutated_valid_stream_never_panics_and_splits_the_same(
        (version, packets) in versioned_packets(),
        mutations in vec((any::<usize>(), any::<u8>()), 1..4),
        cuts in vec(any::<usize>(), 0..6),
    ) {
        let mut stream: Vec<u8> = packets
            .iter()
            .flat_map(|packet| encode(packet, version, None).expect("generated packets are valid"))
            .collect();
        for (position, value) in mutations {
            let index = position % stream.len();
            stream[index] = value;
        }
        prop_assert_eq!(observe(version, &[&stream]), observe(version, &split(&stream, &cuts)));
    }
}

// ---------------------------------------------------------------------------------------
// A million random buffers

/// xorshift64*: a fixed, seeded sequence so that every run tests the same buffers.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Every sample packet of both versions, encoded.
fn encoded_samples() -> Vec<(ProtocolVersion, Vec<u8>)> {
    [ProtocolVersion::V311, ProtocolVersion::V5]
        .into_iter()
        .flat_map(|version| {
            samples(version).into_iter().map(move |packet| {
                (
                    version,
                    encode(&packet, version, None).expect("samples are valid"),
                )
            })
        })
        .collect()
}

#[test]
fn a_million_random_buffers_never_panic() {
    let samples = encoded_samples();
    let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut buffer = Vec::with_capacity(512);
    let (mut decoded, mut errors) = (0usize, 0usize);
    for round in 0..1_000_000u64 {
        let pick = random.next();
        let (version, sample) = &samples[(pick % samples.len() as u64) as usize];
        buffer.clear();
        match round % 4 {
            // Pure noise.
            0 => (0..random.next() % 64).for_each(|_| buffer.push(random.next() as u8)),
            // A valid packet with a few bytes changed, cut short or extended.
            _ => {
                buffer.extend_from_slice(sample);
                for _ in 0..1 + random.next() % 3 {
                    let index = (random.next() % buffer.len() as u64) as usize;
                    buffer[index] = random.next() as u8;
                }
                match random.next() % 8 {
                    0 => buffer.truncate((random.next() % buffer.len() as u64) as usize),
                    1 => buffer.extend_from_slice(sample),
                    _ => {}
                }
            }
        }
        let mut decoder = Decoder::new(*version, 1 << 16);
        if decoder.feed(&buffer).is_err() {
            errors += 1;
            continue;
        }
        loop {
            match decoder.next_packet() {
                Ok(Some(_)) => decoded += 1,
                Ok(None) => break,
                Err(_) => {
                    errors += 1;
                    break;
                }
            }
        }
    }
    // Both outcomes must be common, or the buffers are not exercising the decoder.
    assert!(decoded > 100_000, "only {decoded} packets decoded");
    assert!(errors > 100_000, "only {errors} errors");
}
