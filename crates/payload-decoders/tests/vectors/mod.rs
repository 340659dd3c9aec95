//! What the tests against Python's encoders share: running one of tests/decoders/'s vector
//! scripts (installed by scripts/test) and the hex its lines carry.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `python3 SCRIPT MODE` with `input` on its standard input, and gives what it printed;
/// fails the test, with what it said, if it fails.
pub fn run(script: &str, mode: &str, input: &str) -> String {
    let name = Path::new(script)
        .file_name()
        .map_or(script.into(), |name| name.to_string_lossy());
    let mut child = Command::new("python3")
        .args([script, mode])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/test installs the decoders' Python packages)");
    child
        .stdin
        .take()
        .expect("its standard input")
        .write_all(input.as_bytes())
        .unwrap_or_else(|error| panic!("writing to {name}: {error}"));
    let output = child
        .wait_with_output()
        .unwrap_or_else(|error| panic!("{name} ends: {error}"));
    assert!(
        output.status.success(),
        "{name} {mode} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the script prints text")
}

pub fn from_hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).expect("hex"))
        .collect()
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
