//! What the client sends: the user's SUBSCRIBE, UNSUBSCRIBE and PUBLISH, the queue of
//! publishes waiting for a connection, CONNECT, a kept session's resume, and the one place
//! that encodes a packet for the transport.

use alloc::string::String;
use alloc::vec::Vec;

use super::Client;
use crate::codec::encode;
use crate::connection::{Connection, Limits};
use crate::error::{CommandError, ConnectionError, ManagedProperty, PublishError};
use crate::event::{Event, OutgoingMessage, PublishId};
use crate::packet::*;
use crate::session::{ack, Queued, Resend};
use crate::time::Instant;
use crate::timer::Timer;
use crate::topic::{validate_topic_filter, validate_topic_name};

impl Client {
    /// Subscribe to `filters` with one SUBSCRIBE; `Event::Subscribed` reports the results.
    /// While connecting or reconnecting the SUBSCRIBE is held and sent once connected, checked
    /// against that server's limits then (`Event::SubscribeFailed` if they refuse it).
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
        for filter in &filters {
            validate_topic_filter(&filter.filter).map_err(CommandError::InvalidFilter)?;
        }
        if let Some(identifier) = properties.subscription_identifier {
            if identifier == 0 || identifier > MAX_SUBSCRIPTION_IDENTIFIER {
                return Err(CommandError::InvalidSubscriptionIdentifier(identifier));
            }
        }
        let connected = match self.route_request()? {
            Some(limits) => {
                check_subscribe_limits(limits, &filters, &properties)?;
                true
            }
            None => false,
        };
        let packet_id = self.allocate_packet_id()?;
        let subscribe = Subscribe {
            packet_id,
            filters,
            properties,
        };
        if connected {
            self.send(now, &Packet::Subscribe(subscribe.clone()))?;
        }
        self.session.begin_subscribe(subscribe);
        Ok(packet_id)
    }

    /// Unsubscribe from `filters` with one UNSUBSCRIBE; `Event::Unsubscribed` reports results.
    /// While connecting or reconnecting the UNSUBSCRIBE is held and sent once connected (so
    /// the filters are not restored either).
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
        let connected = self.route_request()?.is_some();
        let packet_id = self.allocate_packet_id()?;
        let unsubscribe = Unsubscribe {
            packet_id,
            filters,
            user_properties: Vec::new(),
        };
        if connected {
            self.send(now, &Packet::Unsubscribe(unsubscribe.clone()))?;
        }
        self.session.begin_unsubscribe(unsubscribe);
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
            return Err(CommandError::UnsupportedProperty(
                ManagedProperty::TopicAlias,
            ));
        }
        if !message.properties.subscription_identifiers.is_empty() {
            return Err(CommandError::UnsupportedProperty(
                ManagedProperty::SubscriptionIdentifier,
            ));
        }
        let id = self.next_publish_id;
        let connected = self.connected().ok();
        match connected {
            Some(connection)
                if self.session.queue_is_empty()
                    && self.has_send_quota(connection, message.qos) =>
            {
                self.send_publish(now, id, message)?;
            }
            _ => {
                if let Some(connection) = connected {
                    check_limits(&connection.limits, &message)?;
                    self.check_fits(connection, &message)?;
                }
                let limit = self.options.offline_queue_limit;
                if !self.session.enqueue(Queued { id, message }, limit) {
                    return Err(CommandError::QueueFull);
                }
            }
        }
        self.next_publish_id += 1;
        Ok(id)
    }

    pub(super) fn connect_packet(&self) -> Connect {
        let options = &self.options;
        let client_id = match (
            self.session.assigned_client_id(),
            options.client_id.is_empty(),
        ) {
            (Some(assigned), true) => String::from(assigned),
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
                authentication_method: options.authentication.as_ref().map(|a| a.method.clone()),
                authentication_data: options.authentication.as_ref().and_then(|a| a.data.clone()),
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

    /// Continue a kept session: resend unacknowledged PUBLISHes (DUP set) and PUBRELs in their
    /// original order, then the pending SUBSCRIBE/UNSUBSCRIBE requests, then restore the
    /// subscriptions the server no longer has.
    pub(super) fn resume(&mut self, now: Instant, session_present: bool) {
        for resend in self.session.resume() {
            let (packet_id, packet) = match resend {
                Resend::Publish(publish) => {
                    (publish.delivery.packet_id(), Packet::Publish(*publish))
                }
                Resend::Release(packet_id) => (
                    Some(packet_id),
                    Packet::PubRel(ack(packet_id, ReasonCode::SUCCESS)),
                ),
            };
            if let Err(error) = self.send(now, &packet) {
                // It no longer fits this server's limits: give it up rather than fail the
                // connection on every reconnect.
                if let Some(id) = packet_id.and_then(|packet_id| self.session.abandon(packet_id)) {
                    self.events.push_back(Event::Published {
                        id,
                        result: Err(PublishError::NotResent(error)),
                    });
                }
            }
        }
        for packet in self.session.pending_requests() {
            self.send_request(now, packet);
        }
        if !session_present {
            self.restore_subscriptions(now);
        }
    }

    /// Sends a request that waited for this connection, unless this server's limits refuse it:
    /// then it ends here, reported, rather than failing the connection.
    fn send_request(&mut self, now: Instant, packet: Packet) {
        // An earlier packet of the same resume may have ended the connection: then the request
        // stays held for the next one, as `send_control` leaves its packets.
        if self.connection.is_none() {
            return;
        }
        let checked = match (&packet, self.connected()) {
            (Packet::Subscribe(subscribe), Ok(connection)) => check_subscribe_limits(
                &connection.limits,
                &subscribe.filters,
                &subscribe.properties,
            ),
            _ => Ok(()),
        };
        let Err(error) = checked.and_then(|()| self.send(now, &packet)) else {
            return;
        };
        match packet {
            Packet::Subscribe(subscribe) => {
                self.session.abandon_request(subscribe.packet_id);
                self.events.push_back(Event::SubscribeFailed {
                    packet_id: subscribe.packet_id,
                    filters: subscribe.filters.into_iter().map(|f| f.filter).collect(),
                    error,
                });
            }
            _ => self.lose_connection(now, ConnectionError::CannotSend(error), true),
        }
    }

    /// Subscribe again to every remembered filter not already in a pending SUBSCRIBE.
    fn restore_subscriptions(&mut self, now: Instant) {
        for (properties, filters) in self.session.subscriptions_to_restore() {
            let Some(packet_id) = self.session.allocate_packet_id() else {
                return;
            };
            let subscribe = Subscribe {
                packet_id,
                filters,
                properties,
            };
            self.send_control(now, Packet::Subscribe(subscribe.clone()));
            self.session.begin_subscribe(subscribe);
        }
    }

    /// The server's limits if a request can go now; `None` if it is to wait for the connection
    /// being made; refused when no connection is wanted.
    fn route_request(&self) -> Result<Option<&Limits>, CommandError> {
        match self.connected() {
            Ok(connection) => Ok(Some(&connection.limits)),
            Err(_) if self.wants_connection => Ok(None),
            Err(error) => Err(error),
        }
    }

    fn allocate_packet_id(&mut self) -> Result<PacketId, CommandError> {
        self.session
            .allocate_packet_id()
            .ok_or(CommandError::NoPacketIdAvailable)
    }

    pub(super) fn connected(&self) -> Result<&Connection, CommandError> {
        self.connection
            .as_ref()
            .filter(|connection| connection.is_connected())
            .ok_or(CommandError::NotConnected)
    }

    fn has_send_quota(&self, connection: &Connection, qos: QoS) -> bool {
        qos == QoS::AtMostOnce
            || self.session.in_flight_count() < usize::from(connection.limits.receive_maximum)
    }

    /// Send queued publishes while connected and the server's receive maximum allows.
    pub(super) fn send_queued(&mut self, now: Instant) {
        loop {
            let Ok(connection) = self.connected() else {
                return;
            };
            let in_flight = self.session.in_flight_count();
            let receive_maximum = usize::from(connection.limits.receive_maximum);
            let may_send = |qos| qos == QoS::AtMostOnce || in_flight < receive_maximum;
            let Some(queued) = self.session.dequeue_if(may_send) else {
                return;
            };
            if let Err(error) = self.send_publish(now, queued.id, queued.message) {
                self.events.push_back(Event::Published {
                    id: queued.id,
                    result: Err(PublishError::NotSent(error)),
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
                let packet_id = self.allocate_packet_id()?;
                if qos == QoS::AtLeastOnce {
                    Delivery::AtLeastOnce(packet_id)
                } else {
                    Delivery::ExactlyOnce(packet_id)
                }
            }
        };
        let publish = publish_packet(message, delivery);
        self.send_aliased(now, &publish)?;
        if delivery == Delivery::AtMostOnce {
            self.events
                .push_back(Event::Published { id, result: Ok(()) });
        } else {
            self.session.track_publish(id, publish);
        }
        Ok(())
    }

    /// Sends a new PUBLISH, with a topic alias where the server takes one (version 5). The
    /// session keeps the packet with its full topic: a resend goes on a later connection,
    /// which knows none of this one's aliases.
    fn send_aliased(&mut self, now: Instant, publish: &Publish) -> Result<(), CommandError> {
        let alias = self
            .connection
            .as_ref()
            .and_then(|connection| connection.outgoing_alias(&publish.topic));
        let Some((alias, new)) = alias else {
            return self.send(now, &Packet::Publish(publish.clone()));
        };
        let wire = Packet::Publish(Publish {
            topic: if new {
                publish.topic.clone()
            } else {
                String::new()
            },
            properties: PublishProperties {
                topic_alias: Some(alias),
                ..publish.properties.clone()
            },
            ..publish.clone()
        });
        self.send(now, &wire)?;
        // Only an alias the server has seen set may stand for its topic later.
        if let (true, Some(connection)) = (new, self.connection.as_mut()) {
            connection.outgoing_alias_set(publish.topic.clone(), alias);
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
    pub(super) fn send(&mut self, now: Instant, packet: &Packet) -> Result<(), CommandError> {
        let Some(connection) = &mut self.connection else {
            return Err(CommandError::NotConnected);
        };
        let maximum = connection.limits.maximum_packet_size;
        let bytes = encode(packet, self.options.version, maximum)?;
        connection.last_sent = now;
        // While a PINGREQ is unanswered, the PINGRESP wait decides, not the next ping.
        if connection.is_connected() && !self.timers.is_set(Timer::PingResp) {
            if let Some(due) = connection.ping_due() {
                self.timers.set(Timer::PingDue, due);
            }
        }
        self.transmit.push_back((connection.transport, bytes));
        Ok(())
    }

    /// Send a packet the core itself produces, if the connection is still there (an earlier
    /// packet of the same input may have ended it).
    pub(super) fn send_control(&mut self, now: Instant, packet: Packet) {
        if self.connection.is_none() {
            return;
        }
        if let Err(error) = self.send(now, &packet) {
            self.lose_connection(now, ConnectionError::CannotSend(error), true);
        }
    }

    /// DISCONNECT before closing. The transport closes either way, so an encoding failure
    /// here has nothing left to stop.
    pub(super) fn send_goodbye(&mut self, now: Instant, reason: ReasonCode) {
        let disconnect = Disconnect {
            reason,
            properties: DisconnectProperties::default(),
        };
        let _ = self.send(now, &Packet::Disconnect(disconnect));
    }
}

/// The server's limits that a SUBSCRIBE must respect.
fn check_subscribe_limits(
    limits: &Limits,
    filters: &[SubscribeFilter],
    properties: &SubscribeProperties,
) -> Result<(), CommandError> {
    for filter in filters {
        let name = filter.filter.as_str();
        if !limits.wildcard_subscriptions && (name.contains('+') || name.contains('#')) {
            return Err(CommandError::WildcardSubscriptionsNotAvailable);
        }
        if !limits.shared_subscriptions && name.starts_with("$share/") {
            return Err(CommandError::SharedSubscriptionsNotAvailable);
        }
    }
    if properties.subscription_identifier.is_some() && !limits.subscription_identifiers {
        return Err(CommandError::SubscriptionIdentifiersNotAvailable);
    }
    Ok(())
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
