//! scripts/bench's "driver + core" client: the app's real `Driver` (WebSocket, timers, core
//! `Client`) with the views and the reducer cut off. Whatever the driver would dispatch to the
//! app goes to the page's callbacks instead, which only count. Built only with `--features bench`.

use mqtt_core::{ClientOptions, ProtocolVersion, QoS};
use mqtt_web_client::driver::Driver;
use mqtt_web_client::i18n::{I18n, Locale, Text};
use mqtt_web_client::settings::ConnectionSettings;
use mqtt_web_client::state::{Action, LogLevel, SubscriptionRequest};
use wasm_bindgen::prelude::*;
use yew::Callback;

fn main() {}

#[wasm_bindgen]
pub struct BenchDriver {
    driver: Driver,
    subscription: SubscriptionRequest,
}

#[wasm_bindgen]
impl BenchDriver {
    /// Connects (MQTT 3.1.1, clean session, no reconnect) and reports through the callbacks:
    /// `on_connected()` on CONNACK, `on_subscribed()` on SUBACK, `on_messages(n)` for each batch
    /// the driver hands over, `on_error(words)` for what the app would log as an error.
    #[wasm_bindgen(constructor)]
    pub fn new(
        url: String,
        filter: String,
        qos: u8,
        on_connected: js_sys::Function,
        on_subscribed: js_sys::Function,
        on_messages: js_sys::Function,
        on_error: js_sys::Function,
    ) -> Result<BenchDriver, JsValue> {
        let report = Callback::from(move |action: Action| {
            let _ = match action {
                Action::Received(batch) => {
                    on_messages.call1(&JsValue::NULL, &JsValue::from(batch.len() as u32))
                }
                Action::Connected { .. } => on_connected.call0(&JsValue::NULL),
                Action::SubscriptionResults(_) => on_subscribed.call0(&JsValue::NULL),
                Action::Log {
                    level: LogLevel::Error,
                    text,
                    ..
                } => on_error.call1(&JsValue::NULL, &english(&text)),
                _ => Ok(JsValue::UNDEFINED),
            };
        });
        let driver = Driver::new(report);
        let settings = ConnectionSettings {
            url,
            version: ProtocolVersion::V311,
            client_id: format!("bench-{:08x}", (js_sys::Math::random() * 4e9) as u32),
            auto_reconnect: false,
            ..ConnectionSettings::default()
        };
        let options = ClientOptions::try_from(&settings).map_err(|e| english(&e.text()))?;
        driver
            .connect(&settings.url, options)
            .map_err(|e| english(&e))?;
        let subscription = SubscriptionRequest {
            filter,
            qos: QoS::try_from(qos)
                .map_err(|n| JsValue::from(format!("QoS {n} is not 0, 1 or 2")))?,
            ..SubscriptionRequest::default()
        };
        Ok(BenchDriver {
            driver,
            subscription,
        })
    }

    pub fn subscribe(&self) -> Result<(), JsValue> {
        self.driver
            .subscribe(&self.subscription, None)
            .map_err(|e| english(&e))
    }

    pub fn stop(&self) {
        self.driver.shutdown();
    }
}

/// The benchmark reports errors to its script, in English.
fn english(text: &Text) -> JsValue {
    JsValue::from(I18n { locale: Locale::En }.text(text))
}
