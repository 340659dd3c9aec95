//! The reconnect schedule: exponential backoff with jitter and a cap, reset after a stable
//! connection, stopped by the user or by refusals a retry cannot fix.

mod support;

use std::time::Duration;

use mqtt_core::*;
use support::pair::*;

fn options() -> ClientOptions {
    let mut options = ClientOptions::new(ProtocolVersion::V5, "reconnect-test");
    options.reconnect = ReconnectPolicy {
        enabled: true,
        initial_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(8),
        stable_after: Duration::from_secs(10),
    };
    options
}

fn accept(pair: &mut Pair) {
    pair.server_send(Packet::ConnAck(ConnAck {
        session_present: false,
        code: ReasonCode::SUCCESS,
        properties: ConnAckProperties::default(),
    }));
}

/// The scheduled attempt: its number and how long from now.
fn scheduled(pair: &Pair) -> (u32, Duration) {
    match pair.client.state() {
        ConnectionState::Reconnecting { at, attempt, .. } => {
            assert_eq!(
                pair.client.poll_timeout(),
                Some(*at),
                "the countdown is the timer"
            );
            (*attempt, at.saturating_duration_since(pair.now))
        }
        other => panic!("expected Reconnecting, got {other:?}"),
    }
}

/// Wait for the scheduled attempt, then open its transport.
fn attempt(pair: &mut Pair) {
    let (_, wait) = scheduled(pair);
    pair.advance(wait);
    let transport = pair.expect_open();
    assert_eq!(pair.client.state(), &ConnectionState::Connecting);
    pair.client.handle_transport_open(pair.now, transport);
    pair.drive();
    assert!(matches!(pair.expect_sent(), Packet::Connect(_)));
}

#[test]
fn failed_attempts_back_off_exponentially_up_to_the_cap() {
    let mut pair = Pair::connected(options(), ConnAckProperties::default());
    pair.transport_closed("network down");
    let caps = [1_000u64, 2_000, 4_000, 8_000, 8_000, 8_000];
    for (index, cap) in caps.iter().enumerate() {
        let (number, wait) = scheduled(&pair);
        assert_eq!(number as usize, index + 1);
        let wait = wait.as_millis() as u64;
        assert!(
            wait >= cap / 2 && wait <= *cap,
            "attempt {number}: {wait} ms, cap {cap}"
        );
        attempt(&mut pair);
        // The transport fails before CONNACK.
        pair.transport_closed("connection refused");
    }
    // One state change per loss, each saying why.
    let losses: Vec<ConnectionError> = pair
        .take_events()
        .into_iter()
        .filter_map(|event| match event {
            Event::StateChanged(ConnectionState::Reconnecting { reason, .. }) => Some(reason),
            _ => None,
        })
        .collect();
    let mut expected = vec![ConnectionError::Transport(transport_error("network down"))];
    expected
        .extend(caps.map(|_| ConnectionError::Transport(transport_error("connection refused"))));
    assert_eq!(losses, expected);
}

#[test]
fn a_stable_connection_resets_the_backoff_and_a_short_one_does_not() {
    let mut pair = Pair::connected(options(), ConnAckProperties::default());
    pair.transport_closed("drop 1");
    attempt(&mut pair);
    accept(&mut pair);
    // Connected for less than stable_after: the next wait keeps growing.
    pair.advance(Duration::from_secs(5));
    pair.transport_closed("drop 2");
    assert_eq!(scheduled(&pair).0, 2);
    attempt(&mut pair);
    accept(&mut pair);
    pair.advance(Duration::from_secs(10));
    pair.transport_closed("drop 3");
    let (number, wait) = scheduled(&pair);
    assert_eq!(number, 1);
    assert!(wait <= Duration::from_secs(1));
}

#[test]
fn user_disconnect_cancels_a_scheduled_reconnect() {
    let mut pair = Pair::connected(options(), ConnAckProperties::default());
    pair.transport_closed("network down");
    pair.client.disconnect(pair.now);
    pair.drive();
    assert_eq!(pair.take_transport(), None, "no transport to close");
    assert_eq!(
        pair.client.state(),
        &ConnectionState::Disconnected { reason: None }
    );
    assert_eq!(pair.client.poll_timeout(), None);
    pair.advance(Duration::from_secs(60));
    assert_eq!(pair.take_transport(), None);
}

#[test]
fn connect_during_the_wait_tries_at_once() {
    let mut pair = Pair::connected(options(), ConnAckProperties::default());
    pair.transport_closed("network down");
    pair.client.connect(pair.now);
    pair.drive();
    pair.expect_open();
    assert_eq!(pair.client.state(), &ConnectionState::Connecting);
}

#[test]
fn reconnect_disabled_stays_disconnected_with_the_reason() {
    let mut options = options();
    options.reconnect.enabled = false;
    let mut pair = Pair::connected(options, ConnAckProperties::default());
    pair.transport_closed("network down");
    assert_eq!(
        pair.client.state(),
        &ConnectionState::Disconnected {
            reason: Some(ConnectionError::Transport(transport_error("network down")))
        }
    );
    assert_eq!(pair.client.poll_timeout(), None);
    // Publishing still queues for the user's next connect.
    assert!(pair
        .client
        .publish(pair.now, message("t", b"x", QoS::AtLeastOnce))
        .is_ok());
}

#[test]
fn bad_credentials_stop_until_the_user_connects_again() {
    let mut pair = Pair::connected(options(), ConnAckProperties::default());
    pair.transport_closed("network down");
    attempt(&mut pair);
    pair.server_send(Packet::ConnAck(ConnAck {
        session_present: false,
        code: ReasonCode::BAD_USER_NAME_OR_PASSWORD,
        properties: ConnAckProperties::default(),
    }));
    pair.expect_close();
    assert!(matches!(
        pair.client.state(),
        ConnectionState::Disconnected { reason: Some(_) }
    ));
    pair.advance(Duration::from_secs(600));
    assert_eq!(pair.take_transport(), None, "no hammering");
    pair.client.connect(pair.now);
    pair.drive();
    pair.expect_open();
}

#[test]
fn the_same_seed_gives_the_same_schedule() {
    let schedule = |seed| {
        let mut client = Client::new(options(), seed);
        let mut now = Instant::from_millis(0);
        let mut waits = Vec::new();
        client.connect(now);
        for _ in 0..5 {
            let Some(TransportCommand::Open(transport)) = client.poll_transport() else {
                panic!("an attempt opens a transport")
            };
            client.handle_transport_closed(now, transport, transport_error("refused"));
            let at = client.poll_timeout().unwrap();
            waits.push(at.saturating_duration_since(now));
            now = at;
            client.handle_timeout(now);
        }
        waits
    };
    assert_eq!(schedule(7), schedule(7));
    assert_ne!(schedule(7), schedule(8));
}

#[test]
fn news_of_a_stale_transport_is_ignored() {
    let mut pair = Pair::connected(options(), ConnAckProperties::default());
    let first = pair.current.unwrap();
    pair.transport_closed("network down");
    attempt(&mut pair);
    accept(&mut pair);
    assert!(matches!(
        pair.client.state(),
        ConnectionState::Connected { .. }
    ));
    pair.take_events();
    // The old transport's late bytes and close reach the core after the new one is up.
    pair.client
        .handle_bytes(pair.now, first, &[0x30, 0x03, 0x00, 0x01, b'a']);
    pair.client
        .handle_transport_closed(pair.now, first, transport_error("late close"));
    pair.client.handle_transport_open(pair.now, first);
    pair.drive();
    pair.expect_nothing_sent();
    assert_eq!(pair.take_transport(), None);
    assert_eq!(pair.take_events(), []);
    assert!(matches!(
        pair.client.state(),
        ConnectionState::Connected { .. }
    ));
}

#[test]
fn reset_starts_a_new_session_whose_ids_are_new() {
    let mut pair = Pair::connected(options(), ConnAckProperties::default());
    let first = pair.current.unwrap();
    let before = pair
        .client
        .publish(pair.now, message("t", b"a", QoS::AtMostOnce))
        .unwrap();
    pair.drive();
    assert!(matches!(pair.expect_sent(), Packet::Publish(_)));
    pair.client.disconnect(pair.now);
    pair.drive();
    assert!(matches!(pair.expect_sent(), Packet::Disconnect(_)));
    pair.expect_close();
    pair.take_events();
    let mut options = options();
    options.client_id = "another".into();
    pair.client.reset(options);
    assert_eq!(
        pair.client.state(),
        &ConnectionState::Disconnected { reason: None }
    );
    let connect = pair.open();
    assert_eq!(connect.client_id, "another");
    assert_ne!(pair.current, Some(first), "a new transport id");
    pair.server_send(Packet::ConnAck(ConnAck {
        session_present: false,
        code: ReasonCode::SUCCESS,
        properties: ConnAckProperties::default(),
    }));
    let after = pair
        .client
        .publish(pair.now, message("t", b"b", QoS::AtMostOnce))
        .unwrap();
    assert!(after > before, "publish ids go on: {before} then {after}");
    // News of the old session's transport is ignored.
    pair.client
        .handle_transport_closed(pair.now, first, transport_error("late"));
    assert!(matches!(
        pair.client.state(),
        ConnectionState::Connected { .. }
    ));
}
