//! Every hostile case, in both protocol versions, against the core `Client` over a native
//! WebSocket: the client must end bad connections itself with the right reason (in words, and
//! in version 5 as the DISCONNECT reason code), keep good ones up with every message intact,
//! never panic, and never let memory grow with what a peer merely announces.
//!
//! One test runs the cases one after the other, so the allocation peak it measures is theirs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mqtt_core::{ClientOptions, ConnectionState, Event, ProtocolVersion};
use test_peers::brokers::HostileBroker;
use test_peers::driver::{connection_lost, Driver, Endpoint};
use test_peers::hostile::{
    report_text, Case, Expected, BURST, CASES, REPORT_TOPIC, SPLIT_MESSAGES, TOPIC,
};

/// Counts live heap bytes and their peak.
struct PeakAllocator;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let live = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; only counters are added.
unsafe impl GlobalAlloc for PeakAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: PeakAllocator = PeakAllocator;

/// The largest packet the client accepts, as the app sets it.
const MAX_PACKET_SIZE: u32 = 1024 * 1024;
/// No case may make the heap grow by more than this (the huge case announces 256 MB).
const MEMORY_BOUND: usize = 16 * 1024 * 1024;
const CASE_TIMEOUT: Duration = Duration::from_secs(15);

/// Words the reason must contain (any one of them, ignoring case) for a user to see the cause.
fn reason_words(case: &str) -> &'static [&'static str] {
    match case {
        "remaining-length-5-bytes" => &["length"],
        "huge-length-prefix" => &["maximum", "too large"],
        "lying-length" => &["topic", "length", "past the end"],
        "lying-length-long" | "huge-length-prefix (no size limit)" => &["ping", "keep alive"],
        "invalid-utf8-topic" => &["utf-8"],
        "nul-in-topic" => &["null", "u+0000"],
        "unknown-packet-type" => &["type"],
        "packet-type-15" => &["type", "auth"],
        "publish-qos-3" => &["qos"],
        "pubrel-wrong-flags" => &["pubrel"],
        "connack-twice" => &["connack"],
        "suback-unknown-id" => &["suback"],
        "puback-unknown-id" => &["puback"],
        "topic-alias-beyond-maximum" => &["alias"],
        "text-frames" => &["text frame"],
        "abrupt-close-mid-packet" => &["closed"],
        "connack-use-another-server" | "hostile-server-reference" => &["use another server"],
        "disconnect-server-moved" => &["server moved"],
        _ => &[],
    }
}

/// The DISCONNECT reason code a version 5 client sends before closing, if it sends one.
fn disconnect_code(expected: Expected) -> Option<u8> {
    match expected {
        Expected::Malformed => Some(0x81),
        Expected::ProtocolError => Some(0x82),
        Expected::TooLarge => Some(0x95),
        Expected::TopicAliasInvalid => Some(0x94),
        _ => None,
    }
}

struct Run {
    name: String,
    version: ProtocolVersion,
    expected: Expected,
    observed: String,
    peak_growth: usize,
    failure: Option<String>,
}

#[test]
fn every_hostile_case_ends_as_a_correct_client_should() {
    let broker = HostileBroker::start(env!("CARGO_BIN_EXE_hostile-broker"));
    let mut runs = Vec::new();
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        for case in CASES {
            let Some(expected) = case.expected(version) else {
                continue;
            };
            runs.push(run(
                broker.port,
                case,
                case.name,
                version,
                expected,
                Some(MAX_PACKET_SIZE),
            ));
        }
        // Without a size limit the client must still buffer only what arrived, and its keep
        // alive must end the wait for a body that never comes.
        let huge = test_peers::hostile::case("huge-length-prefix").expect("the case exists");
        runs.push(run(
            broker.port,
            huge,
            "huge-length-prefix (no size limit)",
            version,
            Expected::KeepAliveTimeout,
            None,
        ));
    }

    println!(
        "\n{:<38} {:<6} {:<22} {:>9}  observed",
        "case", "MQTT", "expected", "peak KiB"
    );
    for run in &runs {
        let version = match run.version {
            ProtocolVersion::V311 => "3.1.1",
            ProtocolVersion::V5 => "5.0",
        };
        let verdict = run
            .failure
            .as_deref()
            .map_or(String::new(), |why| format!("  FAILED: {why}"));
        println!(
            "{:<38} {:<6} {:<22} {:>9}  {}{verdict}",
            run.name,
            version,
            format!("{:?}", run.expected),
            run.peak_growth / 1024,
            run.observed
        );
    }
    let failures: Vec<&Run> = runs.iter().filter(|run| run.failure.is_some()).collect();
    println!(
        "hostile cases: {} passed, {} failed",
        runs.len() - failures.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} hostile case runs failed (table above)",
        failures.len()
    );
}

fn run(
    port: u16,
    case: &Case,
    name: &str,
    version: ProtocolVersion,
    expected: Expected,
    max_packet_size: Option<u32>,
) -> Run {
    let mut options = ClientOptions::new(version, "hostile-test");
    options.keep_alive = 1;
    options.reconnect.enabled = false;
    options.maximum_packet_size = max_packet_size;
    if version == ProtocolVersion::V5 {
        options.topic_alias_maximum = Some(10);
    }
    let mut driver = Driver::new(options, Endpoint::websocket(port, case.name)).record_sent();
    let baseline = LIVE.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let outcome = match expected {
        Expected::Survives { messages } => survive(&mut driver, case.name, messages),
        _ => fail_cleanly(&mut driver, name, version, expected),
    };
    let peak_growth = PEAK.load(Ordering::Relaxed).saturating_sub(baseline);
    let (observed, mut failure) = match outcome {
        Ok(observed) => (observed, None),
        Err((observed, why)) => (observed, Some(why)),
    };
    if failure.is_none() && peak_growth > MEMORY_BOUND {
        failure = Some(format!("the heap grew by {peak_growth} bytes"));
    }
    Run {
        name: name.to_string(),
        version,
        expected,
        observed,
        peak_growth,
        failure,
    }
}

type Outcome = Result<String, (String, String)>;

/// A good case: every message arrives intact and in order, and the connection stays up.
fn survive(driver: &mut Driver, case: &str, expected: usize) -> Outcome {
    driver.connect();
    let mut messages = Vec::new();
    let mut lost = None;
    let finished = driver.run_until(CASE_TIMEOUT, |event| {
        match event {
            Event::Message(publish) => messages.push(publish.clone()),
            event => lost = connection_lost(event).cloned(),
        }
        (messages.len() >= expected || lost.is_some()).then_some(())
    });
    let observed = format!("{} messages", messages.len());
    if let Some(reason) = lost {
        return Err((observed, format!("connection lost: {reason}")));
    }
    if let Err(why) = finished {
        return Err((observed, why));
    }
    // Expected payloads: the sequence numbers 1, 2, ... on TOPIC; in the burst case then the
    // peer's count of the PUBACKs it received, on REPORT_TOPIC.
    let stream_len = if case == "split-byte-by-byte" {
        SPLIT_MESSAGES
    } else {
        BURST
    };
    for (index, publish) in messages.iter().enumerate() {
        let (topic, payload) = if index < stream_len {
            (TOPIC, (index + 1).to_string())
        } else {
            // This driver sends one packet per frame.
            (REPORT_TOPIC, report_text(BURST, BURST))
        };
        if publish.topic != topic || publish.payload != payload.as_bytes() {
            return Err((
                observed,
                format!(
                    "message {} is {:?} on {:?}, expected {payload:?} on {topic:?}",
                    index + 1,
                    String::from_utf8_lossy(&publish.payload),
                    publish.topic
                ),
            ));
        }
    }
    if messages.len() != expected {
        return Err((observed, format!("expected exactly {expected} messages")));
    }
    if !matches!(driver.client.state(), ConnectionState::Connected { .. }) {
        return Err((observed, format!("state is {:?}", driver.client.state())));
    }
    driver.disconnect();
    Ok(observed)
}

/// A bad case: the client ends the connection itself, saying why.
fn fail_cleanly(
    driver: &mut Driver,
    name: &str,
    version: ProtocolVersion,
    expected: Expected,
) -> Outcome {
    driver.connect();
    let mut connected = false;
    let mut messages = 0;
    let lost = driver.run_until(CASE_TIMEOUT, |event| match event {
        Event::Connected(_) => {
            connected = true;
            None
        }
        Event::Message(_) => {
            messages += 1;
            None
        }
        event => connection_lost(event).cloned(),
    });
    let reason = match lost {
        Ok(reason) => reason,
        Err(why) => return Err(("no connection lost".into(), why)),
    };
    let observed = format!("lost: {reason}");
    let failed = |why: String| Err((observed.clone(), why));
    let words = reason_words(name);
    // The words the user reads, from the reason's `Display`.
    let words_read = reason.to_string();
    let lowercase = words_read.to_lowercase();
    if !words.iter().any(|word| lowercase.contains(word)) {
        return failed(format!("the reason does not mention any of {words:?}"));
    }
    if ["{", "Some(", "Err("]
        .iter()
        .any(|debug| words_read.contains(debug))
    {
        return failed("the reason reads like debug output".into());
    }
    if messages > 0 {
        return failed(format!(
            "{messages} messages were delivered from a hostile stream"
        ));
    }
    if expected == Expected::Redirected && reason.redirect().is_none() {
        return failed("the reason is not a redirection".into());
    }
    if expected == Expected::Redirected && !words_read.contains("suggests") {
        return failed("the reason does not name the server's reference".into());
    }
    if expected == Expected::BinaryFramesOnly && connected {
        return failed("a CONNACK in a text frame connected the client".into());
    }
    if !matches!(driver.client.state(), ConnectionState::Disconnected { .. }) {
        return failed(format!(
            "state is {:?} after the loss",
            driver.client.state()
        ));
    }
    if version == ProtocolVersion::V5 {
        if let Some(code) = disconnect_code(expected) {
            let last = driver
                .sent()
                .last()
                .map(|packet| packet.bytes.clone())
                .unwrap_or_default();
            if last.first() != Some(&0xE0) || last.get(2) != Some(&code) {
                return failed(format!(
                    "the last packet sent was {last:02X?}, not a DISCONNECT with reason 0x{code:02X}"
                ));
            }
        }
    }
    Ok(observed)
}
