//! `Packet` to bytes: every field is validated first, then mqttbytes-ng writes the packet.
//!
//! The library writes string lengths as `len as u16` (a 70,000-byte topic comes out with a
//! wrapped length), writes the first bytes before discovering a zero packet id or an
//! oversized remaining length, and accepts wildcards in topic names; so nothing reaches it
//! unchecked, and its output is only returned when it wrote the whole packet.

use alloc::{string::String, vec, vec::Vec};

use bytes::{Bytes, BytesMut};
use mqttbytes_ng::{v4, v5, QoS as LibQoS};

use super::{codes, EncodeError, MAX_PACKET_SIZE};
use crate::packet::*;
use crate::topic::{validate_topic_filter, validate_topic_name};

/// The longest string or binary field: its length travels as a 16-bit integer.
const MAX_FIELD_LEN: usize = u16::MAX as usize;

/// Encodes one packet. `max_packet_size` is the peer's limit (the server's Maximum Packet
/// Size); the MQTT limit of 268,435,460 bytes applies in any case.
pub fn encode(
    packet: &Packet,
    version: ProtocolVersion,
    max_packet_size: Option<u32>,
) -> Result<Vec<u8>, EncodeError> {
    let maximum = max_packet_size.map_or(MAX_PACKET_SIZE, |max| max.min(MAX_PACKET_SIZE));
    match version {
        ProtocolVersion::V311 => write(&to_v311::packet(packet)?, maximum),
        ProtocolVersion::V5 => match packet {
            Packet::Disconnect(disconnect) if is_reason_only(disconnect) => {
                reason_only_disconnect(disconnect, maximum)
            }
            _ => write(&to_v5::packet(packet)?, maximum),
        },
    }
}

/// A version 5 DISCONNECT with a reason code other than 0x00 and no properties.
fn is_reason_only(disconnect: &Disconnect) -> bool {
    disconnect.reason != ReasonCode::NORMAL_DISCONNECTION
        && disconnect.properties == DisconnectProperties::default()
}

/// mqttbytes-ng 0.7.1 cannot write this packet: without properties it announces a remaining
/// length of 1 and then writes 2 bytes (desynchronising the stream), and with empty
/// properties it writes `E0 00`, losing the reason code. So it is written here, in the short
/// form MQTT 5.0 section 3.14.2.2.1 allows: type, length 1, reason code.
fn reason_only_disconnect(disconnect: &Disconnect, maximum: u32) -> Result<Vec<u8>, EncodeError> {
    if codes::disconnect_reason(disconnect.reason).is_none() {
        return Err(EncodeError::InvalidReasonCode {
            packet: "DISCONNECT",
            code: disconnect.reason,
        });
    }
    let bytes = vec![0xE0, 0x01, disconnect.reason.0];
    if bytes.len() > maximum as usize {
        return Err(EncodeError::PacketTooLarge {
            size: bytes.len(),
            maximum,
        });
    }
    Ok(bytes)
}

/// What both versions' library packets offer.
trait LibPacket {
    fn size(&self) -> usize;
    fn write(&self, buffer: &mut BytesMut) -> Result<usize, mqttbytes_ng::Error>;
}

impl LibPacket for v4::Packet {
    fn size(&self) -> usize {
        v4::Packet::size(self)
    }

    fn write(&self, buffer: &mut BytesMut) -> Result<usize, mqttbytes_ng::Error> {
        v4::Packet::write(self, buffer, usize::MAX)
    }
}

impl LibPacket for v5::Packet {
    fn size(&self) -> usize {
        v5::Packet::size(self)
    }

    fn write(&self, buffer: &mut BytesMut) -> Result<usize, mqttbytes_ng::Error> {
        v5::Packet::write(self, buffer, None)
    }
}

/// Checks the size against the limit before writing anything, then writes.
fn write(packet: &impl LibPacket, maximum: u32) -> Result<Vec<u8>, EncodeError> {
    let size = packet.size();
    if size > maximum as usize {
        return Err(EncodeError::PacketTooLarge { size, maximum });
    }
    let mut buffer = BytesMut::with_capacity(size);
    match packet.write(&mut buffer) {
        Ok(written) if written == buffer.len() && written == size => Ok(buffer.into()),
        _ => Err(EncodeError::Unsupported {
            detail: "the encoder did not produce a complete packet",
        }),
    }
}

fn string(field: &'static str, text: &str) -> Result<(), EncodeError> {
    if text.len() > MAX_FIELD_LEN {
        return Err(EncodeError::StringTooLong {
            field,
            len: text.len(),
        });
    }
    if text.as_bytes().contains(&0) {
        return Err(EncodeError::NullCharacter { field });
    }
    Ok(())
}

fn optional_string(field: &'static str, text: &Option<String>) -> Result<(), EncodeError> {
    text.as_deref().map_or(Ok(()), |text| string(field, text))
}

fn binary(field: &'static str, bytes: &[u8]) -> Result<(), EncodeError> {
    if bytes.len() > MAX_FIELD_LEN {
        return Err(EncodeError::StringTooLong {
            field,
            len: bytes.len(),
        });
    }
    Ok(())
}

fn user_properties(properties: &UserProperties) -> Result<(), EncodeError> {
    for (name, value) in properties {
        string("user property name", name)?;
        string("user property value", value)?;
    }
    Ok(())
}

fn topic_name(topic: &str) -> Result<(), EncodeError> {
    validate_topic_name(topic).map_err(EncodeError::InvalidTopic)
}

fn topic_filter(filter: &str) -> Result<(), EncodeError> {
    validate_topic_filter(filter).map_err(EncodeError::InvalidFilter)
}

fn invalid_property(name: &'static str, detail: &'static str) -> EncodeError {
    EncodeError::InvalidProperty { name, detail }
}

fn non_zero<T: Default + PartialEq>(
    name: &'static str,
    value: Option<T>,
) -> Result<(), EncodeError> {
    if value == Some(T::default()) {
        return Err(invalid_property(name, "it cannot be zero"));
    }
    Ok(())
}

fn payload_format(value: Option<u8>) -> Result<(), EncodeError> {
    if value.is_some_and(|value| value > 1) {
        return Err(invalid_property(
            "payload format indicator",
            "it must be 0 or 1",
        ));
    }
    Ok(())
}

fn subscription_identifier(id: u32) -> Result<usize, EncodeError> {
    if id == 0 || id > MAX_SUBSCRIPTION_IDENTIFIER {
        return Err(invalid_property(
            "subscription identifier",
            "it must be between 1 and 268,435,455",
        ));
    }
    Ok(id as usize)
}

/// The user name and password, as the library wants them: it leaves out empty values and
/// only carries UTF-8 passwords.
fn credentials(connect: &Connect) -> Result<Option<(String, String)>, EncodeError> {
    if let Some(username) = &connect.username {
        string("user name", username)?;
        if username.is_empty() {
            return Err(EncodeError::Unsupported {
                detail: "an empty user name (leave it out instead)",
            });
        }
    }
    if let Some(password) = &connect.password {
        binary("password", password)?;
        if password.is_empty() {
            return Err(EncodeError::Unsupported {
                detail: "an empty password (leave it out instead)",
            });
        }
    }
    if connect.username.is_none() && connect.password.is_none() {
        return Ok(None);
    }
    let password =
        match &connect.password {
            Some(password) => String::from(core::str::from_utf8(password).map_err(|_| {
                EncodeError::Unsupported {
                    detail: "a password that is not UTF-8 text",
                }
            })?),
            None => String::new(),
        };
    Ok(Some((
        connect.username.clone().unwrap_or_default(),
        password,
    )))
}

fn lib_qos(qos: QoS) -> LibQoS {
    match qos {
        QoS::AtMostOnce => LibQoS::AtMostOnce,
        QoS::AtLeastOnce => LibQoS::AtLeastOnce,
        QoS::ExactlyOnce => LibQoS::ExactlyOnce,
    }
}

/// The library's QoS and packet id fields from our delivery (never QoS > 0 with id 0).
fn lib_delivery(delivery: Delivery) -> (LibQoS, u16) {
    (
        lib_qos(delivery.qos()),
        delivery.packet_id().map_or(0, PacketId::get),
    )
}

mod to_v311 {
    use super::*;

    fn not_in_311(packet: &'static str, field: &'static str) -> EncodeError {
        EncodeError::NotInVersion311 { packet, field }
    }

    fn no_properties<T: Default + PartialEq>(
        packet: &'static str,
        properties: &T,
    ) -> Result<(), EncodeError> {
        if *properties != T::default() {
            return Err(not_in_311(packet, "properties"));
        }
        Ok(())
    }

    /// An acknowledgement in 3.1.1 is its packet id alone.
    fn ack(packet: &'static str, ack: &Ack) -> Result<u16, EncodeError> {
        if ack.reason != ReasonCode::SUCCESS {
            return Err(not_in_311(packet, "reason code"));
        }
        no_properties(packet, &ack.properties)?;
        Ok(ack.packet_id.get())
    }

    pub(super) fn packet(packet: &Packet) -> Result<v4::Packet, EncodeError> {
        Ok(match packet {
            Packet::Connect(connect) => v4::Packet::Connect(self::connect(connect)?),
            Packet::ConnAck(connack) => {
                no_properties("CONNACK", &connack.properties)?;
                let code = codes::connack_reason_v311(connack.code).ok_or(
                    EncodeError::InvalidReasonCode {
                        packet: "CONNACK",
                        code: connack.code,
                    },
                )?;
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
                        return Err(not_in_311("SUBSCRIBE", "subscription options"));
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
                    return Err(not_in_311("UNSUBACK", "reason codes"));
                }
                v4::Packet::UnsubAck(v4::UnsubAck::new(unsuback.packet_id.get()))
            }
            Packet::PingReq => v4::Packet::PingReq,
            Packet::PingResp => v4::Packet::PingResp,
            Packet::Disconnect(disconnect) => {
                no_properties("DISCONNECT", &disconnect.properties)?;
                if disconnect.reason != ReasonCode::NORMAL_DISCONNECTION {
                    return Err(not_in_311("DISCONNECT", "reason code"));
                }
                v4::Packet::Disconnect
            }
        })
    }

    fn connect(connect: &Connect) -> Result<v4::Connect, EncodeError> {
        no_properties("CONNECT", &connect.properties)?;
        string("client identifier", &connect.client_id)?;
        if connect.password.is_some() && connect.username.is_none() {
            return Err(EncodeError::ProtocolViolation {
                detail: "MQTT 3.1.1 does not allow a password without a user name",
            });
        }
        let login =
            credentials(connect)?.map(|(username, password)| v4::Login { username, password });
        let last_will = match &connect.will {
            Some(will) => {
                no_properties("will", &will.properties)?;
                topic_name(&will.topic)?;
                binary("will payload", &will.payload)?;
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
}

mod to_v5 {
    use super::*;
    use mqttbytes_ng::v5 as lib;

    fn reason<T>(
        packet: &'static str,
        code: ReasonCode,
        table: fn(ReasonCode) -> Option<T>,
    ) -> Result<T, EncodeError> {
        table(code).ok_or(EncodeError::InvalidReasonCode { packet, code })
    }

    /// The reason string and user properties, `None` when both are empty: the library then
    /// writes no property length (or a zero one).
    fn ack_properties(
        properties: &AckProperties,
    ) -> Result<Option<(Option<String>, UserProperties)>, EncodeError> {
        optional_string("reason string", &properties.reason_string)?;
        user_properties(&properties.user_properties)?;
        if *properties == AckProperties::default() {
            return Ok(None);
        }
        Ok(Some((
            properties.reason_string.clone(),
            properties.user_properties.clone(),
        )))
    }

    pub(super) fn packet(packet: &Packet) -> Result<lib::Packet, EncodeError> {
        Ok(match packet {
            Packet::Connect(connect) => self::connect(connect)?,
            Packet::ConnAck(connack) => lib::Packet::ConnAck(lib::ConnAck {
                session_present: connack.session_present,
                code: reason("CONNACK", connack.code, codes::connack_reason_v5)?,
                properties: connack_properties(&connack.properties)?,
            }),
            Packet::Publish(publish) => lib::Packet::Publish(self::publish(publish)?),
            Packet::PubAck(ack) => {
                let properties = ack_properties(&ack.properties)?;
                lib::Packet::PubAck(lib::PubAck {
                    pkid: ack.packet_id.get(),
                    reason: reason("PUBACK", ack.reason, codes::puback_reason)?,
                    properties: properties.map(|(reason_string, user_properties)| {
                        lib::PubAckProperties {
                            reason_string,
                            user_properties,
                        }
                    }),
                })
            }
            Packet::PubRec(ack) => {
                let properties = ack_properties(&ack.properties)?;
                lib::Packet::PubRec(lib::PubRec {
                    pkid: ack.packet_id.get(),
                    reason: reason("PUBREC", ack.reason, codes::pubrec_reason)?,
                    properties: properties.map(|(reason_string, user_properties)| {
                        lib::PubRecProperties {
                            reason_string,
                            user_properties,
                        }
                    }),
                })
            }
            Packet::PubRel(ack) => {
                let properties = ack_properties(&ack.properties)?;
                lib::Packet::PubRel(lib::PubRel {
                    pkid: ack.packet_id.get(),
                    reason: reason("PUBREL", ack.reason, codes::pubrel_reason)?,
                    properties: properties.map(|(reason_string, user_properties)| {
                        lib::PubRelProperties {
                            reason_string,
                            user_properties,
                        }
                    }),
                })
            }
            Packet::PubComp(ack) => {
                let properties = ack_properties(&ack.properties)?;
                lib::Packet::PubComp(lib::PubComp {
                    pkid: ack.packet_id.get(),
                    reason: reason("PUBCOMP", ack.reason, codes::pubcomp_reason)?,
                    properties: properties.map(|(reason_string, user_properties)| {
                        lib::PubCompProperties {
                            reason_string,
                            user_properties,
                        }
                    }),
                })
            }
            Packet::Subscribe(subscribe) => lib::Packet::Subscribe(self::subscribe(subscribe)?),
            Packet::SubAck(suback) => {
                let properties = ack_properties(&suback.properties)?;
                lib::Packet::SubAck(lib::SubAck {
                    pkid: suback.packet_id.get(),
                    return_codes: suback
                        .reason_codes
                        .iter()
                        .map(|&code| reason("SUBACK", code, codes::suback_reason_v5))
                        .collect::<Result<_, _>>()?,
                    properties: properties.map(|(reason_string, user_properties)| {
                        lib::SubAckProperties {
                            reason_string,
                            user_properties,
                        }
                    }),
                })
            }
            Packet::Unsubscribe(unsubscribe) => {
                if unsubscribe.filters.is_empty() {
                    return Err(EncodeError::NoFilters);
                }
                for filter in &unsubscribe.filters {
                    topic_filter(filter)?;
                }
                user_properties(&unsubscribe.user_properties)?;
                lib::Packet::Unsubscribe(lib::Unsubscribe {
                    pkid: unsubscribe.packet_id.get(),
                    filters: unsubscribe.filters.clone(),
                    properties: (!unsubscribe.user_properties.is_empty()).then(|| {
                        lib::UnsubscribeProperties {
                            user_properties: unsubscribe.user_properties.clone(),
                        }
                    }),
                })
            }
            Packet::UnsubAck(unsuback) => {
                let properties = ack_properties(&unsuback.properties)?;
                lib::Packet::UnsubAck(lib::UnsubAck {
                    pkid: unsuback.packet_id.get(),
                    reasons: unsuback
                        .reason_codes
                        .iter()
                        .map(|&code| reason("UNSUBACK", code, codes::unsuback_reason))
                        .collect::<Result<_, _>>()?,
                    properties: properties.map(|(reason_string, user_properties)| {
                        lib::UnsubAckProperties {
                            reason_string,
                            user_properties,
                        }
                    }),
                })
            }
            Packet::PingReq => lib::Packet::PingReq(lib::PingReq),
            Packet::PingResp => lib::Packet::PingResp(lib::PingResp),
            Packet::Disconnect(disconnect) => {
                let properties = &disconnect.properties;
                optional_string("reason string", &properties.reason_string)?;
                optional_string("server reference", &properties.server_reference)?;
                user_properties(&properties.user_properties)?;
                lib::Packet::Disconnect(lib::Disconnect {
                    reason_code: reason("DISCONNECT", disconnect.reason, codes::disconnect_reason)?,
                    properties: (*properties != DisconnectProperties::default()).then(|| {
                        lib::DisconnectProperties {
                            session_expiry_interval: properties.session_expiry_interval,
                            reason_string: properties.reason_string.clone(),
                            user_properties: properties.user_properties.clone(),
                            server_reference: properties.server_reference.clone(),
                        }
                    }),
                })
            }
        })
    }

    fn publish(publish: &Publish) -> Result<lib::Publish, EncodeError> {
        let properties = &publish.properties;
        // An empty topic is how a topic alias is used on its own (MQTT 5.0 section 3.3.2.3.4).
        if !(publish.topic.is_empty() && properties.topic_alias.is_some()) {
            topic_name(&publish.topic)?;
        }
        let (qos, pkid) = lib_delivery(publish.delivery);
        Ok(lib::Publish {
            dup: publish.dup,
            qos,
            retain: publish.retain,
            topic: Bytes::copy_from_slice(publish.topic.as_bytes()),
            pkid,
            payload: publish.payload.clone(),
            properties: if *properties == PublishProperties::default() {
                None
            } else {
                Some(publish_properties(properties)?)
            },
        })
    }

    fn publish_properties(
        properties: &PublishProperties,
    ) -> Result<lib::PublishProperties, EncodeError> {
        payload_format(properties.payload_format_indicator)?;
        non_zero("topic alias", properties.topic_alias)?;
        if let Some(topic) = &properties.response_topic {
            topic_name(topic)?;
        }
        if let Some(data) = &properties.correlation_data {
            binary("correlation data", data)?;
        }
        optional_string("content type", &properties.content_type)?;
        user_properties(&properties.user_properties)?;
        Ok(lib::PublishProperties {
            payload_format_indicator: properties.payload_format_indicator,
            message_expiry_interval: properties.message_expiry_interval,
            topic_alias: properties.topic_alias,
            response_topic: properties.response_topic.clone(),
            correlation_data: properties.correlation_data.clone(),
            user_properties: properties.user_properties.clone(),
            subscription_identifiers: properties
                .subscription_identifiers
                .iter()
                .map(|&id| subscription_identifier(id))
                .collect::<Result<_, _>>()?,
            content_type: properties.content_type.clone(),
        })
    }

    fn subscribe(subscribe: &Subscribe) -> Result<lib::Subscribe, EncodeError> {
        if subscribe.filters.is_empty() {
            return Err(EncodeError::NoFilters);
        }
        let mut filters = Vec::with_capacity(subscribe.filters.len());
        for filter in &subscribe.filters {
            topic_filter(&filter.filter)?;
            let options = filter.options;
            if options.no_local && filter.filter.starts_with("$share/") {
                return Err(EncodeError::ProtocolViolation {
                    detail: "no local cannot be set on a shared subscription",
                });
            }
            filters.push(lib::Filter {
                path: filter.filter.clone(),
                qos: lib_qos(options.qos),
                nolocal: options.no_local,
                preserve_retain: options.retain_as_published,
                retain_forward_rule: match options.retain_handling {
                    RetainHandling::SendAtSubscribe => lib::RetainForwardRule::OnEverySubscribe,
                    RetainHandling::SendAtSubscribeIfNew => lib::RetainForwardRule::OnNewSubscribe,
                    RetainHandling::DoNotSend => lib::RetainForwardRule::Never,
                },
            });
        }
        let properties = &subscribe.properties;
        user_properties(&properties.user_properties)?;
        let id = match properties.subscription_identifier {
            Some(id) => Some(subscription_identifier(id)?),
            None => None,
        };
        Ok(lib::Subscribe {
            pkid: subscribe.packet_id.get(),
            filters,
            properties: (*properties != SubscribeProperties::default()).then(|| {
                lib::SubscribeProperties {
                    id,
                    user_properties: properties.user_properties.clone(),
                }
            }),
        })
    }

    fn connect(connect: &Connect) -> Result<lib::Packet, EncodeError> {
        string("client identifier", &connect.client_id)?;
        let login =
            credentials(connect)?.map(|(username, password)| lib::Login { username, password });
        let will = match &connect.will {
            Some(will) => Some(self::will(will)?),
            None => None,
        };
        let properties = &connect.properties;
        non_zero("receive maximum", properties.receive_maximum)?;
        non_zero("maximum packet size", properties.maximum_packet_size)?;
        user_properties(&properties.user_properties)?;
        let properties =
            (*properties != ConnectProperties::default()).then(|| lib::ConnectProperties {
                session_expiry_interval: properties.session_expiry_interval,
                receive_maximum: properties.receive_maximum,
                max_packet_size: properties.maximum_packet_size,
                topic_alias_max: properties.topic_alias_maximum,
                request_response_info: properties.request_response_information.map(u8::from),
                request_problem_info: properties.request_problem_information.map(u8::from),
                user_properties: properties.user_properties.clone(),
                authentication_method: None,
                authentication_data: None,
            });
        Ok(lib::Packet::Connect(
            lib::Connect {
                keep_alive: connect.keep_alive,
                client_id: connect.client_id.clone(),
                clean_start: connect.clean_start,
                properties,
            },
            will,
            login,
        ))
    }

    fn will(will: &Will) -> Result<lib::LastWill, EncodeError> {
        topic_name(&will.topic)?;
        binary("will payload", &will.payload)?;
        let properties = &will.properties;
        payload_format(properties.payload_format_indicator)?;
        optional_string("content type", &properties.content_type)?;
        if let Some(topic) = &properties.response_topic {
            topic_name(topic)?;
        }
        if let Some(data) = &properties.correlation_data {
            binary("correlation data", data)?;
        }
        user_properties(&properties.user_properties)?;
        Ok(lib::LastWill {
            topic: Bytes::copy_from_slice(will.topic.as_bytes()),
            message: will.payload.clone(),
            qos: lib_qos(will.qos),
            retain: will.retain,
            properties: (*properties != WillProperties::default()).then(|| {
                lib::LastWillProperties {
                    delay_interval: properties.delay_interval,
                    payload_format_indicator: properties.payload_format_indicator,
                    message_expiry_interval: properties.message_expiry_interval,
                    content_type: properties.content_type.clone(),
                    response_topic: properties.response_topic.clone(),
                    correlation_data: properties.correlation_data.clone(),
                    user_properties: properties.user_properties.clone(),
                }
            }),
        })
    }

    fn connack_properties(
        properties: &ConnAckProperties,
    ) -> Result<Option<lib::ConnAckProperties>, EncodeError> {
        non_zero("receive maximum", properties.receive_maximum)?;
        non_zero("maximum packet size", properties.maximum_packet_size)?;
        if properties.maximum_qos == Some(QoS::ExactlyOnce) {
            return Err(invalid_property("maximum QoS", "it must be 0 or 1"));
        }
        optional_string(
            "assigned client identifier",
            &properties.assigned_client_identifier,
        )?;
        optional_string("reason string", &properties.reason_string)?;
        optional_string("response information", &properties.response_information)?;
        optional_string("server reference", &properties.server_reference)?;
        user_properties(&properties.user_properties)?;
        if *properties == ConnAckProperties::default() {
            return Ok(None);
        }
        Ok(Some(lib::ConnAckProperties {
            session_expiry_interval: properties.session_expiry_interval,
            receive_max: properties.receive_maximum,
            max_qos: properties.maximum_qos.map(|qos| qos as u8),
            retain_available: properties.retain_available.map(u8::from),
            max_packet_size: properties.maximum_packet_size,
            assigned_client_identifier: properties.assigned_client_identifier.clone(),
            topic_alias_max: properties.topic_alias_maximum,
            reason_string: properties.reason_string.clone(),
            user_properties: properties.user_properties.clone(),
            wildcard_subscription_available: properties
                .wildcard_subscription_available
                .map(u8::from),
            subscription_identifiers_available: properties
                .subscription_identifiers_available
                .map(u8::from),
            shared_subscription_available: properties.shared_subscription_available.map(u8::from),
            server_keep_alive: properties.server_keep_alive,
            response_information: properties.response_information.clone(),
            server_reference: properties.server_reference.clone(),
            authentication_method: None,
            authentication_data: None,
        }))
    }
}
