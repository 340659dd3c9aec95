use gloo::timers::callback::Interval;
use mqtt_core::{ConnectionState, Instant};
use yew::prelude::*;

use crate::addresses::AddressState;
use crate::i18n::outcomes::connection_error;
use crate::i18n::{use_i18n, Key, Text};
use crate::state::ServerInfo;

#[derive(Properties, PartialEq)]
pub struct StatusBarProps {
    pub connection: ConnectionState,
    pub server: Option<ServerInfo>,
    /// The URL in use and whether the browser is offline.
    #[prop_or_default]
    pub addresses: AddressState,
    /// The newest error from the connection log, if any.
    pub last_error: Option<Text>,
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

fn status_text(connection: &ConnectionState, now: Instant) -> Text {
    match connection {
        ConnectionState::Disconnected { reason: None } => Key::StatusDisconnected.into(),
        ConnectionState::Disconnected {
            reason: Some(reason),
        } => Text::new(Key::StatusDisconnectedBecause).with("reason", connection_error(reason)),
        ConnectionState::Connecting => Key::StatusConnecting.into(),
        ConnectionState::Connected {
            session_present: true,
        } => Key::StatusConnectedResumed.into(),
        ConnectionState::Connected { .. } => Key::StatusConnected.into(),
        ConnectionState::Reconnecting {
            at,
            attempt,
            reason,
        } => {
            // Whole seconds, rounded up, in u64: formatting a u128 costs a kilobyte of code.
            let wait = at.saturating_duration_since(now);
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            Text::new(Key::StatusReconnecting)
                .number("seconds", seconds)
                .number("attempt", u64::from(*attempt))
                .with("reason", connection_error(reason))
        }
    }
}

/// The limits the server announced that are worth knowing.
fn limits(server: &ServerInfo) -> Vec<Text> {
    let mut parts = Vec::new();
    if let Some(id) = &server.assigned_client_id {
        parts.push(Text::new(Key::LimitAssignedClientId).with("id", id.as_str()));
    }
    if let Some(size) = server.maximum_packet_size {
        parts.push(
            Text::new(Key::LimitMaxPacket).with("size", crate::payload::format_size(size as usize)),
        );
    }
    if let Some(qos) = server.maximum_qos {
        parts.push(Text::new(Key::LimitMaxQos).with("qos", (qos as u8).to_string()));
    }
    if server.retain_available == Some(false) {
        parts.push(Key::LimitRetainNotAvailable.into());
    }
    if let Some(keep_alive) = server.server_keep_alive {
        parts.push(Text::new(Key::LimitServerKeepAlive).number("seconds", u64::from(keep_alive)));
    }
    parts
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
    let text = status_text(&props.connection, crate::clock::monotonic_instant());
    let limits = props.server.as_ref().map(|server| {
        limits(server)
            .iter()
            .map(|part| i18n.text(part))
            .collect::<Vec<_>>()
            .join(" · ")
    });
    html! {
        <div class={classes!("status", key)} role="status" aria-live="polite" data-status={key}>
            <span class="dot" aria-hidden="true"></span>
            <span class="status-text">{ i18n.text(&text) }</span>
            if let Some(in_use) = props.addresses.in_use.as_ref()
                .filter(|in_use| key != "disconnected" && in_use.is_one_of_several()) {
                <span class="address" data-url={in_use.url.clone()}>{ i18n.text(&in_use.text()) }</span>
            }
            if props.addresses.offline && key != "connected" {
                <span class="offline" data-offline="true">{ i18n.t(Key::StatusOffline) }</span>
            }
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
    use crate::i18n::english;

    #[test]
    fn reconnect_countdown_rounds_up_and_names_the_reason() {
        let state = ConnectionState::Reconnecting {
            at: Instant::from_millis(5_500),
            attempt: 2,
            reason: mqtt_core::ConnectionError::PingTimeout(mqtt_core::Duration::from_secs(10)),
        };
        let at = |millis| english(&status_text(&state, Instant::from_millis(millis)));
        assert_eq!(
            at(1_000),
            "Reconnecting in 5 s (attempt 2). Connection lost: no answer to ping within 10 s"
        );
        assert!(at(500).starts_with("Reconnecting in 5 s"));
        assert!(at(5_499).starts_with("Reconnecting in 1 s"));
        assert!(at(9_000).starts_with("Reconnecting in 0 s"));
    }

    #[test]
    fn each_state_has_its_words() {
        let now = Instant::from_millis(0);
        assert_eq!(
            status_text(&ConnectionState::Disconnected { reason: None }, now),
            Text::new(Key::StatusDisconnected)
        );
        assert_eq!(
            status_text(&ConnectionState::Connecting, now),
            Text::new(Key::StatusConnecting)
        );
        assert_eq!(
            status_text(
                &ConnectionState::Connected {
                    session_present: true
                },
                now
            ),
            Text::new(Key::StatusConnectedResumed)
        );
        let refused = ConnectionState::Disconnected {
            reason: Some(mqtt_core::ConnectionError::Refused(
                mqtt_core::ServerReason::new(mqtt_core::ReasonCode::NOT_AUTHORIZED, None, None),
            )),
        };
        assert_eq!(
            english(&status_text(&refused, now)),
            "Disconnected: not authorized"
        );
    }

    #[test]
    fn the_server_s_limits_worth_knowing() {
        let server = ServerInfo {
            assigned_client_id: Some("auto-1".into()),
            maximum_packet_size: Some(1000),
            maximum_qos: Some(mqtt_core::QoS::AtLeastOnce),
            retain_available: Some(false),
            server_keep_alive: Some(30),
            ..ServerInfo::default()
        };
        assert_eq!(
            limits(&server).iter().map(english).collect::<Vec<_>>(),
            [
                "assigned client id auto-1",
                "max packet 1000 B",
                "max QoS 1",
                "retain not available",
                "server keep alive 30 s"
            ]
        );
        assert!(limits(&ServerInfo::default()).is_empty());
    }
}
