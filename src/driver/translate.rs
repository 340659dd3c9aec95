//! The core's events as reducer actions: a pure function, so what the user sees of the
//! protocol is tested natively. Incoming messages are not translated here: the inbox batches
//! them.

use mqtt_core::{ConnectionError, Event, QoS, ReasonCode, ReasonContext};

use crate::i18n::outcomes::{
    command_error_sentence, connection_error, publish_error, reason_code, server_reason,
};
use crate::i18n::{Key, Text};
use crate::state::{Action, LogLevel, ServerInfo};

/// What the reducer must hear of `event`, in order, for a connection to `url`; `at` is the
/// wall clock for log lines. `Event::Message` gives nothing: it goes to the inbox.
pub(super) fn actions(event: Event, url: &str, at: u64) -> Vec<Action> {
    let log = |level, text| Action::Log { at, level, text };
    match event {
        Event::StateChanged(state) => {
            let mut actions = Vec::new();
            if let Some(reason) = state.ended_because() {
                actions.push(log(LogLevel::Error, loss_log_line(reason)));
            }
            actions.push(Action::Connection(state));
            actions
        }
        Event::Connected(connack) => {
            let p = connack.properties;
            let server = ServerInfo {
                assigned_client_id: p.assigned_client_identifier,
                maximum_packet_size: p.maximum_packet_size,
                maximum_qos: p.maximum_qos,
                retain_available: p.retain_available,
                server_keep_alive: p.server_keep_alive,
                receive_maximum: p.receive_maximum,
                topic_alias_maximum: p.topic_alias_maximum,
            };
            let text = match (connack.session_present, &server.assigned_client_id) {
                (false, None) => Text::new(Key::LogConnected),
                (true, None) => Text::new(Key::LogConnectedResumed),
                (false, Some(id)) => Text::new(Key::LogConnectedAssigned).with("id", id.as_str()),
                (true, Some(id)) => {
                    Text::new(Key::LogConnectedResumedAssigned).with("id", id.as_str())
                }
            }
            .with("url", url);
            vec![
                log(LogLevel::Info, text),
                Action::Connected {
                    session_present: connack.session_present,
                    server,
                },
            ]
        }
        Event::Message(_) => Vec::new(),
        Event::AuthenticationStep { method, .. } => vec![log(
            LogLevel::Info,
            Text::new(Key::LogAuthStep).with("method", method),
        )],
        Event::Reauthenticated { .. } => vec![log(LogLevel::Info, Key::LogReauthenticated.into())],
        Event::Subscribed {
            filters, results, ..
        } => subscription_results(
            filters
                .into_iter()
                .zip(results)
                .map(|(filter, code)| (filter, granted(code)))
                .collect(),
            at,
        ),
        Event::SubscribeFailed { filters, error, .. } => {
            let words = command_error_sentence(&error);
            subscription_results(
                filters
                    .into_iter()
                    .map(|filter| (filter, Err(words.clone())))
                    .collect(),
                at,
            )
        }
        Event::Unsubscribed {
            filters, results, ..
        } => {
            let results: Vec<(String, Result<(), Text>)> = filters
                .into_iter()
                .zip(results)
                .map(|(filter, code)| {
                    let result = match code.is_error() {
                        true => Err(reason_code(code, ReasonContext::UnsubAck)),
                        false => Ok(()),
                    };
                    (filter, result)
                })
                .collect();
            let done: Vec<&str> = results
                .iter()
                .filter(|(_, result)| result.is_ok())
                .map(|(filter, _)| filter.as_str())
                .collect();
            let mut actions = Vec::new();
            if !done.is_empty() {
                actions.push(log(
                    LogLevel::Info,
                    Text::new(Key::LogUnsubscribed).with("filters", done.join(", ")),
                ));
            }
            for (filter, result) in &results {
                if let Err(words) = result {
                    actions.push(log(
                        LogLevel::Error,
                        Text::new(Key::LogUnsubscribeRefused)
                            .with("filter", filter.as_str())
                            .with("reason", words.clone()),
                    ));
                }
            }
            actions.push(Action::UnsubscribeResults(results));
            actions
        }
        Event::Published { id, result } => {
            let result = result.map_err(|error| publish_error(&error));
            let mut actions = Vec::new();
            if let Err(words) = &result {
                actions.push(log(
                    LogLevel::Error,
                    Text::new(Key::LogPublishFailed).with("reason", words.clone()),
                ));
            }
            actions.push(Action::PublishResult { id, result });
            actions
        }
    }
}

/// The granted QoS of a SUBACK result, or why it was refused.
fn granted(code: ReasonCode) -> Result<QoS, Text> {
    // SUBACK's success codes are the granted QoS itself.
    QoS::try_from(code.0).map_err(|_| reason_code(code, ReasonContext::SubAck))
}

/// A log line per refused filter, then the results.
fn subscription_results(results: Vec<(String, Result<QoS, Text>)>, at: u64) -> Vec<Action> {
    let mut actions: Vec<Action> = results
        .iter()
        .filter_map(|(filter, result)| {
            result.as_ref().err().map(|words| Action::Log {
                at,
                level: LogLevel::Error,
                text: Text::new(Key::LogSubscriptionRefused)
                    .with("filter", filter.as_str())
                    .with("reason", words.clone()),
            })
        })
        .collect();
    actions.push(Action::SubscriptionResults(results));
    actions
}

/// The connection log's line for a connection that ended.
fn loss_log_line(reason: &ConnectionError) -> Text {
    match reason {
        ConnectionError::Refused(refusal) => Text::new(Key::LogConnectionRefused)
            .with("reason", server_reason(refusal, ReasonContext::ConnAck)),
        ConnectionError::ServerDisconnected(disconnect) => Text::new(Key::LogServerClosed).with(
            "reason",
            server_reason(disconnect, ReasonContext::Disconnect),
        ),
        reason => Text::new(Key::LogConnectionLost).with("reason", connection_error(reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::english;
    use mqtt_core::{
        CommandError, ConnAck, ConnAckProperties, ConnectionState, Instant, PacketId, PublishError,
        ServerReason, TransportError,
    };

    const URL: &str = "ws://broker:9001";

    fn logs(actions: &[Action]) -> Vec<(LogLevel, String)> {
        actions
            .iter()
            .filter_map(|action| match action {
                Action::Log { level, text, .. } => Some((*level, english(text))),
                _ => None,
            })
            .collect()
    }

    fn assert_logs(actions: &[Action], expected: &[(LogLevel, &str)]) {
        let expected: Vec<(LogLevel, String)> = expected
            .iter()
            .map(|(level, line)| (*level, (*line).to_owned()))
            .collect();
        assert_eq!(logs(actions), expected);
    }

    /// Results with their refusals in English.
    fn in_english<T: Clone>(
        results: &[(String, Result<T, Text>)],
    ) -> Vec<(&str, Result<T, String>)> {
        results
            .iter()
            .map(|(filter, result)| {
                (
                    filter.as_str(),
                    result.clone().map_err(|words| english(&words)),
                )
            })
            .collect()
    }

    fn refusal(code: ReasonCode, reason_string: Option<&str>) -> ServerReason {
        ServerReason {
            code,
            reason_string: reason_string.map(Into::into),
            server_reference: None,
        }
    }

    #[test]
    fn a_lost_connection_is_one_log_line_and_the_state() {
        let reason = ConnectionError::Transport(TransportError::Unreachable { url: URL.into() });
        let state = ConnectionState::Reconnecting {
            at: Instant::from_millis(5),
            attempt: 1,
            reason,
        };
        let actions = actions(Event::StateChanged(state.clone()), URL, 7);
        assert_logs(&actions, &[(
                LogLevel::Error,
                "Connection lost: the connection was closed: could not reach ws://broker:9001 or the connection broke"
            )]);
        assert!(matches!(actions.last(), Some(Action::Connection(s)) if *s == state));
        assert!(matches!(actions[0], Action::Log { at: 7, .. }));
    }

    #[test]
    fn refusals_and_server_disconnects_have_their_own_lines() {
        let refused = ConnectionState::Disconnected {
            reason: Some(ConnectionError::Refused(refusal(
                ReasonCode::NOT_AUTHORIZED,
                Some("no"),
            ))),
        };
        assert_logs(
            &actions(Event::StateChanged(refused), URL, 0),
            &[(LogLevel::Error, "Connection refused: not authorized (no)")],
        );
        let disconnected = ConnectionState::Reconnecting {
            at: Instant::from_millis(0),
            attempt: 1,
            reason: ConnectionError::ServerDisconnected(refusal(
                ReasonCode::SERVER_SHUTTING_DOWN,
                None,
            )),
        };
        assert_logs(
            &actions(Event::StateChanged(disconnected), URL, 0),
            &[(
                LogLevel::Error,
                "The server closed the connection: server shutting down",
            )],
        );
        // A disconnect the user asked for, or connecting, logs nothing.
        for quiet in [
            ConnectionState::Disconnected { reason: None },
            ConnectionState::Connecting,
        ] {
            let actions = actions(Event::StateChanged(quiet.clone()), URL, 0);
            assert!(logs(&actions).is_empty());
            assert!(matches!(&actions[..], [Action::Connection(s)] if *s == quiet));
        }
    }

    #[test]
    fn connack_logs_the_session_and_assigned_id_and_carries_the_limits() {
        let connack = ConnAck {
            session_present: true,
            code: ReasonCode::SUCCESS,
            properties: ConnAckProperties {
                assigned_client_identifier: Some("auto-1".into()),
                maximum_packet_size: Some(1000),
                maximum_qos: Some(QoS::AtLeastOnce),
                ..ConnAckProperties::default()
            },
        };
        let actions = actions(Event::Connected(connack), URL, 0);
        assert_logs(&actions, &[(
                LogLevel::Info,
                "Connected to ws://broker:9001 (session resumed); the server assigned client id auto-1"
            )]);
        let Some(Action::Connected {
            session_present: true,
            server,
        }) = actions.last()
        else {
            panic!("expected Connected, got {actions:?}")
        };
        assert_eq!(server.assigned_client_id.as_deref(), Some("auto-1"));
        assert_eq!(server.maximum_packet_size, Some(1000));
        assert_eq!(server.maximum_qos, Some(QoS::AtLeastOnce));
        let plain = ConnAck {
            session_present: false,
            code: ReasonCode::SUCCESS,
            properties: ConnAckProperties::default(),
        };
        assert_logs(
            &super::actions(Event::Connected(plain), URL, 0),
            &[(LogLevel::Info, "Connected to ws://broker:9001")],
        );
    }

    #[test]
    fn suback_results_are_granted_qos_or_refusals_in_words() {
        let packet_id = PacketId::new(1).unwrap();
        let actions = actions(
            Event::Subscribed {
                packet_id,
                filters: vec!["a".into(), "b".into()],
                results: vec![ReasonCode::GRANTED_QOS_2, ReasonCode::NOT_AUTHORIZED],
            },
            URL,
            0,
        );
        assert_logs(
            &actions,
            &[(
                LogLevel::Error,
                "Subscription to b refused: not authorized to subscribe to this filter",
            )],
        );
        let Some(Action::SubscriptionResults(results)) = actions.last() else {
            panic!("{actions:?}")
        };
        assert_eq!(
            in_english(results),
            [
                ("a", Ok(QoS::ExactlyOnce)),
                (
                    "b",
                    Err("not authorized to subscribe to this filter".to_owned())
                )
            ]
        );
        let failed = super::actions(
            Event::SubscribeFailed {
                packet_id,
                filters: vec!["w/#".into()],
                error: CommandError::WildcardSubscriptionsNotAvailable,
            },
            URL,
            0,
        );
        let Some(Action::SubscriptionResults(results)) = failed.last() else {
            panic!("{failed:?}")
        };
        assert_eq!(
            in_english(results),
            [(
                "w/#",
                Err("The server does not support wildcard subscriptions".to_owned())
            )]
        );
    }

    #[test]
    fn unsuback_removes_what_it_confirms_and_keeps_a_refusal_with_its_words() {
        let actions = actions(
            Event::Unsubscribed {
                packet_id: PacketId::new(2).unwrap(),
                filters: vec!["a".into(), "b".into(), "c".into()],
                results: vec![
                    ReasonCode::SUCCESS,
                    ReasonCode::NOT_AUTHORIZED,
                    ReasonCode::NO_SUBSCRIPTION_EXISTED,
                ],
            },
            URL,
            0,
        );
        let refused = "not authorized to unsubscribe from this filter".to_owned();
        assert_logs(
            &actions,
            &[
                (LogLevel::Info, "Unsubscribed from a, c"),
                (
                    LogLevel::Error,
                    format!("Unsubscribing from b refused: {refused}").as_str(),
                ),
            ],
        );
        let Some(Action::UnsubscribeResults(results)) = actions.last() else {
            panic!("{actions:?}")
        };
        assert_eq!(
            in_english(results),
            [("a", Ok(())), ("b", Err(refused)), ("c", Ok(()))]
        );
    }

    #[test]
    fn publish_outcomes_reach_the_sent_history_and_failures_the_log() {
        let ok = actions(
            Event::Published {
                id: 3,
                result: Ok(()),
            },
            URL,
            0,
        );
        assert!(matches!(
            &ok[..],
            [Action::PublishResult {
                id: 3,
                result: Ok(())
            }]
        ));
        let failed = actions(
            Event::Published {
                id: 4,
                result: Err(PublishError::SessionNotKept),
            },
            URL,
            0,
        );
        assert_logs(
            &failed,
            &[(
                LogLevel::Error,
                "Publish failed: unconfirmed: the server did not keep the session",
            )],
        );
        assert!(matches!(
            failed.last(),
            Some(Action::PublishResult { id: 4, result: Err(words) })
                if *words == Text::new(Key::PublishSessionNotKept)
        ));
    }
}
