//! The client state machine: user commands, transport events, bytes and time in; bytes,
//! transport commands, events and the next deadline out.
//!
//! `Session` holds what outlives a connection, `Connection` what dies with it, `Backoff` the
//! reconnect schedule and `TimerTable` every deadline; `Client` ties them to the driver
//! contract below. This file holds the connection's life; `outbound.rs` what the client sends,
//! `inbound.rs` what it receives.
//!
//! Driver contract: after any call in, drain `poll_transmit` (send each packet as one binary
//! frame), then `poll_transport`, then `poll_event`; then arm one timer for `poll_timeout()`
//! and call `handle_timeout` when it fires. Report on a transport with the `TransportId` its
//! `TransportCommand::Open` gave; news of any other transport is ignored, and after
//! `TransportCommand::Close` the core has let that transport go.
//!
//! Policies, where MQTT leaves the choice to the client:
//! - A CONNACK refusal that a retry cannot fix (bad user name or password, not authorized,
//!   banned, client identifier not valid, unsupported protocol version, bad authentication
//!   method, and refusals of the will or of this server) stops reconnecting: the state becomes
//!   `Disconnected` with the reason, until the user calls `connect` again. Other refusals
//!   (server unavailable or busy, quota or rate exceeded) reconnect with backoff.
//! - Keep alive: PINGREQ once nothing was sent for the keep alive interval; no PINGRESP within
//!   one more interval loses the connection. No CONNACK within 30 s does too.
//! - When the server has no session for us (always after a clean start), outgoing QoS 1/2
//!   messages still unacknowledged are reported failed (their fate is unknown) and the
//!   subscriptions are sent again. Publishes never sent stay queued and go out after CONNACK.
//! - A server that breaks the protocol is told why (version 5 DISCONNECT with the reason
//!   code) and the connection closes; reconnecting follows the policy.
//! - 3.1.1 has no properties or subscription options: the version 5 ones are ignored.

mod auth;
mod inbound;
mod outbound;

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use crate::backoff::Backoff;
use crate::connection::{Connection, Phase, CONNACK_TIMEOUT};
use crate::error::{ConnectionError, ProtocolViolation, PublishError, TransportError};
use crate::event::{ConnectionState, Event, PublishId, Transmit, TransportCommand, TransportId};
use crate::options::ClientOptions;
use crate::packet::{ConnAckProperties, Packet, ProtocolVersion, ReasonCode};
use crate::session::Session;
use crate::time::Instant;
use crate::timer::{Timer, TimerTable};

/// The MQTT client state machine. See the module documentation for the driver contract.
pub struct Client {
    options: ClientOptions,
    state: ConnectionState,
    /// Set by `connect`, cleared by `disconnect`: whether to reconnect and to queue publishes.
    wants_connection: bool,
    session: Session,
    connection: Option<Connection>,
    backoff: Backoff,
    timers: TimerTable,
    /// The id of the transport most recently asked for.
    last_transport: TransportId,
    next_publish_id: PublishId,
    /// Encoded packets, one per entry, with the transport each is for.
    transmit: VecDeque<(TransportId, Vec<u8>)>,
    transport: VecDeque<TransportCommand>,
    events: VecDeque<Event>,
}

impl Client {
    /// `jitter_seed` drives the reconnect jitter (e.g. from `Math.random()` in the browser).
    pub fn new(options: ClientOptions, jitter_seed: u64) -> Self {
        Client {
            options,
            state: ConnectionState::Disconnected { reason: None },
            wants_connection: false,
            session: Session::default(),
            connection: None,
            backoff: Backoff::new(jitter_seed),
            timers: TimerTable::default(),
            last_transport: TransportId::from_raw(0),
            next_publish_id: 0,
            transmit: VecDeque::new(),
            transport: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    pub fn state(&self) -> &ConnectionState {
        &self.state
    }

    /// The properties of the CONNACK in force, while connected.
    pub fn server_properties(&self) -> Option<&ConnAckProperties> {
        self.connection
            .as_ref()
            .and_then(|connection| connection.server_properties.as_ref())
    }

    /// Starts over with other options: a new session, as `Client::new` makes one, except that
    /// its transports and publishes never reuse an id this client gave out, so late news of an
    /// old transport is still ignored and a publish's id names one publish only. Call it once
    /// `disconnect` has been carried out.
    pub fn reset(&mut self, options: ClientOptions) {
        let last_transport = self.last_transport;
        let next_publish_id = self.next_publish_id;
        let mut backoff = core::mem::replace(&mut self.backoff, Backoff::new(0));
        backoff.reset();
        *self = Client {
            last_transport,
            next_publish_id,
            backoff,
            ..Client::new(options, 0)
        };
    }

    /// The transport of the current connection, while there is one.
    pub fn transport(&self) -> Option<TransportId> {
        self.connection
            .as_ref()
            .map(|connection| connection.transport)
    }

    /// Start connecting (asks for `TransportCommand::Open`); also cuts a reconnect wait short.
    pub fn connect(&mut self, now: Instant) {
        self.wants_connection = true;
        if self.connection.is_none() {
            self.open_transport(now);
        }
    }

    /// End the connection on purpose: DISCONNECT if connected, close, and stop reconnecting.
    /// Publishes not sent yet fail; in-flight ones stay in the session for a later resume.
    pub fn disconnect(&mut self, now: Instant) {
        self.wants_connection = false;
        if self
            .connection
            .as_ref()
            .is_some_and(Connection::is_connected)
        {
            self.send_goodbye(now, ReasonCode::NORMAL_DISCONNECTION);
        }
        self.drop_connection(now, true);
        self.timers.stop(Timer::Reconnect);
        for queued in self.session.take_queue() {
            self.events.push_back(Event::Published {
                id: queued.id,
                result: Err(PublishError::DisconnectedBeforeSending),
            });
        }
        self.set_state(ConnectionState::Disconnected { reason: None });
    }

    /// The transport the core asked for is open: send CONNECT.
    pub fn handle_transport_open(&mut self, now: Instant, transport: TransportId) {
        let Some(connection) = self.current(transport) else {
            return;
        };
        if !matches!(connection.phase, Phase::Opening) {
            return;
        }
        connection.phase = Phase::AwaitingConnAck;
        self.timers.set(Timer::ConnAck, now + CONNACK_TIMEOUT);
        let connect = Packet::Connect(self.connect_packet());
        if let Err(error) = self.send(now, &connect) {
            // The options themselves are wrong: retrying cannot help.
            self.drop_connection(now, true);
            self.set_state(ConnectionState::Disconnected {
                reason: Some(ConnectionError::InvalidOptions(error)),
            });
        }
    }

    /// The transport closed (or failed to open) without the core asking.
    pub fn handle_transport_closed(
        &mut self,
        now: Instant,
        transport: TransportId,
        error: TransportError,
    ) {
        if self.current(transport).is_some() {
            self.lose_connection(now, ConnectionError::Transport(error), false);
        }
    }

    /// Time passed: keep alive, CONNACK wait, reconnect schedule.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(timer) = self.timers.take_expired(now) {
            match timer {
                Timer::Reconnect => {
                    if self.connection.is_none() {
                        self.open_transport(now);
                    }
                }
                Timer::ConnAck => {
                    let error = ConnectionError::ConnAckTimeout(CONNACK_TIMEOUT);
                    self.lose_connection(now, error, true);
                }
                Timer::PingResp => {
                    let keep_alive = self
                        .connection
                        .as_ref()
                        .map(|connection| connection.keep_alive)
                        .unwrap_or_default();
                    self.lose_connection(now, ConnectionError::PingTimeout(keep_alive), true);
                }
                Timer::PingDue => {
                    if let Some(connection) = &self.connection {
                        self.timers
                            .set(Timer::PingResp, now + connection.keep_alive);
                        self.send_control(now, Packet::PingReq);
                    }
                }
            }
        }
    }

    /// Appends the next packet to send, exactly one whole MQTT packet, to `buf`, and says which
    /// transport it is for and how long it is. Packets for one batch so share one buffer
    /// without being copied together afterwards.
    pub fn poll_transmit(&mut self, buf: &mut Vec<u8>) -> Option<Transmit> {
        let (transport, packet) = self.transmit.pop_front()?;
        let size = packet.len();
        if buf.is_empty() {
            *buf = packet;
        } else {
            buf.extend_from_slice(&packet);
        }
        Some(Transmit { transport, size })
    }

    pub fn poll_transport(&mut self) -> Option<TransportCommand> {
        self.transport.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When `handle_timeout` is next needed, if at all.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    /// The connection on `transport`, if that is the current one.
    fn current(&mut self, transport: TransportId) -> Option<&mut Connection> {
        self.connection
            .as_mut()
            .filter(|connection| connection.transport == transport)
    }

    /// The server broke the protocol: tell a version 5 server why, close, maybe reconnect.
    fn fail_connection(&mut self, now: Instant, violation: ProtocolViolation) {
        if self.options.version == ProtocolVersion::V5 {
            self.send_goodbye(now, violation.reason_code());
        }
        self.lose_connection(now, ConnectionError::Protocol(violation), true);
    }

    /// The connection is gone: reconnect if wanted, or stay down, saying why.
    fn lose_connection(&mut self, now: Instant, reason: ConnectionError, close: bool) {
        self.drop_connection(now, close);
        self.schedule_reconnect(now, reason);
    }

    fn drop_connection(&mut self, now: Instant, close: bool) {
        let Some(connection) = self.connection.take() else {
            return;
        };
        for timer in Timer::CONNECTION {
            self.timers.stop(timer);
        }
        if let Phase::Connected { since } = connection.phase {
            if now.saturating_duration_since(since) >= self.options.reconnect.stable_after {
                self.backoff.reset();
            }
        }
        if close {
            self.transport
                .push_back(TransportCommand::Close(connection.transport));
        }
    }

    fn schedule_reconnect(&mut self, now: Instant, reason: ConnectionError) {
        if self.wants_connection && self.options.reconnect.enabled {
            let at = now + self.backoff.next_delay(&self.options.reconnect);
            self.timers.set(Timer::Reconnect, at);
            self.set_state(ConnectionState::Reconnecting {
                at,
                attempt: self.backoff.attempt(),
                reason,
            });
        } else {
            self.set_state(ConnectionState::Disconnected {
                reason: Some(reason),
            });
        }
    }

    fn open_transport(&mut self, now: Instant) {
        self.timers.stop(Timer::Reconnect);
        self.last_transport = self.last_transport.next();
        self.connection = Some(Connection::new(now, self.last_transport, &self.options));
        self.transport
            .push_back(TransportCommand::Open(self.last_transport));
        self.set_state(ConnectionState::Connecting);
    }

    /// Every state but `Connected`, which `Event::Connected` reports.
    fn set_state(&mut self, state: ConnectionState) {
        if self.state != state {
            self.state = state.clone();
            self.events.push_back(Event::StateChanged(state));
        }
    }
}

/// CONNACK refusals a retry cannot fix without the user changing something.
fn is_permanent_refusal(code: ReasonCode) -> bool {
    // 3.1.1 return codes 1, 2, 4, 5 arrive mapped to the first four.
    [
        ReasonCode::UNSUPPORTED_PROTOCOL_VERSION,
        ReasonCode::CLIENT_IDENTIFIER_NOT_VALID,
        ReasonCode::BAD_USER_NAME_OR_PASSWORD,
        ReasonCode::NOT_AUTHORIZED,
        ReasonCode::BANNED,
        ReasonCode::BAD_AUTHENTICATION_METHOD,
        // The will's topic.
        ReasonCode::TOPIC_NAME_INVALID,
        ReasonCode::PACKET_TOO_LARGE,
        ReasonCode::PAYLOAD_FORMAT_INVALID,
        ReasonCode::RETAIN_NOT_SUPPORTED,
        ReasonCode::QOS_NOT_SUPPORTED,
        ReasonCode::USE_ANOTHER_SERVER,
        ReasonCode::SERVER_MOVED,
    ]
    .contains(&code)
}
