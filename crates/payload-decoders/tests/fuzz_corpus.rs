//! Replays the fuzz corpus kept in `fuzz/corpus/` (inputs that reached new code, and every
//! input that once crashed) through the same checks as the cargo-fuzz targets, on stable and
//! on every test run, so a regression in any decoder fails here first.

mod fuzz_checks;

use std::fs;
use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut replayed = 0;
    for entry in fs::read_dir(&directory).expect("the kept corpus") {
        let path = entry.expect("a corpus entry").path();
        let input = fs::read(&path).expect("a corpus file");
        check(&input);
        replayed += 1;
    }
    assert!(
        replayed > 100,
        "only {replayed} inputs in {}",
        directory.display()
    );
}

#[test]
fn cbor_corpus_replays_cleanly() {
    replay("cbor", fuzz_checks::cbor);
}

#[test]
fn msgpack_corpus_replays_cleanly() {
    replay("msgpack", fuzz_checks::msgpack);
}

#[test]
fn protobuf_corpus_replays_cleanly() {
    replay("protobuf", fuzz_checks::protobuf);
}

#[test]
fn sparkplug_corpus_replays_cleanly() {
    replay("sparkplug", fuzz_checks::sparkplug);
}

#[test]
fn avro_corpus_replays_cleanly() {
    replay("avro", fuzz_checks::avro);
}
