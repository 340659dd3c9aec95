//! The UI's language: chosen from the browser's, switched in the header, remembered, and
//! followed by every text already shown (labels, errors, the log, counts), with numbers and
//! times written by the browser's `Intl` for the language.
#![cfg(target_arch = "wasm32")]

mod support;

use mqtt_web_client::i18n::{I18n, Key, Locale, Text};
use mqtt_web_client::validate::UrlProblem;
use support::{broker_url, clear_storage, mount, page_language, unique, wait_until};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const ENGLISH: I18n = I18n { locale: Locale::En };
const CHINESE: I18n = I18n {
    locale: Locale::ZhCn,
};

fn stored_language() -> Option<String> {
    let storage = gloo::utils::window().local_storage().ok().flatten()?;
    storage.get_item("mqtt-web-client.locale").ok().flatten()
}

#[wasm_bindgen_test]
async fn the_language_menu_switches_the_page_and_is_remembered() {
    clear_storage();
    // The test browser prefers English.
    let app = mount().await;
    assert_eq!(page_language(), "en");
    assert!(app.button("Connection", "Connect").is_some());
    assert_eq!(
        app.language_menu().get_attribute("aria-label").as_deref(),
        Some("Language")
    );

    app.choose_language(Locale::ZhCn).await;
    assert_eq!(CHINESE.t(Key::Connect), "连接");
    let connection = CHINESE.t(Key::Connection);
    assert!(
        app.button(connection, "连接").is_some(),
        "the Connect button in Chinese"
    );
    assert!(app
        .find_field(connection, CHINESE.t(Key::BrokerUrl))
        .is_some());
    assert_eq!(
        app.language_menu().get_attribute("aria-label").as_deref(),
        Some(CHINESE.t(Key::Language))
    );
    assert_eq!(gloo::utils::document().title(), CHINESE.t(Key::AppTitle));
    assert_eq!(stored_language().as_deref(), Some("zh-CN"));
    app.unmount().await;

    // A new visit starts in the language chosen.
    let app = mount().await;
    assert_eq!(page_language(), "zh-CN");
    assert!(app.button(connection, "连接").is_some());

    // Choosing the browser's language again means following the browser.
    app.choose_language(Locale::En).await;
    assert!(app.button("Connection", "Connect").is_some());
    assert_eq!(stored_language(), None);
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn errors_the_log_and_counts_follow_the_language() {
    clear_storage();
    let app = mount().await;
    app.choose_language(Locale::ZhCn).await;
    let connection = CHINESE.t(Key::Connection);

    // A form error, in Chinese, and again in English once switched.
    app.fill(connection, CHINESE.t(Key::BrokerUrl), "http://host");
    let problem = UrlProblem::NotWebSocket("http".into()).text();
    wait_until("the URL error in Chinese", || {
        app.errors(connection).contains(&CHINESE.text(&problem))
    })
    .await;
    assert!(CHINESE.text(&problem).contains("不是 WebSocket 地址"));

    // Connected, subscribed and a message received, all through the Chinese labels.
    app.fill(connection, CHINESE.t(Key::BrokerUrl), broker_url());
    app.fill(connection, CHINESE.t(Key::ClientId), "app-i18n");
    // The button is enabled once the form has taken the good URL.
    wait_until("Connect enabled", || {
        app.button(connection, CHINESE.t(Key::Connect)).is_some()
    })
    .await;
    app.click(connection, CHINESE.t(Key::Connect));
    wait_until("connected", || app.status() == "connected").await;
    assert!(app
        .text(".status-text")
        .contains(CHINESE.t(Key::StatusConnected)));
    let topic = unique("i18n");
    let subscriptions = CHINESE.t(Key::Subscriptions);
    app.fill(subscriptions, CHINESE.t(Key::SubscribeFilter), &topic);
    app.click(subscriptions, CHINESE.t(Key::Subscribe));
    wait_until("SUBACK", || {
        app.section(subscriptions)
            .text_content()
            .unwrap_or_default()
            .contains("QoS 0")
    })
    .await;
    let publish = CHINESE.t(Key::Publish);
    app.fill(publish, CHINESE.t(Key::PublishTopic), &topic);
    app.fill(publish, CHINESE.t(Key::PublishPayload), "你好");
    app.click(publish, CHINESE.t(Key::Publish));
    let one = Text::new(Key::MessageCount).number("count", 1);
    wait_until("one message, counted in Chinese", || {
        app.text(".connection-view:not([hidden]) .counts") == CHINESE.text(&one)
    })
    .await;
    assert_eq!(CHINESE.text(&one), "1 条消息");
    // A time of day with milliseconds, as Intl writes it for zh-CN.
    let time = app.text(".connection-view:not([hidden]) .message .time");
    let digits: Vec<&str> = time.split([':', '.']).collect();
    assert_eq!(
        digits.iter().map(|d| d.len()).collect::<Vec<_>>(),
        [2, 2, 2, 3],
        "{time}"
    );
    let log = ".connection-view:not([hidden]) .log ol";
    let connected = Text::new(Key::LogConnected).with("url", broker_url());
    assert!(
        app.text(log).contains(&CHINESE.text(&connected)),
        "{}",
        app.text(log)
    );

    // What is already shown follows a change of language: the log, the count, the status.
    app.choose_language(Locale::En).await;
    assert!(
        app.text(log)
            .contains(&format!("Connected to {}", broker_url())),
        "{}",
        app.text(log)
    );
    assert_eq!(
        app.text(".connection-view:not([hidden]) .counts"),
        "1 message"
    );
    assert!(app.text(".status-text").contains("Connected"));
    // Quantities are grouped as the language writes them.
    assert_eq!(ENGLISH.number(1_234_567.0), "1,234,567");
    assert_eq!(CHINESE.number(1_234_567.0), "1,234,567");
    assert_eq!(
        ENGLISH.text(&Text::new(Key::MessageCount).number("count", 2)),
        "2 messages"
    );
    app.click("Connection", "Disconnect");
    wait_until("disconnected", || app.status() == "disconnected").await;
    app.unmount().await;
}
