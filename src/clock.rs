//! The wall clock, read in this one place: the time stamped on log entries and on messages
//! received and sent. (The driver's timers run on the page's monotonic clock instead.)

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
