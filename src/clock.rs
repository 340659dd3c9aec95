//! The clocks, read in this one place: the wall clock stamped on log entries and on messages
//! received and sent, and the page's monotonic clock of the driver's timers and the load tool.

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

thread_local! {
    /// The page's `performance`, found once: looking it up through `window` on every reading
    /// was about 5 % of the page's time under a flood (bench --profile), read per frame received.
    static PERFORMANCE: Option<web_sys::Performance> =
        web_sys::window().and_then(|w| w.performance());
}

/// Milliseconds on the page's monotonic clock, to a fraction: the driver's timers and the time
/// its reducer takes, the load tool's pacing and acknowledgement latencies, which a change of
/// the wall clock must not skew.
pub fn monotonic_millis() -> f64 {
    PERFORMANCE.with(|performance| {
        performance
            .as_ref()
            .map_or_else(js_sys::Date::now, web_sys::Performance::now)
    })
}

/// The monotonic clock as the core counts time: the driver's `Instant`s, and the status bar's
/// "retrying in" against the core's deadlines.
pub fn monotonic_instant() -> mqtt_core::Instant {
    mqtt_core::Instant::from_millis(monotonic_millis().max(0.0) as u64)
}
