//! What crosses the driver contract besides bytes: the events the core reports, the transport
//! commands it gives, and the messages and handles its commands take and return.

use alloc::string::String;
use alloc::vec::Vec;
use bytes::Bytes;

use crate::error::{CommandError, ConnectionError, PublishError};
use crate::packet::{ConnAck, PacketId, Publish, PublishProperties, QoS, ReasonCode};
use crate::time::Instant;

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

/// Names one transport the core asked for, so that news of an older one is ignored by the
/// core itself. Small enough to travel as a JavaScript number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TransportId(u32);

impl TransportId {
    /// The id the driver got back from its transport (a worker message carries it as a number).
    pub const fn from_raw(raw: u32) -> Self {
        TransportId(raw)
    }

    pub const fn raw(self) -> u32 {
        self.0
    }

    pub(crate) fn next(self) -> Self {
        TransportId(self.0.wrapping_add(1))
    }
}

/// One packet from `Client::poll_transmit`: `size` bytes at the end of the caller's buffer,
/// to send as one frame on `transport`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transmit {
    pub transport: TransportId,
    pub size: usize,
}

/// What the driver must do with the transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportCommand {
    /// Open a transport (closing any other) and report on it under this id.
    Open(TransportId),
    /// Close this transport; do not report its close, the core has let it go.
    Close(TransportId),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConnectionState {
    /// `None` when the user disconnected (or never connected); otherwise why the connection
    /// ended for good: reconnecting is off, or the refusal is one a retry cannot fix.
    Disconnected {
        reason: Option<ConnectionError>,
    },
    /// Transport opening, or CONNECT sent and CONNACK awaited.
    Connecting,
    Connected {
        session_present: bool,
    },
    /// The connection ended for `reason`; the next attempt (1-based `attempt`) opens the
    /// transport at `at`.
    Reconnecting {
        at: Instant,
        attempt: u32,
        reason: ConnectionError,
    },
}

impl ConnectionState {
    /// Why the connection ended, if this state is the end of one (a reconnect scheduled or
    /// not).
    pub fn ended_because(&self) -> Option<&ConnectionError> {
        match self {
            ConnectionState::Reconnecting { reason, .. }
            | ConnectionState::Disconnected {
                reason: Some(reason),
            } => Some(reason),
            _ => None,
        }
    }
}

/// What happened, one event per transition: a lost connection is the one state change that
/// says why; an accepted CONNACK is `Connected`, not also a state change.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The state became `Disconnected`, `Connecting` or `Reconnecting`.
    StateChanged(ConnectionState),
    /// CONNACK accepted, so the state is `Connected`: the server's properties, including an
    /// assigned client id.
    Connected(ConnAck),
    /// An incoming message, topic alias resolved, QoS 2 delivered exactly once.
    Message(Publish),
    /// SUBACK: one result per filter (granted QoS 0..=2, or a failure code).
    Subscribed {
        packet_id: PacketId,
        filters: Vec<String>,
        results: Vec<ReasonCode>,
    },
    /// A SUBSCRIBE held while connecting was not sent: this server's limits refuse it, or it
    /// does not fit them. Its filters are forgotten.
    SubscribeFailed {
        packet_id: PacketId,
        filters: Vec<String>,
        error: CommandError,
    },
    /// UNSUBACK: one result per filter (3.1.1 has no codes: all reported as success).
    Unsubscribed {
        packet_id: PacketId,
        filters: Vec<String>,
        results: Vec<ReasonCode>,
    },
    /// The server's AUTH with reason code 0x18 (continue authentication), while connecting or
    /// re-authenticating: answer with `Client::authenticate` and the next step's data.
    AuthenticationStep {
        method: String,
        data: Option<Bytes>,
        reason_string: Option<String>,
    },
    /// The server's AUTH with reason code 0x00: the re-authentication succeeded. (The
    /// exchange of a CONNECT ends in `Connected`, whose CONNACK carries the last data.)
    Reauthenticated {
        data: Option<Bytes>,
        reason_string: Option<String>,
    },
    /// QoS 0 handed to the transport, QoS 1 PUBACK, QoS 2 PUBCOMP; or why it failed.
    Published {
        id: PublishId,
        result: Result<(), PublishError>,
    },
}
