//! cargo-fuzz target: `fuzz_checks::avro` (see there) on arbitrary bytes.
#![no_main]

// Each target uses one of the shared checks.
#[allow(dead_code)]
#[path = "../../tests/fuzz_checks/mod.rs"]
mod fuzz_checks;

libfuzzer_sys::fuzz_target!(|input: &[u8]| fuzz_checks::avro(input));
