//! What the user chooses about a connection and its session, apart from the client that acts
//! on it (quinn-proto keeps its `config` the same way).

use alloc::string::String;
use alloc::vec::Vec;
use bytes::Bytes;
use core::time::Duration;

use crate::packet::{ProtocolVersion, UserProperties, Will};

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
    /// Enhanced authentication (version 5 only; ignored in 3.1.1).
    pub authentication: Option<Authentication>,
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
            authentication: None,
        }
    }
}

/// An enhanced authentication exchange (MQTT 5.0 section 4.12): the method names it (for
/// example `SCRAM-SHA-256`), the data is its first step, sent in CONNECT. The core only
/// carries the steps; what they mean is the caller's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authentication {
    pub method: String,
    pub data: Option<Bytes>,
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
