//! The decoder Worker: the second wasm module, which trunk builds from this binary (index.html,
//! `data-type="worker"`) and the page starts on its first decode or encode
//! (`src/decoder_module.rs`). It answers each request (`payload_decoders::js`) in turn; the
//! codecs live only here, never in the page's own wasm.
//!
//! It keeps two things between requests: the last few compiled `.proto` and `.avsc` sets (a
//! cache: each request carries its files, so a Worker started afresh answers the same), and one
//! Sparkplug B session per connection, whose alias tables are the only copy (see
//! ARCHITECTURE.md).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use payload_decoders::js::{answer_to_js, request_from_js, Answer, Request};
use payload_decoders::sparkplug::Session;
use payload_decoders::{avro, decode, encode, protobuf, Format, Limits, SchemaError, SchemaFile};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// How many compiled schema sets are kept: a page has a rule or a few per connection.
const KEPT_SCHEMAS: usize = 8;

/// Schema files compiled in their format.
enum Compiled {
    Protobuf(protobuf::Schema),
    Avro(avro::Schema),
}

impl Compiled {
    fn of(format: Format, files: &[SchemaFile]) -> Result<Rc<Compiled>, SchemaError> {
        match format {
            Format::Avro => avro::compile(files).map(Compiled::Avro),
            _ => protobuf::compile(files).map(Compiled::Protobuf),
        }
        .map(Rc::new)
    }

    fn types(&self) -> Vec<String> {
        match self {
            Compiled::Protobuf(schema) => schema.message_types(),
            Compiled::Avro(schema) => schema.type_names(),
        }
    }

    fn decode(&self, name: &str, payload: &[u8], limits: Limits) -> Answer {
        match self {
            Compiled::Protobuf(schema) => match schema.message(name) {
                Ok(message) => Answer::Decoded(protobuf::decode(&message, payload, limits)),
                Err(error) => Answer::Unusable(error),
            },
            Compiled::Avro(schema) => match schema.type_of(name) {
                Ok(_) => Answer::Decoded(schema.decode(name, payload, limits)),
                Err(error) => Answer::Unusable(error),
            },
        }
    }

    fn encode(&self, name: &str, value: &payload_decoders::Value, limits: Limits) -> Answer {
        match self {
            Compiled::Protobuf(schema) => match schema.message(name) {
                Ok(message) => Answer::Encoded(protobuf::encode(&message, value, limits)),
                Err(error) => Answer::Unusable(error),
            },
            Compiled::Avro(schema) => match schema.type_of(name) {
                Ok(_) => Answer::Encoded(schema.encode(name, value, limits)),
                Err(error) => Answer::Unusable(error),
            },
        }
    }
}

/// A compiled set, by what it was compiled from.
type Kept = ((Format, Vec<SchemaFile>), Result<Rc<Compiled>, SchemaError>);

#[derive(Default)]
struct State {
    /// Most recently used last.
    schemas: Vec<Kept>,
    sessions: HashMap<u32, Session>,
}

impl State {
    /// The tab's Sparkplug B session (`Driver::decoder_session`), begun on first use.
    fn session(&mut self, id: u32) -> &mut Session {
        self.sessions.entry(id).or_default()
    }

    fn compiled(
        &mut self,
        format: Format,
        files: &[SchemaFile],
    ) -> Result<Rc<Compiled>, SchemaError> {
        let found = self
            .schemas
            .iter()
            .position(|((kept_format, kept), _)| *kept_format == format && kept == files);
        let result = match found {
            Some(index) => self.schemas.remove(index).1,
            None => Compiled::of(format, files),
        };
        if self.schemas.len() == KEPT_SCHEMAS {
            self.schemas.drain(..1);
        }
        self.schemas
            .push(((format, files.to_vec()), result.clone()));
        result
    }

    fn answer(&mut self, format: Format, request: Request) -> Answer {
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
            Request::Compile(files) => Answer::Compiled(
                self.compiled(format, &files)
                    .map(|compiled| compiled.types()),
            ),
            Request::DecodeMessage { schema, payload } => {
                match self.compiled(format, &schema.files) {
                    Ok(compiled) => compiled.decode(&schema.message, &payload, limits),
                    Err(error) => Answer::Unusable(error),
                }
            }
            Request::EncodeMessage { schema, value } => {
                match self.compiled(format, &schema.files) {
                    Ok(compiled) => compiled.encode(&schema.message, &value, limits),
                    Err(error) => Answer::Unusable(error),
                }
            }
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
