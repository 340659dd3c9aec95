//! The wall clock, read in this one place: the time stamped on log entries and on messages
//! received and sent, and the monotonic clock of the load tool. (The driver's timers run on the
//! page's monotonic clock too.)

/// Milliseconds since the Unix epoch.
pub fn wall_clock_millis() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// A connection log entry stamped now.
pub fn log_now(level: crate::state::LogLevel, text: crate::i18n::Text) -> crate::state::Action {
    crate::state::Action::Log {
        at: wall_clock_millis(),
        level,
        text,
    }
}

/// Milliseconds on the page's monotonic clock, to a fraction: the load tool's pacing and
/// acknowledgement latencies, which a change of the wall clock must not skew.
pub fn monotonic_millis() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}
