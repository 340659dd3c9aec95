//! `Reader`: the fields of a frame body, read in order and bounds-checked.

use super::*;

/// Reads the fields of a frame body in order, bounds-checked, without allocating.
pub(super) struct Reader<'a> {
    pub(super) rest: &'a [u8],
    pub(super) packet: &'static str,
    pub(super) v5: bool,
}

impl<'a> Reader<'a> {
    pub(super) fn malformed(&self, detail: Malformation) -> DecodeError {
        DecodeError::Malformed {
            packet: Some(self.packet),
            detail,
        }
    }

    pub(super) fn protocol_error(&self, detail: ProtocolFault) -> DecodeError {
        DecodeError::ProtocolError {
            packet: self.packet,
            detail,
        }
    }

    pub(super) fn invalid_topic(&self, error: crate::topic::TopicError) -> DecodeError {
        DecodeError::InvalidTopic {
            packet: self.packet,
            error,
        }
    }

    pub(super) fn finish(&self) -> Result<(), DecodeError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(self.malformed(Malformation::BytesLeftOver))
        }
    }

    pub(super) fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        match (self.rest.get(..len), self.rest.get(len..)) {
            (Some(taken), Some(rest)) => {
                self.rest = rest;
                Ok(taken)
            }
            _ => Err(self.malformed(Malformation::FieldPastEnd)),
        }
    }

    pub(super) fn u8(&mut self) -> Result<u8, DecodeError> {
        let [byte] = self.take(1)? else {
            return Err(self.malformed(Malformation::FieldPastEnd));
        };
        Ok(*byte)
    }

    pub(super) fn u16(&mut self) -> Result<u16, DecodeError> {
        let &[high, low] = self.take(2)? else {
            return Err(self.malformed(Malformation::FieldPastEnd));
        };
        Ok(u16::from_be_bytes([high, low]))
    }

    pub(super) fn u32(&mut self) -> Result<u32, DecodeError> {
        let &[a, b, c, d] = self.take(4)? else {
            return Err(self.malformed(Malformation::FieldPastEnd));
        };
        Ok(u32::from_be_bytes([a, b, c, d]))
    }

    /// A variable byte integer: at most four bytes, in its shortest form (MQTT-1.5.5-1).
    pub(super) fn varint(&mut self) -> Result<u32, DecodeError> {
        let mut value = 0u32;
        for index in 0..4 {
            let byte = self.u8()?;
            value |= u32::from(byte & 0x7F) << (7 * index);
            if byte & 0x80 == 0 {
                if index > 0 && byte == 0 {
                    return Err(self.malformed(Malformation::VarintNotShortest));
                }
                return Ok(value);
            }
        }
        Err(self.malformed(Malformation::VarintTooLong))
    }

    pub(super) fn packet_id(&mut self) -> Result<u16, DecodeError> {
        match self.u16()? {
            0 => Err(self.malformed(Malformation::PacketIdZero)),
            id => Ok(id),
        }
    }

    pub(super) fn binary(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.u16()?;
        self.take(usize::from(len))
    }

    /// A UTF-8 string without U+0000 (MQTT-1.5.4-1, MQTT-1.5.4-2).
    pub(super) fn string(&mut self) -> Result<&'a str, DecodeError> {
        let bytes = self.binary()?;
        let text =
            core::str::from_utf8(bytes).map_err(|_| self.malformed(Malformation::StringNotUtf8))?;
        if bytes.contains(&0) {
            return Err(self.malformed(Malformation::StringNullCharacter));
        }
        Ok(text)
    }

    pub(super) fn topic_name(&mut self) -> Result<(), DecodeError> {
        let topic = self.string()?;
        validate_topic_name(topic).map_err(|error| self.invalid_topic(error))
    }

    pub(super) fn reason_code_in(&self, code: u8, allowed: &[u8]) -> Result<(), DecodeError> {
        if allowed.contains(&code) {
            Ok(())
        } else {
            Err(self.malformed(Malformation::ReasonCodeNotAllowed))
        }
    }

    /// A property length and the properties it covers, each allowed in this packet, not
    /// repeated unless the protocol allows it, with values in range. Returns which were seen.
    pub(super) fn properties(&mut self, allowed: PropertySet) -> Result<PropertySet, DecodeError> {
        let len = self.varint()?;
        let block = self.take(len as usize)?;
        let mut r = Reader {
            rest: block,
            packet: self.packet,
            v5: true,
        };
        let mut seen: PropertySet = 0;
        while !r.rest.is_empty() {
            // Identifiers are variable byte integers, but every defined one fits in one byte
            // below 64: anything else is an identifier this packet cannot carry.
            let identifier = r.u8()?;
            let bit = 1u64.checked_shl(u32::from(identifier)).unwrap_or(0);
            if bit == 0 || allowed & bit == 0 {
                return Err(r.malformed(Malformation::PropertyNotAllowed));
            }
            let repeatable = identifier == id::USER_PROPERTY
                || (identifier == id::SUBSCRIPTION_IDENTIFIER && self.packet == "PUBLISH");
            if seen & bit != 0 && !repeatable {
                return Err(r.protocol_error(ProtocolFault::PropertyRepeated));
            }
            seen |= bit;
            r.property_value(identifier)?;
        }
        Ok(seen)
    }

    pub(super) fn property_value(&mut self, identifier: u8) -> Result<(), DecodeError> {
        match identifier {
            id::PAYLOAD_FORMAT_INDICATOR
            | id::REQUEST_PROBLEM_INFORMATION
            | id::REQUEST_RESPONSE_INFORMATION
            | id::MAXIMUM_QOS
            | id::RETAIN_AVAILABLE
            | id::WILDCARD_SUBSCRIPTION_AVAILABLE
            | id::SUBSCRIPTION_IDENTIFIER_AVAILABLE
            | id::SHARED_SUBSCRIPTION_AVAILABLE => {
                if self.u8()? > 1 {
                    return Err(self.protocol_error(ProtocolFault::PropertyNotZeroOrOne));
                }
            }
            id::SERVER_KEEP_ALIVE | id::TOPIC_ALIAS_MAXIMUM => {
                self.u16()?;
            }
            id::RECEIVE_MAXIMUM | id::TOPIC_ALIAS => {
                if self.u16()? == 0 {
                    return Err(self.protocol_error(ProtocolFault::PropertyZero));
                }
            }
            id::MESSAGE_EXPIRY_INTERVAL | id::SESSION_EXPIRY_INTERVAL | id::WILL_DELAY_INTERVAL => {
                self.u32()?;
            }
            id::MAXIMUM_PACKET_SIZE => {
                if self.u32()? == 0 {
                    return Err(self.protocol_error(ProtocolFault::MaximumPacketSizeZero));
                }
            }
            id::SUBSCRIPTION_IDENTIFIER => {
                if self.varint()? == 0 {
                    return Err(self.protocol_error(ProtocolFault::SubscriptionIdentifierZero));
                }
            }
            id::RESPONSE_TOPIC => self.topic_name()?,
            id::CONTENT_TYPE
            | id::ASSIGNED_CLIENT_IDENTIFIER
            | id::AUTHENTICATION_METHOD
            | id::RESPONSE_INFORMATION
            | id::SERVER_REFERENCE
            | id::REASON_STRING => {
                self.string()?;
            }
            id::CORRELATION_DATA | id::AUTHENTICATION_DATA => {
                self.binary()?;
            }
            id::USER_PROPERTY => {
                self.string()?;
                self.string()?;
            }
            _ => return Err(self.malformed(Malformation::PropertyNotAllowed)),
        }
        Ok(())
    }
}
