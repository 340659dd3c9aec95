use gloo::timers::callback::Interval;
use mqtt_core::{ConnectionState, Instant};
use yew::prelude::*;

use crate::i18n::{use_i18n, Text};
use crate::state::ServerInfo;

#[derive(Properties, PartialEq)]
pub struct StatusBarProps {
    pub connection: ConnectionState,
    pub server: Option<ServerInfo>,
    /// The newest error from the connection log, if any.
    pub last_error: Option<Text>,
}

fn now_millis() -> u64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
        .max(0.0) as u64
}

/// "connected", "reconnecting", …: for styling and for tests to wait on.
pub fn status_key(connection: &ConnectionState) -> &'static str {
    match connection {
        ConnectionState::Disconnected { .. } => "disconnected",
        ConnectionState::Connecting => "connecting",
        ConnectionState::Connected { .. } => "connected",
        ConnectionState::Reconnecting { .. } => "reconnecting",
    }
}

fn status_text(connection: &ConnectionState, now: Instant) -> String {
    match connection {
        ConnectionState::Disconnected { reason: None } => "Disconnected".into(),
        ConnectionState::Disconnected {
            reason: Some(reason),
        } => format!("Disconnected: {reason}"),
        ConnectionState::Connecting => "Connecting…".into(),
        ConnectionState::Connected {
            session_present: true,
        } => "Connected (session resumed)".into(),
        ConnectionState::Connected { .. } => "Connected".into(),
        ConnectionState::Reconnecting {
            at,
            attempt,
            reason,
        } => {
            // Whole seconds, rounded up, in u64: formatting a u128 costs a kilobyte of code.
            let wait = at.saturating_duration_since(now);
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            format!("Reconnecting in {seconds} s (attempt {attempt}). Connection lost: {reason}")
        }
    }
}

#[component]
pub fn StatusBar(props: &StatusBarProps) -> Html {
    let i18n = use_i18n();
    let tick = use_force_update();
    {
        // Only the reconnect countdown needs the clock.
        let reconnecting = matches!(props.connection, ConnectionState::Reconnecting { .. });
        use_effect_with(reconnecting, move |reconnecting| {
            let interval = reconnecting.then(|| Interval::new(250, move || tick.force_update()));
            move || drop(interval)
        });
    }
    let key = status_key(&props.connection);
    let text = status_text(&props.connection, Instant::from_millis(now_millis()));
    let limits = props.server.as_ref().map(|server| {
        let mut parts = Vec::new();
        if let Some(id) = &server.assigned_client_id {
            parts.push(format!("assigned client id {id}"));
        }
        if let Some(size) = server.maximum_packet_size {
            parts.push(format!(
                "max packet {}",
                crate::payload::format_size(size as usize)
            ));
        }
        if let Some(qos) = server.maximum_qos {
            parts.push(format!("max QoS {}", qos as u8));
        }
        if server.retain_available == Some(false) {
            parts.push("retain not available".into());
        }
        if let Some(keep_alive) = server.server_keep_alive {
            parts.push(format!("server keep alive {keep_alive} s"));
        }
        parts.join(" · ")
    });
    html! {
        <div class={classes!("status", key)} role="status" aria-live="polite" data-status={key}>
            <span class="dot" aria-hidden="true"></span>
            <span class="status-text">{ text }</span>
            if let Some(limits) = limits.filter(|l| !l.is_empty()) {
                <span class="limits">{ limits }</span>
            }
            if let Some(error) = &props.last_error {
                <span class="last-error">{ i18n.text(error) }</span>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnect_countdown_rounds_up_and_names_the_reason() {
        let state = ConnectionState::Reconnecting {
            at: Instant::from_millis(5_500),
            attempt: 2,
            reason: mqtt_core::ConnectionError::PingTimeout(mqtt_core::Duration::from_secs(10)),
        };
        assert_eq!(
            status_text(&state, Instant::from_millis(1_000)),
            "Reconnecting in 5 s (attempt 2). Connection lost: no answer to ping within 10 s"
        );
        assert!(status_text(&state, Instant::from_millis(500)).starts_with("Reconnecting in 5 s"));
        assert!(status_text(&state, Instant::from_millis(5_499)).starts_with("Reconnecting in 1 s"));
        assert!(status_text(&state, Instant::from_millis(9_000)).starts_with("Reconnecting in 0 s"));
    }
}
