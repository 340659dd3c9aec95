//! The decoder Worker: the second wasm module, which trunk builds from this binary (index.html,
//! `data-type="worker"`) and the page starts on its first decode or encode
//! (`src/decoder_module.rs`). It answers each request (`payload_decoders::js`) in turn; the
//! codecs live only here, never in the page's own wasm.

use payload_decoders::js::{answer_to_js, request_from_js, Answer, Request};
use payload_decoders::{decode, encode, Limits};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let answering = scope.clone();
    let onmessage = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        // The page only sends requests; anything else has no id to answer to.
        let Some((id, format, request)) = request_from_js(&event.data()) else {
            return;
        };
        let answer = match request {
            Request::Decode(payload) => Answer::Decoded(decode(format, &payload, Limits::DEFAULT)),
            Request::Encode(value) => Answer::Encoded(encode(format, &value, Limits::DEFAULT)),
            Request::DecodeEach(payloads) => Answer::DecodedEach(
                payloads
                    .iter()
                    .map(|payload| decode(format, payload, Limits::DEFAULT))
                    .collect(),
            ),
            Request::EncodeEach(values) => Answer::EncodedEach(
                values
                    .iter()
                    .map(|value| encode(format, value, Limits::DEFAULT))
                    .collect(),
            ),
        };
        // A failed postMessage leaves the page waiting, which it shows; there is no one else
        // to tell.
        let _ = answering.post_message(&answer_to_js(id, &answer));
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // The Worker lives as long as the page keeps it: so does its handler.
    onmessage.forget();
    // Tells the page the module is loaded and listening.
    let _ = scope.post_message(&JsValue::NULL);
}
