//! Enhanced authentication transcripts (MQTT 5.0 section 4.12): the method and first step in
//! CONNECT, the server's AUTH (continue) as events answered by `authenticate`, the CONNACK
//! that ends the exchange, re-authentication on a live connection, and every AUTH out of
//! place ending the connection with DISCONNECT 0x82.

mod support;

use mqtt_core::codec::ProtocolFault;
use mqtt_core::*;
use support::pair::*;

const METHOD: &str = "TEST-METHOD";

fn options() -> ClientOptions {
    let mut options = ClientOptions::new(ProtocolVersion::V5, "auth-client");
    options.authentication = Some(Authentication {
        method: METHOD.into(),
        data: Some(Bytes::from_static(b"first")),
    });
    options
}

fn auth(reason: ReasonCode, method: Option<&str>, data: Option<&'static [u8]>) -> Packet {
    Packet::Auth(Auth {
        reason,
        properties: AuthProperties {
            method: method.map(Into::into),
            data: data.map(Bytes::from_static),
            ..AuthProperties::default()
        },
    })
}

fn method_properties(data: Option<&'static [u8]>) -> ConnAckProperties {
    ConnAckProperties {
        authentication_method: Some(METHOD.into()),
        authentication_data: data.map(Bytes::from_static),
        ..ConnAckProperties::default()
    }
}

fn expect_auth(pair: &mut Pair) -> Auth {
    match pair.expect_sent() {
        Packet::Auth(auth) => auth,
        other => panic!("expected AUTH, got {other:?}"),
    }
}

fn step_events(pair: &mut Pair) -> Vec<(String, Option<Bytes>)> {
    pair.take_events()
        .into_iter()
        .filter_map(|event| match event {
            Event::AuthenticationStep { method, data, .. } => Some((method, data)),
            _ => None,
        })
        .collect()
}

/// The connection ended with DISCONNECT 0x82 and this violation.
fn assert_protocol_error(pair: &mut Pair, expected: ProtocolViolation) {
    match pair.expect_sent() {
        Packet::Disconnect(disconnect) => assert_eq!(disconnect.reason, ReasonCode::PROTOCOL_ERROR),
        other => panic!("expected DISCONNECT, got {other:?}"),
    }
    assert_eq!(pair.take_lost_reason(), ConnectionError::Protocol(expected));
}

#[test]
fn a_two_step_exchange_ends_in_connack_with_the_last_data() {
    let mut pair = Pair::new(options());
    let connect = pair.open();
    assert_eq!(
        connect.properties.authentication_method.as_deref(),
        Some(METHOD)
    );
    assert_eq!(
        connect.properties.authentication_data.as_deref(),
        Some(&b"first"[..])
    );
    // Nothing to answer yet.
    let now = pair.now;
    assert_eq!(
        pair.client.authenticate(now, None),
        Err(CommandError::NoAuthenticationStep)
    );

    pair.server_send(auth(
        ReasonCode::CONTINUE_AUTHENTICATION,
        Some(METHOD),
        Some(b"challenge"),
    ));
    assert_eq!(
        step_events(&mut pair),
        vec![(METHOD.to_string(), Some(Bytes::from_static(b"challenge")))]
    );
    pair.client
        .authenticate(now, Some(Bytes::from_static(b"answer")))
        .expect("the server waits for a step");
    pair.drive();
    let sent = expect_auth(&mut pair);
    assert_eq!(sent.reason, ReasonCode::CONTINUE_AUTHENTICATION);
    assert_eq!(sent.properties.method.as_deref(), Some(METHOD));
    assert_eq!(sent.properties.data.as_deref(), Some(&b"answer"[..]));
    // One answer per step.
    assert_eq!(
        pair.client.authenticate(now, None),
        Err(CommandError::NoAuthenticationStep)
    );

    pair.server_send(Packet::ConnAck(ConnAck {
        session_present: false,
        code: ReasonCode::SUCCESS,
        properties: method_properties(Some(b"final")),
    }));
    let connected = pair
        .take_events()
        .into_iter()
        .find_map(|event| match event {
            Event::Connected(connack) => Some(connack),
            _ => None,
        });
    let connack = connected.expect("connected");
    assert_eq!(
        connack.properties.authentication_data.as_deref(),
        Some(&b"final"[..])
    );
    assert!(matches!(
        pair.client.state(),
        ConnectionState::Connected { .. }
    ));
}

#[test]
fn a_step_restarts_the_connack_wait_for_a_person_typing() {
    let mut pair = Pair::new(options());
    pair.open();
    pair.advance(std::time::Duration::from_secs(25));
    pair.server_send(auth(
        ReasonCode::CONTINUE_AUTHENTICATION,
        Some(METHOD),
        None,
    ));
    pair.advance(std::time::Duration::from_secs(25));
    assert_eq!(pair.client.state(), &ConnectionState::Connecting);
    pair.advance(std::time::Duration::from_secs(6));
    assert!(matches!(
        pair.take_lost_reason(),
        ConnectionError::ConnAckTimeout(_)
    ));
}

#[test]
fn reauthentication_runs_on_the_live_connection() {
    let mut pair = Pair::connected(options(), method_properties(None));
    let now = pair.now;
    pair.client
        .reauthenticate(now, Some(Bytes::from_static(b"again")))
        .expect("connected with a method");
    pair.drive();
    let sent = expect_auth(&mut pair);
    assert_eq!(sent.reason, ReasonCode::RE_AUTHENTICATE);
    assert_eq!(sent.properties.method.as_deref(), Some(METHOD));
    assert_eq!(sent.properties.data.as_deref(), Some(&b"again"[..]));
    assert!(pair.client.is_reauthenticating());
    assert_eq!(
        pair.client.reauthenticate(now, None),
        Err(CommandError::AuthenticationInProgress)
    );

    pair.server_send(auth(
        ReasonCode::CONTINUE_AUTHENTICATION,
        Some(METHOD),
        Some(b"challenge-2"),
    ));
    assert_eq!(step_events(&mut pair).len(), 1);
    pair.client
        .authenticate(now, Some(Bytes::from_static(b"answer-2")))
        .expect("a step is awaited");
    pair.drive();
    assert_eq!(
        expect_auth(&mut pair).reason,
        ReasonCode::CONTINUE_AUTHENTICATION
    );

    pair.server_send(auth(ReasonCode::SUCCESS, Some(METHOD), Some(b"done")));
    assert_eq!(
        pair.take_events(),
        vec![Event::Reauthenticated {
            data: Some(Bytes::from_static(b"done")),
            reason_string: None,
        }]
    );
    assert!(!pair.client.is_reauthenticating());
    assert!(matches!(
        pair.client.state(),
        ConnectionState::Connected { .. }
    ));
    // And again: a second re-authentication may start.
    pair.client
        .reauthenticate(now, None)
        .expect("the last one ended");
    pair.drive();
    assert_eq!(expect_auth(&mut pair).reason, ReasonCode::RE_AUTHENTICATE);
}

#[test]
fn a_refused_reauthentication_is_the_servers_disconnect() {
    let mut pair = Pair::connected(options(), method_properties(None));
    let now = pair.now;
    pair.client.reauthenticate(now, None).expect("connected");
    pair.drive();
    expect_auth(&mut pair);
    pair.server_send(Packet::Disconnect(Disconnect {
        reason: ReasonCode::NOT_AUTHORIZED,
        properties: DisconnectProperties::default(),
    }));
    match pair.take_lost_reason() {
        ConnectionError::ServerDisconnected(reason) => {
            assert_eq!(reason.code, ReasonCode::NOT_AUTHORIZED)
        }
        other => panic!("expected the server's DISCONNECT, got {other:?}"),
    }
}

#[test]
fn another_method_in_auth_or_connack_is_a_protocol_error() {
    let mut pair = Pair::new(options());
    pair.open();
    pair.server_send(auth(
        ReasonCode::CONTINUE_AUTHENTICATION,
        Some("OTHER"),
        None,
    ));
    assert_protocol_error(
        &mut pair,
        ProtocolViolation::AuthenticationMethodMismatch {
            got: Some("OTHER".into()),
        },
    );

    let mut pair = Pair::new(options());
    pair.open();
    pair.server_send(auth(ReasonCode::CONTINUE_AUTHENTICATION, None, None));
    assert_protocol_error(
        &mut pair,
        ProtocolViolation::AuthenticationMethodMismatch { got: None },
    );

    let mut pair = Pair::new(options());
    pair.open();
    pair.server_send(Packet::ConnAck(ConnAck {
        session_present: false,
        code: ReasonCode::SUCCESS,
        properties: ConnAckProperties {
            authentication_method: Some("OTHER".into()),
            ..ConnAckProperties::default()
        },
    }));
    assert_protocol_error(
        &mut pair,
        ProtocolViolation::AuthenticationMethodMismatch {
            got: Some("OTHER".into()),
        },
    );
}

#[test]
fn auth_without_a_method_in_connect_is_a_protocol_error() {
    let mut pair = Pair::new(ClientOptions::new(ProtocolVersion::V5, "plain"));
    let connect = pair.open();
    assert_eq!(connect.properties.authentication_method, None);
    pair.server_send(auth(
        ReasonCode::CONTINUE_AUTHENTICATION,
        Some(METHOD),
        None,
    ));
    assert_protocol_error(
        &mut pair,
        ProtocolViolation::Decode(DecodeError::ProtocolError {
            packet: "AUTH",
            detail: ProtocolFault::UnrequestedAuthentication,
        }),
    );
}

#[test]
fn auth_reason_codes_out_of_place_are_protocol_errors() {
    // Re-authenticate comes from clients only.
    let mut pair = Pair::connected(options(), method_properties(None));
    pair.server_send(auth(ReasonCode::RE_AUTHENTICATE, Some(METHOD), None));
    assert_protocol_error(
        &mut pair,
        ProtocolViolation::UnexpectedAuth {
            reason: ReasonCode::RE_AUTHENTICATE,
        },
    );
    // Success outside a re-authentication, while connecting (CONNACK is the success then)
    // and while connected.
    let mut pair = Pair::new(options());
    pair.open();
    pair.server_send(auth(ReasonCode::SUCCESS, Some(METHOD), None));
    assert_protocol_error(
        &mut pair,
        ProtocolViolation::UnexpectedAuth {
            reason: ReasonCode::SUCCESS,
        },
    );
    let mut pair = Pair::connected(options(), method_properties(None));
    pair.server_send(auth(
        ReasonCode::CONTINUE_AUTHENTICATION,
        Some(METHOD),
        None,
    ));
    assert_protocol_error(
        &mut pair,
        ProtocolViolation::UnexpectedAuth {
            reason: ReasonCode::CONTINUE_AUTHENTICATION,
        },
    );
}

#[test]
fn reauthentication_needs_version_5_a_method_and_a_connection() {
    let mut pair = Pair::connected(
        ClientOptions::new(ProtocolVersion::V5, "plain"),
        ConnAckProperties::default(),
    );
    let now = pair.now;
    assert_eq!(
        pair.client.reauthenticate(now, None),
        Err(CommandError::NoAuthenticationMethod)
    );
    let mut old = options();
    old.version = ProtocolVersion::V311;
    let mut pair = Pair::connected(old, ConnAckProperties::default());
    assert_eq!(
        pair.client.reauthenticate(now, None),
        Err(CommandError::NoAuthenticationMethod)
    );
    pair.expect_nothing_sent();
    let mut pair = Pair::new(options());
    pair.open();
    assert_eq!(
        pair.client.reauthenticate(now, None),
        Err(CommandError::NotConnected)
    );
}

#[test]
fn a_bad_password_refusal_stops_reconnecting() {
    let mut pair = Pair::new(options());
    pair.open();
    pair.server_send(Packet::ConnAck(ConnAck {
        session_present: false,
        code: ReasonCode::BAD_USER_NAME_OR_PASSWORD,
        properties: method_properties(None),
    }));
    match pair.client.state() {
        ConnectionState::Disconnected {
            reason: Some(ConnectionError::Refused(reason)),
        } => assert_eq!(reason.code, ReasonCode::BAD_USER_NAME_OR_PASSWORD),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn each_attempt_may_carry_a_fresh_first_step() {
    let mut pair = Pair::connected(options(), method_properties(None));
    pair.client
        .set_authentication_data(Some(Bytes::from_static(b"fresh")));
    let connect = pair.reconnect(false, method_properties(None));
    assert_eq!(
        connect.properties.authentication_data.as_deref(),
        Some(&b"fresh"[..])
    );
}

#[test]
fn a_rejected_server_ends_the_connection_without_reconnecting() {
    // Connected, then the caller finds the server's final data wrong.
    let mut pair = Pair::new(options());
    pair.open();
    pair.server_send(Packet::ConnAck(ConnAck {
        session_present: false,
        code: ReasonCode::SUCCESS,
        properties: method_properties(Some(b"v=forged")),
    }));
    pair.take_events();
    let now = pair.now;
    pair.client
        .reject_authentication(now, scram::ScramError::ServerSignature);
    pair.drive();
    match pair.expect_sent() {
        Packet::Disconnect(disconnect) => {
            assert_eq!(disconnect.reason, ReasonCode::IMPLEMENTATION_SPECIFIC_ERROR)
        }
        other => panic!("expected DISCONNECT, got {other:?}"),
    }
    assert_eq!(
        pair.client.state(),
        &ConnectionState::Disconnected {
            reason: Some(ConnectionError::AuthenticationRejected(
                scram::ScramError::ServerSignature
            ))
        },
        "no reconnect: the same server would be met again"
    );
    pair.advance(std::time::Duration::from_secs(120));
    assert_eq!(
        pair.client.state(),
        &ConnectionState::Disconnected {
            reason: Some(ConnectionError::AuthenticationRejected(
                scram::ScramError::ServerSignature
            ))
        }
    );

    // While connecting (a malformed first step): closed, nothing more sent.
    let mut pair = Pair::new(options());
    pair.open();
    pair.server_send(auth(
        ReasonCode::CONTINUE_AUTHENTICATION,
        Some(METHOD),
        Some(b"garbage"),
    ));
    pair.take_events();
    let now = pair.now;
    pair.client
        .reject_authentication(now, scram::ScramError::Malformed);
    pair.drive();
    assert!(matches!(
        pair.client.state(),
        ConnectionState::Disconnected {
            reason: Some(ConnectionError::AuthenticationRejected(
                scram::ScramError::Malformed
            ))
        }
    ));
}
