//! A second client inside the test page: the app's own `Driver`, without any view, to put
//! retained messages on the broker before a test and to check afterwards what a fresh
//! subscriber receives.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use mqtt_core::{
    Bytes, ClientOptions, ConnectionState, OutgoingMessage, ProtocolVersion, PublishProperties,
    QoS, RetainHandling,
};
use mqtt_web_client::driver::Driver;
use mqtt_web_client::settings::ConnectionSettings;
use mqtt_web_client::state::{Action, Message, SubscriptionRequest};

use super::{broker_url, settle, wait_until};

#[derive(Default)]
struct Seen {
    connected: bool,
    subscribed: usize,
    confirmed: usize,
    failed: Vec<mqtt_web_client::i18n::Text>,
    received: Vec<Message>,
}

pub struct Peer {
    driver: Driver,
    seen: Rc<RefCell<Seen>>,
}

impl Peer {
    pub async fn connect(client_id: &str) -> Peer {
        let seen = Rc::new(RefCell::new(Seen::default()));
        let observer = Rc::clone(&seen);
        let driver = Driver::new(move |action| {
            let mut seen = observer.borrow_mut();
            match action {
                Action::Connected { .. } => seen.connected = true,
                Action::Connection(state) => {
                    seen.connected = matches!(state, ConnectionState::Connected { .. })
                }
                Action::SubscriptionResults(results) => seen.subscribed += results.len(),
                Action::PublishResult { result: Ok(()), .. } => seen.confirmed += 1,
                Action::PublishResult {
                    result: Err(words), ..
                } => seen.failed.push(words),
                Action::Received(batch) => seen.received.extend(batch),
                _ => {}
            }
        });
        driver.set_history_limit(1_000_000);
        connect_v5(&driver, client_id);
        wait_until("the peer to connect", || seen.borrow().connected).await;
        Peer { driver, seen }
    }

    /// Publishes each (topic, payload) retained at QoS 1 and waits until the broker has
    /// confirmed them all.
    pub async fn publish_retained(&self, messages: &[(String, Vec<u8>)]) {
        self.publish_confirmed(messages, true).await;
    }

    /// Publishes each (topic, payload) at QoS 1, retained or not, and waits until the broker
    /// has confirmed them all.
    pub async fn publish_confirmed(&self, messages: &[(String, Vec<u8>)], retain: bool) {
        // In windows the core's queue takes (1,000 by default).
        for window in messages.chunks(500) {
            let before = self.seen.borrow().confirmed;
            for (topic, payload) in window {
                let message = OutgoingMessage {
                    topic: topic.clone(),
                    payload: Bytes::from(payload.clone()),
                    qos: QoS::AtLeastOnce,
                    retain,
                    properties: PublishProperties::default(),
                };
                self.driver.publish(message).expect("publish");
            }
            wait_until("the broker to confirm every publish", || {
                let seen = self.seen.borrow();
                assert!(seen.failed.is_empty(), "refused: {:?}", seen.failed);
                seen.confirmed - before == window.len()
            })
            .await;
        }
    }

    /// Subscribes to `filter` and returns what arrives within `wait`.
    pub async fn receive(&self, filter: &str, wait: Duration) -> Vec<Message> {
        let request = SubscriptionRequest {
            filter: filter.into(),
            alias: String::new(),
            qos: QoS::AtLeastOnce,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendAtSubscribe,
        };
        let before = self.seen.borrow().subscribed;
        self.driver.subscribe(&request, None).expect("subscribe");
        wait_until("SUBACK", || self.seen.borrow().subscribed > before).await;
        settle(wait.as_millis() as u64).await;
        std::mem::take(&mut self.seen.borrow_mut().received)
    }

    pub async fn disconnect(self) {
        self.driver.disconnect();
        settle(50).await;
        self.driver.shutdown();
    }
}

/// Connects `driver` to the test broker with MQTT 5 as `client_id`.
pub fn connect_v5(driver: &Driver, client_id: &str) {
    let settings = ConnectionSettings {
        url: broker_url().into(),
        version: ProtocolVersion::V5,
        client_id: client_id.into(),
        ..ConnectionSettings::default()
    };
    let options = ClientOptions::try_from(&settings).expect("valid settings");
    driver.connect(&settings.url, options).expect("connect");
}
