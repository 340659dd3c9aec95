//! Links mqtt5-wasm's `#[wasm_bindgen]` exports (`MqttClient`, …) into this cdylib unchanged.
pub use mqtt5_wasm::*;
