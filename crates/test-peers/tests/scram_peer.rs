//! The core's SCRAM client (`mqtt_core::scram`, driven through the generic AUTH exchange)
//! against the scripted SCRAM peer, over a real WebSocket with the native driver: both
//! hashes succeed and verify the server's signature, a wrong password is refused with CONNACK
//! 0x86, and a re-authentication succeeds on the live connection.

use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use mqtt_core::scram::{ScramClient, ScramHash};
use mqtt_core::*;
use test_peers::driver::{Driver, Endpoint};

const WAIT: Duration = Duration::from_secs(20);

fn peer() -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a free port");
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || test_peers::scram_peer::serve(listener));
    port
}

fn driver(port: u16, scram: &ScramClient) -> Driver {
    let mut options = ClientOptions::new(ProtocolVersion::V5, "scram-test");
    options.reconnect.enabled = false;
    options.authentication = Some(Authentication {
        method: scram.hash().method().into(),
        data: Some(Bytes::from(scram.client_first())),
    });
    Driver::new(options, Endpoint::websocket(port, "/"))
}

/// Answers the server's first message; the outcome of the exchange.
fn answer_step(driver: &mut Driver, scram: &mut ScramClient) {
    let step = driver
        .take_event(WAIT, |event| {
            matches!(event, Event::AuthenticationStep { .. })
        })
        .expect("the server's first message");
    let Event::AuthenticationStep { data, .. } = step else {
        unreachable!()
    };
    let client_final = scram
        .client_final(&data.expect("server-first data"))
        .expect("a valid server-first");
    driver
        .command(|client, now| client.authenticate(now, Some(Bytes::from(client_final))))
        .expect("a step is awaited");
}

fn connect(
    port: u16,
    hash: ScramHash,
    password: &str,
    nonce: &str,
) -> (Driver, ScramClient, Event) {
    let mut scram = ScramClient::new(hash, "user", password.as_bytes(), nonce);
    let mut driver = driver(port, &scram);
    driver.connect();
    answer_step(&mut driver, &mut scram);
    let end = driver
        .take_event(WAIT, |event| {
            matches!(event, Event::Connected(_))
                || matches!(
                    event,
                    Event::StateChanged(ConnectionState::Disconnected { .. })
                )
        })
        .expect("an outcome");
    (driver, scram, end)
}

#[test]
fn scram_sha_256_and_512_succeed_and_the_server_is_verified() {
    let port = peer();
    for hash in [ScramHash::Sha256, ScramHash::Sha512] {
        let (mut driver, scram, end) = connect(port, hash, "pencil", "fyko+d2lbbFgONRv9qkxdawL");
        let Event::Connected(connack) = end else {
            panic!("{hash:?}: expected CONNACK success, got {end:?}");
        };
        let server_final = connack
            .properties
            .authentication_data
            .expect("server-final");
        scram
            .verify_server_final(&server_final)
            .unwrap_or_else(|error| panic!("{hash:?}: {error}"));
        driver.disconnect();
    }
}

#[test]
fn a_wrong_password_is_refused_with_bad_user_name_or_password() {
    let port = peer();
    let (_driver, _, end) = connect(port, ScramHash::Sha256, "pencil2", "n0nce");
    match end {
        Event::StateChanged(ConnectionState::Disconnected {
            reason: Some(ConnectionError::Refused(reason)),
        }) => assert_eq!(reason.code, ReasonCode::BAD_USER_NAME_OR_PASSWORD),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn reauthentication_succeeds_on_the_live_connection() {
    let port = peer();
    let (mut driver, _, end) = connect(port, ScramHash::Sha512, "pencil", "first-nonce");
    assert!(matches!(end, Event::Connected(_)), "{end:?}");
    let mut again = ScramClient::new(ScramHash::Sha512, "user", b"pencil", "second-nonce");
    let first = Bytes::from(again.client_first());
    driver
        .command(|client, now| client.reauthenticate(now, Some(first)))
        .expect("connected with a method");
    answer_step(&mut driver, &mut again);
    let done = driver
        .take_event(WAIT, |event| matches!(event, Event::Reauthenticated { .. }))
        .expect("re-authenticated");
    let Event::Reauthenticated { data, .. } = done else {
        unreachable!()
    };
    again
        .verify_server_final(&data.expect("server-final"))
        .expect("the server's signature");
    assert!(matches!(
        driver.command(|client, _| client.state().clone()),
        ConnectionState::Connected { .. }
    ));
}

#[test]
fn a_server_that_does_not_know_the_password_fails_verification() {
    let port = peer();
    let mut scram = ScramClient::new(ScramHash::Sha256, "forger", b"pencil", "forger-nonce");
    let mut driver = driver(port, &scram);
    driver.connect();
    answer_step(&mut driver, &mut scram);
    let connack = driver
        .take_event(WAIT, |event| matches!(event, Event::Connected(_)))
        .expect("the forger's CONNACK");
    let Event::Connected(connack) = connack else {
        unreachable!()
    };
    assert_eq!(
        scram.verify_server_final(
            &connack
                .properties
                .authentication_data
                .expect("server-final")
        ),
        Err(mqtt_core::scram::ScramError::ServerSignature)
    );
}

fn challenge_driver(port: u16, first: &'static [u8]) -> Driver {
    let mut options = ClientOptions::new(ProtocolVersion::V5, "challenge-test");
    options.reconnect.enabled = false;
    options.authentication = Some(Authentication {
        method: test_peers::scram_peer::CHALLENGE_METHOD.into(),
        data: Some(Bytes::from_static(first)),
    });
    Driver::new(options, Endpoint::websocket(port, "/"))
}

/// Waits for the challenge and answers it.
fn answer_challenge(driver: &mut Driver, answer: &'static [u8]) {
    let step = driver
        .take_event(WAIT, |event| {
            matches!(event, Event::AuthenticationStep { .. })
        })
        .expect("the challenge");
    let Event::AuthenticationStep {
        data,
        reason_string,
        ..
    } = step
    else {
        unreachable!()
    };
    assert_eq!(data.as_deref(), Some(test_peers::scram_peer::CHALLENGE));
    assert_eq!(reason_string.as_deref(), Some("challenge"));
    driver
        .command(|client, now| client.authenticate(now, Some(Bytes::from_static(answer))))
        .expect("a step is awaited");
}

fn outcome(driver: &mut Driver) -> Event {
    driver
        .take_event(WAIT, |event| {
            matches!(event, Event::Connected(_))
                || matches!(
                    event,
                    Event::StateChanged(ConnectionState::Disconnected { .. })
                )
        })
        .expect("an outcome")
}

#[test]
fn the_challenge_method_takes_the_password_as_its_answer_and_re_authenticates() {
    let port = peer();
    let mut driver = challenge_driver(port, b"hello");
    driver.connect();
    answer_challenge(&mut driver, b"pencil");
    let Event::Connected(connack) = outcome(&mut driver) else {
        panic!("expected CONNACK success");
    };
    assert_eq!(
        connack.properties.authentication_data.as_deref(),
        Some(test_peers::scram_peer::CHALLENGE_WELCOME)
    );
    driver
        .command(|client, now| client.reauthenticate(now, Some(Bytes::from_static(b"hello"))))
        .expect("connected with a method");
    answer_challenge(&mut driver, b"pencil");
    driver
        .take_event(WAIT, |event| matches!(event, Event::Reauthenticated { .. }))
        .expect("re-authenticated");
    // A wrong answer to a re-authentication: DISCONNECT 0x87.
    driver
        .command(|client, now| client.reauthenticate(now, Some(Bytes::from_static(b"hello"))))
        .expect("connected with a method");
    answer_challenge(&mut driver, b"crayon");
    let end = driver
        .take_event(WAIT, |event| {
            matches!(
                event,
                Event::StateChanged(ConnectionState::Disconnected { .. })
            )
        })
        .expect("the server's DISCONNECT");
    match end {
        Event::StateChanged(ConnectionState::Disconnected {
            reason: Some(ConnectionError::ServerDisconnected(reason)),
        }) => assert_eq!(reason.code, ReasonCode::NOT_AUTHORIZED),
        other => panic!("expected DISCONNECT 0x87, got {other:?}"),
    }
}

#[test]
fn the_challenge_method_refuses_a_wrong_answer_or_a_wrong_greeting() {
    let port = peer();
    let mut driver = challenge_driver(port, b"hello");
    driver.connect();
    answer_challenge(&mut driver, b"crayon");
    for (mut driver, what) in [(driver, "a wrong answer"), {
        let mut driver = challenge_driver(port, b"goodbye");
        driver.connect();
        (driver, "a wrong greeting")
    }] {
        match outcome(&mut driver) {
            Event::StateChanged(ConnectionState::Disconnected {
                reason: Some(ConnectionError::Refused(reason)),
            }) => assert_eq!(reason.code, ReasonCode::NOT_AUTHORIZED, "{what}"),
            other => panic!("{what}: expected CONNACK 0x87, got {other:?}"),
        }
    }
}
