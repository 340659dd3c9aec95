//! Periodic publishing: the same message every interval, `{n}` in a text payload replaced by
//! the message's number; a JSON payload to encode as CBOR or MessagePack is encoded by the
//! decoder Worker at each tick, after the number is in. The driver only ticks
//! (`Driver::start_ticker`); what is sent and counted lives here, and `use_periodic` gives the
//! publish form its start and stop.

use mqtt_core::{Bytes, OutgoingMessage};
use payload_decoders::Format;
use yew::prelude::*;

use crate::clock::log_now;
use crate::decoder_module;
use crate::decoder_rules::json_text_to_decoded;
use crate::driver::Driver;
use crate::i18n::{Key, Text};
use crate::state::{Action, LogLevel, State};

/// What a periodic publish sends.
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodicPublish {
    pub message: OutgoingMessage,
    /// The text payload with `{n}` in it, if it has one.
    pub template: Option<String>,
    pub interval_ms: u32,
    /// The payload is JSON to publish in this encoding.
    pub encode: Option<Format>,
}

/// A running periodic publish.
pub struct Periodic {
    publish: PeriodicPublish,
    sent: u64,
}

impl Periodic {
    pub fn new(publish: PeriodicPublish) -> Periodic {
        Periodic { publish, sent: 0 }
    }

    pub fn interval_ms(&self) -> u32 {
        self.publish.interval_ms
    }

    pub fn encode(&self) -> Option<Format> {
        self.publish.encode
    }

    /// The next message and its number, counted as sent.
    pub fn next_message(&mut self) -> (u64, OutgoingMessage) {
        self.sent += 1;
        let mut message = self.publish.message.clone();
        if let Some(template) = &self.publish.template {
            message.payload =
                Bytes::from(template.replace("{n}", &self.sent.to_string()).into_bytes());
        }
        (self.sent, message)
    }
}

/// Start and stop for the publish form. The count goes to the reducer (`Action::Periodic`);
/// periodic publishing stops when the connection goes down, or at the first refused publish.
#[hook]
pub fn use_periodic(
    driver: &Driver,
    dispatcher: UseReducerDispatcher<State>,
    connected: bool,
) -> (Callback<PeriodicPublish>, Callback<()>) {
    let running = use_mut_ref(|| None::<Periodic>);
    let stop = {
        let driver = driver.clone();
        let running = running.clone();
        let dispatcher = dispatcher.clone();
        Callback::from(move |()| {
            // Only this hook starts the ticker: with nothing running there is nothing to stop.
            if running.borrow_mut().take().is_some() {
                driver.stop_ticker();
                dispatcher.dispatch(Action::Periodic(None));
            }
        })
    };
    {
        let stop = stop.clone();
        use_effect_with(connected, move |connected| {
            if !*connected {
                stop.emit(());
            }
        });
    }
    let start = {
        let driver = driver.clone();
        let stop = stop.clone();
        Callback::from(move |publish: PeriodicPublish| {
            let periodic = Periodic::new(publish);
            let interval = periodic.interval_ms();
            *running.borrow_mut() = Some(periodic);
            dispatcher.dispatch(Action::Periodic(Some(0)));
            let on_tick = {
                let driver = driver.clone();
                let running = running.clone();
                let dispatcher = dispatcher.clone();
                let stop = stop.clone();
                Callback::from(move |()| {
                    let next = running
                        .borrow_mut()
                        .as_mut()
                        .map(|periodic| (periodic.next_message(), periodic.encode()));
                    let Some(((number, mut message), encode)) = next else {
                        return;
                    };
                    let publish = {
                        let driver = driver.clone();
                        let dispatcher = dispatcher.clone();
                        let stop = stop.clone();
                        move |message: Result<OutgoingMessage, Text>| match message
                            .and_then(|message| driver.publish(message))
                        {
                            Ok(_) => dispatcher.dispatch(Action::Periodic(Some(number))),
                            Err(words) => {
                                dispatcher.dispatch(log_now(
                                    LogLevel::Error,
                                    Text::new(Key::PeriodicStopped).with("reason", words),
                                ));
                                stop.emit(());
                            }
                        }
                    };
                    let Some(format) = encode else {
                        return publish(Ok(message));
                    };
                    let text = String::from_utf8_lossy(&message.payload);
                    let tree = match json_text_to_decoded(format, &text) {
                        Ok(tree) => tree,
                        Err(words) => return publish(Err(words)),
                    };
                    let running = running.clone();
                    decoder_module::encode_each(format, vec![tree], move |encoded| {
                        // Stopped meanwhile: nothing more goes out.
                        if running.borrow().is_some() {
                            publish(encoded.map(|mut payloads| {
                                message.payload = payloads.pop().unwrap_or_default().into();
                                message
                            }));
                        }
                    });
                })
            };
            driver.start_ticker(interval, on_tick);
        })
    };
    (start, stop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqtt_core::{PublishProperties, QoS};

    fn publish(payload: &'static [u8], template: Option<&str>) -> PeriodicPublish {
        PeriodicPublish {
            message: OutgoingMessage {
                topic: "t".into(),
                payload: Bytes::from_static(payload),
                qos: QoS::AtLeastOnce,
                retain: false,
                properties: PublishProperties::default(),
            },
            template: template.map(Into::into),
            interval_ms: 1000,
            encode: None,
        }
    }

    #[test]
    fn messages_are_numbered_from_one_into_the_template() {
        let mut periodic = Periodic::new(publish(b"n=1 of {n}", Some("n={n} of {n}")));
        let (first, message) = periodic.next_message();
        assert_eq!((first, &message.payload[..]), (1, &b"n=1 of 1"[..]));
        let (second, message) = periodic.next_message();
        assert_eq!((second, &message.payload[..]), (2, &b"n=2 of 2"[..]));
        assert_eq!(message.qos, QoS::AtLeastOnce);
    }

    #[test]
    fn without_a_template_the_payload_stays() {
        let mut periodic = Periodic::new(publish(&[0xFF, 0x00], None));
        assert_eq!(&periodic.next_message().1.payload[..], &[0xFF, 0x00]);
        assert_eq!(periodic.next_message().0, 2);
    }
}
