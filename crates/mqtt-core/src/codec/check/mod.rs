//! The structural check of one complete frame, before mqttbytes-ng reads it.
//!
//! The library reads fields in order but does not check that they end exactly where the
//! remaining length and the property length say, lets properties appear in any packet and any
//! number of times, does not reject zero packet ids everywhere, nor reserved bits, nor U+0000
//! in strings, nor wildcards in topic names. This walk over the frame does, without
//! allocating, so that everything the library is given is a valid packet.

use bytes::Bytes;

use crate::packet::{Auth, AuthProperties, ProtocolVersion, PublishProperties, ReasonCode};
use crate::topic::{validate_topic_filter, validate_topic_name};

use super::{DecodeError, Malformation, ProtocolFault};

mod reader;
use reader::Reader;

/// Property identifiers (MQTT 5.0 section 2.2.2.2).
mod id {
    pub const PAYLOAD_FORMAT_INDICATOR: u8 = 0x01;
    pub const MESSAGE_EXPIRY_INTERVAL: u8 = 0x02;
    pub const CONTENT_TYPE: u8 = 0x03;
    pub const RESPONSE_TOPIC: u8 = 0x08;
    pub const CORRELATION_DATA: u8 = 0x09;
    pub const SUBSCRIPTION_IDENTIFIER: u8 = 0x0B;
    pub const SESSION_EXPIRY_INTERVAL: u8 = 0x11;
    pub const ASSIGNED_CLIENT_IDENTIFIER: u8 = 0x12;
    pub const SERVER_KEEP_ALIVE: u8 = 0x13;
    pub const AUTHENTICATION_METHOD: u8 = 0x15;
    pub const AUTHENTICATION_DATA: u8 = 0x16;
    pub const REQUEST_PROBLEM_INFORMATION: u8 = 0x17;
    pub const WILL_DELAY_INTERVAL: u8 = 0x18;
    pub const REQUEST_RESPONSE_INFORMATION: u8 = 0x19;
    pub const RESPONSE_INFORMATION: u8 = 0x1A;
    pub const SERVER_REFERENCE: u8 = 0x1C;
    pub const REASON_STRING: u8 = 0x1F;
    pub const RECEIVE_MAXIMUM: u8 = 0x21;
    pub const TOPIC_ALIAS_MAXIMUM: u8 = 0x22;
    pub const TOPIC_ALIAS: u8 = 0x23;
    pub const MAXIMUM_QOS: u8 = 0x24;
    pub const RETAIN_AVAILABLE: u8 = 0x25;
    pub const USER_PROPERTY: u8 = 0x26;
    pub const MAXIMUM_PACKET_SIZE: u8 = 0x27;
    pub const WILDCARD_SUBSCRIPTION_AVAILABLE: u8 = 0x28;
    pub const SUBSCRIPTION_IDENTIFIER_AVAILABLE: u8 = 0x29;
    pub const SHARED_SUBSCRIPTION_AVAILABLE: u8 = 0x2A;
}

/// A set of property identifiers, one bit each (all identifiers are below 64).
type PropertySet = u64;

const fn set(ids: &[u8]) -> PropertySet {
    let mut bits = 0;
    let mut index = 0;
    while index < ids.len() {
        bits |= 1 << ids[index];
        index += 1;
    }
    bits
}

const PUBLISH_PROPERTIES: PropertySet = set(&[
    id::PAYLOAD_FORMAT_INDICATOR,
    id::MESSAGE_EXPIRY_INTERVAL,
    id::CONTENT_TYPE,
    id::RESPONSE_TOPIC,
    id::CORRELATION_DATA,
    id::SUBSCRIPTION_IDENTIFIER,
    id::TOPIC_ALIAS,
    id::USER_PROPERTY,
]);
const WILL_PROPERTIES: PropertySet = set(&[
    id::PAYLOAD_FORMAT_INDICATOR,
    id::MESSAGE_EXPIRY_INTERVAL,
    id::CONTENT_TYPE,
    id::RESPONSE_TOPIC,
    id::CORRELATION_DATA,
    id::WILL_DELAY_INTERVAL,
    id::USER_PROPERTY,
]);
const CONNECT_PROPERTIES: PropertySet = set(&[
    id::SESSION_EXPIRY_INTERVAL,
    id::AUTHENTICATION_METHOD,
    id::AUTHENTICATION_DATA,
    id::REQUEST_PROBLEM_INFORMATION,
    id::REQUEST_RESPONSE_INFORMATION,
    id::RECEIVE_MAXIMUM,
    id::TOPIC_ALIAS_MAXIMUM,
    id::USER_PROPERTY,
    id::MAXIMUM_PACKET_SIZE,
]);
const CONNACK_PROPERTIES: PropertySet = set(&[
    id::SESSION_EXPIRY_INTERVAL,
    id::ASSIGNED_CLIENT_IDENTIFIER,
    id::SERVER_KEEP_ALIVE,
    id::AUTHENTICATION_METHOD,
    id::AUTHENTICATION_DATA,
    id::RESPONSE_INFORMATION,
    id::SERVER_REFERENCE,
    id::REASON_STRING,
    id::RECEIVE_MAXIMUM,
    id::TOPIC_ALIAS_MAXIMUM,
    id::MAXIMUM_QOS,
    id::RETAIN_AVAILABLE,
    id::USER_PROPERTY,
    id::MAXIMUM_PACKET_SIZE,
    id::WILDCARD_SUBSCRIPTION_AVAILABLE,
    id::SUBSCRIPTION_IDENTIFIER_AVAILABLE,
    id::SHARED_SUBSCRIPTION_AVAILABLE,
]);
/// PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK and UNSUBACK.
const ACK_PROPERTIES: PropertySet = set(&[id::REASON_STRING, id::USER_PROPERTY]);
const SUBSCRIBE_PROPERTIES: PropertySet = set(&[id::SUBSCRIPTION_IDENTIFIER, id::USER_PROPERTY]);
const UNSUBSCRIBE_PROPERTIES: PropertySet = set(&[id::USER_PROPERTY]);
const DISCONNECT_PROPERTIES: PropertySet = set(&[
    id::SESSION_EXPIRY_INTERVAL,
    id::SERVER_REFERENCE,
    id::REASON_STRING,
    id::USER_PROPERTY,
]);
const AUTH_PROPERTIES: PropertySet = set(&[
    id::AUTHENTICATION_METHOD,
    id::AUTHENTICATION_DATA,
    id::REASON_STRING,
    id::USER_PROPERTY,
]);

/// The reason codes each version 5 packet may carry (MQTT 5.0 section 3).
const CONNACK_CODES: &[u8] = &[
    0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97,
    0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F,
];
const PUBACK_CODES: &[u8] = &[0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];
const PUBREL_CODES: &[u8] = &[0x00, 0x92];
const SUBACK_CODES: &[u8] = &[
    0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2,
];
const SUBACK_CODES_V311: &[u8] = &[0x00, 0x01, 0x02, 0x80];
const UNSUBACK_CODES: &[u8] = &[0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91];
const DISCONNECT_CODES: &[u8] = &[
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95,
    0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2,
];
const AUTH_CODES: &[u8] = &[0x00, 0x18, 0x19];

/// The name of a packet type for messages, after checking the fixed header flags
/// (MQTT-2.1.3-1: reserved flags must be exactly as the table says; QoS 3 is malformed).
pub(super) fn packet_name(
    version: ProtocolVersion,
    byte1: u8,
) -> Result<&'static str, DecodeError> {
    let flags = byte1 & 0x0F;
    let (name, required_flags) = match byte1 >> 4 {
        1 => ("CONNECT", 0),
        2 => ("CONNACK", 0),
        3 => {
            if flags & 0b0110 == 0b0110 {
                return Err(DecodeError::Malformed {
                    packet: Some("PUBLISH"),
                    detail: Malformation::PublishQos3,
                });
            }
            return Ok("PUBLISH");
        }
        4 => ("PUBACK", 0),
        5 => ("PUBREC", 0),
        6 => ("PUBREL", 0b0010),
        7 => ("PUBCOMP", 0),
        8 => ("SUBSCRIBE", 0b0010),
        9 => ("SUBACK", 0),
        10 => ("UNSUBSCRIBE", 0b0010),
        11 => ("UNSUBACK", 0),
        12 => ("PINGREQ", 0),
        13 => ("PINGRESP", 0),
        14 => ("DISCONNECT", 0),
        15 if version == ProtocolVersion::V5 => ("AUTH", 0),
        _ => {
            return Err(DecodeError::Malformed {
                packet: None,
                detail: Malformation::ReservedPacketType,
            })
        }
    };
    if flags != required_flags {
        return Err(DecodeError::Malformed {
            packet: Some(name),
            detail: Malformation::ReservedFixedHeaderFlags,
        });
    }
    Ok(name)
}

/// Checks the body of a frame (what follows the fixed header) of the named packet type.
/// Returns the length of the PUBLISH payload (0 for other packets).
pub(super) fn check_body(
    version: ProtocolVersion,
    byte1: u8,
    packet: &'static str,
    body: &[u8],
) -> Result<usize, DecodeError> {
    let v5 = version == ProtocolVersion::V5;
    let mut reader = Reader {
        rest: body,
        packet,
        v5,
    };
    let reader = &mut reader;
    match byte1 >> 4 {
        1 => connect(reader),
        2 => connack(reader),
        3 => {
            publish(reader, (byte1 >> 1) & 0b11)?;
            return Ok(reader.rest.len());
        }
        4 | 5 => ack(reader, PUBACK_CODES),
        6 | 7 => ack(reader, PUBREL_CODES),
        8 => subscribe(reader),
        9 => suback(reader),
        10 => unsubscribe(reader),
        11 => unsuback(reader),
        14 if v5 => optional_reason_and_properties(reader, DISCONNECT_CODES, DISCONNECT_PROPERTIES),
        15 => optional_reason_and_properties(reader, AUTH_CODES, AUTH_PROPERTIES),
        // PINGREQ, PINGRESP and the 3.1.1 DISCONNECT are empty.
        _ => Ok(()),
    }?;
    reader.finish()?;
    Ok(0)
}

/// The properties of a version 5 PUBLISH body that `check_body` accepted, read here rather
/// than by mqttbytes-ng: its reader counts each subscription identifier one byte too long,
/// so with several identifiers it stops before the end of the properties and hands the rest
/// to the payload.
pub(super) fn publish_properties(body: &[u8], qos: u8) -> Result<PublishProperties, DecodeError> {
    let mut r = Reader {
        rest: body,
        packet: "PUBLISH",
        v5: true,
    };
    r.string()?;
    if qos > 0 {
        r.packet_id()?;
    }
    let len = r.varint()?;
    let mut r = Reader {
        rest: r.take(len as usize)?,
        packet: "PUBLISH",
        v5: true,
    };
    let mut properties = PublishProperties::default();
    while !r.rest.is_empty() {
        match r.u8()? {
            id::PAYLOAD_FORMAT_INDICATOR => properties.payload_format_indicator = Some(r.u8()?),
            id::MESSAGE_EXPIRY_INTERVAL => properties.message_expiry_interval = Some(r.u32()?),
            id::CONTENT_TYPE => properties.content_type = Some(r.string()?.into()),
            id::RESPONSE_TOPIC => properties.response_topic = Some(r.string()?.into()),
            id::CORRELATION_DATA => {
                properties.correlation_data = Some(Bytes::copy_from_slice(r.binary()?));
            }
            id::SUBSCRIPTION_IDENTIFIER => properties.subscription_identifiers.push(r.varint()?),
            id::TOPIC_ALIAS => properties.topic_alias = Some(r.u16()?),
            id::USER_PROPERTY => {
                let name = r.string()?.into();
                properties.user_properties.push((name, r.string()?.into()));
            }
            _ => return Err(r.malformed(Malformation::PropertyNotAllowed)),
        }
    }
    Ok(properties)
}

/// A version 5 AUTH body that `check_body` accepted, read here: mqttbytes-ng 0.7.1 counts
/// its properties' lengths without their length prefixes, and cannot read the empty body
/// that means success.
pub(super) fn auth(body: &[u8]) -> Result<Auth, DecodeError> {
    let mut r = Reader {
        rest: body,
        packet: "AUTH",
        v5: true,
    };
    let mut auth = Auth {
        reason: ReasonCode::SUCCESS,
        properties: AuthProperties::default(),
    };
    if r.rest.is_empty() {
        return Ok(auth);
    }
    auth.reason = ReasonCode(r.u8()?);
    if r.rest.is_empty() {
        return Ok(auth);
    }
    let len = r.varint()?;
    let mut r = Reader {
        rest: r.take(len as usize)?,
        packet: "AUTH",
        v5: true,
    };
    let properties = &mut auth.properties;
    while !r.rest.is_empty() {
        match r.u8()? {
            id::AUTHENTICATION_METHOD => properties.method = Some(r.string()?.into()),
            id::AUTHENTICATION_DATA => {
                properties.data = Some(Bytes::copy_from_slice(r.binary()?));
            }
            id::REASON_STRING => properties.reason_string = Some(r.string()?.into()),
            id::USER_PROPERTY => {
                let name = r.string()?.into();
                properties.user_properties.push((name, r.string()?.into()));
            }
            _ => return Err(r.malformed(Malformation::PropertyNotAllowed)),
        }
    }
    Ok(auth)
}

fn connect(r: &mut Reader) -> Result<(), DecodeError> {
    if r.string()? != "MQTT" {
        return Err(r.malformed(Malformation::ProtocolNameNotMqtt));
    }
    let level = r.u8()?;
    if level != if r.v5 { 5 } else { 4 } {
        return Err(r.malformed(Malformation::ProtocolLevelMismatch));
    }
    let flags = r.u8()?;
    let has_will = flags & 0x04 != 0;
    let will_qos = (flags >> 3) & 0b11;
    let has_username = flags & 0x80 != 0;
    let has_password = flags & 0x40 != 0;
    if flags & 0x01 != 0 {
        return Err(r.malformed(Malformation::ReservedConnectFlag));
    }
    if will_qos == 3 || (!has_will && flags & 0b0011_1000 != 0) {
        return Err(r.malformed(Malformation::WillFlagsMismatch));
    }
    if !r.v5 && has_password && !has_username {
        return Err(r.malformed(Malformation::PasswordWithoutUserName));
    }
    r.u16()?;
    if r.v5 {
        r.properties(CONNECT_PROPERTIES)?;
    }
    r.string()?;
    if has_will {
        if r.v5 {
            r.properties(WILL_PROPERTIES)?;
        }
        r.topic_name()?;
        r.binary()?;
    }
    if has_username {
        r.string()?;
    }
    if has_password {
        r.binary()?;
    }
    Ok(())
}

fn connack(r: &mut Reader) -> Result<(), DecodeError> {
    if r.u8()? & 0xFE != 0 {
        return Err(r.malformed(Malformation::ReservedAcknowledgeFlags));
    }
    let code = r.u8()?;
    if r.v5 {
        r.reason_code_in(code, CONNACK_CODES)?;
        r.properties(CONNACK_PROPERTIES)?;
    } else if code > 5 {
        return Err(r.malformed(Malformation::ReturnCodeNotInVersion311));
    }
    Ok(())
}

/// Checks the header of a PUBLISH; its payload is whatever follows and needs no check.
fn publish(r: &mut Reader, qos: u8) -> Result<(), DecodeError> {
    let topic = r.string()?;
    if qos > 0 {
        r.packet_id()?;
    }
    let properties = if r.v5 {
        r.properties(PUBLISH_PROPERTIES)?
    } else {
        0
    };
    if topic.is_empty() && r.v5 {
        // An empty topic stands for the one the topic alias was set to (MQTT-3.3.2-8).
        if properties & set(&[id::TOPIC_ALIAS]) == 0 {
            return Err(r.protocol_error(ProtocolFault::EmptyTopicWithoutAlias));
        }
        return Ok(());
    }
    validate_topic_name(topic).map_err(|error| r.invalid_topic(error))
}

/// PUBACK, PUBREC, PUBREL, PUBCOMP: a packet id, then in version 5 an optional reason code
/// and optional properties (MQTT 5.0 section 3.4.2.1: absent when the remaining length is 2).
fn ack(r: &mut Reader, codes: &[u8]) -> Result<(), DecodeError> {
    r.packet_id()?;
    if r.v5 {
        optional_reason_and_properties(r, codes, ACK_PROPERTIES)?;
    }
    Ok(())
}

/// A reason code that may be left out (meaning 0x00), then properties that may be left out.
fn optional_reason_and_properties(
    r: &mut Reader,
    codes: &[u8],
    properties: PropertySet,
) -> Result<(), DecodeError> {
    if !r.rest.is_empty() {
        let code = r.u8()?;
        r.reason_code_in(code, codes)?;
        if !r.rest.is_empty() {
            r.properties(properties)?;
        }
    }
    Ok(())
}

fn subscribe(r: &mut Reader) -> Result<(), DecodeError> {
    r.packet_id()?;
    if r.v5 {
        r.properties(SUBSCRIBE_PROPERTIES)?;
    }
    if r.rest.is_empty() {
        return Err(r.protocol_error(ProtocolFault::NoTopicFilter));
    }
    while !r.rest.is_empty() {
        let filter = r.string()?;
        validate_topic_filter(filter).map_err(|error| r.invalid_topic(error))?;
        let options = r.u8()?;
        let reserved = if r.v5 { 0b1100_0000 } else { 0b1111_1100 };
        if options & reserved != 0 {
            return Err(r.malformed(Malformation::ReservedSubscriptionOptions));
        }
        if options & 0b11 == 3 {
            return Err(r.malformed(Malformation::SubscriptionQos3));
        }
        if (options >> 4) & 0b11 == 3 {
            return Err(r.protocol_error(ProtocolFault::RetainHandling3));
        }
        if options & 0b100 != 0 && filter.starts_with("$share/") {
            return Err(r.protocol_error(ProtocolFault::NoLocalOnSharedSubscription));
        }
    }
    Ok(())
}

fn suback(r: &mut Reader) -> Result<(), DecodeError> {
    r.packet_id()?;
    let codes = if r.v5 {
        r.properties(ACK_PROPERTIES)?;
        SUBACK_CODES
    } else {
        SUBACK_CODES_V311
    };
    reason_code_list(r, codes)
}

fn unsubscribe(r: &mut Reader) -> Result<(), DecodeError> {
    r.packet_id()?;
    if r.v5 {
        r.properties(UNSUBSCRIBE_PROPERTIES)?;
    }
    if r.rest.is_empty() {
        return Err(r.protocol_error(ProtocolFault::NoTopicFilter));
    }
    while !r.rest.is_empty() {
        let filter = r.string()?;
        validate_topic_filter(filter).map_err(|error| r.invalid_topic(error))?;
    }
    Ok(())
}

fn unsuback(r: &mut Reader) -> Result<(), DecodeError> {
    r.packet_id()?;
    if r.v5 {
        r.properties(ACK_PROPERTIES)?;
        reason_code_list(r, UNSUBACK_CODES)?;
    }
    Ok(())
}

/// The SUBACK and UNSUBACK payload: one reason code per filter, at least one.
fn reason_code_list(r: &mut Reader, codes: &[u8]) -> Result<(), DecodeError> {
    if r.rest.is_empty() {
        return Err(r.protocol_error(ProtocolFault::NoReasonCode));
    }
    while !r.rest.is_empty() {
        let code = r.u8()?;
        r.reason_code_in(code, codes)?;
    }
    Ok(())
}
