//! Bytes to packets and packets to bytes, for MQTT 3.1.1 and 5.0.
//!
//! mqttbytes-ng does the field-level work; this module owns everything that decides whether
//! bytes are acceptable, because the library alone accepts malformed input and can emit
//! corrupt output. Decoding first cuts exactly one frame (fixed header plus remaining length),
//! checks its flags and size, then checks the frame's whole structure before the library reads
//! it; so a malformed packet is an error that consumes its frame and the stream stays in sync.
//! Encoding validates every field the library would silently truncate or accept.

mod check;
mod codes;
mod decode;
mod detail;
mod encode;

use core::fmt;

use bytes::BytesMut;

use crate::packet::{Packet, ProtocolVersion, ReasonCode};
use crate::topic::TopicError;

pub use detail::{
    Disallowed, EncoderLimit, Malformation, PropertyName, PropertyRule, ProtocolFault, StringField,
    Version5Field,
};
pub use encode::encode;

/// The largest packet MQTT can carry: one type byte, four length bytes, the remaining length.
pub const MAX_PACKET_SIZE: u32 = 268_435_460;

/// Why received bytes are not an acceptable packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes break the MQTT encoding rules. `packet` is `None` while the packet's type
    /// is not known (a broken length prefix, a reserved type): an "incoming" packet.
    Malformed {
        packet: Option<&'static str>,
        detail: Malformation,
    },
    /// A topic name or topic filter breaks the topic rules.
    InvalidTopic {
        packet: &'static str,
        error: TopicError,
    },
    /// Well formed, but something the protocol forbids (a property given twice, a zero topic
    /// alias, an authentication exchange this client never asked for).
    ProtocolError {
        packet: &'static str,
        detail: ProtocolFault,
    },
    /// The length prefix announces a packet larger than this side accepts.
    PacketTooLarge { size: usize, maximum: u32 },
    /// A packet only a client sends (CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ), or a DISCONNECT
    /// from a 3.1.1 server, came from the server.
    NotFromServer { packet: &'static str },
}

impl DecodeError {
    /// The version 5 reason code to close the connection with.
    pub fn reason_code(&self) -> ReasonCode {
        match self {
            DecodeError::Malformed { .. } | DecodeError::InvalidTopic { .. } => {
                ReasonCode::MALFORMED_PACKET
            }
            DecodeError::ProtocolError { .. } | DecodeError::NotFromServer { .. } => {
                ReasonCode::PROTOCOL_ERROR
            }
            DecodeError::PacketTooLarge { .. } => ReasonCode::PACKET_TOO_LARGE,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Malformed { packet, detail } => {
                let packet = packet.unwrap_or("incoming");
                write!(f, "malformed {packet} packet: {detail}")
            }
            DecodeError::InvalidTopic { packet, error } => {
                write!(f, "invalid topic in {packet} packet: {error}")
            }
            DecodeError::ProtocolError { packet, detail } => {
                write!(f, "protocol error in {packet} packet: {detail}")
            }
            DecodeError::PacketTooLarge { size, maximum } => write!(
                f,
                "a packet of {size} bytes arrived, more than the maximum of {maximum} bytes"
            ),
            DecodeError::NotFromServer { packet } => {
                write!(f, "the server sent {packet}, which a server must not send")
            }
        }
    }
}

/// Why a packet cannot be encoded. Nothing is written when this is returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// A topic name (PUBLISH, will, response topic) breaks the topic rules.
    InvalidTopic(TopicError),
    /// A topic filter (SUBSCRIBE, UNSUBSCRIBE) breaks the topic rules.
    InvalidFilter(TopicError),
    /// A string or binary field is longer than its 16-bit length prefix can say.
    StringTooLong { field: StringField, len: usize },
    /// The packet is larger than the peer accepts, or than MQTT can carry.
    PacketTooLarge { size: usize, maximum: u32 },
    /// A property value the protocol forbids (a zero topic alias, a zero receive maximum, ...).
    InvalidProperty {
        name: PropertyName,
        detail: PropertyRule,
    },
    /// The reason code is not one this packet type can carry.
    InvalidReasonCode {
        packet: &'static str,
        code: ReasonCode,
    },
    /// A field or property that only exists in MQTT 5 was given for a 3.1.1 packet.
    NotInVersion311 {
        packet: &'static str,
        field: Version5Field,
    },
    /// SUBSCRIBE and UNSUBSCRIBE need at least one filter.
    NoFilters,
    /// A string contains U+0000, which MQTT strings cannot carry (MQTT-1.5.4-2).
    NullCharacter { field: StringField },
    /// A valid packet the underlying encoder cannot produce (see `detail`).
    Unsupported { detail: EncoderLimit },
    /// Not allowed by the protocol for this packet (e.g. no local on a shared subscription).
    ProtocolViolation { detail: Disallowed },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::InvalidTopic(error) => write!(f, "invalid topic: {error}"),
            EncodeError::InvalidFilter(error) => write!(f, "invalid topic filter: {error}"),
            EncodeError::StringTooLong { field, len } => write!(
                f,
                "the {field} is {len} bytes long, more than the 65535 bytes MQTT allows"
            ),
            EncodeError::PacketTooLarge { size, maximum } => write!(
                f,
                "the packet would be {size} bytes, more than the maximum of {maximum} bytes"
            ),
            EncodeError::InvalidProperty { name, detail } => {
                write!(f, "invalid {name} property: {detail}")
            }
            EncodeError::InvalidReasonCode { packet, code } => write!(
                f,
                "reason code 0x{:02X} cannot be sent in a {packet} packet",
                code.0
            ),
            // The will's properties are named by the will, not by the CONNECT that carries it.
            EncodeError::NotInVersion311 {
                field: field @ Version5Field::WillProperties,
                ..
            } => write!(f, "the {field} only exists in MQTT 5, not in MQTT 3.1.1"),
            EncodeError::NotInVersion311 { packet, field } => write!(
                f,
                "the {packet} {field} only exists in MQTT 5, not in MQTT 3.1.1"
            ),
            EncodeError::NullCharacter { field } => {
                write!(f, "the {field} contains a null character (U+0000)")
            }
            EncodeError::NoFilters => f.write_str("at least one topic filter is needed"),
            EncodeError::Unsupported { detail } => {
                write!(f, "this packet cannot be sent: {detail}")
            }
            EncodeError::ProtocolViolation { detail } => write!(f, "{detail}"),
        }
    }
}

/// The fixed header of a frame whose length prefix is complete.
#[derive(Clone, Copy, Debug)]
struct FrameHeader {
    byte1: u8,
    /// One type byte plus one to four length bytes.
    header_len: usize,
    remaining_len: usize,
}

impl FrameHeader {
    fn frame_len(&self) -> usize {
        self.header_len + self.remaining_len
    }

    fn packet_type(&self) -> u8 {
        self.byte1 >> 4
    }
}

/// Turns received bytes, split or batched any way, into packets, one frame at a time.
///
/// Errors inside a complete frame consume that frame, so the next packet decodes normally
/// (the caller will usually close the connection anyway). Errors in the fixed header itself
/// (a broken length prefix, a packet over the size limit) leave no frame boundary to resume
/// from: the decoder then drops its buffer and keeps returning that error.
#[derive(Debug)]
pub struct Decoder {
    version: ProtocolVersion,
    max_packet_size: u32,
    buffer: BytesMut,
    failed: Option<DecodeError>,
}

impl Decoder {
    /// `max_packet_size` is the largest whole packet accepted, in bytes (as in the MQTT 5
    /// Maximum Packet Size property; use `MAX_PACKET_SIZE` for no limit).
    pub fn new(version: ProtocolVersion, max_packet_size: u32) -> Self {
        Decoder {
            version,
            max_packet_size,
            buffer: BytesMut::new(),
            failed: None,
        }
    }

    /// Applies from the next frame on.
    pub fn set_version(&mut self, version: ProtocolVersion) {
        self.version = version;
    }

    /// Applies from the next frame on.
    pub fn set_max_packet_size(&mut self, max_packet_size: u32) {
        self.max_packet_size = max_packet_size;
    }

    /// How many received bytes wait for `next_packet`.
    pub fn buffered_len(&self) -> usize {
        self.buffer.len()
    }

    /// Appends received bytes. Fails as soon as the next frame's length prefix is malformed
    /// or announces a packet over the limit, before the rest of that packet is buffered.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), DecodeError> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        self.buffer.extend_from_slice(bytes);
        self.next_header().map(|_| ())
    }

    /// The next complete packet, `Ok(None)` if more bytes are needed.
    pub fn next_packet(&mut self) -> Result<Option<Packet>, DecodeError> {
        self.next::<true>()
    }

    /// `next_packet` for a client: a packet only a client sends is `NotFromServer` before
    /// its body is read, so that a client's binary holds no code to read those packets.
    pub fn next_server_packet(&mut self) -> Result<Option<Packet>, DecodeError> {
        self.next::<false>()
    }

    fn next<const CLIENT_PACKETS: bool>(&mut self) -> Result<Option<Packet>, DecodeError> {
        let Some(header) = self.next_header()? else {
            return Ok(None);
        };
        if self.buffer.len() < header.frame_len() {
            return Ok(None);
        }
        let frame = self.buffer.split_to(header.frame_len()).freeze();
        decode::decode_frame::<CLIENT_PACKETS>(self.version, header, frame).map(Some)
    }

    /// Parses the fixed header at the front of the buffer, if its length prefix is complete,
    /// and checks what can be checked before the body arrives: type, flags and size.
    fn next_header(&mut self) -> Result<Option<FrameHeader>, DecodeError> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        let header = match parse_fixed_header(&self.buffer, self.version) {
            Ok(Some(header)) => header,
            Ok(None) => return Ok(None),
            Err(error) => return Err(self.fail(error)),
        };
        if header.frame_len() > self.max_packet_size as usize {
            return Err(self.fail(DecodeError::PacketTooLarge {
                size: header.frame_len(),
                maximum: self.max_packet_size,
            }));
        }
        Ok(Some(header))
    }

    fn fail(&mut self, error: DecodeError) -> DecodeError {
        self.failed = Some(error);
        self.buffer = BytesMut::new();
        error
    }
}

/// Reads the type byte and the variable length integer after it; `Ok(None)` if incomplete.
fn parse_fixed_header(
    bytes: &[u8],
    version: ProtocolVersion,
) -> Result<Option<FrameHeader>, DecodeError> {
    let Some(&byte1) = bytes.first() else {
        return Ok(None);
    };
    let mut remaining_len = 0usize;
    for index in 0..4 {
        let Some(&byte) = bytes.get(1 + index) else {
            return Ok(None);
        };
        remaining_len |= usize::from(byte & 0x7F) << (7 * index);
        if byte & 0x80 == 0 {
            // MQTT 5 requires the shortest encoding (MQTT-1.5.5-1); 3.1.1 does not say so.
            if index > 0 && byte == 0 && version == ProtocolVersion::V5 {
                return Err(DecodeError::Malformed {
                    packet: None,
                    detail: Malformation::RemainingLengthNotShortest,
                });
            }
            return Ok(Some(FrameHeader {
                byte1,
                header_len: 2 + index,
                remaining_len,
            }));
        }
    }
    Err(DecodeError::Malformed {
        packet: None,
        detail: Malformation::RemainingLengthTooLong,
    })
}
