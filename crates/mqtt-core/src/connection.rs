//! One connection's state: what ends when the transport closes.
//!
//! Which transport it runs on, whether CONNACK arrived, the limits the server announced, keep
//! alive bookkeeping and the topic aliases of both directions (which MQTT scopes to one network
//! connection).

use alloc::collections::BTreeMap;
use alloc::string::String;
use core::time::Duration;

use crate::codec::{Decoder, MAX_PACKET_SIZE};
use crate::error::ProtocolViolation;
use crate::event::TransportId;
use crate::options::ClientOptions;
use crate::packet::{ConnAckProperties, QoS};
use crate::time::Instant;

/// How long to wait for CONNACK after CONNECT before giving up on the connection.
pub(crate) const CONNACK_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Copy)]
pub(crate) enum Phase {
    /// The driver is opening the transport.
    Opening,
    /// CONNECT sent, CONNACK awaited.
    AwaitingConnAck,
    /// CONNACK accepted at `since` (for the backoff's stability rule).
    Connected { since: Instant },
}

/// Where an enhanced authentication exchange stands: whether a re-authentication is under
/// way, and whether the server's last AUTH (continue) waits for our next step.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AuthPhase {
    pub(crate) reauthenticating: bool,
    pub(crate) awaiting_step: bool,
}

/// The server's limits in force on this connection (version 5 CONNACK, or the defaults).
pub(crate) struct Limits {
    pub(crate) receive_maximum: u16,
    pub(crate) maximum_qos: QoS,
    pub(crate) retain_available: bool,
    pub(crate) maximum_packet_size: Option<u32>,
    pub(crate) wildcard_subscriptions: bool,
    pub(crate) shared_subscriptions: bool,
    pub(crate) subscription_identifiers: bool,
    /// How many topic aliases the server accepts from us (version 5; 0 = none).
    pub(crate) topic_alias_maximum: u16,
}

impl Limits {
    pub(crate) fn from_connack(properties: &ConnAckProperties) -> Self {
        Limits {
            // 0 is a protocol error the codec rejects; absent means 65535.
            receive_maximum: properties.receive_maximum.unwrap_or(u16::MAX).max(1),
            maximum_qos: properties.maximum_qos.unwrap_or(QoS::ExactlyOnce),
            retain_available: properties.retain_available.unwrap_or(true),
            maximum_packet_size: properties.maximum_packet_size,
            wildcard_subscriptions: properties.wildcard_subscription_available.unwrap_or(true),
            shared_subscriptions: properties.shared_subscription_available.unwrap_or(true),
            subscription_identifiers: properties
                .subscription_identifiers_available
                .unwrap_or(true),
            topic_alias_maximum: properties.topic_alias_maximum.unwrap_or(0),
        }
    }
}

pub(crate) struct Connection {
    pub(crate) transport: TransportId,
    pub(crate) phase: Phase,
    /// Fresh per connection: a partial packet from the last one must not leak into this one.
    pub(crate) decoder: Decoder,
    pub(crate) limits: Limits,
    /// Zero means keep alive is off.
    pub(crate) keep_alive: Duration,
    /// Keep alive counts from the last packet we sent (MQTT-3.1.2-23); receiving doesn't count.
    pub(crate) last_sent: Instant,
    /// The CONNACK properties, once accepted.
    pub(crate) server_properties: Option<ConnAckProperties>,
    /// Where the enhanced authentication exchange stands on this connection.
    pub(crate) auth: AuthPhase,
    /// How many topic aliases we accept from the server.
    incoming_alias_maximum: u16,
    incoming_aliases: BTreeMap<u16, String>,
    /// Topic aliases we assigned on this connection, by topic.
    outgoing_aliases: BTreeMap<String, u16>,
}

impl Connection {
    pub(crate) fn new(now: Instant, transport: TransportId, options: &ClientOptions) -> Self {
        let max_packet_size = options.maximum_packet_size.unwrap_or(MAX_PACKET_SIZE);
        Connection {
            transport,
            phase: Phase::Opening,
            decoder: Decoder::new(options.version, max_packet_size),
            limits: Limits::from_connack(&ConnAckProperties::default()),
            keep_alive: Duration::from_secs(options.keep_alive.into()),
            last_sent: now,
            server_properties: None,
            auth: AuthPhase::default(),
            incoming_alias_maximum: options.topic_alias_maximum.unwrap_or(0),
            incoming_aliases: BTreeMap::new(),
            outgoing_aliases: BTreeMap::new(),
        }
    }

    pub(crate) fn is_connected(&self) -> bool {
        matches!(self.phase, Phase::Connected { .. })
    }

    /// When a PINGREQ is due from the last packet sent, if keep alive is on.
    pub(crate) fn ping_due(&self) -> Option<Instant> {
        (!self.keep_alive.is_zero()).then(|| self.last_sent + self.keep_alive)
    }

    /// The topic alias to send `topic` with on this connection, and whether it is new (then the
    /// topic goes with it, to set it; otherwise the topic goes empty). `None` once the server's
    /// topic alias maximum is used up, or if it takes none.
    pub(crate) fn outgoing_alias(&self, topic: &str) -> Option<(u16, bool)> {
        if let Some(&alias) = self.outgoing_aliases.get(topic) {
            return Some((alias, false));
        }
        let next = u16::try_from(self.outgoing_aliases.len())
            .ok()?
            .checked_add(1)?;
        (next <= self.limits.topic_alias_maximum).then_some((next, true))
    }

    /// A new alias went out with its topic: from now on it may stand for it.
    pub(crate) fn outgoing_alias_set(&mut self, topic: String, alias: u16) {
        self.outgoing_aliases.insert(topic, alias);
    }

    /// Replace an empty topic by the one its alias stands for, or remember a new alias.
    pub(crate) fn resolve_incoming_alias(
        &mut self,
        alias: u16,
        topic: &mut String,
    ) -> Result<(), ProtocolViolation> {
        let maximum = self.incoming_alias_maximum;
        if alias == 0 || alias > maximum {
            return Err(ProtocolViolation::TopicAliasOutOfRange { alias, maximum });
        }
        if topic.is_empty() {
            let known = self
                .incoming_aliases
                .get(&alias)
                .ok_or(ProtocolViolation::TopicAliasUnknown { alias })?;
            topic.clone_from(known);
        } else {
            self.incoming_aliases.insert(alias, topic.clone());
        }
        Ok(())
    }
}
