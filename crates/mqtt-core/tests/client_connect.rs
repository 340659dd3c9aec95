//! CONNECT and CONNACK transcripts: what the client asks for, and how it takes the answer.

mod support;

use std::time::Duration;

use mqtt_core::*;
use support::pair::*;

fn v5_options() -> ClientOptions {
    ClientOptions::new(ProtocolVersion::V5, "client-1")
}

fn accepted(properties: ConnAckProperties) -> Packet {
    Packet::ConnAck(ConnAck {
        session_present: false,
        code: ReasonCode::SUCCESS,
        properties,
    })
}

fn refused(code: u8) -> Packet {
    Packet::ConnAck(ConnAck {
        session_present: false,
        code: ReasonCode(code),
        properties: ConnAckProperties::default(),
    })
}

#[test]
fn connect_carries_every_v5_option_and_the_will() {
    let mut options = v5_options();
    options.username = Some("alice".into());
    options.password = Some(Bytes::from_static(b"secret"));
    options.keep_alive = 30;
    options.clean_start = false;
    options.session_expiry_interval = Some(3600);
    options.receive_maximum = Some(10);
    options.maximum_packet_size = Some(65536);
    options.topic_alias_maximum = Some(8);
    options.request_problem_information = Some(true);
    options.user_properties = vec![("app".into(), "test".into())];
    options.will = Some(Will {
        topic: "clients/client-1/status".into(),
        payload: Bytes::from_static(b"gone"),
        qos: QoS::AtLeastOnce,
        retain: true,
        properties: WillProperties {
            delay_interval: Some(5),
            content_type: Some("text/plain".into()),
            ..WillProperties::default()
        },
    });
    let mut pair = Pair::new(options.clone());
    let connect = pair.open();
    assert_eq!(connect.version, ProtocolVersion::V5);
    assert_eq!(connect.client_id, "client-1");
    assert_eq!(connect.username.as_deref(), Some("alice"));
    assert_eq!(connect.password.as_deref(), Some(&b"secret"[..]));
    assert_eq!(connect.keep_alive, 30);
    assert!(!connect.clean_start);
    assert_eq!(connect.will, options.will);
    let properties = connect.properties;
    assert_eq!(properties.session_expiry_interval, Some(3600));
    assert_eq!(properties.receive_maximum, Some(10));
    assert_eq!(properties.maximum_packet_size, Some(65536));
    assert_eq!(properties.topic_alias_maximum, Some(8));
    assert_eq!(properties.request_problem_information, Some(true));
    assert_eq!(properties.user_properties, options.user_properties);
    assert_eq!(pair.client.state(), &ConnectionState::Connecting);
}

#[test]
fn version_311_connect_ignores_version_5_options() {
    let mut options = ClientOptions::new(ProtocolVersion::V311, "old");
    options.session_expiry_interval = Some(60);
    options.user_properties = vec![("a".into(), "b".into())];
    options.will = Some(Will {
        topic: "w".into(),
        payload: Bytes::from_static(b"x"),
        qos: QoS::AtMostOnce,
        retain: false,
        properties: WillProperties {
            delay_interval: Some(1),
            ..WillProperties::default()
        },
    });
    let mut pair = Pair::new(options);
    let connect = pair.open();
    assert_eq!(connect.version, ProtocolVersion::V311);
    assert_eq!(connect.properties, ConnectProperties::default());
    assert_eq!(
        connect.will.expect("the will is kept").properties,
        WillProperties::default()
    );
}

#[test]
fn connack_properties_are_surfaced_and_assigned_id_is_reused() {
    let mut pair = Pair::new(ClientOptions::new(ProtocolVersion::V5, ""));
    assert_eq!(pair.open().client_id, "");
    assert_eq!(
        pair.take_events(),
        vec![Event::StateChanged(ConnectionState::Connecting)]
    );
    let properties = ConnAckProperties {
        assigned_client_identifier: Some("auto-123".into()),
        receive_maximum: Some(5),
        maximum_qos: Some(QoS::AtLeastOnce),
        retain_available: Some(false),
        maximum_packet_size: Some(1000),
        topic_alias_maximum: Some(3),
        reason_string: Some("welcome".into()),
        wildcard_subscription_available: Some(false),
        subscription_identifiers_available: Some(false),
        shared_subscription_available: Some(false),
        server_reference: Some("other.example".into()),
        ..ConnAckProperties::default()
    };
    pair.server_send(accepted(properties.clone()));
    let events = pair.take_events();
    assert_eq!(
        events,
        // One event for the transition, not also a state change.
        vec![Event::Connected(ConnAck {
            session_present: false,
            code: ReasonCode::SUCCESS,
            properties: properties.clone()
        })]
    );
    assert_eq!(
        pair.client.state(),
        &ConnectionState::Connected {
            session_present: false
        }
    );
    assert_eq!(pair.client.server_properties(), Some(&properties));

    // After losing the connection, the reconnect presents the id the server assigned.
    pair.transport_closed("network down");
    assert_eq!(pair.client.server_properties(), None);
    pair.advance(Duration::from_secs(2));
    pair.accept_open();
    pair.drive();
    match pair.expect_sent() {
        Packet::Connect(connect) => assert_eq!(connect.client_id, "auto-123"),
        other => panic!("expected CONNECT, got {other:?}"),
    }
}

#[test]
fn refusals_are_described_and_bad_credentials_stop_reconnecting() {
    for (code, words, reconnects) in [
        (0x86, "user name or password", false),
        (0x87, "not authorized", false),
        (0x88, "unavailable", true),
        (0x89, "busy", true),
    ] {
        let mut pair = Pair::new(v5_options());
        pair.open();
        pair.server_send(refused(code));
        let refusal = ConnectionError::Refused(ServerReason {
            code: ReasonCode(code),
            reason_string: None,
            server_reference: None,
        });
        assert_eq!(pair.take_lost_reason(), refusal);
        // The words beside the type, which the app shows.
        assert!(
            refusal.to_string().contains(words),
            "0x{code:02X}: {refusal}"
        );
        pair.expect_close();
        match pair.client.state() {
            ConnectionState::Reconnecting { .. } => assert!(reconnects, "0x{code:02X} reconnects"),
            ConnectionState::Disconnected { reason } => {
                assert!(!reconnects, "0x{code:02X} stops");
                assert_eq!(reason.as_ref(), Some(&refusal));
                assert_eq!(pair.client.poll_timeout(), None, "nothing scheduled");
            }
            other => panic!("unexpected state {other:?}"),
        }
    }
}

#[test]
fn version_311_return_codes_are_refusals_in_words() {
    // 3.1.1 return code 4 (bad user name or password) as raw bytes.
    let mut pair = Pair::new(ClientOptions::new(ProtocolVersion::V311, "c"));
    pair.open();
    pair.server_send_bytes(&[0x20, 0x02, 0x00, 0x04]);
    assert_eq!(
        pair.take_lost_reason(),
        refusal(ReasonCode::BAD_USER_NAME_OR_PASSWORD)
    );
    assert_eq!(
        pair.client.state(),
        &ConnectionState::Disconnected {
            reason: Some(refusal(ReasonCode::BAD_USER_NAME_OR_PASSWORD))
        }
    );
}

#[test]
fn version_311_server_refusing_a_version_5_connect_is_a_refusal_in_words() {
    // What a 3.1.1-only broker answers to a 5.0 CONNECT: return code 1, unacceptable version.
    let mut pair = Pair::new(v5_options());
    pair.open();
    pair.server_send_bytes(&[0x20, 0x02, 0x00, 0x01]);
    assert_eq!(
        pair.take_lost_reason(),
        refusal(ReasonCode::UNSUPPORTED_PROTOCOL_VERSION)
    );
    assert_eq!(
        pair.client.state(),
        &ConnectionState::Disconnected {
            reason: Some(refusal(ReasonCode::UNSUPPORTED_PROTOCOL_VERSION))
        }
    );
}

#[test]
fn second_connack_is_a_protocol_error() {
    let mut pair = Pair::connected(v5_options(), ConnAckProperties::default());
    pair.server_send(accepted(ConnAckProperties::default()));
    match pair.expect_sent() {
        Packet::Disconnect(disconnect) => assert_eq!(disconnect.reason, ReasonCode::PROTOCOL_ERROR),
        other => panic!("expected DISCONNECT, got {other:?}"),
    }
    pair.expect_close();
    assert_eq!(
        pair.take_lost_reason(),
        ConnectionError::Protocol(ProtocolViolation::ConnAckTwice)
    );
    assert!(matches!(
        pair.client.state(),
        ConnectionState::Reconnecting { .. }
    ));
}

#[test]
fn packet_before_connack_is_a_protocol_error() {
    let mut pair = Pair::new(v5_options());
    pair.open();
    pair.server_send(Packet::PingResp);
    assert!(
        matches!(pair.expect_sent(), Packet::Disconnect(d) if d.reason == ReasonCode::PROTOCOL_ERROR)
    );
    pair.expect_close();
    assert_eq!(
        pair.take_lost_reason(),
        ConnectionError::Protocol(ProtocolViolation::BeforeConnAck { packet: "PINGRESP" })
    );
}

#[test]
fn missing_connack_times_out() {
    let mut pair = Pair::new(v5_options());
    pair.open();
    pair.advance(Duration::from_secs(29));
    assert_eq!(pair.take_transport(), None);
    pair.advance(Duration::from_secs(1));
    pair.expect_close();
    assert_eq!(
        pair.take_lost_reason(),
        ConnectionError::ConnAckTimeout(Duration::from_secs(30))
    );
}

#[test]
fn server_disconnect_is_reported_then_reconnects() {
    let mut pair = Pair::connected(v5_options(), ConnAckProperties::default());
    pair.server_send(Packet::Disconnect(Disconnect {
        reason: ReasonCode::SERVER_SHUTTING_DOWN,
        properties: DisconnectProperties {
            reason_string: Some("maintenance".into()),
            ..DisconnectProperties::default()
        },
    }));
    pair.expect_nothing_sent();
    pair.expect_close();
    let events = pair.take_events();
    let expected = ConnectionError::ServerDisconnected(ServerReason {
        code: ReasonCode::SERVER_SHUTTING_DOWN,
        reason_string: Some("maintenance".into()),
        server_reference: None,
    });
    // One event for the transition, which says why.
    match events.as_slice() {
        [Event::StateChanged(ConnectionState::Reconnecting {
            attempt: 1, reason, ..
        })] => assert_eq!(reason, &expected),
        other => panic!("expected one Reconnecting, got {other:?}"),
    }
    assert_eq!(
        expected.to_string(),
        "the server disconnected: server shutting down (maintenance)"
    );
}

#[test]
fn user_disconnect_sends_disconnect_closes_and_stays_down() {
    let mut pair = Pair::connected(v5_options(), ConnAckProperties::default());
    pair.client.disconnect(pair.now);
    pair.drive();
    assert!(matches!(pair.expect_sent(), Packet::Disconnect(d) if d.reason == ReasonCode::SUCCESS));
    pair.expect_close();
    assert_eq!(
        pair.client.state(),
        &ConnectionState::Disconnected { reason: None }
    );
    assert_eq!(pair.client.poll_timeout(), None);
    assert_eq!(
        pair.take_events(),
        [Event::StateChanged(ConnectionState::Disconnected {
            reason: None
        })]
    );
    // A late close report from the driver changes nothing.
    pair.transport_closed("closed");
    assert_eq!(
        pair.client.state(),
        &ConnectionState::Disconnected { reason: None }
    );
    assert_eq!(pair.take_events(), []);
}

#[test]
fn session_present_after_clean_start_is_a_protocol_error() {
    let mut pair = Pair::new(v5_options());
    pair.open();
    pair.server_send(Packet::ConnAck(ConnAck {
        session_present: true,
        code: ReasonCode::SUCCESS,
        properties: ConnAckProperties::default(),
    }));
    assert!(
        matches!(pair.expect_sent(), Packet::Disconnect(d) if d.reason == ReasonCode::PROTOCOL_ERROR)
    );
    assert!(matches!(
        pair.client.state(),
        ConnectionState::Reconnecting { .. }
    ));
}

#[test]
fn options_that_cannot_be_encoded_stop_without_retrying() {
    let mut options = v5_options();
    options.will = Some(Will {
        topic: "wills/+".into(),
        payload: Bytes::new(),
        qos: QoS::AtMostOnce,
        retain: false,
        properties: WillProperties::default(),
    });
    let mut pair = Pair::new(options);
    pair.client.connect(pair.now);
    pair.drive();
    pair.accept_open();
    pair.drive();
    pair.expect_nothing_sent();
    pair.expect_close();
    let ConnectionState::Disconnected {
        reason: Some(reason),
    } = pair.client.state()
    else {
        panic!("expected Disconnected, got {:?}", pair.client.state())
    };
    assert!(
        matches!(
            reason,
            ConnectionError::InvalidOptions(CommandError::InvalidTopic(_))
        ),
        "{reason:?}"
    );
    assert_eq!(pair.client.poll_timeout(), None);
}

fn refusal(code: ReasonCode) -> ConnectionError {
    ConnectionError::Refused(ServerReason {
        code,
        reason_string: None,
        server_reference: None,
    })
}

#[test]
fn server_redirections_are_typed_and_the_session_stays_for_the_next_server() {
    // CONNACK 0x9C with a reference: a redirection, and the client stops until told where.
    let mut pair = Pair::new(v5_options());
    pair.open();
    pair.server_send(Packet::ConnAck(ConnAck {
        session_present: false,
        code: ReasonCode::USE_ANOTHER_SERVER,
        properties: ConnAckProperties {
            server_reference: Some("other.example:8080".into()),
            ..ConnAckProperties::default()
        },
    }));
    let reason = pair.take_lost_reason();
    assert_eq!(
        reason.redirect(),
        Some(Redirect {
            kind: RedirectKind::UseAnotherServer,
            reference: "other.example:8080"
        })
    );
    pair.expect_close();
    assert!(matches!(
        pair.client.state(),
        ConnectionState::Disconnected { reason: Some(_) }
    ));
    // Following it is connecting again with the same client.
    pair.client.connect(pair.now);
    pair.drive();
    pair.expect_open();

    // DISCONNECT 0x9D with a reference: server moved.
    let mut pair = Pair::connected(v5_options(), ConnAckProperties::default());
    pair.server_send(Packet::Disconnect(Disconnect {
        reason: ReasonCode::SERVER_MOVED,
        properties: DisconnectProperties {
            server_reference: Some("ws://new.example/mqtt".into()),
            ..DisconnectProperties::default()
        },
    }));
    assert_eq!(
        pair.take_lost_reason().redirect(),
        Some(Redirect {
            kind: RedirectKind::ServerMoved,
            reference: "ws://new.example/mqtt"
        })
    );
}

#[test]
fn only_0x9c_and_0x9d_with_a_reference_are_redirections() {
    let reason = |code: ReasonCode, reference: Option<&str>| {
        ConnectionError::Refused(ServerReason::new(code, None, reference.map(Into::into)))
    };
    assert_eq!(
        reason(ReasonCode::USE_ANOTHER_SERVER, None).redirect(),
        None
    );
    assert_eq!(reason(ReasonCode::SERVER_MOVED, Some("")).redirect(), None);
    assert_eq!(
        reason(ReasonCode::SERVER_UNAVAILABLE, Some("x")).redirect(),
        None
    );
    assert_eq!(
        ConnectionError::PingTimeout(Duration::from_secs(1)).redirect(),
        None
    );
    assert_eq!(
        reason(ReasonCode::SERVER_MOVED, Some("host")).redirect(),
        Some(Redirect {
            kind: RedirectKind::ServerMoved,
            reference: "host"
        })
    );
}
