//! The decoder Worker, the second wasm module (`crates/payload-decoders`, bin
//! `decoder-worker`, built by trunk beside the page): started on the first decode or encode,
//! never before, so its codecs are no part of the first download; once fetched, the service
//! worker keeps its files like the page's (`sw.js` caches every same-origin GET).
//!
//! One Worker per page serves every tab. Requests and answers are `payload_decoders::js`'s;
//! requests made while it loads wait for its ready message (a null). If it cannot load, every
//! waiting request ends `Unavailable` and the next one tries again.

use std::cell::RefCell;
use std::collections::HashMap;

use payload_decoders::js::{answer_from_js, request_to_js, Answer, Request};
use payload_decoders::Format;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, MessageEvent, Url, Worker};

/// How a request ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Answered(Answer),
    /// The module could not be loaded (offline before its first use, say).
    Unavailable,
}

type Done = Box<dyn FnOnce(Outcome)>;

struct Module {
    worker: Worker,
    /// The loader's Blob URL, revoked once the Worker answers.
    loader: String,
    ready: bool,
    /// Requests posted once the Worker says it is ready.
    queued: Vec<JsValue>,
    pending: HashMap<u32, Done>,
    next_id: u32,
    // Kept for as long as the Worker is.
    _onmessage: Closure<dyn Fn(MessageEvent)>,
    _onerror: Closure<dyn Fn(JsValue)>,
}

thread_local! {
    static MODULE: RefCell<Option<Module>> = const { RefCell::new(None) };
    /// Where the module's script and wasm are, when not beside the page (`locate`).
    static LOCATION: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// The bindings and the wasm trunk writes for the `decoder-worker` binary (named after it,
/// without a hash), beside the page.
const SCRIPT: &str = "decoder-worker.js";
const WASM: &str = "decoder-worker_bg.wasm";

/// Loads the module from these URLs instead of from beside the page: for the browser tests,
/// which have no trunk build to serve it.
pub fn locate(script: String, wasm: String) {
    LOCATION.with(|location| *location.borrow_mut() = Some((script, wasm)));
}

fn beside_the_page(file: &str) -> Option<String> {
    let base = web_sys::window()?.document()?.base_uri().ok()??;
    Some(Url::new_with_base(file, &base).ok()?.href())
}

/// The Worker's first script (`decoder_loader.js`), from a Blob.
const LOADER: &str = include_str!("decoder_loader.js");

/// Where the module's bindings and wasm are.
fn location() -> Option<(String, String)> {
    LOCATION
        .with(|location| location.borrow().clone())
        .or_else(|| Some((beside_the_page(SCRIPT)?, beside_the_page(WASM)?)))
}

fn loader_url() -> Option<String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(LOADER));
    let options = BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    Url::create_object_url_with_blob(&blob).ok()
}

fn start() -> Option<Module> {
    let (script, wasm) = location()?;
    let url = loader_url()?;
    // The loader's URL stays valid until the Worker has answered: it fetches it later.
    let worker = Worker::new(&url).ok()?;
    let names = js_sys::Array::of2(&JsValue::from_str(&script), &JsValue::from_str(&wasm));
    worker.post_message(&names).ok()?;
    let onmessage = Closure::<dyn Fn(MessageEvent)>::new(|event: MessageEvent| {
        let data = event.data();
        if data.is_null() {
            ready();
        } else if data.as_bool() == Some(false) {
            fail();
        } else if let Some((id, answer)) = answer_from_js(&data) {
            let done = MODULE.with(|module| {
                module
                    .borrow_mut()
                    .as_mut()
                    .and_then(|module| module.pending.remove(&id))
            });
            if let Some(done) = done {
                done(Outcome::Answered(answer));
            }
        }
    });
    let onerror = Closure::<dyn Fn(JsValue)>::new(|_| fail());
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    Some(Module {
        worker,
        loader: url,
        ready: false,
        queued: Vec::new(),
        pending: HashMap::new(),
        next_id: 0,
        _onmessage: onmessage,
        _onerror: onerror,
    })
}

fn ready() {
    MODULE.with(|module| {
        if let Some(module) = module.borrow_mut().as_mut() {
            module.ready = true;
            Url::revoke_object_url(&module.loader).ok();
            for request in module.queued.drain(..) {
                // A failed post shows as the request never answered: the view waits.
                let _ = module.worker.post_message(&request);
            }
        }
    });
}

/// The module did not load: ends every waiting request, and lets the next one start over.
fn fail() {
    let module = MODULE.with(|module| module.borrow_mut().take());
    if let Some(module) = module {
        module.worker.terminate();
        Url::revoke_object_url(&module.loader).ok();
        for (_, done) in module.pending {
            done(Outcome::Unavailable);
        }
    }
}

/// Asks the module to decode or encode; `done` gets the outcome, later, from the event loop
/// (at once if no Worker can be made at all).
pub fn request(format: Format, request: &Request, done: impl FnOnce(Outcome) + 'static) {
    let done: Done = Box::new(done);
    let refused = MODULE.with(|module| {
        let mut module = module.borrow_mut();
        if module.is_none() {
            *module = start();
        }
        let Some(module) = module.as_mut() else {
            return Some(done);
        };
        let id = module.next_id;
        module.next_id = module.next_id.wrapping_add(1);
        module.pending.insert(id, done);
        let message = request_to_js(id, format, request);
        if module.ready {
            // A failed post shows as the request never answered: the view waits.
            let _ = module.worker.post_message(&message);
        } else {
            module.queued.push(message);
        }
        None
    });
    if let Some(done) = refused {
        done(Outcome::Unavailable);
    }
}

/// Encodes each tree as `format` in one request: `done` gets the payloads in order, or why
/// the first that cannot be encoded cannot be, naming its field.
pub fn encode_each(
    format: Format,
    values: Vec<payload_decoders::Value>,
    done: impl FnOnce(Result<Vec<Vec<u8>>, crate::i18n::Text>) + 'static,
) {
    let count = values.len();
    request(format, &Request::EncodeEach(values), move |outcome| {
        done(match outcome {
            Outcome::Answered(Answer::EncodedEach(results)) if results.len() == count => results
                .into_iter()
                .collect::<Result<_, _>>()
                .map_err(|error| crate::decoder_rules::encode_error_text(format, &error)),
            _ => Err(crate::i18n::Key::DecodedUnavailable.into()),
        })
    });
}
