//! `Packet` to mqttbytes-ng's version 3.1.1 packets, refusing what 3.1.1 cannot carry.

use super::*;

fn not_in_311(packet: &'static str, field: Version5Field) -> EncodeError {
    EncodeError::NotInVersion311 { packet, field }
}

fn no_properties<T: Default + PartialEq>(
    packet: &'static str,
    properties: &T,
) -> Result<(), EncodeError> {
    if *properties != T::default() {
        return Err(not_in_311(packet, Version5Field::Properties));
    }
    Ok(())
}

/// An acknowledgement in 3.1.1 is its packet id alone.
fn ack(packet: &'static str, ack: &Ack) -> Result<u16, EncodeError> {
    if ack.reason != ReasonCode::SUCCESS {
        return Err(not_in_311(packet, Version5Field::ReasonCode));
    }
    no_properties(packet, &ack.properties)?;
    Ok(ack.packet_id.get())
}

pub(super) fn packet(packet: &Packet) -> Result<v4::Packet, EncodeError> {
    Ok(match packet {
        Packet::Connect(connect) => v4::Packet::Connect(self::connect(connect)?),
        Packet::ConnAck(connack) => {
            no_properties("CONNACK", &connack.properties)?;
            let code =
                codes::connack_reason_v311(connack.code).ok_or(EncodeError::InvalidReasonCode {
                    packet: "CONNACK",
                    code: connack.code,
                })?;
            v4::Packet::ConnAck(v4::ConnAck::new(code, connack.session_present))
        }
        Packet::Publish(publish) => {
            no_properties("PUBLISH", &publish.properties)?;
            topic_name(&publish.topic)?;
            let (qos, pkid) = lib_delivery(publish.delivery);
            v4::Packet::Publish(v4::Publish {
                dup: publish.dup,
                qos,
                retain: publish.retain,
                topic: publish.topic.clone(),
                pkid,
                payload: publish.payload.clone(),
            })
        }
        Packet::PubAck(a) => v4::Packet::PubAck(v4::PubAck::new(ack("PUBACK", a)?)),
        Packet::PubRec(a) => v4::Packet::PubRec(v4::PubRec::new(ack("PUBREC", a)?)),
        Packet::PubRel(a) => v4::Packet::PubRel(v4::PubRel::new(ack("PUBREL", a)?)),
        Packet::PubComp(a) => v4::Packet::PubComp(v4::PubComp::new(ack("PUBCOMP", a)?)),
        Packet::Subscribe(subscribe) => {
            no_properties("SUBSCRIBE", &subscribe.properties)?;
            if subscribe.filters.is_empty() {
                return Err(EncodeError::NoFilters);
            }
            let mut filters = Vec::with_capacity(subscribe.filters.len());
            for filter in &subscribe.filters {
                topic_filter(&filter.filter)?;
                let options = filter.options;
                if options.no_local
                    || options.retain_as_published
                    || options.retain_handling != RetainHandling::SendAtSubscribe
                {
                    return Err(not_in_311("SUBSCRIBE", Version5Field::SubscriptionOptions));
                }
                filters.push(v4::SubscribeFilter::new(
                    filter.filter.clone(),
                    lib_qos(options.qos),
                ));
            }
            v4::Packet::Subscribe(v4::Subscribe {
                pkid: subscribe.packet_id.get(),
                filters,
            })
        }
        Packet::SubAck(suback) => {
            no_properties("SUBACK", &suback.properties)?;
            let return_codes = suback
                .reason_codes
                .iter()
                .map(|&code| {
                    codes::suback_reason_v311(code).ok_or(EncodeError::InvalidReasonCode {
                        packet: "SUBACK",
                        code,
                    })
                })
                .collect::<Result<_, _>>()?;
            v4::Packet::SubAck(v4::SubAck::new(suback.packet_id.get(), return_codes))
        }
        Packet::Unsubscribe(unsubscribe) => {
            no_properties("UNSUBSCRIBE", &unsubscribe.user_properties)?;
            if unsubscribe.filters.is_empty() {
                return Err(EncodeError::NoFilters);
            }
            for filter in &unsubscribe.filters {
                topic_filter(filter)?;
            }
            v4::Packet::Unsubscribe(v4::Unsubscribe {
                pkid: unsubscribe.packet_id.get(),
                topics: unsubscribe.filters.clone(),
            })
        }
        Packet::UnsubAck(unsuback) => {
            no_properties("UNSUBACK", &unsuback.properties)?;
            if !unsuback.reason_codes.is_empty() {
                return Err(not_in_311("UNSUBACK", Version5Field::ReasonCodes));
            }
            v4::Packet::UnsubAck(v4::UnsubAck::new(unsuback.packet_id.get()))
        }
        Packet::PingReq => v4::Packet::PingReq,
        Packet::PingResp => v4::Packet::PingResp,
        Packet::Disconnect(disconnect) => {
            no_properties("DISCONNECT", &disconnect.properties)?;
            if disconnect.reason != ReasonCode::NORMAL_DISCONNECTION {
                return Err(not_in_311("DISCONNECT", Version5Field::ReasonCode));
            }
            v4::Packet::Disconnect
        }
        Packet::Auth(_) => return Err(not_in_311("AUTH", Version5Field::ReasonCode)),
    })
}

fn connect(connect: &Connect) -> Result<v4::Connect, EncodeError> {
    no_properties("CONNECT", &connect.properties)?;
    string(StringField::ClientIdentifier, &connect.client_id)?;
    if connect.password.is_some() && connect.username.is_none() {
        return Err(EncodeError::ProtocolViolation {
            detail: Disallowed::PasswordWithoutUserName,
        });
    }
    let login = credentials(connect)?.map(|(username, password)| v4::Login { username, password });
    let last_will = match &connect.will {
        Some(will) => {
            if will.properties != WillProperties::default() {
                return Err(not_in_311("CONNECT", Version5Field::WillProperties));
            }
            topic_name(&will.topic)?;
            binary(StringField::WillPayload, &will.payload)?;
            Some(v4::LastWill {
                topic: will.topic.clone(),
                message: will.payload.clone(),
                qos: lib_qos(will.qos),
                retain: will.retain,
            })
        }
        None => None,
    };
    Ok(v4::Connect {
        protocol: mqttbytes_ng::Protocol::V4,
        keep_alive: connect.keep_alive,
        client_id: connect.client_id.clone(),
        clean_session: connect.clean_start,
        last_will,
        login,
    })
}
