//! Helpers shared by the codec test files; each file uses only some of them.
#![allow(dead_code)]

pub mod samples;
pub mod strategies;

use proptest::test_runner::{Config, RngSeed};

/// `cases` runs from a fixed seed, so that every run tests the same inputs.
pub fn deterministic(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x6D71_7474_636F_6465),
        ..Config::default()
    }
}
