//! The one place that does I/O: the browser WebSocket, timers and the core `Client`.
//!
//! Components never touch these handles; they call `Driver` methods from callbacks, and the
//! driver reports back only through reducer actions.
//!
//! The WebSocket and the timers live in a tiny Worker made from a Blob (`driver_worker.js`);
//! the core stays on the page's thread. The worker collects incoming frames while the page is
//! busy and hands them over in one batch when it is free, so a flood costs one task per batch
//! instead of one per frame, and the page keeps idle moments to paint in. Timers live there
//! too because Chrome throttles main-thread timers of hidden tabs to about once a minute, which
//! would starve keep-alive pings, while timers in a dedicated worker keep their resolution.
//!
//! Incoming messages are buffered and handed to the reducer in one `Action::Received` batch at
//! most once per animation frame, so heavy traffic costs one render per frame; sooner only when
//! more arrive within a frame than the history keeps. When the tab is hidden,
//! `requestAnimationFrame` stops; a timer flushes instead.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::{Array, ArrayBuffer, Uint32Array, Uint8Array};
use mqtt_core::reason::ReasonContext;
use mqtt_core::{
    Bytes, Client, ClientOptions, ConnectionError, ConnectionState, Event, Instant,
    OutgoingMessage, Publish, QoS, SubscribeFilter, SubscribeProperties, SubscriptionOptions,
    TransportCommand, TransportError, TransportId,
};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, MessageEvent, Url, Worker};
use yew::Callback;

use crate::state::{
    Action, LogLevel, Message, SentMessage, SentOutcome, ServerInfo, SubscriptionRequest,
    DEFAULT_HISTORY_LIMIT,
};

const WORKER_SOURCE: &str = include_str!("driver_worker.js");

/// What the page tells the worker; the numbers are the worker's `TIMER`, `OPEN`, ….
#[derive(Clone, Copy)]
enum ToWorker {
    /// `[Timer, channel, delay_ms]`: a negative delay cancels.
    Timer = 0,
    /// `[Open, socket, url]`: closes the current socket and opens this one (the socket is the
    /// core's `TransportId`, so the worker's news of an old socket is the core's to ignore).
    Open = 1,
    /// `[Send, socket, bytes, lengths]`: one frame per length, cut from `bytes` in order.
    Send = 2,
    /// `[Close, socket]`
    Close = 3,
    /// `[Ready]`: the last batch is handled; send the next one when there is one.
    Ready = 4,
    /// `[Quit]`: after what was posted before it, close the socket and end the worker.
    Quit = 5,
}

/// What the worker tells the page; the numbers are the worker's `TICK`, `OPENED`, ….
#[derive(Clone, Copy, PartialEq, Eq)]
enum FromWorker {
    /// `[Tick, channel]`
    Tick = 0,
    /// `[Opened, socket]`
    Opened = 1,
    /// `[Bytes, socket, ArrayBuffer]`: binary frames since the last batch, concatenated (about
    /// 256 KiB at most, unless one frame is larger or the socket is closing).
    Bytes = 2,
    /// `[Text, socket]`: the server sent a text frame; the worker has closed the socket.
    Text = 3,
    /// `[Closed, socket, code, reason]`
    Closed = 4,
    /// `[Failed, socket, words]`: the browser refused to create the socket.
    Failed = 5,
}

impl FromWorker {
    fn from_number(n: u32) -> Option<FromWorker> {
        [
            FromWorker::Tick,
            FromWorker::Opened,
            FromWorker::Bytes,
            FromWorker::Text,
            FromWorker::Closed,
            FromWorker::Failed,
        ]
        .into_iter()
        .find(|m| *m as u32 == n)
    }
}

/// Flush incoming messages at least this often when animation frames do not run.
const HIDDEN_FLUSH_MS: u32 = 250;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Channel {
    /// The core's `poll_timeout` deadline.
    Core = 0,
    Periodic = 1,
    Flush = 2,
    Rate = 3,
}

impl Channel {
    fn from_number(n: u32) -> Option<Channel> {
        [
            Channel::Core,
            Channel::Periodic,
            Channel::Flush,
            Channel::Rate,
        ]
        .into_iter()
        .find(|c| *c as u32 == n)
    }
}

/// A cheap handle shared by the tab's components; all methods are safe to call at any time.
#[derive(Clone)]
pub struct Driver(Rc<RefCell<Inner>>);

impl PartialEq for Driver {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// What a periodic publish sends; `{n}` in a text payload becomes the message number.
pub struct PeriodicPublish {
    pub message: OutgoingMessage,
    pub template: Option<String>,
    pub interval_ms: u32,
}

struct Periodic {
    publish: PeriodicPublish,
    sent: u64,
}

struct Inner {
    /// Where actions go: the tab's reducer (scripts/bench passes a counter instead).
    dispatch: Callback<Action>,
    client: Option<Client>,
    url: String,
    io: Io,
    on_frame: Closure<dyn FnMut(f64)>,
    /// The deadline the core timer is armed for.
    core_deadline: Option<Instant>,
    pending: Vec<Message>,
    pending_limit: usize,
    next_seq: u64,
    frame: Option<i32>,
    flush_armed: bool,
    arrivals: u32,
    rate_armed: bool,
    last_rate: u32,
    periodic: Option<Periodic>,
}

/// The worker that owns the socket and the timers, if the browser let us start it.
struct Io {
    worker: Option<(Worker, String)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

fn now() -> Instant {
    let millis = web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now());
    Instant::from_millis(millis.max(0.0) as u64)
}

/// Milliseconds since the Unix epoch.
pub fn wall_clock_millis() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// The core's words with a capital first letter. They are English and start with a letter, so
/// ASCII is enough (and keeps Unicode's case tables out of the download).
fn describe_command_error(error: impl std::fmt::Display) -> String {
    let mut words = error.to_string();
    if let Some(first) = words.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    words
}

impl Io {
    fn new(weak: Weak<RefCell<Inner>>) -> Io {
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Ok(message) = e.data().dyn_into::<Array>() {
                Driver::on_worker_message(&weak, &message);
            }
        });
        let worker = Self::spawn_worker().ok().inspect(|(worker, _)| {
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        });
        Io {
            worker,
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

    fn arm(&self, channel: Channel, delay_ms: u32) {
        self.timer(channel, f64::from(delay_ms));
    }

    fn disarm(&self, channel: Channel) {
        self.timer(channel, -1.0);
    }

    fn timer(&self, channel: Channel, delay_ms: f64) {
        self.post(&Array::of3(
            &JsValue::from(ToWorker::Timer as u32),
            &JsValue::from(channel as u32),
            &JsValue::from(delay_ms),
        ));
    }

    fn open(&self, socket: TransportId, url: &str) -> bool {
        self.post(&Array::of3(
            &JsValue::from(ToWorker::Open as u32),
            &JsValue::from(socket.raw()),
            &JsValue::from_str(url),
        ))
    }

    /// Sends `bytes`, cut at `lengths`, as one WebSocket frame each, in one message to the
    /// worker.
    fn send(&self, socket: TransportId, bytes: &[u8], lengths: &[u32]) {
        let Some((worker, _)) = &self.worker else {
            return;
        };
        let buffer = Uint8Array::from(bytes).buffer();
        let message = Array::of4(
            &JsValue::from(ToWorker::Send as u32),
            &JsValue::from(socket.raw()),
            &buffer,
            &Uint32Array::from(lengths),
        );
        let _ = worker.post_message_with_transfer(&message, &Array::of1(&buffer));
    }

    fn close(&self, socket: TransportId) {
        self.post(&Array::of2(
            &JsValue::from(ToWorker::Close as u32),
            &JsValue::from(socket.raw()),
        ));
    }

    fn ready(&self) {
        self.post(&Array::of1(&JsValue::from(ToWorker::Ready as u32)));
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        if let Some((worker, url)) = self.worker.take() {
            worker.set_onmessage(None);
            // Not terminate(): the worker first sends what was posted before, a DISCONNECT
            // among it.
            let _ = worker.post_message(&Array::of1(&JsValue::from(ToWorker::Quit as u32)));
            let _ = Url::revoke_object_url(&url);
        }
    }
}

impl Driver {
    pub fn new(dispatch: impl Into<Callback<Action>>) -> Driver {
        let dispatch = dispatch.into();
        let inner = Rc::new_cyclic(|weak: &Weak<RefCell<Inner>>| {
            let frame = weak.clone();
            RefCell::new(Inner {
                dispatch,
                client: None,
                url: String::new(),
                io: Io::new(weak.clone()),
                on_frame: Closure::new(move |_: f64| {
                    if let Some(inner) = frame.upgrade() {
                        if let Ok(mut inner) = inner.try_borrow_mut() {
                            inner.frame = None;
                            inner.flush();
                        }
                    }
                }),
                core_deadline: None,
                pending: Vec::new(),
                pending_limit: DEFAULT_HISTORY_LIMIT,
                next_seq: 1,
                frame: None,
                flush_armed: false,
                arrivals: 0,
                rate_armed: false,
                last_rate: 0,
                periodic: None,
            })
        });
        Driver(inner)
    }

    /// Runs `f` unless the driver is already busy (a re-entrant call from inside itself), and
    /// then lets the core act on whatever `f` did.
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> Option<R> {
        let mut inner = self.0.try_borrow_mut().ok()?;
        let result = f(&mut inner);
        inner.pump();
        Some(result)
    }

    fn with_weak(weak: &Weak<RefCell<Inner>>, f: impl FnOnce(&mut Inner)) {
        if let Some(inner) = weak.upgrade() {
            Driver(inner).with(f);
        }
    }

    /// Connects to `url` with `options`, ending any earlier connection of this tab first.
    pub fn connect(&self, url: &str, options: ClientOptions) -> Result<(), String> {
        self.with(|inner| {
            // Say goodbye on the old connection; the old session must not reconnect behind the
            // new one's back.
            if let Some(client) = inner.client.as_mut() {
                client.disconnect(now());
            }
            inner.pump();
            match inner.client.as_mut() {
                Some(client) => client.reset(options),
                None => {
                    let seed = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
                    inner.client = Some(Client::new(options, seed));
                }
            }
            inner.url = url.trim().to_owned();
            inner.log(LogLevel::Info, format!("Connecting to {}", inner.url));
            if let Some(client) = inner.client.as_mut() {
                client.connect(now());
            }
        })
        .ok_or_else(|| "Busy, try again".to_owned())
    }

    pub fn disconnect(&self) {
        self.with(|inner| {
            inner.stop_periodic();
            match inner.client.as_mut() {
                Some(client) => client.disconnect(now()),
                None => inner.dispatch(Action::Connection(ConnectionState::Disconnected {
                    reason: None,
                })),
            }
        });
    }

    /// Closes the socket without sending DISCONNECT, as a network failure would: the broker
    /// then publishes the will. The client treats it as a lost connection.
    pub fn drop_connection(&self) {
        self.with(|inner| {
            let Some(client) = inner.client.as_mut() else {
                return;
            };
            if let Some(transport) = client.transport() {
                client.handle_transport_closed(now(), transport, TransportError::ClosedByUser);
                inner.io.close(transport);
                inner.log(
                    LogLevel::Info,
                    "Socket closed without DISCONNECT (the broker publishes the will)".into(),
                );
            }
        });
    }

    pub fn subscribe(
        &self,
        request: &SubscriptionRequest,
        subscription_identifier: Option<u32>,
    ) -> Result<(), String> {
        let filter = SubscribeFilter {
            filter: request.filter.clone(),
            options: SubscriptionOptions {
                qos: request.qos,
                no_local: request.no_local,
                retain_as_published: request.retain_as_published,
                retain_handling: request.retain_handling,
            },
        };
        let properties = SubscribeProperties {
            subscription_identifier,
            ..Default::default()
        };
        self.with(|inner| {
            let client = inner.client.as_mut().ok_or_else(not_connected)?;
            client
                .subscribe(now(), vec![filter], properties)
                .map_err(describe_command_error)?;
            inner.dispatch(Action::Subscribe(request.clone()));
            Ok(())
        })
        .unwrap_or_else(|| Err("Busy, try again".into()))
    }

    pub fn unsubscribe(&self, filter: &str) -> Result<(), String> {
        self.with(|inner| {
            let client = inner.client.as_mut().ok_or_else(not_connected)?;
            client
                .unsubscribe(now(), vec![filter.to_owned()])
                .map(|_| ())
                .map_err(describe_command_error)
        })
        .unwrap_or_else(|| Err("Busy, try again".into()))
    }

    pub fn publish(&self, message: OutgoingMessage) -> Result<(), String> {
        self.with(|inner| inner.publish(message, true).map(|_| ()))
            .unwrap_or_else(|| Err("Busy, try again".into()))
    }

    pub fn start_periodic(&self, publish: PeriodicPublish) {
        self.with(|inner| {
            let interval = publish.interval_ms;
            inner.periodic = Some(Periodic { publish, sent: 0 });
            inner.dispatch(Action::Periodic(Some(0)));
            inner.io.arm(Channel::Periodic, interval);
        });
    }

    pub fn stop_periodic(&self) {
        self.with(Inner::stop_periodic);
    }

    pub fn set_history_limit(&self, limit: usize) {
        self.with(|inner| inner.pending_limit = limit.max(1));
    }

    /// Says goodbye to the broker and releases the socket and timers (the tab is closing).
    pub fn shutdown(&self) {
        self.with(|inner| {
            inner.stop_periodic();
            if let Some(client) = inner.client.as_mut() {
                client.disconnect(now());
            }
        });
        if let Ok(mut inner) = self.0.try_borrow_mut() {
            inner.client = None;
            inner.cancel_frame();
        }
    }

    fn on_worker_message(weak: &Weak<RefCell<Inner>>, message: &Array) {
        let number = |index: u32| message.get(index).as_f64().map_or(u32::MAX, |n| n as u32);
        let Some(kind) = FromWorker::from_number(number(0)) else {
            return;
        };
        if kind == FromWorker::Tick {
            if let Some(channel) = Channel::from_number(number(1)) {
                Self::on_tick(weak, channel);
            }
            return;
        }
        let socket = TransportId::from_raw(number(1));
        Self::with_weak(weak, |inner| inner.on_socket_event(kind, socket, message));
        if kind == FromWorker::Bytes {
            // After the core's answers to this batch were posted, so none waits for the next.
            if let Some(inner) = weak.upgrade() {
                if let Ok(inner) = inner.try_borrow() {
                    inner.io.ready();
                }
            }
        }
    }

    fn on_tick(weak: &Weak<RefCell<Inner>>, channel: Channel) {
        Self::with_weak(weak, |inner| match channel {
            Channel::Core => {
                inner.core_deadline = None;
                if let Some(client) = inner.client.as_mut() {
                    client.handle_timeout(now());
                }
            }
            Channel::Periodic => inner.periodic_tick(),
            Channel::Flush => inner.flush(),
            Channel::Rate => inner.rate_tick(),
        });
    }
}

fn not_connected() -> String {
    "Not connected: press Connect first".into()
}

impl Inner {
    fn dispatch(&self, action: Action) {
        self.dispatch.emit(action);
    }

    fn log(&self, level: LogLevel, text: String) {
        self.dispatch(Action::Log {
            at: wall_clock_millis(),
            level,
            text,
        });
    }

    /// The worker's news of `socket`: the core ignores it if the socket is not its current one.
    fn on_socket_event(&mut self, kind: FromWorker, socket: TransportId, message: &Array) {
        let Some(client) = self.client.as_mut() else {
            return;
        };
        let error = match kind {
            // Not a socket's: `on_worker_message` handles ticks.
            FromWorker::Tick => return,
            FromWorker::Opened => {
                client.handle_transport_open(now(), socket);
                return;
            }
            FromWorker::Bytes => {
                if let Ok(buffer) = message.get(2).dyn_into::<ArrayBuffer>() {
                    client.handle_bytes(now(), socket, &Uint8Array::new(&buffer).to_vec());
                }
                return;
            }
            // MQTT over WebSocket is binary frames only (MQTT-6.0.0-1): the worker has closed the
            // socket, and the text, which may even parse as packets, never reaches the core.
            FromWorker::Text => TransportError::TextFrame,
            FromWorker::Closed => {
                let code = message.get(2).as_f64().unwrap_or_default() as u16;
                match code {
                    1006 => TransportError::Unreachable {
                        url: self.url.clone(),
                    },
                    code => TransportError::Closed {
                        code,
                        reason: message.get(3).as_string().unwrap_or_default(),
                    },
                }
            }
            FromWorker::Failed => TransportError::CannotOpen {
                url: self.url.clone(),
                detail: message.get(2).as_string().unwrap_or_default(),
            },
        };
        client.handle_transport_closed(now(), socket, error);
    }

    /// Lets the core's output flow: frames to the socket, transport commands, events, and the
    /// next deadline. Loops until the core has nothing more to say.
    fn pump(&mut self) {
        let mut bytes = Vec::new();
        let mut lengths = Vec::new();
        loop {
            let Some(client) = self.client.as_mut() else {
                return;
            };
            // One batch per transport: all of them, but for a packet left for an old one.
            let mut batch = None;
            while let Some(transmit) = client.poll_transmit(&mut bytes) {
                if batch.is_some_and(|socket| socket != transmit.transport) {
                    let last = bytes.split_off(bytes.len() - transmit.size);
                    self.io
                        .send(batch.unwrap_or(transmit.transport), &bytes, &lengths);
                    bytes = last;
                    lengths.clear();
                }
                batch = Some(transmit.transport);
                lengths.push(u32::try_from(transmit.size).unwrap_or(u32::MAX));
            }
            let mut commands = Vec::new();
            while let Some(command) = client.poll_transport() {
                commands.push(command);
            }
            let mut events = Vec::new();
            while let Some(event) = client.poll_event() {
                events.push(event);
            }
            let deadline = client.poll_timeout();
            if let Some(socket) = batch {
                self.io.send(socket, &bytes, &lengths);
                bytes.clear();
                lengths.clear();
            }
            if batch.is_none() && commands.is_empty() && events.is_empty() {
                // Arm only for a deadline earlier than the armed one: each arming is a message
                // to the timer worker, and at QoS 1 every PUBACK moves the deadline later. A
                // timer that fires early is harmless: the core answers with its next deadline.
                if let Some(at) =
                    deadline.filter(|at| self.core_deadline.is_none_or(|armed| *at < armed))
                {
                    self.core_deadline = Some(at);
                    let delay = at.saturating_duration_since(now()).as_millis();
                    self.io
                        .arm(Channel::Core, u32::try_from(delay).unwrap_or(u32::MAX));
                }
                return;
            }
            for command in commands {
                match command {
                    TransportCommand::Open(socket) => {
                        if !self.io.open(socket, &self.url) {
                            let error = TransportError::CannotOpen {
                                url: self.url.clone(),
                                detail: "the browser did not let the page start a worker for the connection".into(),
                            };
                            if let Some(client) = self.client.as_mut() {
                                client.handle_transport_closed(now(), socket, error);
                            }
                        }
                    }
                    TransportCommand::Close(socket) => self.io.close(socket),
                }
            }
            for event in events {
                self.on_event(event);
            }
        }
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::StateChanged(state) => {
                // Messages that arrived before the change are shown before it.
                self.flush();
                self.io.disarm(Channel::Periodic);
                if self.periodic.is_some() && !matches!(state, ConnectionState::Connecting) {
                    self.periodic = None;
                    self.dispatch(Action::Periodic(None));
                }
                if let ConnectionState::Reconnecting { reason, .. }
                | ConnectionState::Disconnected {
                    reason: Some(reason),
                } = &state
                {
                    self.log(LogLevel::Error, loss_log_line(reason));
                }
                self.dispatch(Action::Connection(state));
            }
            Event::Connected(connack) => {
                self.flush();
                let p = &connack.properties;
                let server = ServerInfo {
                    assigned_client_id: p.assigned_client_identifier.clone(),
                    maximum_packet_size: p.maximum_packet_size,
                    maximum_qos: p.maximum_qos,
                    retain_available: p.retain_available,
                    server_keep_alive: p.server_keep_alive,
                    receive_maximum: p.receive_maximum,
                    topic_alias_maximum: p.topic_alias_maximum,
                };
                let mut text = format!("Connected to {}", self.url);
                if connack.session_present {
                    text.push_str(" (session resumed)");
                }
                if let Some(id) = &server.assigned_client_id {
                    text.push_str(&format!("; the server assigned client id {id}"));
                }
                self.log(LogLevel::Info, text);
                self.dispatch(Action::Connected {
                    session_present: connack.session_present,
                    server,
                });
            }
            Event::Message(publish) => self.receive(publish),
            Event::Subscribed {
                filters, results, ..
            } => {
                let results: Vec<_> = filters
                    .into_iter()
                    .zip(results)
                    .map(|(filter, code)| {
                        let result = match code.0 {
                            0 => Ok(QoS::AtMostOnce),
                            1 => Ok(QoS::AtLeastOnce),
                            2 => Ok(QoS::ExactlyOnce),
                            _ => Err(code.describe(ReasonContext::SubAck).to_owned()),
                        };
                        if let Err(words) = &result {
                            self.log(
                                LogLevel::Error,
                                format!("Subscription to {filter} refused: {words}"),
                            );
                        }
                        (filter, result)
                    })
                    .collect();
                self.dispatch(Action::SubscriptionResults(results));
            }
            Event::Unsubscribed { filters, .. } => {
                self.log(
                    LogLevel::Info,
                    format!("Unsubscribed from {}", filters.join(", ")),
                );
            }
            Event::Published { id, result } => {
                let result = result.map_err(|error| error.to_string());
                if let Err(words) = &result {
                    self.log(LogLevel::Error, format!("Publish failed: {words}"));
                }
                self.dispatch(Action::PublishResult { id, result });
            }
        }
    }

    fn receive(&mut self, publish: Publish) {
        let message = Message {
            seq: self.next_seq,
            topic: publish.topic,
            payload: publish.payload,
            qos: publish.delivery.qos(),
            retain: publish.retain,
            dup: publish.dup,
            received_at: wall_clock_millis(),
            properties: publish.properties,
            subscription: None,
        };
        self.next_seq += 1;
        self.pending.push(message);
        self.arrivals = self.arrivals.saturating_add(1);
        if !self.rate_armed {
            self.rate_armed = true;
            self.io.arm(Channel::Rate, 1000);
        }
        if !self.flush_armed {
            self.flush_armed = true;
            self.frame = web_sys::window().and_then(|w| {
                w.request_animation_frame(self.on_frame.as_ref().unchecked_ref())
                    .ok()
            });
            self.io.arm(Channel::Flush, HIDDEN_FLUSH_MS);
        }
        if self.pending.len() >= self.pending_limit {
            // More arrived within one frame than the history keeps: hand them over now, so
            // that what waits stays bounded and the reducer still counts every message.
            self.flush();
        }
    }

    fn cancel_frame(&mut self) {
        if let (Some(id), Some(window)) = (self.frame.take(), web_sys::window()) {
            let _ = window.cancel_animation_frame(id);
        }
    }

    fn flush(&mut self) {
        if !self.flush_armed {
            return;
        }
        self.flush_armed = false;
        self.cancel_frame();
        self.io.disarm(Channel::Flush);
        if !self.pending.is_empty() {
            let batch = std::mem::take(&mut self.pending);
            self.dispatch(Action::Received(batch));
        }
    }

    fn rate_tick(&mut self) {
        let rate = std::mem::take(&mut self.arrivals);
        if rate != self.last_rate {
            self.last_rate = rate;
            self.dispatch(Action::Rate(rate));
        }
        if rate > 0 {
            self.io.arm(Channel::Rate, 1000);
        } else {
            self.rate_armed = false;
        }
    }

    /// Publishes and records it in the sent history (`record`) unless the core refuses.
    fn publish(&mut self, message: OutgoingMessage, record: bool) -> Result<u64, String> {
        let client = self.client.as_mut().ok_or_else(not_connected)?;
        let sent = record.then(|| SentMessage {
            id: 0,
            topic: message.topic.clone(),
            payload: message.payload.clone(),
            qos: message.qos,
            retain: message.retain,
            properties: message.properties.clone(),
            sent_at: wall_clock_millis(),
            outcome: SentOutcome::Pending,
        });
        let id = client
            .publish(now(), message)
            .map_err(describe_command_error)?;
        if let Some(sent) = sent {
            self.dispatch(Action::Sent(SentMessage { id, ..sent }));
        }
        Ok(id)
    }

    fn periodic_tick(&mut self) {
        let Some(periodic) = self.periodic.as_ref() else {
            return;
        };
        let number = periodic.sent + 1;
        let mut message = periodic.publish.message.clone();
        if let Some(template) = &periodic.publish.template {
            message.payload =
                Bytes::from(template.replace("{n}", &number.to_string()).into_bytes());
        }
        let interval = periodic.publish.interval_ms;
        match self.publish(message, false) {
            Ok(_) => {
                if let Some(periodic) = self.periodic.as_mut() {
                    periodic.sent = number;
                }
                self.dispatch(Action::Periodic(Some(number)));
                self.io.arm(Channel::Periodic, interval);
            }
            Err(words) => {
                self.log(
                    LogLevel::Error,
                    format!("Periodic publish stopped: {words}"),
                );
                self.stop_periodic();
            }
        }
    }

    fn stop_periodic(&mut self) {
        self.io.disarm(Channel::Periodic);
        if self.periodic.take().is_some() {
            self.dispatch(Action::Periodic(None));
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(socket) = self.client.as_ref().and_then(Client::transport) {
            self.io.close(socket);
        }
        self.cancel_frame();
    }
}

/// The connection log's line for a connection that ended.
fn loss_log_line(reason: &ConnectionError) -> String {
    match reason {
        ConnectionError::Refused(refusal) => format!(
            "Connection refused: {}",
            refusal.words(ReasonContext::ConnAck)
        ),
        ConnectionError::ServerDisconnected(disconnect) => format!(
            "The server closed the connection: {}",
            disconnect.words(ReasonContext::Disconnect)
        ),
        reason => format!("Connection lost: {reason}"),
    }
}
