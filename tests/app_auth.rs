//! Enhanced authentication (MQTT 5 AUTH) through the app's labelled controls, against
//! crates/test-peers' `scram-broker` (the server side of SCRAM-SHA-256/512, user `user` /
//! `pencil`, and of TEST-CHALLENGE, a method answered by hand). The peer only authenticates
//! (it ignores PUBLISH and SUBSCRIBE), so success is the connected status and the log.
#![cfg(target_arch = "wasm32")]

mod support;

use mqtt_core::scram::ScramError;
use mqtt_core::ConnectionError;
use mqtt_web_client::i18n::outcomes::connection_error;
use mqtt_web_client::i18n::{I18n, Key, Locale};
use support::{clear_storage, mount, wait_until, Mounted};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The SCRAM broker's URL, set at compile time by scripts/test.
fn scram_url() -> &'static str {
    match option_env!("MQTT_TEST_SCRAM_URL") {
        Some(url) => url,
        None => panic!("set MQTT_TEST_SCRAM_URL (scripts/test's scram-broker step)"),
    }
}

fn page_text(app: &Mounted) -> String {
    app.root.text_content().unwrap_or_default()
}

fn value(app: &Mounted, label: &str) -> String {
    let element = app.field("Connection", label);
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        input.value()
    } else {
        element
            .dyn_ref::<HtmlSelectElement>()
            .map(|select| select.value())
            .unwrap_or_default()
    }
}

/// Fills the form for the SCRAM broker with `mode` (the select's value) and connects.
async fn connect_with(app: &Mounted, client_id: &str, mode: &str, username: &str, password: &str) {
    app.fill("Connection", "Broker URL", scram_url());
    app.fill("Connection", "Client ID", client_id);
    app.fill("Connection", "Authentication", mode);
    app.fill("Connection", "Username", username);
    app.fill("Connection", "Password", password);
    app.click("Connection", "Connect");
}

async fn wait_status(app: &Mounted, status: &str) {
    wait_until(&format!("status {status}"), || app.status() == status).await;
}

#[wasm_bindgen_test]
async fn scram_sha_256_and_512_connect_and_re_authenticate() {
    clear_storage();
    for method in ["SCRAM-SHA-256", "SCRAM-SHA-512"] {
        let app = mount().await;
        connect_with(&app, "scram-ok", method, "user", "pencil").await;
        wait_status(&app, "connected").await;
        let log = app.section("Connection").text_content().unwrap_or_default();
        assert!(
            log.contains(&format!(
                "The server sent the next authentication step ({method})"
            )),
            "{method}: {log}"
        );
        assert!(
            log.contains(&format!("Connected to {}", scram_url())),
            "{log}"
        );

        app.click("Connection", "Re-authenticate");
        app.wait_text("Connection", &format!("Re-authenticating ({method})"))
            .await;
        app.wait_text("Connection", "Re-authenticated").await;
        assert_eq!(app.status(), "connected", "{method}");
        // Again, with another fresh nonce: the button is back once the exchange is done.
        wait_until("Re-authenticate enabled", || {
            app.button("Connection", "Re-authenticate").is_some()
        })
        .await;
        app.click("Connection", "Re-authenticate");
        wait_until("a second Re-authenticated", || {
            page_text(&app).matches("Re-authenticated").count() == 2
        })
        .await;
        assert_eq!(app.status(), "connected");
        app.unmount().await;
    }
}

#[wasm_bindgen_test]
async fn a_wrong_password_is_refused_and_the_form_keeps_every_field() {
    clear_storage();
    let app = mount().await;
    connect_with(&app, "scram-wrong", "SCRAM-SHA-256", "user", "crayon").await;
    wait_status(&app, "disconnected").await;
    wait_until("the refusal", || {
        page_text(&app).contains("Connection refused: bad user name or password")
    })
    .await;
    assert!(!page_text(&app).contains("Connected to"));
    assert_eq!(value(&app, "Broker URL"), scram_url());
    assert_eq!(value(&app, "Client ID"), "scram-wrong");
    assert_eq!(value(&app, "Authentication"), "SCRAM-SHA-256");
    assert_eq!(value(&app, "Username"), "user");
    assert_eq!(value(&app, "Password"), "crayon");
    // Fixed, it connects.
    app.fill("Connection", "Password", "pencil");
    app.click("Connection", "Connect");
    wait_status(&app, "connected").await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn a_server_that_does_not_know_the_password_is_rejected_in_both_languages() {
    clear_storage();
    let app = mount().await;
    // The peer accepts `forger`'s proof but cannot sign: its signature is wrong.
    connect_with(&app, "scram-forged", "SCRAM-SHA-512", "forger", "pencil").await;
    let error = ConnectionError::AuthenticationRejected(ScramError::ServerSignature);
    let english = I18n { locale: Locale::En }.text(&connection_error(&error));
    assert_eq!(
        english,
        "the server's authentication is not accepted: the server's signature is wrong: it does not know the password"
    );
    wait_until("the rejection", || page_text(&app).contains(&english)).await;
    wait_status(&app, "disconnected").await;
    assert!(
        !page_text(&app).contains("Connected to"),
        "the tab never reports the impostor as connected"
    );

    app.choose_language(Locale::ZhCn).await;
    let chinese = I18n {
        locale: Locale::ZhCn,
    };
    let words = chinese.text(&connection_error(&error));
    assert_eq!(
        words,
        "不接受服务器的认证：服务器的签名错误：它并不知道该密码"
    );
    wait_until("the rejection in Chinese", || {
        page_text(&app).contains(&words)
    })
    .await;
    assert!(app
        .find_field(chinese.t(Key::Connection), chinese.t(Key::Authentication))
        .is_some());
    app.choose_language(Locale::En).await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn the_generic_mode_is_answered_step_by_step_in_text_and_hex() {
    clear_storage();
    let app = mount().await;
    app.fill("Connection", "Broker URL", scram_url());
    app.fill("Connection", "Client ID", "challenge");
    app.check("Connection", "Reconnect automatically", false);
    app.fill("Connection", "Authentication", "generic");
    app.wait_field("Connection", "Authentication method").await;

    // Form errors first, nothing connects.
    app.click("Connection", "Connect");
    app.wait_text("Connection", "Authentication method is required")
        .await;
    app.fill("Connection", "Authentication method", "TEST-CHALLENGE");
    app.fill("Connection", "Initial data format", "hex");
    app.fill("Connection", "Initial data", "68 65 6c 6c 6x");
    app.click("Connection", "Connect");
    app.wait_text(
        "Connection",
        "Initial data: Invalid hex: 'x' is not a hex digit",
    )
    .await;
    assert_eq!(app.status(), "disconnected");

    // "hello" in hex; the server asks, the answer is typed as text.
    app.fill("Connection", "Initial data", "68656c6c6f");
    app.click("Connection", "Connect");
    app.wait_text("Connection", "Step 1 from the server").await;
    let text = app.section("Connection").text_content().unwrap_or_default();
    for shown in [
        "TEST-CHALLENGE",
        "challenge",
        "what is the password?",
        "77 68 61 74 20 69 73",
        "The server waits for the next step.",
    ] {
        assert!(text.contains(shown), "{shown:?} in {text}");
    }
    assert_eq!(app.status(), "connecting");
    app.fill("Connection", "Next data", "pencil");
    app.click("Connection", "Send step");
    wait_status(&app, "connected").await;
    app.wait_text("Connection", "The server's final data").await;
    app.wait_text("Connection", "welcome").await;

    // Re-authenticate: the same exchange from the initial data, answered in hex this time.
    app.click("Connection", "Re-authenticate");
    app.wait_field("Connection", "Next data").await;
    app.fill("Connection", "Next data format", "hex");
    app.fill("Connection", "Next data", "70 65 6e 63 69 6c");
    app.click("Connection", "Send step");
    app.wait_text("Connection", "Re-authenticated").await;
    assert_eq!(app.status(), "connected");

    // A wrong answer to a re-authentication: the server ends the connection, and says why.
    wait_until("Re-authenticate enabled", || {
        app.button("Connection", "Re-authenticate").is_some()
    })
    .await;
    app.click("Connection", "Re-authenticate");
    app.wait_field("Connection", "Next data").await;
    // The format chosen last time stays: "crayon" is not hex.
    app.fill("Connection", "Next data", "crayon");
    app.click("Connection", "Send step");
    app.wait_text(
        "Connection",
        "Next data: Invalid hex: 'r' is not a hex digit",
    )
    .await;
    app.fill("Connection", "Next data format", "text");
    app.click("Connection", "Send step");
    wait_status(&app, "disconnected").await;
    wait_until("the server's DISCONNECT", || {
        page_text(&app).contains("The server closed the connection: not authorized")
    })
    .await;
    app.unmount().await;
}
