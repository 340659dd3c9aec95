//! One checked frame to one `Packet`: mqttbytes-ng reads the fields, this maps them onto the
//! unified model and fills in what the library loses.

use alloc::{string::String, vec::Vec};
use core::num::NonZeroU16;

use bytes::Bytes;
use mqttbytes_ng::{v4, v5, FixedHeader, QoS as LibQoS};

use super::{check, codes, DecodeError, FrameHeader, Malformation};
use crate::packet::*;

/// Decodes one whole frame (fixed header included, as the library expects); without
/// `CLIENT_PACKETS`, the packets only a client sends are refused unread.
pub(super) fn decode_frame<const CLIENT_PACKETS: bool>(
    version: ProtocolVersion,
    header: FrameHeader,
    frame: Bytes,
) -> Result<Packet, DecodeError> {
    let body = frame.get(header.header_len..).unwrap_or_default();
    let version = if version == ProtocolVersion::V5 && is_version_311_refusal(header.byte1, body) {
        ProtocolVersion::V311
    } else {
        version
    };
    let packet = check::packet_name(version, header.byte1)?;
    if !CLIENT_PACKETS && matches!(header.packet_type(), 1 | 8 | 10 | 12) {
        return Err(DecodeError::NotFromServer { packet });
    }
    let payload_len = check::check_body(version, header.byte1, packet, body)?;
    let converter = Converter { packet };
    let length_len = header.header_len - 1;
    // The library takes the frame by value; the clone shares the same buffer.
    let whole = frame.clone();
    match version {
        ProtocolVersion::V311 => {
            let fixed = FixedHeader::new(header.byte1, length_len, header.remaining_len);
            converter.v311::<CLIENT_PACKETS>(header.packet_type(), fixed, whole, body)
        }
        ProtocolVersion::V5 => {
            let fixed = v5::FixedHeader::new(header.byte1, length_len, header.remaining_len);
            converter.v5::<CLIENT_PACKETS>(header.packet_type(), fixed, whole, body, payload_len)
        }
    }
}

/// A 3.1.1-only server answers a 5.0 CONNECT with a 3.1.1 CONNACK refusal (return code 1,
/// unacceptable protocol version, or another of 1..=5, none of them a 5.0 CONNACK code; a
/// refusal never has session present): it is read as what it is, so that the user hears the
/// reason instead of "malformed".
fn is_version_311_refusal(byte1: u8, body: &[u8]) -> bool {
    byte1 == 0x20 && matches!(body, [0x00, 1..=5])
}

/// Maps library values to the model; knows the packet name for error messages.
#[derive(Clone, Copy)]
struct Converter {
    packet: &'static str,
}

/// Where the connect flags sit in a CONNECT body: after the protocol name and level.
const CONNECT_FLAGS_OFFSET: usize = 2 + 4 + 1;

impl Converter {
    /// The library refused a frame the structural check accepted: one of its own limits.
    fn library(self, _error: mqttbytes_ng::Error) -> DecodeError {
        self.malformed(Malformation::RejectedByReader)
    }

    fn malformed(self, detail: Malformation) -> DecodeError {
        DecodeError::Malformed {
            packet: Some(self.packet),
            detail,
        }
    }

    fn packet_id(self, id: u16) -> Result<PacketId, DecodeError> {
        NonZeroU16::new(id).ok_or_else(|| self.malformed(Malformation::PacketIdZero))
    }

    fn delivery(self, qos: LibQoS, id: u16) -> Result<Delivery, DecodeError> {
        Ok(match qos {
            LibQoS::AtMostOnce => Delivery::AtMostOnce,
            LibQoS::AtLeastOnce => Delivery::AtLeastOnce(self.packet_id(id)?),
            LibQoS::ExactlyOnce => Delivery::ExactlyOnce(self.packet_id(id)?),
        })
    }

    fn utf8(self, bytes: Bytes) -> Result<String, DecodeError> {
        match core::str::from_utf8(&bytes) {
            Ok(text) => Ok(String::from(text)),
            Err(_) => Err(self.malformed(Malformation::StringNotUtf8)),
        }
    }

    fn v311<const CLIENT_PACKETS: bool>(
        self,
        packet_type: u8,
        fixed: FixedHeader,
        frame: Bytes,
        body: &[u8],
    ) -> Result<Packet, DecodeError> {
        let lib = |error| self.library(error);
        Ok(match packet_type {
            1 if CLIENT_PACKETS => {
                let flags = body.get(CONNECT_FLAGS_OFFSET).copied().unwrap_or(0);
                let connect = v4::Connect::read(fixed, frame).map_err(lib)?;
                let (username, password) = login(flags, connect.login);
                Packet::Connect(Connect {
                    version: ProtocolVersion::V311,
                    client_id: connect.client_id,
                    keep_alive: connect.keep_alive,
                    clean_start: connect.clean_session,
                    username,
                    password,
                    will: connect.last_will.map(|will| Will {
                        topic: will.topic,
                        payload: will.message,
                        qos: qos(will.qos),
                        retain: will.retain,
                        properties: WillProperties::default(),
                    }),
                    properties: ConnectProperties::default(),
                })
            }
            2 => {
                let connack = v4::ConnAck::read(fixed, frame).map_err(lib)?;
                Packet::ConnAck(ConnAck {
                    session_present: connack.session_present,
                    code: codes::connack_code_v311(connack.code),
                    properties: ConnAckProperties::default(),
                })
            }
            3 => {
                let publish = v4::Publish::read(fixed, frame).map_err(lib)?;
                Packet::Publish(Publish {
                    dup: publish.dup,
                    delivery: self.delivery(publish.qos, publish.pkid)?,
                    retain: publish.retain,
                    topic: publish.topic,
                    payload: publish.payload,
                    properties: PublishProperties::default(),
                })
            }
            4 => Packet::PubAck(self.ack_v311(v4::PubAck::read(fixed, frame).map_err(lib)?.pkid)?),
            5 => Packet::PubRec(self.ack_v311(v4::PubRec::read(fixed, frame).map_err(lib)?.pkid)?),
            6 => Packet::PubRel(self.ack_v311(v4::PubRel::read(fixed, frame).map_err(lib)?.pkid)?),
            7 => {
                Packet::PubComp(self.ack_v311(v4::PubComp::read(fixed, frame).map_err(lib)?.pkid)?)
            }
            8 if CLIENT_PACKETS => {
                let subscribe = v4::Subscribe::read(fixed, frame).map_err(lib)?;
                Packet::Subscribe(Subscribe {
                    packet_id: self.packet_id(subscribe.pkid)?,
                    filters: subscribe
                        .filters
                        .into_iter()
                        .map(|filter| SubscribeFilter {
                            filter: filter.path,
                            options: SubscriptionOptions {
                                qos: qos(filter.qos),
                                no_local: false,
                                retain_as_published: false,
                                retain_handling: RetainHandling::SendAtSubscribe,
                            },
                        })
                        .collect(),
                    properties: SubscribeProperties::default(),
                })
            }
            9 => {
                let suback = v4::SubAck::read(fixed, frame).map_err(lib)?;
                Packet::SubAck(SubAck {
                    packet_id: self.packet_id(suback.pkid)?,
                    reason_codes: suback
                        .return_codes
                        .into_iter()
                        .map(codes::suback_code_v311)
                        .collect(),
                    properties: AckProperties::default(),
                })
            }
            10 if CLIENT_PACKETS => {
                let unsubscribe = v4::Unsubscribe::read(fixed, frame).map_err(lib)?;
                Packet::Unsubscribe(Unsubscribe {
                    packet_id: self.packet_id(unsubscribe.pkid)?,
                    filters: unsubscribe.topics,
                    user_properties: UserProperties::new(),
                })
            }
            11 => {
                let unsuback = v4::UnsubAck::read(fixed, frame).map_err(lib)?;
                Packet::UnsubAck(UnsubAck {
                    packet_id: self.packet_id(unsuback.pkid)?,
                    reason_codes: Vec::new(),
                    properties: AckProperties::default(),
                })
            }
            12 if CLIENT_PACKETS => Packet::PingReq,
            13 => Packet::PingResp,
            14 => Packet::Disconnect(Disconnect {
                reason: ReasonCode::NORMAL_DISCONNECTION,
                properties: DisconnectProperties::default(),
            }),
            _ => return Err(self.malformed(Malformation::ReservedPacketType)),
        })
    }

    fn ack_v311(self, id: u16) -> Result<Ack, DecodeError> {
        Ok(Ack {
            packet_id: self.packet_id(id)?,
            reason: ReasonCode::SUCCESS,
            properties: AckProperties::default(),
        })
    }

    fn v5<const CLIENT_PACKETS: bool>(
        self,
        packet_type: u8,
        fixed: v5::FixedHeader,
        frame: Bytes,
        body: &[u8],
        payload_len: usize,
    ) -> Result<Packet, DecodeError> {
        let lib = |error| self.library(error);
        Ok(match packet_type {
            1 if CLIENT_PACKETS => {
                let flags = body.get(CONNECT_FLAGS_OFFSET).copied().unwrap_or(0);
                let (connect, will, credentials) = v5::Connect::read(fixed, frame).map_err(lib)?;
                let (username, password) = login_v5(flags, credentials);
                let will = match will {
                    Some(will) => Some(Will {
                        topic: self.utf8(will.topic)?,
                        payload: will.message,
                        qos: qos(will.qos),
                        retain: will.retain,
                        properties: will.properties.map(will_properties).unwrap_or_default(),
                    }),
                    None => None,
                };
                Packet::Connect(Connect {
                    version: ProtocolVersion::V5,
                    client_id: connect.client_id,
                    keep_alive: connect.keep_alive,
                    clean_start: connect.clean_start,
                    username,
                    password,
                    will,
                    properties: connect
                        .properties
                        .map(connect_properties)
                        .unwrap_or_default(),
                })
            }
            2 => {
                let connack = v5::ConnAck::read(fixed, frame).map_err(lib)?;
                Packet::ConnAck(ConnAck {
                    session_present: connack.session_present,
                    code: codes::connack_code_v5(connack.code),
                    properties: connack
                        .properties
                        .map(connack_properties)
                        .unwrap_or_default(),
                })
            }
            3 => {
                let publish = v5::Publish::read(fixed, frame.clone()).map_err(lib)?;
                let (payload, properties) = if publish.payload.len() == payload_len {
                    let properties = match publish.properties {
                        Some(properties) => self.publish_properties(properties)?,
                        None => PublishProperties::default(),
                    };
                    (publish.payload, properties)
                } else {
                    // The library stopped reading properties too early (several subscription
                    // identifiers): take the payload and properties from the frame itself.
                    let start = frame.len().saturating_sub(payload_len);
                    let qos = publish.qos as u8;
                    (frame.slice(start..), check::publish_properties(body, qos)?)
                };
                Packet::Publish(Publish {
                    dup: publish.dup,
                    delivery: self.delivery(publish.qos, publish.pkid)?,
                    retain: publish.retain,
                    topic: self.utf8(publish.topic)?,
                    payload,
                    properties,
                })
            }
            4 => {
                let ack = v5::PubAck::read(fixed, frame).map_err(lib)?;
                Packet::PubAck(Ack {
                    packet_id: self.packet_id(ack.pkid)?,
                    reason: codes::puback_code(ack.reason),
                    properties: ack_properties(
                        ack.properties.map(|p| (p.reason_string, p.user_properties)),
                    ),
                })
            }
            5 => {
                let ack = v5::PubRec::read(fixed, frame).map_err(lib)?;
                Packet::PubRec(Ack {
                    packet_id: self.packet_id(ack.pkid)?,
                    reason: codes::pubrec_code(ack.reason),
                    properties: ack_properties(
                        ack.properties.map(|p| (p.reason_string, p.user_properties)),
                    ),
                })
            }
            6 => {
                let ack = v5::PubRel::read(fixed, frame).map_err(lib)?;
                Packet::PubRel(Ack {
                    packet_id: self.packet_id(ack.pkid)?,
                    reason: codes::pubrel_code(ack.reason),
                    properties: ack_properties(
                        ack.properties.map(|p| (p.reason_string, p.user_properties)),
                    ),
                })
            }
            7 => {
                let ack = v5::PubComp::read(fixed, frame).map_err(lib)?;
                Packet::PubComp(Ack {
                    packet_id: self.packet_id(ack.pkid)?,
                    reason: codes::pubcomp_code(ack.reason),
                    properties: ack_properties(
                        ack.properties.map(|p| (p.reason_string, p.user_properties)),
                    ),
                })
            }
            8 if CLIENT_PACKETS => {
                let subscribe = v5::Subscribe::read(fixed, frame).map_err(lib)?;
                let properties = match subscribe.properties {
                    Some(properties) => SubscribeProperties {
                        subscription_identifier: match properties.id {
                            Some(id) => Some(self.subscription_identifier(id)?),
                            None => None,
                        },
                        user_properties: properties.user_properties,
                    },
                    None => SubscribeProperties::default(),
                };
                Packet::Subscribe(Subscribe {
                    packet_id: self.packet_id(subscribe.pkid)?,
                    filters: subscribe
                        .filters
                        .into_iter()
                        .map(subscribe_filter)
                        .collect(),
                    properties,
                })
            }
            9 => {
                let suback = v5::SubAck::read(fixed, frame).map_err(lib)?;
                Packet::SubAck(SubAck {
                    packet_id: self.packet_id(suback.pkid)?,
                    reason_codes: suback
                        .return_codes
                        .into_iter()
                        .map(codes::suback_code_v5)
                        .collect(),
                    properties: ack_properties(
                        suback
                            .properties
                            .map(|p| (p.reason_string, p.user_properties)),
                    ),
                })
            }
            10 if CLIENT_PACKETS => {
                let unsubscribe = v5::Unsubscribe::read(fixed, frame).map_err(lib)?;
                Packet::Unsubscribe(Unsubscribe {
                    packet_id: self.packet_id(unsubscribe.pkid)?,
                    filters: unsubscribe.filters,
                    user_properties: unsubscribe
                        .properties
                        .map(|p| p.user_properties)
                        .unwrap_or_default(),
                })
            }
            11 => {
                let unsuback = v5::UnsubAck::read(fixed, frame).map_err(lib)?;
                Packet::UnsubAck(UnsubAck {
                    packet_id: self.packet_id(unsuback.pkid)?,
                    reason_codes: unsuback
                        .reasons
                        .into_iter()
                        .map(codes::unsuback_code)
                        .collect(),
                    properties: ack_properties(
                        unsuback
                            .properties
                            .map(|p| (p.reason_string, p.user_properties)),
                    ),
                })
            }
            12 if CLIENT_PACKETS => Packet::PingReq,
            13 => Packet::PingResp,
            14 => match body {
                // The library cannot read a DISCONNECT that is a reason code alone (it wants a
                // property length), though MQTT 5.0 section 3.14.2.2.1 allows leaving it out.
                [] | [_] => Packet::Disconnect(Disconnect {
                    reason: ReasonCode(body.first().copied().unwrap_or(0)),
                    properties: DisconnectProperties::default(),
                }),
                _ => {
                    let disconnect = v5::Disconnect::read(fixed, frame).map_err(lib)?;
                    let properties = disconnect.properties.unwrap_or(v5::DisconnectProperties {
                        session_expiry_interval: None,
                        reason_string: None,
                        user_properties: Vec::new(),
                        server_reference: None,
                    });
                    Packet::Disconnect(Disconnect {
                        reason: codes::disconnect_code(disconnect.reason_code),
                        properties: DisconnectProperties {
                            session_expiry_interval: properties.session_expiry_interval,
                            reason_string: properties.reason_string,
                            server_reference: properties.server_reference,
                            user_properties: properties.user_properties,
                        },
                    })
                }
            },
            15 => Packet::Auth(check::auth(body)?),
            _ => return Err(self.malformed(Malformation::ReservedPacketType)),
        })
    }

    fn subscription_identifier(self, id: usize) -> Result<u32, DecodeError> {
        u32::try_from(id)
            .map_err(|_| self.malformed(Malformation::SubscriptionIdentifierOutOfRange))
    }

    fn publish_properties(
        self,
        properties: v5::PublishProperties,
    ) -> Result<PublishProperties, DecodeError> {
        Ok(PublishProperties {
            payload_format_indicator: properties.payload_format_indicator,
            message_expiry_interval: properties.message_expiry_interval,
            topic_alias: properties.topic_alias,
            response_topic: properties.response_topic,
            correlation_data: properties.correlation_data,
            user_properties: properties.user_properties,
            subscription_identifiers: properties
                .subscription_identifiers
                .into_iter()
                .map(|id| self.subscription_identifier(id))
                .collect::<Result<_, _>>()?,
            content_type: properties.content_type,
        })
    }
}

/// The library reports an absent user name or password as an empty one; the connect
/// flags say which were really there.
fn login(flags: u8, login: Option<v4::Login>) -> (Option<String>, Option<Bytes>) {
    let (username, password) = login
        .map(|login| (login.username, login.password))
        .unwrap_or_default();
    credentials(flags, username, password)
}

fn login_v5(flags: u8, login: Option<v5::Login>) -> (Option<String>, Option<Bytes>) {
    let (username, password) = login
        .map(|login| (login.username, login.password))
        .unwrap_or_default();
    credentials(flags, username, password)
}

fn credentials(flags: u8, username: String, password: String) -> (Option<String>, Option<Bytes>) {
    (
        (flags & 0x80 != 0).then_some(username),
        (flags & 0x40 != 0).then(|| Bytes::from(password.into_bytes())),
    )
}

fn qos(qos: LibQoS) -> QoS {
    match qos {
        LibQoS::AtMostOnce => QoS::AtMostOnce,
        LibQoS::AtLeastOnce => QoS::AtLeastOnce,
        LibQoS::ExactlyOnce => QoS::ExactlyOnce,
    }
}

fn flag(value: Option<u8>) -> Option<bool> {
    value.map(|value| value != 0)
}

fn ack_properties(properties: Option<(Option<String>, UserProperties)>) -> AckProperties {
    let (reason_string, user_properties) = properties.unwrap_or_default();
    AckProperties {
        reason_string,
        user_properties,
    }
}

fn subscribe_filter(filter: v5::Filter) -> SubscribeFilter {
    SubscribeFilter {
        filter: filter.path,
        options: SubscriptionOptions {
            qos: qos(filter.qos),
            no_local: filter.nolocal,
            retain_as_published: filter.preserve_retain,
            retain_handling: match filter.retain_forward_rule {
                v5::RetainForwardRule::OnEverySubscribe => RetainHandling::SendAtSubscribe,
                v5::RetainForwardRule::OnNewSubscribe => RetainHandling::SendAtSubscribeIfNew,
                v5::RetainForwardRule::Never => RetainHandling::DoNotSend,
            },
        },
    }
}

fn will_properties(properties: v5::LastWillProperties) -> WillProperties {
    WillProperties {
        delay_interval: properties.delay_interval,
        payload_format_indicator: properties.payload_format_indicator,
        message_expiry_interval: properties.message_expiry_interval,
        content_type: properties.content_type,
        response_topic: properties.response_topic,
        correlation_data: properties.correlation_data,
        user_properties: properties.user_properties,
    }
}

fn connect_properties(properties: v5::ConnectProperties) -> ConnectProperties {
    ConnectProperties {
        session_expiry_interval: properties.session_expiry_interval,
        receive_maximum: properties.receive_maximum,
        maximum_packet_size: properties.max_packet_size,
        topic_alias_maximum: properties.topic_alias_max,
        request_response_information: flag(properties.request_response_info),
        request_problem_information: flag(properties.request_problem_info),
        user_properties: properties.user_properties,
        authentication_method: properties.authentication_method,
        authentication_data: properties.authentication_data,
    }
}

fn connack_properties(properties: v5::ConnAckProperties) -> ConnAckProperties {
    ConnAckProperties {
        session_expiry_interval: properties.session_expiry_interval,
        receive_maximum: properties.receive_max,
        maximum_qos: properties.max_qos.map(|value| {
            if value == 0 {
                QoS::AtMostOnce
            } else {
                QoS::AtLeastOnce
            }
        }),
        retain_available: flag(properties.retain_available),
        maximum_packet_size: properties.max_packet_size,
        assigned_client_identifier: properties.assigned_client_identifier,
        topic_alias_maximum: properties.topic_alias_max,
        reason_string: properties.reason_string,
        user_properties: properties.user_properties,
        wildcard_subscription_available: flag(properties.wildcard_subscription_available),
        subscription_identifiers_available: flag(properties.subscription_identifiers_available),
        shared_subscription_available: flag(properties.shared_subscription_available),
        server_keep_alive: properties.server_keep_alive,
        response_information: properties.response_information,
        server_reference: properties.server_reference,
        authentication_method: properties.authentication_method,
        authentication_data: properties.authentication_data,
    }
}
