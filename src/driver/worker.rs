//! The worker protocol: the tiny Worker (`worker.js`, made from a Blob) that owns the WebSocket
//! and the timers, and the messages to and from it. The numbers are the worker's `TIMER`,
//! `OPEN`, … and `TICK`, `OPENED`, ….

use js_sys::{Array, Uint8Array};
use mqtt_core::TransportId;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, MessageEvent, Url, Worker};

const WORKER_SOURCE: &str = include_str!("worker.js");

/// What the page tells the worker. A socket is named by the core's `TransportId`, so the
/// worker's news of an old socket is the core's to ignore.
#[derive(Clone, Copy)]
enum ToWorker {
    /// `[Timer, channel, delay_ms]`: a negative delay cancels.
    Timer = 0,
    /// `[Open, socket, url]`: closes the current socket and opens this one.
    Open = 1,
    /// `[Send, socket, bytes, ready]`: `bytes` (whole packets) as one frame; with `ready`, also
    /// what `Ready` says.
    Send = 2,
    /// `[Close, socket]`
    Close = 3,
    /// `[Ready]`: the last batch is handled; send the next one when there is one.
    Ready = 4,
    /// `[Quit]`: after what was posted before it, close the socket and end the worker.
    Quit = 5,
    /// `[Probe, socket, url]`: a no-cors fetch of `url` on behalf of `socket` (`probe.rs`).
    Probe = 6,
}

/// What the worker tells the page.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum FromWorker {
    /// `[Tick, channel]`
    Tick = 0,
    /// `[Opened, socket]`
    Opened = 1,
    /// `[Bytes, socket, ArrayBuffer]`: binary frames since the last batch, concatenated (about
    /// 256 KiB and 512 frames at most, unless one frame is larger or the socket is closing).
    Bytes = 2,
    /// `[Text, socket]`: the server sent a text frame; the worker has closed the socket.
    Text = 3,
    /// `[Closed, socket, code, reason]`
    Closed = 4,
    /// `[Failed, socket, words]`: the browser refused to create the socket.
    Failed = 5,
    /// `[Probed, socket, answered]`: whether the probe's fetch got any answer.
    Probed = 6,
}

impl FromWorker {
    pub(super) fn from_number(n: u32) -> Option<FromWorker> {
        [
            FromWorker::Tick,
            FromWorker::Opened,
            FromWorker::Bytes,
            FromWorker::Text,
            FromWorker::Closed,
            FromWorker::Failed,
            FromWorker::Probed,
        ]
        .into_iter()
        .find(|m| *m as u32 == n)
    }
}

/// The worker's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Channel {
    /// The core's `poll_timeout` deadline.
    Core = 0,
    /// The ticker that a periodic publish runs on.
    Ticker = 1,
    /// Incoming messages when animation frames do not run.
    Flush = 2,
    /// The rate meter's second.
    Rate = 3,
}

impl Channel {
    pub(super) fn from_number(n: u32) -> Option<Channel> {
        [
            Channel::Core,
            Channel::Ticker,
            Channel::Flush,
            Channel::Rate,
        ]
        .into_iter()
        .find(|c| *c as u32 == n)
    }
}

/// The worker that owns the socket and the timers, if the browser let us start it.
pub(super) struct Io {
    worker: Option<(Worker, String)>,
    /// Packets for one socket not posted yet: they go in one frame, with `ready` if it comes
    /// before anything else for the socket (`flush` at the end of the driver's turn otherwise).
    unsent: Option<(TransportId, Vec<u8>)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl Io {
    /// Starts the worker; `on_message` gets each of its messages.
    pub(super) fn new(mut on_message: impl FnMut(&Array) + 'static) -> Io {
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Ok(message) = e.data().dyn_into::<Array>() {
                on_message(&message);
            }
        });
        let worker = Self::spawn_worker().ok().inspect(|(worker, _)| {
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        });
        Io {
            worker,
            unsent: None,
            _on_message: on_message,
        }
    }

    fn spawn_worker() -> Result<(Worker, String), JsValue> {
        let parts = Array::of1(&JsValue::from_str(WORKER_SOURCE));
        let options = BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
        let url = Url::create_object_url_with_blob(&blob)?;
        match Worker::new(&url) {
            Ok(worker) => Ok((worker, url)),
            Err(e) => {
                let _ = Url::revoke_object_url(&url);
                Err(e)
            }
        }
    }

    fn post(&self, message: &Array) -> bool {
        self.worker
            .as_ref()
            .is_some_and(|(worker, _)| worker.post_message(message).is_ok())
    }

    pub(super) fn arm(&self, channel: Channel, delay_ms: u32) {
        self.timer(channel, f64::from(delay_ms));
    }

    pub(super) fn disarm(&self, channel: Channel) {
        self.timer(channel, -1.0);
    }

    fn timer(&self, channel: Channel, delay_ms: f64) {
        self.post(&Array::of3(
            &JsValue::from(ToWorker::Timer as u32),
            &JsValue::from(channel as u32),
            &JsValue::from(delay_ms),
        ));
    }

    /// False if there is no worker to open it.
    pub(super) fn open(&mut self, socket: TransportId, url: &str) -> bool {
        self.flush();
        self.post(&Array::of3(
            &JsValue::from(ToWorker::Open as u32),
            &JsValue::from(socket.raw()),
            &JsValue::from_str(url),
        ))
    }

    /// Queues `packet` for `socket`: the packets of one turn go to the worker in one message
    /// and to the broker in one WebSocket frame, so a batch of PUBACKs costs one of each
    /// rather than one per message.
    pub(super) fn send(&mut self, socket: TransportId, packet: Vec<u8>) {
        match &mut self.unsent {
            Some((queued, bytes)) if *queued == socket => bytes.extend_from_slice(&packet),
            _ => {
                self.flush();
                self.unsent = Some((socket, packet));
            }
        }
    }

    /// Posts the queued packets, if any.
    pub(super) fn flush(&mut self) {
        self.post_unsent(false);
    }

    /// Posts the queued packets with `ready` (or `ready` alone); false if there were none.
    fn post_unsent(&mut self, ready: bool) -> bool {
        let (Some((socket, bytes)), Some((worker, _))) = (self.unsent.take(), &self.worker) else {
            return false;
        };
        let buffer = Uint8Array::from(bytes.as_slice()).buffer();
        let message = Array::of4(
            &JsValue::from(ToWorker::Send as u32),
            &JsValue::from(socket.raw()),
            &buffer,
            &JsValue::from_bool(ready),
        );
        let _ = worker.post_message_with_transfer(&message, &Array::of1(&buffer));
        true
    }

    pub(super) fn close(&mut self, socket: TransportId) {
        self.flush();
        self.post(&Array::of2(
            &JsValue::from(ToWorker::Close as u32),
            &JsValue::from(socket.raw()),
        ));
    }

    /// Fetches `url` (no-cors, nothing read) for `socket`; the answer is `FromWorker::Probed`.
    pub(super) fn probe(&self, socket: TransportId, url: &str) {
        self.post(&Array::of3(
            &JsValue::from(ToWorker::Probe as u32),
            &JsValue::from(socket.raw()),
            &JsValue::from_str(url),
        ));
    }

    /// The last batch is handled: with the queued packets if there are any (one message for
    /// both: the answers to a batch and the word for the next).
    pub(super) fn ready(&mut self) {
        if !self.post_unsent(true) {
            self.post(&Array::of1(&JsValue::from(ToWorker::Ready as u32)));
        }
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        self.flush();
        if let Some((worker, url)) = self.worker.take() {
            worker.set_onmessage(None);
            // Not terminate(): the worker first sends what was posted before, a DISCONNECT
            // among it.
            let _ = worker.post_message(&Array::of1(&JsValue::from(ToWorker::Quit as u32)));
            let _ = Url::revoke_object_url(&url);
        }
    }
}
