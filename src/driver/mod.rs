//! The one place that does network I/O: the browser WebSocket, the protocol's timers and the
//! core `Client`.
//!
//! Components never touch these handles; they call `Driver` methods from callbacks, and the
//! driver reports back only through reducer actions. Its parts: `worker.rs` the worker
//! protocol, `inbox.rs` incoming messages on their way to the reducer, `translate.rs` the
//! core's events as actions; this file the pump between them.
//!
//! The WebSocket and the timers live in a tiny Worker made from a Blob (`worker.js`); the core
//! stays on the page's thread. The worker collects incoming frames while the page is busy and
//! hands them over in one batch when it is free, so a flood costs one task per batch instead
//! of one per frame, and the page keeps idle moments to paint in. While the next animation
//! frame already has as many messages as the reducer was seen to take in its budget, the next
//! batch waits for that frame (see `inbox.rs`). Timers live there too
//! because Chrome throttles main-thread timers of hidden tabs to about once a minute, which
//! would starve keep-alive pings, while timers in a dedicated worker keep their resolution.
//!
//! Incoming messages are buffered and handed to the reducer in one `Action::Received` batch at
//! most once per animation frame, so heavy traffic costs one render per frame; sooner only when
//! more arrive within a frame than the history keeps. When the tab is hidden,
//! `requestAnimationFrame` stops; a timer flushes instead.
//!
//! Each transport the core asks for opens the next of the connection's URLs in round robin
//! (`addresses::Rotation`), on the core's own reconnect schedule, so the session (the core
//! `Client`) carries over from one URL to the next; while the browser is offline the transport
//! waits unopened and opens as soon as it is back (`network.rs`). An MQTT 5 server redirection
//! is offered to the user, or followed at once with the profile's setting.
//!
//! Actions and ticks go out in a microtask after the call that caused them, so whatever they
//! cause may call the driver again (it is never re-entered), and a caller hears the result of
//! its call before the events it led to (a QoS 0 publish is done at once).

mod auth;
mod inbox;
mod network;
mod probe;
mod translate;
mod watch;
mod worker;

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::{Array, ArrayBuffer, Uint8Array};
use mqtt_core::{
    Client, ClientOptions, CommandError, ConnectionState, Event, Instant, OutgoingMessage,
    PublishId, SubscribeFilter, SubscribeProperties, SubscriptionOptions, TransportCommand,
    TransportError, TransportId,
};
use payload_decoders::Format;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::Callback;

use crate::addresses::{resolve_reference, AddressAction, InUse, RedirectOffer, Rotation};
use crate::auth::AuthPlan;
use crate::clock::{log_now, monotonic_instant, monotonic_millis, wall_clock_millis};
use crate::decoder_rules::DecoderRule;
use crate::i18n::outcomes::command_error_sentence;
use crate::i18n::{Key, Text};
use crate::recording::Recorder;
use crate::state::{Action, LogLevel, SubscriptionRequest};
use inbox::Inbox;
pub use watch::Outcomes;
use worker::{Channel, FromWorker, Io};

/// Flush incoming messages at least this often when animation frames do not run.
const HIDDEN_FLUSH_MS: u32 = 250;

/// A cheap handle shared by the tab's components; all methods are safe to call at any time.
#[derive(Clone)]
pub struct Driver(Rc<RefCell<Inner>>);

impl PartialEq for Driver {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

struct Inner {
    /// Itself, for the listeners it adds (`network.rs`).
    weak: Weak<RefCell<Inner>>,
    /// Where actions go: the tab's reducer (scripts/bench passes a counter instead).
    dispatch: Callback<Action>,
    /// What waits to go out once the driver has let go of its state: actions, then ticks.
    outbox: Vec<Action>,
    ticks: Vec<Callback<()>>,
    /// Sends out the outbox from a microtask.
    on_outbox: Closure<dyn FnMut(JsValue)>,
    outbox_scheduled: bool,
    client: Option<Client>,
    /// The URL of the transport in use (or the last one).
    url: String,
    /// The connection's URLs and the one the next transport opens (`addresses.rs`).
    rotation: Rotation,
    /// Follow a server's redirection without asking.
    follow_references: bool,
    /// The browser's `offline`/`online` events (`network.rs`), and whether it is offline.
    network: network::Network,
    offline: bool,
    /// The transport the core asked for while offline, opened once back online.
    held: Option<TransportId>,
    io: Io,
    on_frame: Closure<dyn FnMut(f64)>,
    /// The deadline the core timer is armed for.
    core_deadline: Option<Instant>,
    inbox: Inbox,
    frame: Option<i32>,
    flush_armed: bool,
    rate_armed: bool,
    /// The worker has handed over a batch of frames and waits for word to send the next.
    worker_waiting: bool,
    /// When the worker's last bytes came (the wall clock), stamped on each message in them:
    /// one reading per batch of frames, not one per message.
    frame_received_at: u64,
    /// The running ticker: its interval and whom it tells.
    ticker: Option<(u32, Callback<()>)>,
    /// Publishes whose outcomes go to a watcher instead of the reducer (the load tool).
    watch: watch::Watch,
    /// The running recording, fed each batch as it goes to the reducer (`recording.rs`).
    recorder: Option<Recorder>,
    /// The probe after a `wss://` socket failed before it opened (`probe.rs`).
    probe: probe::Probe,
    /// Enhanced authentication: SCRAM's steps, the generic mode's (`auth.rs`).
    auth: auth::Authenticator,
    /// The tab's payload decoder rules, and its Sparkplug B session in the decoder Worker, which
    /// hears each birth and death here, in arrival order (`decoder_rules::observe_request`).
    decoders: Vec<DecoderRule>,
    decoder_session: u32,
}

thread_local! {
    /// The next tab's Sparkplug B session in the decoder Worker.
    static NEXT_DECODER_SESSION: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

impl Driver {
    pub fn new(dispatch: impl Into<Callback<Action>>) -> Driver {
        let dispatch = dispatch.into();
        let inner = Rc::new_cyclic(|weak: &Weak<RefCell<Inner>>| {
            let frame = weak.clone();
            let worker = weak.clone();
            let outbox = weak.clone();
            RefCell::new(Inner {
                weak: weak.clone(),
                dispatch,
                outbox: Vec::new(),
                ticks: Vec::new(),
                on_outbox: Closure::new(move |_: JsValue| Driver::send_out(&outbox)),
                outbox_scheduled: false,
                client: None,
                url: String::new(),
                rotation: Rotation::new("", ""),
                follow_references: false,
                network: network::Network::default(),
                offline: false,
                held: None,
                io: Io::new(move |message| Driver::on_worker_message(&worker, message)),
                on_frame: Closure::new(move |_: f64| {
                    Driver::with_weak(&frame, |inner| {
                        inner.frame = None;
                        inner.flush_frame();
                    })
                }),
                core_deadline: None,
                inbox: Inbox::default(),
                frame: None,
                flush_armed: false,
                rate_armed: false,
                worker_waiting: false,
                frame_received_at: 0,
                ticker: None,
                watch: watch::Watch::default(),
                recorder: None,
                probe: probe::Probe::default(),
                auth: auth::Authenticator::default(),
                decoders: Vec::new(),
                decoder_session: NEXT_DECODER_SESSION.with(|next| {
                    let session = next.get();
                    next.set(session.wrapping_add(1));
                    session
                }),
            })
        });
        Driver(inner)
    }

    /// Runs `f` and lets the core act on whatever it did; what that gives to send out waits for
    /// a microtask. `None` only if entered from inside itself, which the outbox rules out.
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> Option<R> {
        let mut inner = self.0.try_borrow_mut().ok()?;
        let result = f(&mut inner);
        inner.pump();
        if inner.worker_waiting && (inner.inbox.has_room() || page_hidden()) {
            // With the core's answers to the batch, so none waits for the next.
            // A hidden page has no frames to keep: its timer flush would be the pace instead.
            inner.worker_waiting = false;
            inner.io.ready();
        } else {
            inner.io.flush();
        }
        let waiting =
            !inner.outbox.is_empty() || !inner.ticks.is_empty() || inner.watch.is_waiting();
        if waiting && !inner.outbox_scheduled {
            inner.outbox_scheduled = true;
            let _ = js_sys::Promise::resolve(&JsValue::UNDEFINED).then(&inner.on_outbox);
        }
        Some(result)
    }

    /// Sends out the outbox, with the state let go.
    fn send_out(weak: &Weak<RefCell<Inner>>) {
        let Some(inner) = weak.upgrade() else {
            return;
        };
        let Ok(mut state) = inner.try_borrow_mut() else {
            return;
        };
        state.outbox_scheduled = false;
        let outbox = std::mem::take(&mut state.outbox);
        let ticks = std::mem::take(&mut state.ticks);
        let watched = state.watch.take();
        let dispatch = state.dispatch.clone();
        drop(state);
        let mut reduced_in = None;
        for action in outbox {
            if matches!(action, Action::Received(_)) {
                let started = monotonic_millis();
                dispatch.emit(action);
                reduced_in = Some(monotonic_millis() - started);
            } else {
                dispatch.emit(action);
            }
        }
        if let Some((watcher, outcomes)) = watched {
            watcher.emit(outcomes);
        }
        for on_tick in ticks {
            on_tick.emit(());
        }
        if let Some(millis) = reduced_in {
            if let Ok(mut state) = inner.try_borrow_mut() {
                state.inbox.reduced_in(millis);
            }
        }
    }

    fn with_weak(weak: &Weak<RefCell<Inner>>, f: impl FnOnce(&mut Inner)) {
        if let Some(inner) = weak.upgrade() {
            Driver(inner).with(f);
        }
    }

    /// Connects to `url` with `options`, ending any earlier connection of this tab first; an
    /// unencrypted URL from an https page is refused (`secure::mixed_content`).
    pub fn connect(&self, url: &str, options: ClientOptions) -> Result<(), Text> {
        let addresses = Addresses {
            url,
            backups: "",
            follow_references: false,
        };
        self.connect_authenticated(addresses, options, AuthPlan::None)
    }

    /// Connects like `connect` to the first of `addresses` (then the others in turn), running
    /// the enhanced authentication `plan` (the method and the generic mode's first data are in
    /// `options`).
    pub fn connect_authenticated(
        &self,
        addresses: Addresses<'_>,
        options: ClientOptions,
        plan: AuthPlan,
    ) -> Result<(), Text> {
        let page = crate::secure::page_protocol();
        crate::secure::mixed_content(&page, addresses.url)?;
        for url in crate::addresses::backup_urls(addresses.backups) {
            crate::secure::mixed_content(&page, url)?;
        }
        if matches!(plan, AuthPlan::Scram { .. }) {
            // Refused now rather than on each CONNECT.
            auth::nonce()?;
        }
        self.with(|inner| {
            inner.probe.reset();
            inner.auth = auth::Authenticator::new(plan);
            // Say goodbye on the old connection; the old session must not reconnect behind the
            // new one's back.
            if let Some(client) = inner.client.as_mut() {
                client.disconnect(monotonic_instant());
            }
            inner.pump();
            match inner.client.as_mut() {
                Some(client) => client.reset(options),
                None => {
                    let seed = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
                    inner.client = Some(Client::new(options, seed));
                }
            }
            inner.rotation = Rotation::new(addresses.url, addresses.backups);
            inner.url = inner.rotation.current().to_owned();
            inner.follow_references = addresses.follow_references;
            inner.held = None;
            inner.listen_to_network();
            inner.dispatch(Action::Addresses(AddressAction::Redirect(None)));
            if let Some(client) = inner.client.as_mut() {
                inner.outbox.push(inner.auth.connecting(client));
                client.connect(monotonic_instant());
            }
        })
        .ok_or_else(reentered)
    }

    /// The user's next step of an enhanced authentication in the generic mode.
    pub fn send_auth_step(&self, data: Option<mqtt_core::Bytes>) -> Result<(), Text> {
        self.with(|inner| {
            let client = inner.client.as_mut().ok_or_else(not_connected)?;
            inner
                .auth
                .answer(client, monotonic_instant(), data, &mut inner.outbox)
                .map_err(|error| command_error_sentence(&error))
        })
        .unwrap_or_else(|| Err(reentered()))
    }

    /// Starts a re-authentication on the live connection (MQTT 5 with a method).
    pub fn reauthenticate(&self) -> Result<(), Text> {
        self.with(|inner| {
            let client = inner.client.as_mut().ok_or_else(not_connected)?;
            let method = client
                .options()
                .authentication
                .as_ref()
                .map(|a| a.method.clone());
            inner
                .auth
                .reauthenticate(client, monotonic_instant(), &mut inner.outbox)?;
            let text =
                Text::new(Key::LogReauthenticating).with("method", method.unwrap_or_default());
            inner.log(LogLevel::Info, text);
            Ok(())
        })
        .unwrap_or_else(|| Err(reentered()))
    }

    pub fn disconnect(&self) {
        self.with(|inner| {
            inner.stop_listening_to_network();
            match inner.client.as_mut() {
                Some(client) => client.disconnect(monotonic_instant()),
                None => inner.dispatch(Action::Connection(ConnectionState::Disconnected {
                    reason: None,
                })),
            }
        });
    }

    /// Follows a server's redirection to `target` (the URL it resolved to, which the user
    /// was shown): the next transport opens it, now, with the same session.
    pub fn follow_reference(&self, target: String) {
        self.with(|inner| inner.follow(target));
    }

    /// Closes the socket without sending DISCONNECT, as a network failure would: the broker
    /// then publishes the will. The client treats it as a lost connection.
    pub fn drop_connection(&self) {
        self.with(|inner| {
            let Some(client) = inner.client.as_mut() else {
                return;
            };
            if let Some(transport) = client.transport() {
                client.handle_transport_closed(
                    monotonic_instant(),
                    transport,
                    TransportError::ClosedByUser,
                );
                inner.io.close(transport);
                inner.log(LogLevel::Info, Key::LogSocketDropped.into());
            }
        });
    }

    /// Subscribes now, or once connected while connecting; with no connection there is
    /// nothing to tell the server (the tab's list, which the views keep, subscribes it on the
    /// next Connect).
    pub fn subscribe(
        &self,
        request: &SubscriptionRequest,
        subscription_identifier: Option<u32>,
    ) -> Result<(), Text> {
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
        self.with(|inner| match inner.client.as_mut() {
            Some(client) => match client.subscribe(monotonic_instant(), vec![filter], properties) {
                Ok(_) | Err(CommandError::NotConnected) => Ok(()),
                Err(error) => Err(command_error_sentence(&error)),
            },
            None => Ok(()),
        })
        .unwrap_or_else(|| Err(reentered()))
    }

    /// Unsubscribes now, or once connected while connecting; with no connection there is
    /// nothing to tell the server.
    pub fn unsubscribe(&self, filter: &str) -> Result<(), Text> {
        self.with(|inner| match inner.client.as_mut() {
            Some(client) => {
                match client.unsubscribe(monotonic_instant(), vec![filter.to_owned()]) {
                    Ok(_) | Err(CommandError::NotConnected) => Ok(()),
                    Err(error) => Err(command_error_sentence(&error)),
                }
            }
            None => Ok(()),
        })
        .unwrap_or_else(|| Err(reentered()))
    }

    /// Publishes now, or once connected while connecting; the id names its outcome in
    /// `Action::PublishResult`.
    pub fn publish(&self, message: OutgoingMessage) -> Result<PublishId, Text> {
        self.with(|inner| inner.publish(message))
            .unwrap_or_else(|| Err(reentered()))
    }

    /// Publishes like `publish`, but tells its outcome to the watcher set by `watch_publishes`
    /// (with the others of the same turn) instead of the reducer.
    pub fn publish_watched(&self, message: OutgoingMessage) -> Result<PublishId, Text> {
        self.with(|inner| {
            let id = inner.publish(message)?;
            inner.watch.add(id);
            Ok(id)
        })
        .unwrap_or_else(|| Err(reentered()))
    }

    /// Who hears the outcomes of `publish_watched`; `None` ends the watch.
    pub fn watch_publishes(&self, watcher: Option<Callback<Outcomes>>) {
        self.with(|inner| inner.watch.set(watcher));
    }

    /// Calls `on_tick` every `interval_ms` (on the worker's clock, which hidden tabs do not
    /// throttle) until `stop_ticker` or until the connection changes state.
    pub fn start_ticker(&self, interval_ms: u32, on_tick: Callback<()>) {
        self.with(|inner| {
            inner.ticker = Some((interval_ms, on_tick));
            inner.io.arm(Channel::Ticker, interval_ms);
        });
    }

    pub fn stop_ticker(&self) {
        self.with(Inner::stop_ticker);
    }

    /// Starts recording what arrives from now on (and what is published, with `include_sent`),
    /// ending any recording already running.
    pub fn start_recording(&self, include_sent: bool) {
        self.with(|inner| {
            let at = wall_clock_millis();
            let iso: String = js_sys::Date::new(&JsValue::from(at as f64))
                .to_iso_string()
                .into();
            let recorder = Recorder::new(&inner.url, at, &iso, include_sent);
            inner.dispatch(Action::Recording(Some(recorder.progress())));
            inner.recorder = Some(recorder);
        });
    }

    /// Ends the recording: its file, with what waits for the next frame in it too.
    pub fn stop_recording(&self) -> Option<web_sys::Blob> {
        self.with(|inner| {
            inner.flush_armed = true;
            inner.flush();
            inner.dispatch(Action::Recording(None));
            inner.recorder.take()?.finish()
        })
        .flatten()
    }

    pub fn set_history_limit(&self, limit: usize) {
        self.with(|inner| inner.inbox.set_limit(limit));
    }

    /// The payload decoder rules in force (the connection settings'): which incoming births
    /// and deaths the decoder Worker hears as they arrive.
    pub fn set_decoders(&self, rules: Vec<DecoderRule>) {
        self.0.borrow_mut().decoders = rules;
    }

    /// The tab's Sparkplug B session in the decoder Worker, for its views' decode and encode
    /// requests.
    pub fn decoder_session(&self) -> u32 {
        self.0.borrow().decoder_session
    }

    /// Says goodbye to the broker and releases the socket and timers (the tab is closing).
    pub fn shutdown(&self) {
        self.with(|inner| {
            inner.stop_ticker();
            inner.stop_listening_to_network();
            if let Some(client) = inner.client.as_mut() {
                client.disconnect(monotonic_instant());
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
                Self::with_weak(weak, |inner| inner.on_tick(channel));
            }
            return;
        }
        let socket = TransportId::from_raw(number(1));
        Self::with_weak(weak, |inner| inner.on_socket_event(kind, socket, message));
    }
}

/// The URLs a connection may use, and whether a server's redirection is followed unasked.
#[derive(Clone, Copy, Debug)]
pub struct Addresses<'a> {
    /// The main URL, tried first.
    pub url: &'a str,
    /// The backup URLs as typed (`addresses::backup_urls`).
    pub backups: &'a str,
    pub follow_references: bool,
}

fn not_connected() -> Text {
    Key::NotConnectedPressConnect.into()
}

/// What a call gets if the driver were ever entered from inside itself, which the outbox rules
/// out; kept as an error rather than a panic, which would end the app.
fn reentered() -> Text {
    Key::DriverReentered.into()
}

impl Inner {
    /// Publishes through the core, and into the recording if it keeps what is sent.
    fn publish(&mut self, message: OutgoingMessage) -> Result<PublishId, Text> {
        let client = self.client.as_mut().ok_or_else(not_connected)?;
        let id = match self.recorder.as_mut() {
            Some(recorder) => {
                let copy = recorder.include_sent.then(|| message.clone());
                let id = client.publish(monotonic_instant(), message);
                if let (Ok(_), Some(message)) = (&id, copy) {
                    recorder.sent(&message, wall_clock_millis());
                }
                id
            }
            None => client.publish(monotonic_instant(), message),
        };
        id.map_err(|error| command_error_sentence(&error))
    }

    fn dispatch(&mut self, action: Action) {
        self.outbox.push(action);
    }

    fn log(&mut self, level: LogLevel, text: Text) {
        self.dispatch(log_now(level, text));
    }

    fn on_tick(&mut self, channel: Channel) {
        match channel {
            Channel::Core => {
                self.core_deadline = None;
                if let Some(client) = self.client.as_mut() {
                    client.handle_timeout(monotonic_instant());
                }
            }
            Channel::Ticker => {
                if let Some((interval, on_tick)) = &self.ticker {
                    self.io.arm(Channel::Ticker, *interval);
                    self.ticks.push(on_tick.clone());
                }
            }
            Channel::Flush => self.flush(),
            Channel::Rate => self.rate_tick(),
        }
    }

    /// The worker's news of `socket`: the core ignores it if the socket is not its current one.
    fn on_socket_event(&mut self, kind: FromWorker, socket: TransportId, message: &Array) {
        if kind == FromWorker::Bytes {
            self.worker_waiting = true;
        }
        if kind == FromWorker::Probed {
            let answered = message.get(2).as_bool().unwrap_or(false);
            if let Some(action) = self.probe.answered(socket, &self.url, answered) {
                self.dispatch(action);
            }
            return;
        }
        let Some(client) = self.client.as_mut() else {
            return;
        };
        if kind == FromWorker::Closed && client.transport() == Some(socket) {
            // Closed before it opened, of which the browser says no more: a `wss://` socket's
            // origin is asked over https.
            if let Some(url) = self.probe.closed(socket, &self.url) {
                self.io.probe(socket, &url);
            }
        }
        let error = match kind {
            // Not a socket's: `on_worker_message` handles ticks.
            FromWorker::Tick | FromWorker::Probed => return,
            FromWorker::Opened => {
                self.probe.opened(socket);
                client.handle_transport_open(monotonic_instant(), socket);
                return;
            }
            FromWorker::Bytes => {
                if let Ok(buffer) = message.get(2).dyn_into::<ArrayBuffer>() {
                    self.frame_received_at = wall_clock_millis();
                    client.handle_bytes(
                        monotonic_instant(),
                        socket,
                        &Uint8Array::new(&buffer).to_vec(),
                    );
                }
                return;
            }
            // MQTT over WebSocket is binary frames only (MQTT-6.0.0-1): the worker has closed the
            // socket, and the text, which may even parse as packets, never reaches the core.
            FromWorker::Text => TransportError::TextFrame,
            FromWorker::Closed => match message.get(2).as_f64().unwrap_or_default() as u16 {
                1006 => TransportError::Unreachable {
                    url: self.url.clone(),
                },
                code => TransportError::Closed {
                    code,
                    reason: message.get(3).as_string().unwrap_or_default(),
                },
            },
            FromWorker::Failed => TransportError::CannotOpen {
                url: self.url.clone(),
                detail: message.get(2).as_string().unwrap_or_default(),
            },
        };
        client.handle_transport_closed(monotonic_instant(), socket, error);
    }

    /// Lets the core's output flow: frames to the socket, transport commands, events, and the
    /// next deadline. Loops until the core has nothing more to say.
    fn pump(&mut self) {
        let mut packet = Vec::new();
        loop {
            let Some(client) = self.client.as_mut() else {
                return;
            };
            let mut sent = false;
            while let Some(transmit) = client.poll_transmit(&mut packet) {
                self.io
                    .send(transmit.transport, std::mem::take(&mut packet));
                sent = true;
            }
            let commands: Vec<TransportCommand> =
                std::iter::from_fn(|| client.poll_transport()).collect();
            let events: Vec<Event> = std::iter::from_fn(|| client.poll_event()).collect();
            let deadline = client.poll_timeout();
            if !sent && commands.is_empty() && events.is_empty() {
                // Arm only for a deadline earlier than the armed one: each arming is a message
                // to the timer worker, and at QoS 1 every PUBACK moves the deadline later. A
                // timer that fires early is harmless: the core answers with its next deadline.
                if let Some(at) =
                    deadline.filter(|at| self.core_deadline.is_none_or(|armed| *at < armed))
                {
                    self.core_deadline = Some(at);
                    let delay = at
                        .saturating_duration_since(monotonic_instant())
                        .as_millis();
                    self.io
                        .arm(Channel::Core, u32::try_from(delay).unwrap_or(u32::MAX));
                }
                return;
            }
            for command in commands {
                match command {
                    TransportCommand::Open(socket) => self.open(socket),
                    TransportCommand::Close(socket) => self.io.close(socket),
                }
            }
            for event in events {
                self.on_event(event);
            }
        }
    }

    fn open(&mut self, socket: TransportId) {
        if self.offline {
            // Opened once the browser is back online.
            self.held = Some(socket);
            return;
        }
        self.held = None;
        self.url = self.rotation.next_url().to_owned();
        let in_use = InUse {
            url: self.url.clone(),
            position: self.rotation.position(),
        };
        self.log(
            LogLevel::Info,
            Text::new(Key::LogConnecting).with("url", self.url.as_str()),
        );
        self.dispatch(Action::Addresses(AddressAction::InUse(in_use)));
        if let Some(client) = self.client.as_mut() {
            self.auth.before_connect(client, &mut self.outbox);
        }
        if self.io.open(socket, &self.url) {
            return;
        }
        // The reason is ours, not the platform's: it goes to the log in the user's language,
        // and the core hears of a transport that could not open, without a platform detail.
        self.log(LogLevel::Error, Key::LogWorkerRefused.into());
        let error = TransportError::CannotOpen {
            url: self.url.clone(),
            detail: String::new(),
        };
        if let Some(client) = self.client.as_mut() {
            client.handle_transport_closed(monotonic_instant(), socket, error);
        }
    }

    fn on_event(&mut self, event: Event) {
        let Some(event) = self.watch.claim(event) else {
            return;
        };
        let event = match self.client.as_mut() {
            Some(client) => {
                self.auth
                    .on_event(client, monotonic_instant(), event, &mut self.outbox)
            }
            None => Some(event),
        };
        let Some(event) = event else {
            return;
        };
        let event = match event {
            Event::Message(publish) => return self.receive(publish),
            event => event,
        };
        match &event {
            Event::StateChanged(state) => {
                // The ticker runs for one connection; messages that arrived before the change
                // are shown before it.
                self.stop_ticker();
                self.flush();
                if let Some(reason) = state.ended_because() {
                    self.redirected(reason);
                }
            }
            Event::Connected(_) => self.flush(),
            _ => {}
        }
        let actions = translate::actions(event, &self.url, wall_clock_millis());
        self.outbox.extend(actions);
    }

    /// A connection that ended for `reason`: if the server redirected, offer its reference
    /// (or follow it at once with the setting), or say why it is refused.
    fn redirected(&mut self, reason: &mqtt_core::ConnectionError) {
        let Some(redirect) = reason.redirect() else {
            return;
        };
        let page = crate::secure::page_protocol();
        let offer = match resolve_reference(redirect.reference, &self.url, &page) {
            Ok(target) if self.follow_references => return self.follow(target),
            Ok(target) => RedirectOffer::Offer {
                kind: redirect.kind,
                target,
            },
            Err(problem) => {
                let text = problem.text();
                self.log(LogLevel::Error, text.clone());
                RedirectOffer::Refused(text)
            }
        };
        self.dispatch(Action::Addresses(AddressAction::Redirect(Some(offer))));
    }

    /// The next transport opens `target`, now; an attempt under way gives way to it.
    fn follow(&mut self, target: String) {
        self.log(
            LogLevel::Info,
            Text::new(Key::LogFollowingReference).with("target", target.as_str()),
        );
        self.rotation.follow(target);
        self.dispatch(Action::Addresses(AddressAction::Redirect(None)));
        let Some(client) = self.client.as_mut() else {
            return;
        };
        if let Some(socket) = client
            .transport()
            .filter(|_| !matches!(client.state(), ConnectionState::Connected { .. }))
        {
            client.handle_transport_closed(
                monotonic_instant(),
                socket,
                TransportError::ClosedByUser,
            );
            self.io.close(socket);
        }
        if let Some(client) = self.client.as_mut() {
            client.connect(monotonic_instant());
        }
    }

    fn listen_to_network(&mut self) {
        self.offline = network::offline_now();
        self.dispatch(Action::Addresses(AddressAction::Offline(self.offline)));
        let weak = self.weak.clone();
        self.network.listen(move |online| {
            Driver::with_weak(&weak, |inner| inner.network_changed(online));
        });
    }

    fn stop_listening_to_network(&mut self) {
        self.network.stop();
        self.held = None;
        if std::mem::take(&mut self.offline) {
            self.dispatch(Action::Addresses(AddressAction::Offline(false)));
        }
    }

    /// The browser went offline or came back: hold reconnecting, or try at once.
    fn network_changed(&mut self, online: bool) {
        if self.offline != online {
            return;
        }
        self.offline = !online;
        self.dispatch(Action::Addresses(AddressAction::Offline(self.offline)));
        let key = if online {
            Key::LogNetworkOnline
        } else {
            Key::LogNetworkOffline
        };
        self.log(LogLevel::Info, key.into());
        if !online {
            return;
        }
        if let Some(socket) = self.held.take() {
            return self.open(socket);
        }
        if let Some(client) = self.client.as_mut() {
            if matches!(client.state(), ConnectionState::Reconnecting { .. }) {
                // Cuts the backoff's wait short.
                client.connect(monotonic_instant());
            }
        }
    }

    fn receive(&mut self, publish: mqtt_core::Publish) {
        let observe = crate::decoder_rules::observe_request(
            &self.decoders,
            self.decoder_session,
            &publish.topic,
            &publish.payload,
        );
        if let Some(request) = observe {
            // What the session learns shows in later decodes; the answer itself is no one's.
            crate::decoder_module::request(Format::SparkplugB, &request, |_| {});
        }
        let full = self.inbox.receive(publish, self.frame_received_at);
        if !self.rate_armed {
            self.rate_armed = true;
            self.io.arm(Channel::Rate, 1000);
        }
        self.arm_flush();
        if full {
            self.flush();
        }
    }

    /// The next animation frame (or, while the tab is hidden, the timer) hands over what waits.
    fn arm_flush(&mut self) {
        if !self.flush_armed {
            self.flush_armed = true;
            self.frame = web_sys::window().and_then(|w| {
                w.request_animation_frame(self.on_frame.as_ref().unchecked_ref())
                    .ok()
            });
            self.io.arm(Channel::Flush, HIDDEN_FLUSH_MS);
        }
    }

    fn cancel_frame(&mut self) {
        if let (Some(id), Some(window)) = (self.frame.take(), web_sys::window()) {
            let _ = window.cancel_animation_frame(id);
        }
    }

    /// Hands over everything that waits: ahead of a change of state, or on the hidden tab's
    /// timer, which has no frames to keep.
    fn flush(&mut self) {
        if std::mem::take(&mut self.flush_armed) {
            self.cancel_frame();
            self.io.disarm(Channel::Flush);
            if let Some(batch) = self.inbox.take() {
                self.hand_over(batch);
            }
        }
    }

    /// An animation frame takes what fits in its room; the rest waits for the next frame.
    fn flush_frame(&mut self) {
        if std::mem::take(&mut self.flush_armed) {
            self.io.disarm(Channel::Flush);
            if let Some(batch) = self.inbox.take_frame() {
                self.hand_over(batch);
            }
            if self.inbox.is_waiting() {
                self.arm_flush();
            }
        }
    }

    /// A batch goes to the reducer, recorded first if a recording runs.
    fn hand_over(&mut self, batch: Vec<crate::state::Message>) {
        if let Some(recorder) = self.recorder.as_mut() {
            recorder.received(&batch);
            let progress = recorder.progress();
            self.dispatch(Action::Recording(Some(progress)));
        }
        self.dispatch(Action::Received(batch));
    }

    fn rate_tick(&mut self) {
        let (changed, measuring) = self.inbox.rate_tick();
        if let Some(rate) = changed {
            self.dispatch(Action::Rate(rate));
        }
        if measuring {
            self.io.arm(Channel::Rate, 1000);
        } else {
            self.rate_armed = false;
        }
    }

    fn stop_ticker(&mut self) {
        if self.ticker.take().is_some() {
            self.io.disarm(Channel::Ticker);
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
