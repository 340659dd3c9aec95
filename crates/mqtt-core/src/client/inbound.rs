//! What the client receives: bytes cut into packets, CONNACK, incoming messages with their
//! acknowledgements, the acknowledgements of what we sent, and the server's DISCONNECT.

use alloc::vec;
use core::time::Duration;

use super::{is_permanent_refusal, Client};
use crate::codec::DecodeError;
use crate::connection::{Limits, Phase};
use crate::error::{ConnectionError, ProtocolViolation, PublishError, ServerReason};
use crate::event::{ConnectionState, Event, PublishId, TransportId};
use crate::packet::*;
use crate::reason::ReasonContext;
use crate::session::{ack, PubRecOutcome};
use crate::time::Instant;
use crate::timer::Timer;

impl Client {
    /// Bytes from the transport, split or batched in any way.
    /// Every complete packet in them is handled, one after the other.
    pub fn handle_bytes(&mut self, now: Instant, transport: TransportId, bytes: &[u8]) {
        let Some(connection) = self.current(transport) else {
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

    /// One decoded packet from the server.
    fn handle_packet(&mut self, now: Instant, packet: Packet) -> Result<(), ProtocolViolation> {
        let Some(connection) = &self.connection else {
            return Ok(());
        };
        match (connection.phase, packet) {
            (Phase::AwaitingConnAck, Packet::ConnAck(connack)) => self.handle_connack(now, connack),
            (Phase::AwaitingConnAck | Phase::Connected { .. }, Packet::Auth(auth)) => {
                self.handle_auth(now, auth)
            }
            (Phase::Connected { .. }, Packet::ConnAck(_)) => Err(ProtocolViolation::ConnAckTwice),
            (Phase::Connected { .. }, packet) => self.handle_connected_packet(now, packet),
            (_, packet) => Err(ProtocolViolation::BeforeConnAck {
                packet: packet_name(&packet),
            }),
        }
    }

    fn handle_connected_packet(
        &mut self,
        now: Instant,
        packet: Packet,
    ) -> Result<(), ProtocolViolation> {
        match packet {
            Packet::Publish(publish) => self.handle_publish(now, publish),
            Packet::PubAck(ack) => {
                let id = self.session.receive_puback(ack.packet_id)?;
                self.complete_publish(now, id, &ack, ReasonContext::PubAck);
                Ok(())
            }
            Packet::PubRec(ack) => self.handle_pubrec(now, ack),
            Packet::PubRel(ack) => {
                self.handle_pubrel(now, ack);
                Ok(())
            }
            Packet::PubComp(ack) => {
                if let Some(id) = self.session.receive_pubcomp(ack.packet_id)? {
                    self.complete_publish(now, id, &ack, ReasonContext::PubComp);
                }
                Ok(())
            }
            Packet::SubAck(suback) => self.handle_suback(suback),
            Packet::UnsubAck(unsuback) => self.handle_unsuback(unsuback),
            Packet::PingResp => {
                self.timers.stop(Timer::PingResp);
                if let Some(due) = self.connection.as_ref().and_then(|c| c.ping_due()) {
                    self.timers.set(Timer::PingDue, due);
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

    fn handle_connack(&mut self, now: Instant, connack: ConnAck) -> Result<(), ProtocolViolation> {
        if connack.code.is_error() {
            self.handle_refusal(now, connack);
            return Ok(());
        }
        if self.options.version == ProtocolVersion::V5 {
            self.check_method(&connack.properties.authentication_method, false)?;
        }
        if connack.session_present && self.options.clean_start {
            return Err(ProtocolViolation::SessionAfterCleanStart);
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
        self.timers.stop(Timer::ConnAck);
        if let Some(due) = connection.ping_due() {
            self.timers.set(Timer::PingDue, due);
        }
        if let Some(assigned) = &properties.assigned_client_identifier {
            self.session.set_assigned_client_id(assigned.clone());
        }
        let session_present = connack.session_present;
        if !session_present {
            for id in self.session.discard_server_state() {
                self.events.push_back(Event::Published {
                    id,
                    result: Err(PublishError::SessionNotKept),
                });
            }
        }
        self.state = ConnectionState::Connected { session_present };
        self.events.push_back(Event::Connected(connack));
        self.resume(now, session_present);
        self.send_queued(now);
        Ok(())
    }

    fn handle_refusal(&mut self, now: Instant, connack: ConnAck) {
        let properties = connack.properties;
        let reason = ConnectionError::Refused(ServerReason::new(
            connack.code,
            properties.reason_string,
            properties.server_reference,
        ));
        self.drop_connection(now, true);
        if is_permanent_refusal(connack.code) {
            // Retrying cannot fix these (credentials, identity, protocol): stop until the user
            // changes something and connects again, rather than hammer the broker.
            self.set_state(ConnectionState::Disconnected {
                reason: Some(reason),
            });
        } else {
            self.schedule_reconnect(now, reason);
        }
    }

    fn handle_server_disconnect(&mut self, now: Instant, disconnect: Disconnect) {
        let properties = disconnect.properties;
        let reason = ConnectionError::ServerDisconnected(ServerReason::new(
            disconnect.reason,
            properties.reason_string,
            properties.server_reference,
        ));
        self.drop_connection(now, true);
        self.schedule_reconnect(now, reason);
    }

    fn handle_publish(
        &mut self,
        now: Instant,
        mut publish: Publish,
    ) -> Result<(), ProtocolViolation> {
        if let (Some(alias), Some(connection)) =
            (publish.properties.topic_alias, self.connection.as_mut())
        {
            connection.resolve_incoming_alias(alias, &mut publish.topic)?;
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
                let maximum = self.options.receive_maximum.unwrap_or(u16::MAX);
                if self.session.receive_exactly_once(packet_id, maximum)? {
                    self.events.push_back(Event::Message(publish));
                }
                self.send_control(now, Packet::PubRec(ack(packet_id, ReasonCode::SUCCESS)));
            }
        }
        Ok(())
    }

    fn handle_pubrec(&mut self, now: Instant, pubrec: Ack) -> Result<(), ProtocolViolation> {
        let packet_id = pubrec.packet_id;
        let reason = match self
            .session
            .receive_pubrec(packet_id, pubrec.reason.is_error())?
        {
            PubRecOutcome::Released => ReasonCode::SUCCESS,
            PubRecOutcome::Refused(id) => {
                self.complete_publish(now, id, &pubrec, ReasonContext::PubRec);
                return Ok(());
            }
            // Probably a duplicate for a flow that already completed: release it again, telling
            // a version 5 server the id is not known.
            PubRecOutcome::Unknown => self.version_reason(ReasonCode::PACKET_IDENTIFIER_NOT_FOUND),
        };
        self.send_control(now, Packet::PubRel(ack(packet_id, reason)));
        Ok(())
    }

    fn handle_pubrel(&mut self, now: Instant, pubrel: Ack) {
        let reason = if self.session.release_incoming(pubrel.packet_id) {
            ReasonCode::SUCCESS
        } else {
            self.version_reason(ReasonCode::PACKET_IDENTIFIER_NOT_FOUND)
        };
        self.send_control(now, Packet::PubComp(ack(pubrel.packet_id, reason)));
    }

    /// The final acknowledgement of an outgoing publish: report it, and its freed slot may
    /// let a queued publish go.
    fn complete_publish(&mut self, now: Instant, id: PublishId, ack: &Ack, context: ReasonContext) {
        let result = if ack.reason.is_error() {
            Err(PublishError::Refused {
                code: ack.reason,
                context,
                reason_string: ack.properties.reason_string.clone(),
            })
        } else {
            Ok(())
        };
        self.events.push_back(Event::Published { id, result });
        self.send_queued(now);
    }

    fn handle_suback(&mut self, suback: SubAck) -> Result<(), ProtocolViolation> {
        let subscribe = self
            .session
            .finish_subscribe(suback.packet_id, &suback.reason_codes)?;
        self.events.push_back(Event::Subscribed {
            packet_id: suback.packet_id,
            filters: subscribe
                .filters
                .into_iter()
                .map(|filter| filter.filter)
                .collect(),
            results: suback.reason_codes,
        });
        Ok(())
    }

    fn handle_unsuback(&mut self, unsuback: UnsubAck) -> Result<(), ProtocolViolation> {
        let unsubscribe = self.session.finish_unsubscribe(unsuback.packet_id)?;
        let results = if self.options.version == ProtocolVersion::V311 {
            vec![ReasonCode::SUCCESS; unsubscribe.filters.len()]
        } else if unsuback.reason_codes.len() == unsubscribe.filters.len() {
            unsuback.reason_codes
        } else {
            return Err(ProtocolViolation::ResultCount {
                packet: "UNSUBACK",
                results: unsuback.reason_codes.len(),
                filters: unsubscribe.filters.len(),
            });
        };
        self.events.push_back(Event::Unsubscribed {
            packet_id: unsuback.packet_id,
            filters: unsubscribe.filters,
            results,
        });
        Ok(())
    }

    /// `code` in version 5; 3.1.1 acknowledgements carry no reason.
    fn version_reason(&self, code: ReasonCode) -> ReasonCode {
        match self.options.version {
            ProtocolVersion::V5 => code,
            ProtocolVersion::V311 => ReasonCode::SUCCESS,
        }
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
        Packet::Auth(_) => "AUTH",
    }
}
