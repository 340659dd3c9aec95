//! What changed between two payloads on a topic.

mod lines;

pub use lines::{diff_lines, LineChange, LineDiff, LineRun};
