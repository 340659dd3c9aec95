//! The decoder Worker: the second wasm module, which trunk builds from this binary (index.html,
//! `data-type="worker"`) and the page starts on its first decode or encode
//! (`src/decoder_module.rs`). It answers each request (`payload_decoders::js`) in turn; the
//! codecs live only here, never in the page's own wasm.
//!
//! It keeps two things between requests: the last few compiled `.proto` sets (a cache: each
//! request carries its files, so a Worker started afresh answers the same), and one Sparkplug B
//! session per connection, whose alias tables are the only copy (see ARCHITECTURE.md).

use std::cell::RefCell;
use std::collections::HashMap;

use payload_decoders::js::{answer_to_js, request_from_js, Answer, Request};
use payload_decoders::protobuf::{compile, Schema};
use payload_decoders::sparkplug::Session;
use payload_decoders::{decode, encode, Limits, MessageSchema, ProtoFile, SchemaError};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// How many compiled `.proto` sets are kept: a page has a rule or a few per connection.
const KEPT_SCHEMAS: usize = 8;

#[derive(Default)]
struct State {
    /// Most recently used last.
    schemas: Vec<(Vec<ProtoFile>, Result<Schema, SchemaError>)>,
    sessions: HashMap<u32, Session>,
}

impl State {
    /// The tab's Sparkplug B session (`Driver::decoder_session`), begun on first use.
    fn session(&mut self, id: u32) -> &mut Session {
        self.sessions.entry(id).or_default()
    }

    fn compiled(&mut self, files: &[ProtoFile]) -> Result<Schema, SchemaError> {
        let result = match self.schemas.iter().position(|(kept, _)| kept == files) {
            Some(index) => self.schemas.remove(index).1,
            None => compile(files),
        };
        if self.schemas.len() == KEPT_SCHEMAS {
            self.schemas.drain(..1);
        }
        self.schemas.push((files.to_vec(), result.clone()));
        result
    }

    fn answer(&mut self, format: payload_decoders::Format, request: Request) -> Answer {
        let limits = Limits::DEFAULT;
        match request {
            Request::Decode(payload) => Answer::Decoded(decode(format, &payload, limits)),
            Request::Encode(value) => Answer::Encoded(encode(format, &value, limits)),
            Request::DecodeEach(payloads) => Answer::DecodedEach(
                payloads
                    .iter()
                    .map(|payload| decode(format, payload, limits))
                    .collect(),
            ),
            Request::EncodeEach(values) => Answer::EncodedEach(
                values
                    .iter()
                    .map(|value| encode(format, value, limits))
                    .collect(),
            ),
            Request::Compile(files) => {
                Answer::Compiled(self.compiled(&files).map(|schema| schema.message_types()))
            }
            Request::DecodeMessage { schema, payload } => match self.message(&schema) {
                Ok(message) => Answer::Decoded(payload_decoders::protobuf::decode(
                    &message, &payload, limits,
                )),
                Err(error) => Answer::Unusable(error),
            },
            Request::EncodeMessage { schema, value } => match self.message(&schema) {
                Ok(message) => {
                    Answer::Encoded(payload_decoders::protobuf::encode(&message, &value, limits))
                }
                Err(error) => Answer::Unusable(error),
            },
            Request::DecodeSparkplug {
                session,
                topic,
                payload,
            } => Answer::Decoded(self.session(session).decode(&topic, &payload, limits)),
            Request::ObserveSparkplug {
                session,
                topic,
                payload,
            } => Answer::Decoded(self.session(session).observe(&topic, &payload, limits)),
            Request::EncodeSparkplug {
                session,
                topic,
                value,
            } => Answer::Encoded(self.session(session).encode(&topic, &value, limits)),
        }
    }

    fn message(
        &mut self,
        schema: &MessageSchema,
    ) -> Result<prost_reflect::MessageDescriptor, SchemaError> {
        self.compiled(&schema.files)?.message(&schema.message)
    }
}

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let answering = scope.clone();
    let state = RefCell::new(State::default());
    let onmessage = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        // The page only sends requests; anything else has no id to answer to.
        let Some((id, format, request)) = request_from_js(&event.data()) else {
            return;
        };
        let answer = state.borrow_mut().answer(format, request);
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
