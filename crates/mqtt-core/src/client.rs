//! The client state machine: user commands, transport events, bytes and time in; bytes,
//! transport commands, events and the next deadline out.
//!
//! `Session` holds what outlives a connection, `Connection` what dies with it, `Backoff` the
//! reconnect schedule; `Client` ties them to the driver contract below.
//!
//! Driver contract: after any call in, drain `poll_transmit` (send each as one binary frame),
//! then `poll_transport`, then `poll_event`; then arm one timer for `poll_timeout()` and call
//! `handle_timeout` when it fires. After the core asks for `TransportCommand::Close`, the driver
//! must not report that transport's close: the core has already let it go.
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

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use bytes::Bytes;
use core::fmt;
use core::time::Duration;

use crate::backoff::Backoff;
use crate::codec::{encode, DecodeError, EncodeError};
use crate::connection::{Connection, Limits, Phase, CONNACK_TIMEOUT};
use crate::packet::*;
use crate::reason::ReasonContext;
use crate::session::{InFlight, Queued, Request, Session, Stage};
use crate::time::Instant;
use crate::topic::{validate_topic_filter, validate_topic_name, TopicError};

/// Everything the user chooses about a connection and its session.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientOptions {
    pub version: ProtocolVersion,
    /// Empty asks the server to assign one (version 5, or 3.1.1 with a clean start).
    pub client_id: String,
    pub username: Option<String>,
    pub password: Option<Bytes>,
    /// Seconds; 0 turns keep alive off. A version 5 server may override it.
    pub keep_alive: u16,
    /// `false` asks the server to keep the session, so unacknowledged messages are resent after
    /// a reconnect and nothing published to our subscriptions while offline is lost.
    pub clean_start: bool,
    /// Version 5 only: how long the server keeps the session after the connection ends.
    pub session_expiry_interval: Option<u32>,
    /// How many incoming QoS 1/2 messages may be unacknowledged at once (version 5).
    pub receive_maximum: Option<u16>,
    /// The largest packet we accept; also announced to a version 5 server. `None` accepts up
    /// to the protocol's own limit.
    pub maximum_packet_size: Option<u32>,
    /// How many incoming topic aliases we accept (version 5); `None` means none.
    pub topic_alias_maximum: Option<u16>,
    pub request_problem_information: Option<bool>,
    pub user_properties: UserProperties,
    pub will: Option<Will>,
    pub reconnect: ReconnectPolicy,
    /// Publishes held while not connected (or over the server's receive maximum); beyond this
    /// `publish` fails with `CommandError::QueueFull` rather than growing without bound.
    pub offline_queue_limit: usize,
}

impl ClientOptions {
    /// Defaults: keep alive 60 s, clean start, reconnect on, an offline queue of 1000.
    pub fn new(version: ProtocolVersion, client_id: impl Into<String>) -> Self {
        ClientOptions {
            version,
            client_id: client_id.into(),
            username: None,
            password: None,
            keep_alive: 60,
            clean_start: true,
            session_expiry_interval: None,
            receive_maximum: None,
            maximum_packet_size: None,
            topic_alias_maximum: None,
            request_problem_information: None,
            user_properties: Vec::new(),
            will: None,
            reconnect: ReconnectPolicy::default(),
            offline_queue_limit: 1000,
        }
    }
}

/// When and how often to reconnect after a connection is lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReconnectPolicy {
    pub enabled: bool,
    /// The first wait; it doubles after each failed attempt.
    pub initial_delay: Duration,
    /// The cap on the wait.
    pub max_delay: Duration,
    /// A connection that lasted this long resets the wait to `initial_delay`.
    pub stable_after: Duration,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            enabled: true,
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            stable_after: Duration::from_secs(10),
        }
    }
}

/// A message to publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub topic: String,
    pub payload: Bytes,
    pub qos: QoS,
    pub retain: bool,
    /// Version 5 properties; ignored in 3.1.1. Topic alias and subscription identifiers are
    /// not for the user to set: the client assigns topic aliases itself, per connection, up to
    /// the server's topic alias maximum.
    pub properties: PublishProperties,
}

/// The core's handle for one `publish` call, to report its outcome in `Event::Published`.
pub type PublishId = u64;

/// What the driver must do with the transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportCommand {
    Open,
    Close,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConnectionState {
    Disconnected {
        reason: Option<String>,
    },
    /// Transport opening, or CONNECT sent and CONNACK awaited.
    Connecting,
    Connected {
        session_present: bool,
    },
    /// The next attempt (1-based `attempt`) opens the transport at `at`.
    Reconnecting {
        at: Instant,
        attempt: u32,
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    StateChanged(ConnectionState),
    /// CONNACK accepted: the server's properties, including an assigned client id.
    Connected(ConnAck),
    /// CONNACK refused the connection; `message` says why in words.
    ConnectRefused {
        code: ReasonCode,
        message: String,
    },
    /// An incoming message, topic alias resolved, QoS 2 delivered exactly once.
    Message(Publish),
    /// SUBACK: one result per filter (granted QoS 0..=2, or a failure code).
    Subscribed {
        packet_id: PacketId,
        filters: Vec<String>,
        results: Vec<ReasonCode>,
    },
    /// UNSUBACK: one result per filter (3.1.1 has no codes: all reported as success).
    Unsubscribed {
        packet_id: PacketId,
        filters: Vec<String>,
        results: Vec<ReasonCode>,
    },
    /// QoS 0 handed to the transport, QoS 1 PUBACK, QoS 2 PUBCOMP; or why it failed.
    Published {
        id: PublishId,
        result: Result<(), String>,
    },
    /// Keep alive timeout, protocol error, transport closed: the reason in words.
    ConnectionLost {
        reason: String,
    },
    /// The server sent DISCONNECT (version 5).
    ServerDisconnected {
        reason: ReasonCode,
        message: String,
    },
}

/// Why a command was refused; nothing was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandError {
    InvalidTopic(TopicError),
    InvalidFilter(TopicError),
    PacketTooLarge {
        size: usize,
        maximum: u32,
    },
    QoSNotSupported {
        requested: QoS,
        maximum: QoS,
    },
    RetainNotAvailable,
    WildcardSubscriptionsNotAvailable,
    SharedSubscriptionsNotAvailable,
    SubscriptionIdentifiersNotAvailable,
    InvalidSubscriptionIdentifier(u32),
    /// A property the core manages itself, not the user.
    UnsupportedProperty(&'static str),
    NoFilters,
    QueueFull,
    NotConnected,
    /// All 65535 packet ids are waiting for acknowledgements.
    NoPacketIdAvailable,
    /// The packet cannot be encoded (a string too long, a property out of range, ...).
    Encode(EncodeError),
}

impl From<EncodeError> for CommandError {
    fn from(error: EncodeError) -> Self {
        match error {
            EncodeError::InvalidTopic(error) => CommandError::InvalidTopic(error),
            EncodeError::InvalidFilter(error) => CommandError::InvalidFilter(error),
            EncodeError::PacketTooLarge { size, maximum } => {
                CommandError::PacketTooLarge { size, maximum }
            }
            error => CommandError::Encode(error),
        }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::InvalidTopic(error) => write!(f, "invalid topic: {error}"),
            CommandError::InvalidFilter(error) => write!(f, "invalid topic filter: {error}"),
            CommandError::PacketTooLarge { size, maximum } => write!(
                f,
                "the packet would be {size} bytes, more than the {maximum} bytes the server accepts"
            ),
            CommandError::QoSNotSupported { requested, maximum } => write!(
                f,
                "the server accepts QoS {} at most, not QoS {}",
                *maximum as u8, *requested as u8
            ),
            CommandError::RetainNotAvailable => {
                f.write_str("the server does not support retained messages")
            }
            CommandError::WildcardSubscriptionsNotAvailable => {
                f.write_str("the server does not support wildcard subscriptions")
            }
            CommandError::SharedSubscriptionsNotAvailable => {
                f.write_str("the server does not support shared subscriptions")
            }
            CommandError::SubscriptionIdentifiersNotAvailable => {
                f.write_str("the server does not support subscription identifiers")
            }
            CommandError::InvalidSubscriptionIdentifier(value) => {
                write!(
                    f,
                    "subscription identifier {value} is outside 1..=268435455"
                )
            }
            CommandError::UnsupportedProperty(name) => {
                write!(f, "the {name} property cannot be set here")
            }
            CommandError::NoFilters => f.write_str("at least one topic filter is needed"),
            CommandError::QueueFull => f.write_str("too many messages are waiting to be sent"),
            CommandError::NotConnected => f.write_str("not connected"),
            CommandError::NoPacketIdAvailable => {
                f.write_str("all 65535 packet ids are waiting for acknowledgements")
            }
            CommandError::Encode(error) => error.fmt(f),
        }
    }
}

/// A protocol violation by the server: the connection ends with this reason.
struct Violation {
    code: ReasonCode,
    message: String,
}

/// The largest subscription identifier a variable byte integer can carry.
const MAX_SUBSCRIPTION_IDENTIFIER: u32 = 268_435_455;

impl Violation {
    fn protocol(message: String) -> Self {
        Violation {
            code: ReasonCode::PROTOCOL_ERROR,
            message,
        }
    }
}

impl From<DecodeError> for Violation {
    fn from(error: DecodeError) -> Self {
        Violation {
            code: error.reason_code(),
            message: error.to_string(),
        }
    }
}

/// The MQTT client state machine. See the module documentation for the driver contract.
pub struct Client {
    options: ClientOptions,
    state: ConnectionState,
    /// Set by `connect`, cleared by `disconnect`: whether to reconnect and to queue publishes.
    wants_connection: bool,
    session: Session,
    connection: Option<Connection>,
    backoff: Backoff,
    next_publish_id: PublishId,
    /// Encoded packets, one per entry.
    transmit: VecDeque<Vec<u8>>,
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
        if let Some(connected) = self.connection.as_ref().map(Connection::is_connected) {
            if connected {
                self.send_goodbye(now, ReasonCode::SUCCESS);
            }
            self.connection = None;
            self.transport.push_back(TransportCommand::Close);
        }
        for queued in core::mem::take(&mut self.session.queue) {
            self.events.push_back(Event::Published {
                id: queued.id,
                result: Err("not sent: disconnected on request".to_string()),
            });
        }
        self.set_state(ConnectionState::Disconnected { reason: None });
    }

    /// Subscribe to `filters` with one SUBSCRIBE; `Event::Subscribed` reports the results.
    pub fn subscribe(
        &mut self,
        now: Instant,
        mut filters: Vec<SubscribeFilter>,
        mut properties: SubscribeProperties,
    ) -> Result<PacketId, CommandError> {
        if filters.is_empty() {
            return Err(CommandError::NoFilters);
        }
        if self.options.version == ProtocolVersion::V311 {
            properties = SubscribeProperties::default();
            for filter in &mut filters {
                filter.options = version_311_options(filter.options.qos);
            }
        }
        let limits = &self.connected()?.limits;
        for filter in &filters {
            let name = filter.filter.as_str();
            validate_topic_filter(name).map_err(CommandError::InvalidFilter)?;
            if !limits.wildcard_subscriptions && (name.contains('+') || name.contains('#')) {
                return Err(CommandError::WildcardSubscriptionsNotAvailable);
            }
            if !limits.shared_subscriptions && name.starts_with("$share/") {
                return Err(CommandError::SharedSubscriptionsNotAvailable);
            }
        }
        if let Some(identifier) = properties.subscription_identifier {
            if !limits.subscription_identifiers {
                return Err(CommandError::SubscriptionIdentifiersNotAvailable);
            }
            if identifier == 0 || identifier > MAX_SUBSCRIPTION_IDENTIFIER {
                return Err(CommandError::InvalidSubscriptionIdentifier(identifier));
            }
        }
        let packet_id = self
            .session
            .allocate_packet_id()
            .ok_or(CommandError::NoPacketIdAvailable)?;
        let subscribe = Subscribe {
            packet_id,
            filters,
            properties,
        };
        self.send(now, &Packet::Subscribe(subscribe.clone()))?;
        for filter in &subscribe.filters {
            self.session
                .remember_subscription(filter.clone(), subscribe.properties.clone());
        }
        self.session
            .requests
            .insert(packet_id, Request::Subscribe(subscribe));
        Ok(packet_id)
    }

    /// Unsubscribe from `filters` with one UNSUBSCRIBE; `Event::Unsubscribed` reports results.
    pub fn unsubscribe(
        &mut self,
        now: Instant,
        filters: Vec<String>,
    ) -> Result<PacketId, CommandError> {
        if filters.is_empty() {
            return Err(CommandError::NoFilters);
        }
        for filter in &filters {
            validate_topic_filter(filter).map_err(CommandError::InvalidFilter)?;
        }
        self.connected()?;
        let packet_id = self
            .session
            .allocate_packet_id()
            .ok_or(CommandError::NoPacketIdAvailable)?;
        let unsubscribe = Unsubscribe {
            packet_id,
            filters,
            user_properties: Vec::new(),
        };
        self.send(now, &Packet::Unsubscribe(unsubscribe.clone()))?;
        for filter in &unsubscribe.filters {
            self.session.forget_subscription(filter);
        }
        self.session
            .requests
            .insert(packet_id, Request::Unsubscribe(unsubscribe));
        Ok(packet_id)
    }

    /// Publish a message now, or queue it while offline or over the server's receive maximum.
    /// `Event::Published` with the returned id reports the outcome.
    pub fn publish(
        &mut self,
        now: Instant,
        mut message: OutgoingMessage,
    ) -> Result<PublishId, CommandError> {
        if !self.wants_connection {
            return Err(CommandError::NotConnected);
        }
        validate_topic_name(&message.topic).map_err(CommandError::InvalidTopic)?;
        if self.options.version == ProtocolVersion::V311 {
            message.properties = PublishProperties::default();
        }
        if message.properties.topic_alias.is_some() {
            return Err(CommandError::UnsupportedProperty("topic alias"));
        }
        if !message.properties.subscription_identifiers.is_empty() {
            return Err(CommandError::UnsupportedProperty("subscription identifier"));
        }
        let id = self.next_publish_id;
        let connected = self
            .connection
            .as_ref()
            .filter(|connection| connection.is_connected());
        match connected {
            Some(connection)
                if self.session.queue.is_empty()
                    && self.has_send_quota(connection, message.qos) =>
            {
                self.send_publish(now, id, message)?;
            }
            _ => {
                if let Some(connection) = connected {
                    check_limits(&connection.limits, &message)?;
                    self.check_fits(connection, &message)?;
                }
                if self.session.queue.len() >= self.options.offline_queue_limit {
                    return Err(CommandError::QueueFull);
                }
                self.session.queue.push_back(Queued { id, message });
            }
        }
        self.next_publish_id += 1;
        Ok(id)
    }

    /// The transport the core asked for is open: send CONNECT.
    pub fn handle_transport_open(&mut self, now: Instant) {
        let Some(connection) = &mut self.connection else {
            return;
        };
        if !matches!(connection.phase, Phase::Opening) {
            return;
        }
        connection.phase = Phase::AwaitingConnAck {
            deadline: now + CONNACK_TIMEOUT,
        };
        let connect = Packet::Connect(self.connect_packet());
        if let Err(error) = self.send(now, &connect) {
            // The options themselves are wrong (a will topic with a wildcard, a user name
            // over 65535 bytes): retrying cannot help.
            self.drop_connection(now, true);
            let reason = format!("cannot connect: {error}");
            self.events.push_back(Event::ConnectionLost {
                reason: reason.clone(),
            });
            self.set_state(ConnectionState::Disconnected {
                reason: Some(reason),
            });
        }
    }

    /// The transport closed (or failed to open) without the core asking.
    pub fn handle_transport_closed(&mut self, now: Instant, reason: &str) {
        if self.connection.is_none() {
            return;
        }
        let reason = if reason.is_empty() {
            "the connection was closed".to_string()
        } else {
            format!("the connection was closed: {reason}")
        };
        self.lose_connection(now, reason, false);
    }

    /// Bytes from the transport, split or batched in any way.
    /// Every complete packet in them is handled, one after the other.
    pub fn handle_bytes(&mut self, now: Instant, bytes: &[u8]) {
        let Some(connection) = &mut self.connection else {
            return;
        };
        if let Err(error) = connection.decoder.feed(bytes) {
            self.fail_connection(now, error.into());
            return;
        }
        // Each packet may end the connection (refusal, DISCONNECT, violation): stop then.
        while let Some(connection) = &mut self.connection {
            let result = match connection.decoder.next_server_packet() {
                Ok(Some(packet)) => self.handle_packet(now, packet),
                Ok(None) => return,
                Err(error) => Err(error.into()),
            };
            if let Err(violation) = result {
                self.fail_connection(now, violation);
                return;
            }
        }
    }

    /// Time passed: keep alive, CONNACK wait, reconnect schedule.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let ConnectionState::Reconnecting { at, .. } = self.state {
            if now >= at && self.connection.is_none() {
                self.open_transport(now);
            }
            return;
        }
        let Some(connection) = &mut self.connection else {
            return;
        };
        if let Phase::AwaitingConnAck { deadline } = connection.phase {
            if now >= deadline {
                let reason = format!("no CONNACK within {} s", CONNACK_TIMEOUT.as_secs());
                self.lose_connection(now, reason, true);
            }
            return;
        }
        if let Some(deadline) = connection.ping_deadline {
            if now >= deadline {
                let reason = format!(
                    "no answer to ping within {} s",
                    connection.keep_alive.as_secs()
                );
                self.lose_connection(now, reason, true);
            }
            return;
        }
        if let Some(due) = connection.ping_due() {
            if now >= due {
                connection.ping_deadline = Some(now + connection.keep_alive);
                self.send_control(now, Packet::PingReq);
            }
        }
    }

    /// The next packet to send, exactly one whole MQTT packet.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.pop_front()
    }

    pub fn poll_transport(&mut self) -> Option<TransportCommand> {
        self.transport.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When `handle_timeout` is next needed, if at all.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if let ConnectionState::Reconnecting { at, .. } = self.state {
            return Some(at);
        }
        self.connection.as_ref().and_then(Connection::next_deadline)
    }

    /// One decoded packet from the server.
    fn handle_packet(&mut self, now: Instant, packet: Packet) -> Result<(), Violation> {
        let Some(connection) = &mut self.connection else {
            return Ok(());
        };
        match (&connection.phase, packet) {
            (Phase::AwaitingConnAck { .. }, Packet::ConnAck(connack)) => {
                self.handle_connack(now, connack)
            }
            (Phase::Connected { .. }, Packet::ConnAck(_)) => Err(Violation::protocol(
                "the server sent CONNACK twice".to_string(),
            )),
            (Phase::Connected { .. }, packet) => self.handle_connected_packet(now, packet),
            (_, packet) => Err(Violation::protocol(format!(
                "the server sent {} before CONNACK",
                packet_name(&packet)
            ))),
        }
    }

    fn handle_connected_packet(&mut self, now: Instant, packet: Packet) -> Result<(), Violation> {
        match packet {
            Packet::Publish(publish) => self.handle_publish(now, publish),
            Packet::PubAck(ack) => self.handle_puback(now, ack),
            Packet::PubRec(ack) => self.handle_pubrec(now, ack),
            Packet::PubRel(ack) => {
                self.handle_pubrel(now, ack);
                Ok(())
            }
            Packet::PubComp(ack) => self.handle_pubcomp(now, ack),
            Packet::SubAck(suback) => self.handle_suback(suback),
            Packet::UnsubAck(unsuback) => self.handle_unsuback(unsuback),
            Packet::PingResp => {
                if let Some(connection) = &mut self.connection {
                    connection.ping_deadline = None;
                }
                Ok(())
            }
            Packet::Disconnect(disconnect) if self.options.version == ProtocolVersion::V5 => {
                self.handle_server_disconnect(now, disconnect);
                Ok(())
            }
            packet => Err(DecodeError::NotFromServer {
                packet: packet_name(&packet),
            }
            .into()),
        }
    }

    fn handle_connack(&mut self, now: Instant, connack: ConnAck) -> Result<(), Violation> {
        if connack.code.is_error() {
            self.handle_refusal(now, connack);
            return Ok(());
        }
        if connack.session_present && self.options.clean_start {
            // MQTT-3.2.2-4: after a clean start there is no session to be present.
            return Err(Violation::protocol(
                "the server claims a session after a clean start".to_string(),
            ));
        }
        let Some(connection) = &mut self.connection else {
            return Ok(());
        };
        let properties = &connack.properties;
        connection.limits = Limits::from_connack(properties);
        if let Some(server_keep_alive) = properties.server_keep_alive {
            connection.keep_alive = Duration::from_secs(server_keep_alive.into());
        }
        connection.phase = Phase::Connected { since: now };
        connection.server_properties = Some(properties.clone());
        if let Some(assigned) = &properties.assigned_client_identifier {
            self.session.assigned_client_id = Some(assigned.clone());
        }
        let session_present = connack.session_present;
        if !session_present {
            for id in self.session.discard_server_state() {
                self.events.push_back(Event::Published {
                    id,
                    result: Err("unconfirmed: the server did not keep the session".to_string()),
                });
            }
        }
        self.set_state(ConnectionState::Connected { session_present });
        self.events.push_back(Event::Connected(connack));
        self.resume(now, session_present);
        self.send_queued(now);
        Ok(())
    }

    fn handle_refusal(&mut self, now: Instant, connack: ConnAck) {
        let mut message = describe(
            connack.code,
            ReasonContext::ConnAck,
            connack.properties.reason_string.as_deref(),
        );
        if let Some(server) = &connack.properties.server_reference {
            message = format!("{message}; the server suggests {server}");
        }
        self.events.push_back(Event::ConnectRefused {
            code: connack.code,
            message: message.clone(),
        });
        self.connection = None;
        self.transport.push_back(TransportCommand::Close);
        if is_permanent_refusal(connack.code) {
            // Retrying cannot fix these (credentials, identity, protocol): stop until the user
            // changes something and connects again, rather than hammer the broker.
            self.set_state(ConnectionState::Disconnected {
                reason: Some(message),
            });
        } else {
            self.schedule_reconnect(now, message);
        }
    }

    /// Continue a kept session: resend unacknowledged PUBLISHes (DUP set) and PUBRELs in their
    /// original order, then the pending SUBSCRIBE/UNSUBSCRIBE requests, then restore the
    /// subscriptions the server no longer has.
    fn resume(&mut self, now: Instant, session_present: bool) {
        let mut resend: Vec<(PacketId, Packet)> = Vec::new();
        for (packet_id, entry) in self.session.in_flight_in_order() {
            resend.push((
                packet_id,
                match &entry.stage {
                    Stage::Unacknowledged(publish) => {
                        let mut publish = Publish::clone(publish);
                        publish.dup = true;
                        Packet::Publish(publish)
                    }
                    Stage::Released => Packet::PubRel(ack(packet_id, ReasonCode::SUCCESS)),
                },
            ));
        }
        for (packet_id, packet) in resend {
            if let Err(error) = self.send(now, &packet) {
                // It no longer fits this server's limits: give it up rather than fail the
                // connection on every reconnect.
                if let Some(entry) = self.session.in_flight.remove(&packet_id) {
                    self.events.push_back(Event::Published {
                        id: entry.id,
                        result: Err(format!("not resent: {error}")),
                    });
                }
            }
        }
        for entry in self.session.in_flight.values_mut() {
            if let Stage::Unacknowledged(publish) = &mut entry.stage {
                publish.dup = true;
            }
        }
        let requests: Vec<Packet> = self
            .session
            .requests
            .values()
            .map(|request| match request {
                Request::Subscribe(subscribe) => Packet::Subscribe(subscribe.clone()),
                Request::Unsubscribe(unsubscribe) => Packet::Unsubscribe(unsubscribe.clone()),
            })
            .collect();
        for packet in requests {
            self.send_control(now, packet);
        }
        if !session_present {
            self.restore_subscriptions(now);
        }
    }

    /// Subscribe again to every remembered filter not already in a pending SUBSCRIBE, one
    /// SUBSCRIBE per run of filters that share properties.
    fn restore_subscriptions(&mut self, now: Instant) {
        let pending: Vec<&str> = self
            .session
            .requests
            .values()
            .filter_map(|request| match request {
                Request::Subscribe(subscribe) => Some(subscribe),
                Request::Unsubscribe(_) => None,
            })
            .flat_map(|subscribe| {
                subscribe
                    .filters
                    .iter()
                    .map(|filter| filter.filter.as_str())
            })
            .collect();
        let mut groups: Vec<(SubscribeProperties, Vec<SubscribeFilter>)> = Vec::new();
        for subscription in &self.session.subscriptions {
            if pending.contains(&subscription.filter.filter.as_str()) {
                continue;
            }
            match groups.last_mut() {
                Some((properties, filters)) if *properties == subscription.properties => {
                    filters.push(subscription.filter.clone())
                }
                _ => groups.push((
                    subscription.properties.clone(),
                    alloc::vec![subscription.filter.clone()],
                )),
            }
        }
        for (properties, filters) in groups {
            let Some(packet_id) = self.session.allocate_packet_id() else {
                return;
            };
            let subscribe = Subscribe {
                packet_id,
                filters,
                properties,
            };
            self.send_control(now, Packet::Subscribe(subscribe.clone()));
            self.session
                .requests
                .insert(packet_id, Request::Subscribe(subscribe));
        }
    }

    fn handle_publish(&mut self, now: Instant, mut publish: Publish) -> Result<(), Violation> {
        if let Some(alias) = publish.properties.topic_alias {
            self.resolve_topic_alias(alias, &mut publish.topic)?;
        }
        match publish.delivery {
            Delivery::AtMostOnce => self.events.push_back(Event::Message(publish)),
            Delivery::AtLeastOnce(packet_id) => {
                self.events.push_back(Event::Message(publish));
                self.send_control(now, Packet::PubAck(ack(packet_id, ReasonCode::SUCCESS)));
            }
            Delivery::ExactlyOnce(packet_id) => {
                // Delivered on PUBLISH, id held until PUBREL: a resent PUBLISH with a held id is
                // the same message and is only acknowledged again.
                let held = &mut self.session.incoming_released_pending;
                if !held.contains(&packet_id) {
                    let maximum = self.options.receive_maximum.unwrap_or(u16::MAX);
                    if held.len() >= usize::from(maximum) {
                        return Err(Violation {
                            code: ReasonCode::RECEIVE_MAXIMUM_EXCEEDED,
                            message: format!(
                                "the server sent more than {maximum} unacknowledged QoS 2 messages"
                            ),
                        });
                    }
                    held.insert(packet_id);
                    self.events.push_back(Event::Message(publish));
                }
                self.send_control(now, Packet::PubRec(ack(packet_id, ReasonCode::SUCCESS)));
            }
        }
        Ok(())
    }

    /// Replace an empty topic by the one its alias stands for, or remember a new alias.
    fn resolve_topic_alias(&mut self, alias: u16, topic: &mut String) -> Result<(), Violation> {
        let maximum = self.options.topic_alias_maximum.unwrap_or(0);
        if alias == 0 || alias > maximum {
            return Err(Violation {
                code: ReasonCode::TOPIC_ALIAS_INVALID,
                message: format!(
                    "the server used topic alias {alias}, but we allow 1 to {maximum}"
                ),
            });
        }
        let Some(connection) = &mut self.connection else {
            return Ok(());
        };
        if topic.is_empty() {
            match connection.incoming_aliases.get(&alias) {
                Some(known) => topic.clone_from(known),
                None => {
                    return Err(Violation::protocol(format!(
                        "the server used topic alias {alias} before saying what it stands for"
                    )))
                }
            }
        } else {
            connection.incoming_aliases.insert(alias, topic.clone());
        }
        Ok(())
    }

    fn handle_puback(&mut self, now: Instant, ack: Ack) -> Result<(), Violation> {
        match self.session.in_flight.get(&ack.packet_id) {
            Some(InFlight {
                stage: Stage::Unacknowledged(publish),
                ..
            }) if publish.delivery.qos() == QoS::AtLeastOnce => {}
            Some(_) => {
                return Err(Violation::protocol(format!(
                    "PUBACK for packet id {}, which is a QoS 2 message",
                    ack.packet_id
                )))
            }
            None => return Err(unknown_id("PUBACK", ack.packet_id)),
        }
        self.complete_publish(now, ack, ReasonContext::PubAck);
        Ok(())
    }

    fn handle_pubrec(&mut self, now: Instant, ack: Ack) -> Result<(), Violation> {
        let Some(entry) = self.session.in_flight.get_mut(&ack.packet_id) else {
            // Probably a duplicate for a flow that already completed: release it again, telling
            // a version 5 server the id is not known.
            let reason = self.version_reason(ReasonCode::PACKET_IDENTIFIER_NOT_FOUND);
            self.send_control(
                now,
                Packet::PubRel(crate::client::ack(ack.packet_id, reason)),
            );
            return Ok(());
        };
        match &entry.stage {
            Stage::Unacknowledged(publish) if publish.delivery.qos() == QoS::AtLeastOnce => {
                return Err(Violation::protocol(format!(
                    "PUBREC for packet id {}, which is a QoS 1 message",
                    ack.packet_id
                )))
            }
            Stage::Unacknowledged(_) if ack.reason.is_error() => {
                self.complete_publish(now, ack, ReasonContext::PubRec);
                return Ok(());
            }
            _ => entry.stage = Stage::Released,
        }
        self.send_control(
            now,
            Packet::PubRel(crate::client::ack(ack.packet_id, ReasonCode::SUCCESS)),
        );
        Ok(())
    }

    fn handle_pubrel(&mut self, now: Instant, ack: Ack) {
        let reason = if self
            .session
            .incoming_released_pending
            .remove(&ack.packet_id)
        {
            ReasonCode::SUCCESS
        } else {
            self.version_reason(ReasonCode::PACKET_IDENTIFIER_NOT_FOUND)
        };
        self.send_control(
            now,
            Packet::PubComp(crate::client::ack(ack.packet_id, reason)),
        );
    }

    fn handle_pubcomp(&mut self, now: Instant, ack: Ack) -> Result<(), Violation> {
        match self.session.in_flight.get(&ack.packet_id) {
            Some(InFlight {
                stage: Stage::Released,
                ..
            }) => {
                self.complete_publish(now, ack, ReasonContext::PubComp);
                Ok(())
            }
            Some(_) => Err(Violation::protocol(format!(
                "PUBCOMP for packet id {} before its PUBREC",
                ack.packet_id
            ))),
            // A late duplicate for a flow already complete: nothing to do (MQTT-4.3.3).
            None => Ok(()),
        }
    }

    /// The final acknowledgement of an outgoing publish: report it and free its slot.
    fn complete_publish(&mut self, now: Instant, ack: Ack, context: ReasonContext) {
        let Some(entry) = self.session.in_flight.remove(&ack.packet_id) else {
            return;
        };
        let result = if ack.reason.is_error() {
            let reason_string = ack.properties.reason_string.as_deref();
            Err(describe(ack.reason, context, reason_string))
        } else {
            Ok(())
        };
        self.events.push_back(Event::Published {
            id: entry.id,
            result,
        });
        self.send_queued(now);
    }

    fn handle_suback(&mut self, suback: SubAck) -> Result<(), Violation> {
        let subscribe = match self.session.requests.remove(&suback.packet_id) {
            Some(Request::Subscribe(subscribe)) => subscribe,
            Some(request) => {
                self.session.requests.insert(suback.packet_id, request);
                return Err(Violation::protocol(format!(
                    "SUBACK for packet id {}, which is an UNSUBSCRIBE",
                    suback.packet_id
                )));
            }
            None => return Err(unknown_id("SUBACK", suback.packet_id)),
        };
        if suback.reason_codes.len() != subscribe.filters.len() {
            return Err(Violation::protocol(format!(
                "SUBACK has {} results for {} filters",
                suback.reason_codes.len(),
                subscribe.filters.len()
            )));
        }
        let filters: Vec<String> = subscribe
            .filters
            .into_iter()
            .map(|filter| filter.filter)
            .collect();
        for (filter, code) in filters.iter().zip(&suback.reason_codes) {
            if code.is_error() {
                self.session.forget_subscription(filter);
            }
        }
        self.events.push_back(Event::Subscribed {
            packet_id: suback.packet_id,
            filters,
            results: suback.reason_codes,
        });
        Ok(())
    }

    fn handle_unsuback(&mut self, unsuback: UnsubAck) -> Result<(), Violation> {
        let unsubscribe = match self.session.requests.remove(&unsuback.packet_id) {
            Some(Request::Unsubscribe(unsubscribe)) => unsubscribe,
            Some(request) => {
                self.session.requests.insert(unsuback.packet_id, request);
                return Err(Violation::protocol(format!(
                    "UNSUBACK for packet id {}, which is a SUBSCRIBE",
                    unsuback.packet_id
                )));
            }
            None => return Err(unknown_id("UNSUBACK", unsuback.packet_id)),
        };
        let results = if self.options.version == ProtocolVersion::V311 {
            alloc::vec![ReasonCode::SUCCESS; unsubscribe.filters.len()]
        } else if unsuback.reason_codes.len() == unsubscribe.filters.len() {
            unsuback.reason_codes
        } else {
            return Err(Violation::protocol(format!(
                "UNSUBACK has {} results for {} filters",
                unsuback.reason_codes.len(),
                unsubscribe.filters.len()
            )));
        };
        self.events.push_back(Event::Unsubscribed {
            packet_id: unsuback.packet_id,
            filters: unsubscribe.filters,
            results,
        });
        Ok(())
    }

    fn handle_server_disconnect(&mut self, now: Instant, disconnect: Disconnect) {
        let mut message = describe(
            disconnect.reason,
            ReasonContext::Disconnect,
            disconnect.properties.reason_string.as_deref(),
        );
        if let Some(server) = &disconnect.properties.server_reference {
            message = format!("{message}; the server suggests {server}");
        }
        self.events.push_back(Event::ServerDisconnected {
            reason: disconnect.reason,
            message: message.clone(),
        });
        self.drop_connection(now, true);
        self.schedule_reconnect(now, format!("the server disconnected: {message}"));
    }

    /// The server broke the protocol: tell a version 5 server why, close, maybe reconnect.
    fn fail_connection(&mut self, now: Instant, violation: Violation) {
        if self.options.version == ProtocolVersion::V5 {
            self.send_goodbye(now, violation.code);
        }
        self.lose_connection(now, violation.message, true);
    }

    /// DISCONNECT before closing. The transport closes either way, so an encoding failure
    /// here has nothing left to stop.
    fn send_goodbye(&mut self, now: Instant, reason: ReasonCode) {
        let disconnect = Disconnect {
            reason,
            properties: DisconnectProperties::default(),
        };
        let _ = self.send(now, &Packet::Disconnect(disconnect));
    }

    /// The connection is gone: report it and reconnect if wanted.
    fn lose_connection(&mut self, now: Instant, reason: String, close: bool) {
        self.drop_connection(now, close);
        self.events.push_back(Event::ConnectionLost {
            reason: reason.clone(),
        });
        self.schedule_reconnect(now, reason);
    }

    fn drop_connection(&mut self, now: Instant, close: bool) {
        let Some(connection) = self.connection.take() else {
            return;
        };
        if let Phase::Connected { since } = connection.phase {
            if now.saturating_duration_since(since) >= self.options.reconnect.stable_after {
                self.backoff.reset();
            }
        }
        if close {
            self.transport.push_back(TransportCommand::Close);
        }
    }

    fn schedule_reconnect(&mut self, now: Instant, reason: String) {
        if self.wants_connection && self.options.reconnect.enabled {
            let delay = self.backoff.next_delay(&self.options.reconnect);
            self.set_state(ConnectionState::Reconnecting {
                at: now + delay,
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
        self.connection = Some(Connection::new(now, &self.options));
        self.transport.push_back(TransportCommand::Open);
        self.set_state(ConnectionState::Connecting);
    }

    fn connect_packet(&self) -> Connect {
        let options = &self.options;
        let client_id = match (
            &self.session.assigned_client_id,
            options.client_id.is_empty(),
        ) {
            (Some(assigned), true) => assigned.clone(),
            _ => options.client_id.clone(),
        };
        let mut connect = Connect {
            version: options.version,
            client_id,
            keep_alive: options.keep_alive,
            clean_start: options.clean_start,
            username: options.username.clone(),
            password: options.password.clone(),
            will: options.will.clone(),
            properties: ConnectProperties {
                session_expiry_interval: options.session_expiry_interval,
                receive_maximum: options.receive_maximum,
                maximum_packet_size: options.maximum_packet_size,
                topic_alias_maximum: options.topic_alias_maximum,
                request_response_information: None,
                request_problem_information: options.request_problem_information,
                user_properties: options.user_properties.clone(),
            },
        };
        if options.version == ProtocolVersion::V311 {
            // 3.1.1 has no properties: the version 5 options are ignored, not an error.
            connect.properties = ConnectProperties::default();
            if let Some(will) = &mut connect.will {
                will.properties = WillProperties::default();
            }
        }
        connect
    }

    fn connected(&self) -> Result<&Connection, CommandError> {
        self.connection
            .as_ref()
            .filter(|connection| connection.is_connected())
            .ok_or(CommandError::NotConnected)
    }

    fn has_send_quota(&self, connection: &Connection, qos: QoS) -> bool {
        qos == QoS::AtMostOnce
            || self.session.in_flight.len() < usize::from(connection.limits.receive_maximum)
    }

    /// Send queued publishes while connected and the server's receive maximum allows.
    fn send_queued(&mut self, now: Instant) {
        loop {
            let Ok(connection) = self.connected() else {
                return;
            };
            let Some(front) = self.session.queue.front() else {
                return;
            };
            if !self.has_send_quota(connection, front.message.qos) {
                return;
            }
            let Some(queued) = self.session.queue.pop_front() else {
                return;
            };
            if let Err(error) = self.send_publish(now, queued.id, queued.message) {
                self.events.push_back(Event::Published {
                    id: queued.id,
                    result: Err(error.to_string()),
                });
            }
        }
    }

    /// Send one publish on the current connection; the caller checked there is quota.
    fn send_publish(
        &mut self,
        now: Instant,
        id: PublishId,
        message: OutgoingMessage,
    ) -> Result<(), CommandError> {
        check_limits(&self.connected()?.limits, &message)?;
        let delivery = match message.qos {
            QoS::AtMostOnce => Delivery::AtMostOnce,
            qos => {
                let packet_id = self
                    .session
                    .allocate_packet_id()
                    .ok_or(CommandError::NoPacketIdAvailable)?;
                if qos == QoS::AtLeastOnce {
                    Delivery::AtLeastOnce(packet_id)
                } else {
                    Delivery::ExactlyOnce(packet_id)
                }
            }
        };
        let packet = Packet::Publish(publish_packet(message, delivery));
        self.send_aliased(now, &packet)?;
        match (delivery.packet_id(), packet) {
            (Some(packet_id), Packet::Publish(publish)) => {
                self.session.track_publish(packet_id, id, publish)
            }
            _ => self
                .events
                .push_back(Event::Published { id, result: Ok(()) }),
        }
        Ok(())
    }

    /// Sends a new PUBLISH, with a topic alias where the server takes one (version 5). The
    /// session keeps the packet with its full topic: a resend goes on a later connection,
    /// which knows none of this one's aliases.
    fn send_aliased(&mut self, now: Instant, packet: &Packet) -> Result<(), CommandError> {
        let (Packet::Publish(publish), Some(connection)) = (packet, self.connection.as_ref())
        else {
            return self.send(now, packet);
        };
        let Some((alias, new)) = connection.outgoing_alias(&publish.topic) else {
            return self.send(now, packet);
        };
        let wire = Packet::Publish(Publish {
            dup: publish.dup,
            delivery: publish.delivery,
            retain: publish.retain,
            topic: if new {
                publish.topic.clone()
            } else {
                String::new()
            },
            payload: publish.payload.clone(),
            properties: PublishProperties {
                topic_alias: Some(alias),
                ..publish.properties.clone()
            },
        });
        self.send(now, &wire)?;
        // Only an alias the server has seen set may stand for its topic later.
        if let (true, Some(connection)) = (new, self.connection.as_mut()) {
            connection
                .outgoing_aliases
                .insert(publish.topic.clone(), alias);
        }
        Ok(())
    }

    /// Whether a publish that waits in the queue will fit the server's maximum packet size,
    /// so the caller hears it now rather than later.
    fn check_fits(
        &self,
        connection: &Connection,
        message: &OutgoingMessage,
    ) -> Result<(), CommandError> {
        let Some(maximum) = connection.limits.maximum_packet_size else {
            return Ok(());
        };
        // The packet id's value does not change the size.
        let delivery = match message.qos {
            QoS::AtMostOnce => Delivery::AtMostOnce,
            QoS::AtLeastOnce => Delivery::AtLeastOnce(PacketId::MIN),
            QoS::ExactlyOnce => Delivery::ExactlyOnce(PacketId::MIN),
        };
        let packet = Packet::Publish(publish_packet(message.clone(), delivery));
        encode(&packet, self.options.version, Some(maximum))?;
        Ok(())
    }

    /// Queue a packet for the transport; the keep alive clock restarts.
    fn send(&mut self, now: Instant, packet: &Packet) -> Result<(), CommandError> {
        let Some(connection) = &mut self.connection else {
            return Err(CommandError::NotConnected);
        };
        let maximum = connection.limits.maximum_packet_size;
        let bytes = encode(packet, self.options.version, maximum)?;
        connection.last_sent = now;
        self.transmit.push_back(bytes);
        Ok(())
    }

    /// Send a packet the core itself produces, if the connection is still there (an earlier
    /// packet of the same input may have ended it).
    fn send_control(&mut self, now: Instant, packet: Packet) {
        if self.connection.is_none() {
            return;
        }
        if let Err(error) = self.send(now, &packet) {
            self.lose_connection(now, format!("could not send a packet: {error}"), true);
        }
    }

    /// `code` in version 5; 3.1.1 acknowledgements carry no reason.
    fn version_reason(&self, code: ReasonCode) -> ReasonCode {
        match self.options.version {
            ProtocolVersion::V5 => code,
            ProtocolVersion::V311 => ReasonCode::SUCCESS,
        }
    }

    fn set_state(&mut self, state: ConnectionState) {
        if self.state != state {
            self.state = state.clone();
            self.events.push_back(Event::StateChanged(state));
        }
    }
}

/// The server's limits that a publish must respect.
fn check_limits(limits: &Limits, message: &OutgoingMessage) -> Result<(), CommandError> {
    if message.qos > limits.maximum_qos {
        return Err(CommandError::QoSNotSupported {
            requested: message.qos,
            maximum: limits.maximum_qos,
        });
    }
    if message.retain && !limits.retain_available {
        return Err(CommandError::RetainNotAvailable);
    }
    Ok(())
}

/// CONNACK refusals a retry cannot fix without the user changing something.
fn is_permanent_refusal(code: ReasonCode) -> bool {
    matches!(
        code.0,
        // 3.1.1 return codes 1, 2, 4, 5 arrive mapped to 0x84, 0x85, 0x86, 0x87.
        0x84 // unsupported protocol version
            | 0x85 // client identifier not valid
            | 0x86 // bad user name or password
            | 0x87 // not authorized
            | 0x8A // banned
            | 0x8C // bad authentication method
            | 0x90 // topic name invalid (the will's)
            | 0x95 // packet too large
            | 0x99 // payload format invalid
            | 0x9A // retain not supported
            | 0x9B // QoS not supported
            | 0x9C // use another server
            | 0x9D // server moved
    )
}

fn publish_packet(message: OutgoingMessage, delivery: Delivery) -> Publish {
    Publish {
        dup: false,
        delivery,
        retain: message.retain,
        topic: message.topic,
        payload: message.payload,
        properties: message.properties,
    }
}

/// 3.1.1 subscriptions have only a QoS.
fn version_311_options(qos: QoS) -> SubscriptionOptions {
    SubscriptionOptions {
        qos,
        no_local: false,
        retain_as_published: false,
        retain_handling: RetainHandling::SendAtSubscribe,
    }
}

fn ack(packet_id: PacketId, reason: ReasonCode) -> Ack {
    Ack {
        packet_id,
        reason,
        properties: AckProperties::default(),
    }
}

fn unknown_id(kind: &str, packet_id: PacketId) -> Violation {
    Violation::protocol(format!(
        "{kind} for packet id {packet_id}, which is not in use"
    ))
}

/// A reason code in words, with the server's reason string if it gave one.
fn describe(code: ReasonCode, context: ReasonContext, reason_string: Option<&str>) -> String {
    match reason_string {
        Some(reason) => format!("{} ({reason})", code.describe(context)),
        None => code.describe(context).to_string(),
    }
}

fn packet_name(packet: &Packet) -> &'static str {
    match packet {
        Packet::Connect(_) => "CONNECT",
        Packet::ConnAck(_) => "CONNACK",
        Packet::Publish(_) => "PUBLISH",
        Packet::PubAck(_) => "PUBACK",
        Packet::PubRec(_) => "PUBREC",
        Packet::PubRel(_) => "PUBREL",
        Packet::PubComp(_) => "PUBCOMP",
        Packet::Subscribe(_) => "SUBSCRIBE",
        Packet::SubAck(_) => "SUBACK",
        Packet::Unsubscribe(_) => "UNSUBSCRIBE",
        Packet::UnsubAck(_) => "UNSUBACK",
        Packet::PingReq => "PINGREQ",
        Packet::PingResp => "PINGRESP",
        Packet::Disconnect(_) => "DISCONNECT",
    }
}
