//! The durable session: what outlives one connection.
//!
//! Packet ids, outgoing QoS 1/2 publishes not yet completed, incoming QoS 2 ids not yet
//! released, pending SUBSCRIBE/UNSUBSCRIBE requests, the subscriptions to restore, and the
//! publishes not sent yet. Kept apart from `Connection` (minimq style) so a reconnect with a
//! kept session resumes exactly where the last connection stopped. Its rules live here: the
//! client asks, the session answers.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{PacketIdUse, ProtocolViolation};
use crate::event::{OutgoingMessage, PublishId};
use crate::packet::{
    Ack, AckProperties, Packet, PacketId, Publish, QoS, ReasonCode, Subscribe, SubscribeFilter,
    SubscribeProperties, Unsubscribe,
};

/// An outgoing QoS 1 or 2 publish the server has not completed yet.
struct InFlight {
    id: PublishId,
    /// Send order, so a resume resends in the original order.
    sequence: u64,
    stage: Stage,
}

enum Stage {
    /// Sent, waiting for PUBACK (QoS 1) or PUBREC (QoS 2); kept whole for a resend.
    Unacknowledged(Box<Publish>),
    /// QoS 2 after PUBREC: PUBREL sent, waiting for PUBCOMP; the message itself is gone.
    Released,
}

/// A SUBSCRIBE or UNSUBSCRIBE waiting for its acknowledgement.
enum Request {
    Subscribe(Subscribe),
    Unsubscribe(Unsubscribe),
}

/// One filter the user wants, with the properties of the SUBSCRIBE that asked for it.
struct Subscription {
    filter: SubscribeFilter,
    properties: SubscribeProperties,
}

/// A publish accepted by `Client::publish` and not sent yet (offline, or over the server's
/// receive maximum).
pub(crate) struct Queued {
    pub(crate) id: PublishId,
    pub(crate) message: OutgoingMessage,
}

/// What a PUBREC does to an outgoing QoS 2 flow.
pub(crate) enum PubRecOutcome {
    /// Released: answer with PUBREL.
    Released,
    /// The server refused the message: the flow ends here with that publish.
    Refused(PublishId),
    /// No flow has this id (probably a late duplicate): answer PUBREL "not found".
    Unknown,
}

/// One packet of a resume: a PUBLISH again (DUP set) or a PUBREL.
pub(crate) enum Resend {
    Publish(Box<Publish>),
    Release(PacketId),
}

#[derive(Default)]
pub(crate) struct Session {
    last_packet_id: u16,
    next_sequence: u64,
    in_flight: BTreeMap<PacketId, InFlight>,
    requests: BTreeMap<PacketId, Request>,
    /// QoS 2 messages already delivered to the app, waiting for PUBREL: a resent PUBLISH with
    /// one of these ids must not be delivered again.
    incoming_unreleased: BTreeSet<PacketId>,
    subscriptions: Vec<Subscription>,
    queue: VecDeque<Queued>,
    /// The id the server assigned, reused on reconnect so a kept session can be found again.
    assigned_client_id: Option<String>,
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

    pub(crate) fn assigned_client_id(&self) -> Option<&str> {
        self.assigned_client_id.as_deref()
    }

    pub(crate) fn set_assigned_client_id(&mut self, id: String) {
        self.assigned_client_id = Some(id);
    }

    // Outgoing publishes.

    pub(crate) fn in_flight_count(&self) -> usize {
        self.in_flight.len()
    }

    /// A QoS 1/2 publish just sent under its packet id.
    pub(crate) fn track_publish(&mut self, id: PublishId, publish: Publish) {
        let Some(packet_id) = publish.delivery.packet_id() else {
            return;
        };
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

    /// PUBACK: completes a QoS 1 publish.
    pub(crate) fn receive_puback(
        &mut self,
        packet_id: PacketId,
    ) -> Result<PublishId, ProtocolViolation> {
        match self.in_flight.get(&packet_id).map(|entry| &entry.stage) {
            Some(Stage::Unacknowledged(publish)) if publish.delivery.qos() == QoS::AtLeastOnce => {}
            Some(_) => return Err(wrong_ack("PUBACK", packet_id, PacketIdUse::ExactlyOnce)),
            None => return Err(unknown_id("PUBACK", packet_id)),
        }
        Ok(self.complete(packet_id))
    }

    /// PUBREC, `refused` if it carries a failure code.
    pub(crate) fn receive_pubrec(
        &mut self,
        packet_id: PacketId,
        refused: bool,
    ) -> Result<PubRecOutcome, ProtocolViolation> {
        let Some(entry) = self.in_flight.get_mut(&packet_id) else {
            return Ok(PubRecOutcome::Unknown);
        };
        match &entry.stage {
            Stage::Unacknowledged(publish) if publish.delivery.qos() == QoS::AtLeastOnce => {
                Err(wrong_ack("PUBREC", packet_id, PacketIdUse::AtLeastOnce))
            }
            Stage::Unacknowledged(_) if refused => {
                Ok(PubRecOutcome::Refused(self.complete(packet_id)))
            }
            _ => {
                entry.stage = Stage::Released;
                Ok(PubRecOutcome::Released)
            }
        }
    }

    /// PUBCOMP: completes a released QoS 2 publish; `None` for a late duplicate of a flow
    /// already complete (MQTT-4.3.3), which needs nothing.
    pub(crate) fn receive_pubcomp(
        &mut self,
        packet_id: PacketId,
    ) -> Result<Option<PublishId>, ProtocolViolation> {
        match self.in_flight.get(&packet_id).map(|entry| &entry.stage) {
            Some(Stage::Released) => Ok(Some(self.complete(packet_id))),
            Some(Stage::Unacknowledged(_)) => {
                Err(ProtocolViolation::PubCompBeforePubRec { packet_id })
            }
            None => Ok(None),
        }
    }

    /// Ends a flow the caller found in flight.
    fn complete(&mut self, packet_id: PacketId) -> PublishId {
        self.in_flight
            .remove(&packet_id)
            .map_or(0, |entry| entry.id)
    }

    /// Gives up a flow whose resend no longer fits the server's limits.
    pub(crate) fn abandon(&mut self, packet_id: PacketId) -> Option<PublishId> {
        self.in_flight.remove(&packet_id).map(|entry| entry.id)
    }

    /// In-flight publishes in their original send order.
    fn in_flight_in_order(&self) -> Vec<(PacketId, &InFlight)> {
        let mut entries: Vec<(PacketId, &InFlight)> = self
            .in_flight
            .iter()
            .map(|(packet_id, entry)| (*packet_id, entry))
            .collect();
        // Sequences are unique: an unstable sort gives the same order with less code.
        entries.sort_unstable_by_key(|(_, entry)| entry.sequence);
        entries
    }

    /// What a kept session resends, in the original order: unacknowledged PUBLISHes with DUP
    /// set (and kept so, for any later resend), and PUBRELs.
    pub(crate) fn resume(&mut self) -> Vec<Resend> {
        let resend = self
            .in_flight_in_order()
            .into_iter()
            .map(|(packet_id, entry)| match &entry.stage {
                Stage::Unacknowledged(publish) => Resend::Publish(Box::new(Publish {
                    dup: true,
                    ..Publish::clone(publish)
                })),
                Stage::Released => Resend::Release(packet_id),
            })
            .collect();
        for entry in self.in_flight.values_mut() {
            if let Stage::Unacknowledged(publish) = &mut entry.stage {
                publish.dup = true;
            }
        }
        resend
    }

    /// Drop what only a server-side session gives meaning to (clean start, or the server lost
    /// it). Returns the publishes whose outcome is now unknown, to report them.
    pub(crate) fn discard_server_state(&mut self) -> Vec<PublishId> {
        self.incoming_unreleased.clear();
        // The resume's ordering, so that the binary holds one sort, not two.
        let dropped = self
            .in_flight_in_order()
            .into_iter()
            .map(|(_, entry)| entry.id)
            .collect();
        self.in_flight.clear();
        dropped
    }

    // Incoming QoS 2.

    /// An incoming QoS 2 PUBLISH: `Ok(true)` if it is new and to be delivered, `Ok(false)` if
    /// its id is still held (the same message again), an error past our receive maximum.
    pub(crate) fn receive_exactly_once(
        &mut self,
        packet_id: PacketId,
        maximum: u16,
    ) -> Result<bool, ProtocolViolation> {
        if self.incoming_unreleased.contains(&packet_id) {
            return Ok(false);
        }
        if self.incoming_unreleased.len() >= usize::from(maximum) {
            return Err(ProtocolViolation::ReceiveMaximumExceeded { maximum });
        }
        self.incoming_unreleased.insert(packet_id);
        Ok(true)
    }

    /// PUBREL: frees the id; whether it was held.
    pub(crate) fn release_incoming(&mut self, packet_id: PacketId) -> bool {
        self.incoming_unreleased.remove(&packet_id)
    }

    // Requests and subscriptions.

    /// A SUBSCRIBE just sent: its filters are wanted from now on.
    pub(crate) fn begin_subscribe(&mut self, subscribe: Subscribe) {
        for filter in &subscribe.filters {
            self.remember_subscription(filter.clone(), subscribe.properties.clone());
        }
        self.requests
            .insert(subscribe.packet_id, Request::Subscribe(subscribe));
    }

    /// An UNSUBSCRIBE just sent: its filters are no longer wanted.
    pub(crate) fn begin_unsubscribe(&mut self, unsubscribe: Unsubscribe) {
        for filter in &unsubscribe.filters {
            self.forget_subscription(filter);
        }
        self.requests
            .insert(unsubscribe.packet_id, Request::Unsubscribe(unsubscribe));
    }

    /// SUBACK: the request it answers; the filters it refused are forgotten.
    pub(crate) fn finish_subscribe(
        &mut self,
        packet_id: PacketId,
        results: &[ReasonCode],
    ) -> Result<Subscribe, ProtocolViolation> {
        let subscribe = match self.requests.remove(&packet_id) {
            Some(Request::Subscribe(subscribe)) => subscribe,
            Some(request) => {
                self.requests.insert(packet_id, request);
                return Err(wrong_ack("SUBACK", packet_id, PacketIdUse::Unsubscribe));
            }
            None => return Err(unknown_id("SUBACK", packet_id)),
        };
        if results.len() != subscribe.filters.len() {
            return Err(ProtocolViolation::ResultCount {
                packet: "SUBACK",
                results: results.len(),
                filters: subscribe.filters.len(),
            });
        }
        for (filter, code) in subscribe.filters.iter().zip(results) {
            if code.is_error() {
                self.forget_subscription(&filter.filter);
            }
        }
        Ok(subscribe)
    }

    /// UNSUBACK: the request it answers.
    pub(crate) fn finish_unsubscribe(
        &mut self,
        packet_id: PacketId,
    ) -> Result<Unsubscribe, ProtocolViolation> {
        match self.requests.remove(&packet_id) {
            Some(Request::Unsubscribe(unsubscribe)) => Ok(unsubscribe),
            Some(request) => {
                self.requests.insert(packet_id, request);
                Err(wrong_ack("UNSUBACK", packet_id, PacketIdUse::Subscribe))
            }
            None => Err(unknown_id("UNSUBACK", packet_id)),
        }
    }

    /// Gives up a SUBSCRIBE that was held and never sent: its filters are not wanted.
    pub(crate) fn abandon_request(&mut self, packet_id: PacketId) {
        if let Some(Request::Subscribe(subscribe)) = self.requests.remove(&packet_id) {
            for filter in &subscribe.filters {
                self.forget_subscription(&filter.filter);
            }
        }
    }

    /// The requests still waiting for an answer, to send again on a new connection.
    pub(crate) fn pending_requests(&self) -> Vec<Packet> {
        self.requests
            .values()
            .map(|request| match request {
                Request::Subscribe(subscribe) => Packet::Subscribe(subscribe.clone()),
                Request::Unsubscribe(unsubscribe) => Packet::Unsubscribe(unsubscribe.clone()),
            })
            .collect()
    }

    /// The remembered filters not already in a pending SUBSCRIBE, grouped into runs that
    /// share properties: one SUBSCRIBE each, to restore what a server without our session lost.
    pub(crate) fn subscriptions_to_restore(
        &self,
    ) -> Vec<(SubscribeProperties, Vec<SubscribeFilter>)> {
        let pending: Vec<&str> = self
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
        for subscription in &self.subscriptions {
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
        groups
    }

    /// A filter subscribed again replaces its old options.
    fn remember_subscription(&mut self, filter: SubscribeFilter, properties: SubscribeProperties) {
        self.subscriptions
            .retain(|existing| existing.filter.filter != filter.filter);
        self.subscriptions.push(Subscription { filter, properties });
    }

    fn forget_subscription(&mut self, filter: &str) {
        self.subscriptions
            .retain(|existing| existing.filter.filter != filter);
    }

    // The queue of publishes not sent yet.

    pub(crate) fn queue_is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Holds a publish; `false` (and nothing held) when `limit` are waiting already.
    pub(crate) fn enqueue(&mut self, queued: Queued, limit: usize) -> bool {
        if self.queue.len() >= limit {
            return false;
        }
        self.queue.push_back(queued);
        true
    }

    /// The oldest waiting publish, if `may_send` lets its QoS go now.
    pub(crate) fn dequeue_if(&mut self, may_send: impl FnOnce(QoS) -> bool) -> Option<Queued> {
        let front = self.queue.front()?;
        if !may_send(front.message.qos) {
            return None;
        }
        self.queue.pop_front()
    }

    /// Every waiting publish, which will not be sent now.
    pub(crate) fn take_queue(&mut self) -> VecDeque<Queued> {
        core::mem::take(&mut self.queue)
    }
}

fn unknown_id(packet: &'static str, packet_id: PacketId) -> ProtocolViolation {
    ProtocolViolation::UnknownPacketId { packet, packet_id }
}

fn wrong_ack(
    packet: &'static str,
    packet_id: PacketId,
    in_use_by: PacketIdUse,
) -> ProtocolViolation {
    ProtocolViolation::WrongAcknowledgement {
        packet,
        packet_id,
        in_use_by,
    }
}

/// An acknowledgement without properties.
pub(crate) fn ack(packet_id: PacketId, reason: ReasonCode) -> Ack {
    Ack {
        packet_id,
        reason,
        properties: AckProperties::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{Delivery, PublishProperties};
    use bytes::Bytes;

    fn publish(delivery: Delivery) -> Publish {
        Publish {
            dup: false,
            delivery,
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
        session.track_publish(0, publish(Delivery::AtLeastOnce(first)));
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
            session.track_publish(0, publish(Delivery::AtLeastOnce(packet_id)));
        }
        assert!(session.allocate_packet_id().is_none());
    }

    #[test]
    fn a_qos_2_flow_goes_pubrec_then_pubcomp_and_refuses_a_puback() {
        let mut session = Session::default();
        let id = session.allocate_packet_id().unwrap();
        session.track_publish(7, publish(Delivery::ExactlyOnce(id)));
        assert_eq!(
            session.receive_puback(id),
            Err(wrong_ack("PUBACK", id, PacketIdUse::ExactlyOnce))
        );
        assert_eq!(
            session.receive_pubcomp(id),
            Err(ProtocolViolation::PubCompBeforePubRec { packet_id: id })
        );
        assert!(matches!(
            session.receive_pubrec(id, false),
            Ok(PubRecOutcome::Released)
        ));
        assert_eq!(session.receive_pubcomp(id), Ok(Some(7)));
        assert_eq!(session.in_flight_count(), 0);
        assert_eq!(session.receive_pubcomp(id), Ok(None));
        assert!(matches!(
            session.receive_pubrec(id, false),
            Ok(PubRecOutcome::Unknown)
        ));
    }

    #[test]
    fn a_resume_sets_dup_and_keeps_the_send_order() {
        let mut session = Session::default();
        let ids: Vec<PacketId> = (0..3)
            .map(|_| session.allocate_packet_id().unwrap())
            .collect();
        // Tracked out of packet-id order: the send order wins.
        session.track_publish(0, publish(Delivery::ExactlyOnce(ids[2])));
        session.track_publish(1, publish(Delivery::AtLeastOnce(ids[0])));
        session.track_publish(2, publish(Delivery::ExactlyOnce(ids[1])));
        assert!(matches!(
            session.receive_pubrec(ids[2], false),
            Ok(PubRecOutcome::Released)
        ));
        let resent = session.resume();
        assert!(matches!(resent[0], Resend::Release(id) if id == ids[2]));
        assert!(
            matches!(&resent[1], Resend::Publish(p) if p.dup && p.delivery.packet_id() == Some(ids[0]))
        );
        assert!(
            matches!(&resent[2], Resend::Publish(p) if p.dup && p.delivery.packet_id() == Some(ids[1]))
        );
        assert_eq!(session.discard_server_state(), alloc::vec![0, 1, 2]);
    }

    #[test]
    fn incoming_qos_2_is_delivered_once_until_released_within_the_maximum() {
        let mut session = Session::default();
        let [a, b] = [1, 2].map(|n| PacketId::new(n).unwrap());
        assert_eq!(session.receive_exactly_once(a, 1), Ok(true));
        assert_eq!(session.receive_exactly_once(a, 1), Ok(false));
        assert_eq!(
            session.receive_exactly_once(b, 1),
            Err(ProtocolViolation::ReceiveMaximumExceeded { maximum: 1 })
        );
        assert!(session.release_incoming(a));
        assert!(!session.release_incoming(a));
        assert_eq!(session.receive_exactly_once(b, 1), Ok(true));
    }
}
