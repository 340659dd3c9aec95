//! `Packet` to bytes: every field is validated first, then mqttbytes-ng writes the packet.
//!
//! The library writes string lengths as `len as u16` (a 70,000-byte topic comes out with a
//! wrapped length), writes the first bytes before discovering a zero packet id or an
//! oversized remaining length, and accepts wildcards in topic names; so nothing reaches it
//! unchecked, and its output is only returned when it wrote the whole packet.

use alloc::{string::String, vec, vec::Vec};

use bytes::{Bytes, BytesMut};
use mqttbytes_ng::{v4, v5, QoS as LibQoS};

use super::{
    codes, Disallowed, EncodeError, EncoderLimit, PropertyName, PropertyRule, StringField,
    Version5Field, MAX_PACKET_SIZE,
};
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
            Packet::Auth(auth) => self::auth(auth, maximum),
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

/// mqttbytes-ng 0.7.1 counts an AUTH's property lengths without their length prefixes, so
/// AUTH is written here: `F0 00` for a success without properties, else reason code,
/// property length and properties.
fn auth(auth: &Auth, maximum: u32) -> Result<Vec<u8>, EncodeError> {
    if !matches!(auth.reason.0, 0x00 | 0x18 | 0x19) {
        return Err(EncodeError::InvalidReasonCode {
            packet: "AUTH",
            code: auth.reason,
        });
    }
    let p = &auth.properties;
    authentication(&p.method, &p.data)?;
    optional_string(StringField::ReasonString, &p.reason_string)?;
    user_properties(&p.user_properties)?;
    let mut properties = Vec::new();
    let mut put = |id: u8, fields: &[&[u8]]| {
        properties.push(id);
        for field in fields {
            properties.extend_from_slice(&(field.len() as u16).to_be_bytes());
            properties.extend_from_slice(field);
        }
    };
    if let Some(method) = &p.method {
        put(0x15, &[method.as_bytes()]);
    }
    if let Some(data) = &p.data {
        put(0x16, &[data]);
    }
    if let Some(reason) = &p.reason_string {
        put(0x1F, &[reason.as_bytes()]);
    }
    for (name, value) in &p.user_properties {
        put(0x26, &[name.as_bytes(), value.as_bytes()]);
    }
    let mut body = Vec::new();
    if auth.reason != ReasonCode::SUCCESS || !properties.is_empty() {
        body.push(auth.reason.0);
        push_varint(&mut body, properties.len());
        body.extend_from_slice(&properties);
    }
    let mut bytes = vec![0xF0];
    push_varint(&mut bytes, body.len());
    bytes.extend_from_slice(&body);
    if bytes.len() > maximum as usize {
        return Err(EncodeError::PacketTooLarge {
            size: bytes.len(),
            maximum,
        });
    }
    Ok(bytes)
}

/// A variable byte integer; the lengths given are far below its 268,435,455 limit, as every
/// field was checked to fit a 16-bit length.
fn push_varint(bytes: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value % 128) as u8;
        value /= 128;
        if value == 0 {
            bytes.push(byte);
            return;
        }
        bytes.push(byte | 0x80);
    }
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
            detail: EncoderLimit::IncompletePacket,
        }),
    }
}

fn string(field: StringField, text: &str) -> Result<(), EncodeError> {
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

fn optional_string(field: StringField, text: &Option<String>) -> Result<(), EncodeError> {
    text.as_deref().map_or(Ok(()), |text| string(field, text))
}

/// The authentication method and data, as CONNECT, CONNACK and AUTH carry them.
fn authentication(method: &Option<String>, data: &Option<Bytes>) -> Result<(), EncodeError> {
    optional_string(StringField::AuthenticationMethod, method)?;
    data.as_deref()
        .map_or(Ok(()), |data| binary(StringField::AuthenticationData, data))
}

fn binary(field: StringField, bytes: &[u8]) -> Result<(), EncodeError> {
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
        string(StringField::UserPropertyName, name)?;
        string(StringField::UserPropertyValue, value)?;
    }
    Ok(())
}

fn topic_name(topic: &str) -> Result<(), EncodeError> {
    validate_topic_name(topic).map_err(EncodeError::InvalidTopic)
}

fn topic_filter(filter: &str) -> Result<(), EncodeError> {
    validate_topic_filter(filter).map_err(EncodeError::InvalidFilter)
}

fn invalid_property(name: PropertyName, detail: PropertyRule) -> EncodeError {
    EncodeError::InvalidProperty { name, detail }
}

fn non_zero<T: Default + PartialEq>(
    name: PropertyName,
    value: Option<T>,
) -> Result<(), EncodeError> {
    if value == Some(T::default()) {
        return Err(invalid_property(name, PropertyRule::NotZero));
    }
    Ok(())
}

fn payload_format(value: Option<u8>) -> Result<(), EncodeError> {
    if value.is_some_and(|value| value > 1) {
        return Err(invalid_property(
            PropertyName::PayloadFormatIndicator,
            PropertyRule::ZeroOrOne,
        ));
    }
    Ok(())
}

fn subscription_identifier(id: u32) -> Result<usize, EncodeError> {
    if id == 0 || id > MAX_SUBSCRIPTION_IDENTIFIER {
        return Err(invalid_property(
            PropertyName::SubscriptionIdentifier,
            PropertyRule::SubscriptionIdentifierRange,
        ));
    }
    Ok(id as usize)
}

/// The user name and password, as the library wants them: it leaves out empty values and
/// only carries UTF-8 passwords.
fn credentials(connect: &Connect) -> Result<Option<(String, String)>, EncodeError> {
    if let Some(username) = &connect.username {
        string(StringField::UserName, username)?;
        if username.is_empty() {
            return Err(EncodeError::Unsupported {
                detail: EncoderLimit::EmptyUserName,
            });
        }
    }
    if let Some(password) = &connect.password {
        binary(StringField::Password, password)?;
        if password.is_empty() {
            return Err(EncodeError::Unsupported {
                detail: EncoderLimit::EmptyPassword,
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
                    detail: EncoderLimit::PasswordNotUtf8,
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

mod to_v311;
mod to_v5;
