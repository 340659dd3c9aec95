//! Usage: `responder <tcp-port> <topic-prefix>`. The native side of the browser test of
//! request/response (the root package's `tests/app_request.rs`): an MQTT 5 client over TCP to
//! the Mosquitto on `127.0.0.1:<tcp-port>`, subscribed to `<topic-prefix>/#`, that answers each
//! request carrying a Response Topic with `echo: <payload>` on that topic, with the request's
//! Correlation Data (QoS 1), until killed. It prints `subscribed` once its subscription is
//! acknowledged, and one line per answer.

use std::process::ExitCode;
use std::time::Duration;

use mqtt_core::{
    Bytes, ClientOptions, Event, OutgoingMessage, ProtocolVersion, PublishProperties, QoS,
    RetainHandling, SubscribeFilter, SubscribeProperties, SubscriptionOptions,
};
use test_peers::driver::{Driver, Endpoint};

/// The answer to a request: `None` for a message without a Response Topic.
fn answer(request: &mqtt_core::Publish) -> Option<OutgoingMessage> {
    let response_topic = request.properties.response_topic.clone()?;
    let mut payload = b"echo: ".to_vec();
    payload.extend_from_slice(&request.payload);
    Some(OutgoingMessage {
        topic: response_topic,
        payload: Bytes::from(payload),
        qos: QoS::AtLeastOnce,
        retain: false,
        properties: PublishProperties {
            correlation_data: request.properties.correlation_data.clone(),
            ..PublishProperties::default()
        },
    })
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(port), Some(prefix)) = (args.next().and_then(|p| p.parse::<u16>().ok()), args.next())
    else {
        eprintln!("usage: responder <tcp-port> <topic-prefix>");
        return ExitCode::from(2);
    };
    let mut options = ClientOptions::new(ProtocolVersion::V5, "test-responder");
    options.reconnect.initial_delay = Duration::from_millis(100);
    options.reconnect.max_delay = Duration::from_millis(500);
    let mut driver = Driver::new(options, Endpoint::tcp(port));
    driver.connect();
    if let Err(problem) = driver.run_until(Duration::from_secs(10), |event| {
        matches!(event, Event::Connected(_)).then_some(())
    }) {
        eprintln!("responder: not connected: {problem}");
        return ExitCode::FAILURE;
    }
    let filter = SubscribeFilter {
        filter: format!("{prefix}/#"),
        options: SubscriptionOptions {
            qos: QoS::AtLeastOnce,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendAtSubscribe,
        },
    };
    // Subscriptions are restored by the core after a reconnect.
    let subscribed = driver
        .command(|client, now| client.subscribe(now, vec![filter], SubscribeProperties::default()));
    if let Err(error) = subscribed {
        eprintln!("responder: cannot subscribe: {error}");
        return ExitCode::FAILURE;
    }
    // Each request is answered as soon as it is in, not at the end of a wait.
    loop {
        let event = driver.take_event(Duration::from_secs(1), |_| true);
        let message = match event {
            Ok(Event::Subscribed { .. }) => {
                println!("subscribed");
                continue;
            }
            Ok(Event::Message(request)) => answer(&request),
            _ => None,
        };
        if let Some(message) = message {
            let topic = message.topic.clone();
            match driver.command(|client, now| client.publish(now, message)) {
                Ok(_) => println!("answered on {topic}"),
                Err(error) => eprintln!("responder: cannot answer on {topic}: {error}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_goes_to_the_response_topic_with_the_correlation_data() {
        let mut request = mqtt_core::Publish {
            dup: false,
            delivery: mqtt_core::Delivery::AtMostOnce,
            retain: false,
            topic: "ask/1".into(),
            payload: Bytes::from_static(b"ping"),
            properties: PublishProperties::default(),
        };
        assert_eq!(answer(&request), None);
        request.properties.response_topic = Some("replies/x".into());
        request.properties.correlation_data = Some(Bytes::from_static(&[0, 0xFF]));
        let answer = answer(&request).expect("an answer");
        assert_eq!(answer.topic, "replies/x");
        assert_eq!(&answer.payload[..], b"echo: ping");
        assert_eq!(
            answer.properties.correlation_data.as_deref(),
            Some(&[0, 0xFF][..])
        );
    }
}
