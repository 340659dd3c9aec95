//! A language's table is fetched when the language is first shown: a first visit whose table is
//! slow shows English meanwhile; a table that cannot be had leaves the page in the language it
//! was in (English on a first visit) and says why, and choosing the language again tries again.
//! Its own test binary, and one test, so that nothing has installed the table before.
#![cfg(target_arch = "wasm32")]

mod support;

use mqtt_web_client::i18n::fetched::{self, TableError};
use mqtt_web_client::i18n::{I18n, Key, Locale};
use support::{clear_storage, mount_as_located, page_language, served_files, wait_until};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const ENGLISH: I18n = I18n { locale: Locale::En };
const ALERT: &str = ".app-header .language-failure";

fn choose_chinese_on_the_next_visit() {
    clear_storage();
    let storage = gloo::utils::window().local_storage().unwrap().unwrap();
    storage.set_item("mqtt-web-client.locale", "zh-CN").unwrap();
}

#[wasm_bindgen_test]
async fn a_table_slow_or_missing_leaves_english_and_choosing_again_fetches_it() {
    // A visit in Chinese whose table is slow to come: the test server holds requests under
    // /slow/ for 20 s.
    choose_chinese_on_the_next_visit();
    fetched::locate(format!("{}/slow", served_files()));
    let app = mount_as_located().await;
    assert!(
        app.button("Connection", "Connect").is_some(),
        "the page in English while the table is on its way"
    );
    assert!(app.text(ALERT).is_empty(), "nothing has failed yet");
    assert!(!fetched::is_installed(Locale::ZhCn));
    app.unmount().await;

    // A visit in Chinese whose table is not where the app looks.
    choose_chinese_on_the_next_visit();
    fetched::locate(format!("{}/nowhere", served_files()));
    let app = mount_as_located().await;
    let expected = ENGLISH.text(&TableError::Status(404).text(Locale::ZhCn));
    // The app sets `<html lang>` in an effect, which may run a task after the render.
    wait_until("the failure said, the page in English", || {
        app.text(ALERT) == expected && page_language() == "en"
    })
    .await;
    assert!(app.button("Connection", "Connect").is_some());
    let menu = app.language_menu();
    assert_eq!(
        menu.dyn_ref::<web_sys::HtmlSelectElement>()
            .unwrap()
            .value(),
        "en",
        "the menu shows the language shown, so that choosing Chinese again is a change"
    );
    assert!(!fetched::is_installed(Locale::ZhCn));

    // Choosing it again, the table now where the app looks, shows the page in Chinese.
    fetched::locate(served_files().to_owned());
    app.choose_language(Locale::ZhCn).await;
    let chinese = I18n {
        locale: Locale::ZhCn,
    };
    assert_eq!(chinese.t(Key::Connect), "连接");
    assert!(app.button(chinese.t(Key::Connection), "连接").is_some());
    assert!(app.text(ALERT).is_empty(), "the failure is gone");
    app.choose_language(Locale::En).await;
    app.unmount().await;
    clear_storage();
}
