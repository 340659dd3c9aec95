//! Keep alive transcripts (after Mosquitto's 01-keepalive-pingreq and
//! 01-server-keepalive-pingreq): PINGREQ when nothing was sent for the interval, and the
//! connection given up when PINGRESP does not come.

mod support;

use std::time::Duration;

use mqtt_core::*;
use support::pair::*;

fn options(version: ProtocolVersion, keep_alive: u16) -> ClientOptions {
    let mut options = ClientOptions::new(version, "keepalive-test");
    options.keep_alive = keep_alive;
    options
}

const MS: Duration = Duration::from_millis(1);

#[test]
fn pingreq_after_idle_interval_and_pingresp_keeps_the_connection() {
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let mut pair = Pair::connected(options(version, 10), ConnAckProperties::default());
        assert_eq!(
            pair.client.poll_timeout(),
            Some(Instant::from_millis(10_000))
        );
        pair.advance(Duration::from_secs(10) - MS);
        pair.expect_nothing_sent();
        pair.advance(MS);
        assert_eq!(pair.expect_sent(), Packet::PingReq);
        pair.advance(Duration::from_secs(3));
        pair.server_send(Packet::PingResp);
        // The next ping counts from the PINGREQ, sent at 10 s.
        pair.advance(Duration::from_secs(7) - MS);
        pair.expect_nothing_sent();
        pair.advance(MS);
        assert_eq!(pair.expect_sent(), Packet::PingReq);
        assert!(matches!(
            pair.client.state(),
            ConnectionState::Connected { .. }
        ));
    }
}

#[test]
fn sending_postpones_the_ping_but_receiving_does_not() {
    let mut pair = Pair::connected(
        options(ProtocolVersion::V5, 10),
        ConnAckProperties::default(),
    );
    pair.advance(Duration::from_secs(4));
    pair.client
        .publish(pair.now, message("t", b"x", QoS::AtMostOnce))
        .unwrap();
    pair.drive();
    assert!(matches!(pair.expect_sent(), Packet::Publish(_)));
    // Now due at 14 s, not 10 s.
    pair.advance(Duration::from_secs(6));
    pair.expect_nothing_sent();
    // A message from the server at 10 s does not move the deadline.
    pair.server_send(server_publish("t", b"y", Delivery::AtMostOnce));
    pair.advance(Duration::from_secs(4));
    assert_eq!(pair.expect_sent(), Packet::PingReq);
    assert_eq!(pair.now, Instant::from_millis(14_000));
}

#[test]
fn no_pingresp_loses_the_connection_with_the_reason() {
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let mut pair = Pair::connected(options(version, 10), ConnAckProperties::default());
        pair.advance(Duration::from_secs(10));
        assert_eq!(pair.expect_sent(), Packet::PingReq);
        // Other traffic from the server is not an answer to the ping.
        pair.server_send(server_publish("t", b"y", Delivery::AtMostOnce));
        pair.advance(Duration::from_secs(10) - MS);
        assert_eq!(pair.take_transport(), None);
        pair.advance(MS);
        pair.expect_nothing_sent();
        pair.expect_close();
        assert_eq!(
            pair.take_lost_reason(),
            ConnectionError::PingTimeout(Duration::from_secs(10))
        );
        assert!(matches!(
            pair.client.state(),
            ConnectionState::Reconnecting { .. }
        ));
    }
}

#[test]
fn server_keep_alive_overrides_ours() {
    let properties = ConnAckProperties {
        server_keep_alive: Some(3),
        ..ConnAckProperties::default()
    };
    let mut pair = Pair::connected(options(ProtocolVersion::V5, 60), properties);
    pair.advance(Duration::from_secs(3));
    assert_eq!(pair.expect_sent(), Packet::PingReq);
}

#[test]
fn keep_alive_zero_never_pings() {
    let mut pair = Pair::connected(
        options(ProtocolVersion::V5, 0),
        ConnAckProperties::default(),
    );
    assert_eq!(pair.client.poll_timeout(), None);
    pair.advance(Duration::from_secs(3600));
    pair.expect_nothing_sent();
}

#[test]
fn unexpected_pubcomp_is_ignored_and_the_connection_lives_on() {
    // Mosquitto's 03-publish-b2c-qos2-unexpected-pubcomp: a PUBCOMP for an unknown id is
    // dropped; the client carries on and pings on time.
    let mut pair = Pair::connected(
        options(ProtocolVersion::V311, 5),
        ConnAckProperties::default(),
    );
    pair.server_send(Packet::PubComp(ack(13423, ReasonCode::SUCCESS)));
    pair.expect_nothing_sent();
    pair.advance(Duration::from_secs(5));
    assert_eq!(pair.expect_sent(), Packet::PingReq);
    assert!(matches!(
        pair.client.state(),
        ConnectionState::Connected { .. }
    ));
}
