//! The durable session: what outlives one connection.
//!
//! Packet ids, outgoing QoS 1/2 publishes not yet completed, incoming QoS 2 ids not yet
//! released, pending SUBSCRIBE/UNSUBSCRIBE requests, the subscriptions to restore, and the
//! publishes not sent yet. Kept apart from `Connection` (minimq style) so a reconnect with a
//! kept session resumes exactly where the last connection stopped.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;

use crate::client::{OutgoingMessage, PublishId};
use crate::packet::{
    PacketId, Publish, Subscribe, SubscribeFilter, SubscribeProperties, Unsubscribe,
};

/// An outgoing QoS 1 or 2 publish the server has not completed yet.
pub(crate) struct InFlight {
    pub(crate) id: PublishId,
    /// Send order, so a resume resends in the original order.
    pub(crate) sequence: u64,
    pub(crate) stage: Stage,
}

pub(crate) enum Stage {
    /// Sent, waiting for PUBACK (QoS 1) or PUBREC (QoS 2); kept whole for a resend.
    Unacknowledged(Box<Publish>),
    /// QoS 2 after PUBREC: PUBREL sent, waiting for PUBCOMP; the message itself is gone.
    Released,
}

/// A SUBSCRIBE or UNSUBSCRIBE waiting for its acknowledgement.
pub(crate) enum Request {
    Subscribe(Subscribe),
    Unsubscribe(Unsubscribe),
}

/// One filter the user wants, with the properties of the SUBSCRIBE that asked for it.
pub(crate) struct Subscription {
    pub(crate) filter: SubscribeFilter,
    pub(crate) properties: SubscribeProperties,
}

/// A publish accepted by `Client::publish` and not sent yet (offline, or over the server's
/// receive maximum).
pub(crate) struct Queued {
    pub(crate) id: PublishId,
    pub(crate) message: OutgoingMessage,
}

#[derive(Default)]
pub(crate) struct Session {
    last_packet_id: u16,
    next_sequence: u64,
    pub(crate) in_flight: BTreeMap<PacketId, InFlight>,
    pub(crate) requests: BTreeMap<PacketId, Request>,
    /// QoS 2 messages already delivered to the app, waiting for PUBREL: a resent PUBLISH with
    /// one of these ids must not be delivered again.
    pub(crate) incoming_released_pending: BTreeSet<PacketId>,
    pub(crate) subscriptions: Vec<Subscription>,
    pub(crate) queue: VecDeque<Queued>,
    /// The id the server assigned, reused on reconnect so a kept session can be found again.
    pub(crate) assigned_client_id: Option<String>,
}

impl Session {
    /// The next packet id not used by any in-flight publish or pending request (one shared pool,
    /// MQTT-2.2.1-3), or `None` when all 65535 are in use.
    pub(crate) fn allocate_packet_id(&mut self) -> Option<PacketId> {
        for _ in 0..u16::MAX {
            self.last_packet_id = self.last_packet_id.checked_add(1).unwrap_or(1);
            let candidate = PacketId::new(self.last_packet_id)?;
            if !self.in_flight.contains_key(&candidate) && !self.requests.contains_key(&candidate) {
                return Some(candidate);
            }
        }
        None
    }

    pub(crate) fn track_publish(&mut self, packet_id: PacketId, id: PublishId, publish: Publish) {
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        self.in_flight.insert(
            packet_id,
            InFlight {
                id,
                sequence,
                stage: Stage::Unacknowledged(Box::new(publish)),
            },
        );
    }

    /// In-flight publishes in their original send order, for a resume.
    pub(crate) fn in_flight_in_order(&self) -> Vec<(PacketId, &InFlight)> {
        let mut entries: Vec<(PacketId, &InFlight)> = self
            .in_flight
            .iter()
            .map(|(packet_id, entry)| (*packet_id, entry))
            .collect();
        // Sequences are unique: an unstable sort gives the same order with less code.
        entries.sort_unstable_by_key(|(_, entry)| entry.sequence);
        entries
    }

    /// Remember a subscription to restore it when the server has lost the session; a filter
    /// subscribed again replaces its old options.
    pub(crate) fn remember_subscription(
        &mut self,
        filter: SubscribeFilter,
        properties: SubscribeProperties,
    ) {
        self.subscriptions
            .retain(|existing| existing.filter.filter != filter.filter);
        self.subscriptions.push(Subscription { filter, properties });
    }

    pub(crate) fn forget_subscription(&mut self, filter: &str) {
        self.subscriptions
            .retain(|existing| existing.filter.filter != filter);
    }

    /// Drop what only a server-side session gives meaning to (clean start, or the server lost
    /// it). Returns the publishes whose outcome is now unknown, to report them.
    pub(crate) fn discard_server_state(&mut self) -> Vec<PublishId> {
        self.incoming_released_pending.clear();
        // The resume's ordering, so that the binary holds one sort, not two.
        let dropped = self
            .in_flight_in_order()
            .into_iter()
            .map(|(_, entry)| entry.id)
            .collect();
        self.in_flight.clear();
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{Delivery, PublishProperties};
    use bytes::Bytes;

    fn publish(packet_id: PacketId) -> Publish {
        Publish {
            dup: false,
            delivery: Delivery::AtLeastOnce(packet_id),
            retain: false,
            topic: "t".into(),
            payload: Bytes::new(),
            properties: PublishProperties::default(),
        }
    }

    #[test]
    fn packet_ids_skip_those_in_use_and_wrap_without_zero() {
        let mut session = Session::default();
        let first = session.allocate_packet_id().unwrap();
        assert_eq!(first.get(), 1);
        session.track_publish(first, 0, publish(first));
        session.last_packet_id = u16::MAX - 1;
        assert_eq!(session.allocate_packet_id().unwrap().get(), u16::MAX);
        // Wraps past 65535 to 1, which is in flight, so 2.
        assert_eq!(session.allocate_packet_id().unwrap().get(), 2);
    }

    #[test]
    fn exhausted_pool_yields_none() {
        let mut session = Session::default();
        for _ in 0..u16::MAX {
            let packet_id = session.allocate_packet_id().unwrap();
            session.track_publish(packet_id, 0, publish(packet_id));
        }
        assert!(session.allocate_packet_id().is_none());
    }
}
