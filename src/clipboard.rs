//! Copying text for the user, through the asynchronous Clipboard API.

/// Puts `text` on the clipboard; resolves to whether the browser allowed it (it may refuse
/// outside a secure context or without a user gesture).
pub async fn copy_text(text: &str) -> bool {
    let clipboard = gloo::utils::window().navigator().clipboard();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .is_ok()
}
