//! Reason codes by name and in plain words, and the mapping of the 3.1.1 return codes onto
//! them.
//!
//! The same number means different things in different packets (0x00 is "granted QoS 0" in a
//! SUBACK and "normal disconnection" in a DISCONNECT), so a description needs its context.
//! The words are the English of the errors' `Display`, for native tools and logs; a UI says
//! them in its own tables, from the code and the `ReasonContext`.

use crate::packet::ReasonCode;

/// The packet a reason code came in, which decides how it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReasonContext {
    ConnAck,
    SubAck,
    UnsubAck,
    PubAck,
    PubRec,
    PubRel,
    PubComp,
    Disconnect,
}

/// The version 5 reason codes by name (MQTT 5.0 section 2.4).
impl ReasonCode {
    pub const NORMAL_DISCONNECTION: ReasonCode = ReasonCode(0x00);
    pub const GRANTED_QOS_0: ReasonCode = ReasonCode(0x00);
    pub const GRANTED_QOS_1: ReasonCode = ReasonCode(0x01);
    pub const GRANTED_QOS_2: ReasonCode = ReasonCode(0x02);
    pub const DISCONNECT_WITH_WILL_MESSAGE: ReasonCode = ReasonCode(0x04);
    pub const NO_MATCHING_SUBSCRIBERS: ReasonCode = ReasonCode(0x10);
    pub const NO_SUBSCRIPTION_EXISTED: ReasonCode = ReasonCode(0x11);
    pub const CONTINUE_AUTHENTICATION: ReasonCode = ReasonCode(0x18);
    pub const RE_AUTHENTICATE: ReasonCode = ReasonCode(0x19);
    pub const UNSPECIFIED_ERROR: ReasonCode = ReasonCode(0x80);
    pub const MALFORMED_PACKET: ReasonCode = ReasonCode(0x81);
    pub const PROTOCOL_ERROR: ReasonCode = ReasonCode(0x82);
    pub const IMPLEMENTATION_SPECIFIC_ERROR: ReasonCode = ReasonCode(0x83);
    pub const UNSUPPORTED_PROTOCOL_VERSION: ReasonCode = ReasonCode(0x84);
    pub const CLIENT_IDENTIFIER_NOT_VALID: ReasonCode = ReasonCode(0x85);
    pub const BAD_USER_NAME_OR_PASSWORD: ReasonCode = ReasonCode(0x86);
    pub const NOT_AUTHORIZED: ReasonCode = ReasonCode(0x87);
    pub const SERVER_UNAVAILABLE: ReasonCode = ReasonCode(0x88);
    pub const SERVER_BUSY: ReasonCode = ReasonCode(0x89);
    pub const BANNED: ReasonCode = ReasonCode(0x8A);
    pub const SERVER_SHUTTING_DOWN: ReasonCode = ReasonCode(0x8B);
    pub const BAD_AUTHENTICATION_METHOD: ReasonCode = ReasonCode(0x8C);
    pub const KEEP_ALIVE_TIMEOUT: ReasonCode = ReasonCode(0x8D);
    pub const SESSION_TAKEN_OVER: ReasonCode = ReasonCode(0x8E);
    pub const TOPIC_FILTER_INVALID: ReasonCode = ReasonCode(0x8F);
    pub const TOPIC_NAME_INVALID: ReasonCode = ReasonCode(0x90);
    pub const PACKET_IDENTIFIER_IN_USE: ReasonCode = ReasonCode(0x91);
    pub const PACKET_IDENTIFIER_NOT_FOUND: ReasonCode = ReasonCode(0x92);
    pub const RECEIVE_MAXIMUM_EXCEEDED: ReasonCode = ReasonCode(0x93);
    pub const TOPIC_ALIAS_INVALID: ReasonCode = ReasonCode(0x94);
    pub const PACKET_TOO_LARGE: ReasonCode = ReasonCode(0x95);
    pub const MESSAGE_RATE_TOO_HIGH: ReasonCode = ReasonCode(0x96);
    pub const QUOTA_EXCEEDED: ReasonCode = ReasonCode(0x97);
    pub const ADMINISTRATIVE_ACTION: ReasonCode = ReasonCode(0x98);
    pub const PAYLOAD_FORMAT_INVALID: ReasonCode = ReasonCode(0x99);
    pub const RETAIN_NOT_SUPPORTED: ReasonCode = ReasonCode(0x9A);
    pub const QOS_NOT_SUPPORTED: ReasonCode = ReasonCode(0x9B);
    pub const USE_ANOTHER_SERVER: ReasonCode = ReasonCode(0x9C);
    pub const SERVER_MOVED: ReasonCode = ReasonCode(0x9D);
    pub const SHARED_SUBSCRIPTIONS_NOT_SUPPORTED: ReasonCode = ReasonCode(0x9E);
    pub const CONNECTION_RATE_EXCEEDED: ReasonCode = ReasonCode(0x9F);
    pub const MAXIMUM_CONNECT_TIME: ReasonCode = ReasonCode(0xA0);
    pub const SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED: ReasonCode = ReasonCode(0xA1);
    pub const WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED: ReasonCode = ReasonCode(0xA2);

    /// What this code means, in plain words, for the packet it came in: the errors' `Display`
    /// uses it (a UI has its own words for the code and context).
    pub(crate) fn describe(self, context: ReasonContext) -> &'static str {
        use ReasonContext as C;
        match (self.0, context) {
            (0x00, C::ConnAck) => "connection accepted",
            (0x00, C::SubAck) => "subscribed with QoS 0",
            (0x01, C::SubAck) => "subscribed with QoS 1",
            (0x02, C::SubAck) => "subscribed with QoS 2",
            (0x00, C::UnsubAck) => "unsubscribed",
            (0x00, C::PubAck | C::PubRec) => "accepted",
            (0x00, C::PubRel | C::PubComp) => "completed",
            (0x00, C::Disconnect) => "normal disconnection",
            (0x04, C::Disconnect) => "disconnected, and the will message is to be published",
            (0x10, _) => "accepted, but no one is subscribed to this topic",
            (0x11, _) => "there was no such subscription",
            (0x18, _) => "authentication continues",
            (0x19, _) => "re-authentication requested",
            (0x80, _) => "unspecified error",
            (0x81, _) => "malformed packet",
            (0x82, _) => "protocol error",
            (0x83, C::PubAck | C::PubRec) => "the message was refused by the server",
            (0x83, C::SubAck) => "the subscription was refused by the server",
            (0x83, _) => "implementation-specific error",
            (0x84, _) => "unsupported protocol version",
            (0x85, _) => "client identifier not valid",
            (0x86, _) => "bad user name or password",
            (0x87, C::SubAck) => "not authorized to subscribe to this filter",
            (0x87, C::UnsubAck) => "not authorized to unsubscribe from this filter",
            (0x87, C::PubAck | C::PubRec) => "not authorized to publish to this topic",
            (0x87, _) => "not authorized",
            (0x88, _) => "server unavailable",
            (0x89, _) => "server busy",
            (0x8A, _) => "banned",
            (0x8B, _) => "server shutting down",
            (0x8C, _) => "bad authentication method",
            (0x8D, _) => "keep alive timeout: the server heard nothing from the client in time",
            (0x8E, _) => "session taken over by another connection with the same client identifier",
            (0x8F, _) => "topic filter invalid",
            (0x90, _) => "topic name invalid",
            (0x91, _) => "packet identifier in use",
            (0x92, _) => "packet identifier not found",
            (0x93, _) => "receive maximum exceeded: too many unacknowledged messages",
            (0x94, _) => "topic alias invalid",
            (0x95, _) => "packet too large",
            (0x96, _) => "message rate too high",
            (0x97, _) => "quota exceeded",
            (0x98, _) => "administrative action",
            (0x99, _) => "payload format invalid",
            (0x9A, _) => "retain not supported",
            (0x9B, _) => "QoS not supported",
            (0x9C, _) => "use another server",
            (0x9D, _) => "server moved",
            (0x9E, _) => "shared subscriptions not supported",
            (0x9F, _) => "connection rate exceeded",
            (0xA0, _) => "maximum connect time reached",
            (0xA1, _) => "subscription identifiers not supported",
            (0xA2, _) => "wildcard subscriptions not supported",
            _ => "unknown reason code",
        }
    }

    /// The version 5 code for a 3.1.1 CONNACK return code (MQTT 3.1.1 section 3.2.2.3).
    pub(crate) fn from_v311_connack(return_code: u8) -> Option<ReasonCode> {
        match return_code {
            0 => Some(ReasonCode::SUCCESS),
            1 => Some(ReasonCode::UNSUPPORTED_PROTOCOL_VERSION),
            2 => Some(ReasonCode::CLIENT_IDENTIFIER_NOT_VALID),
            3 => Some(ReasonCode::SERVER_UNAVAILABLE),
            4 => Some(ReasonCode::BAD_USER_NAME_OR_PASSWORD),
            5 => Some(ReasonCode::NOT_AUTHORIZED),
            _ => None,
        }
    }

    /// The 3.1.1 CONNACK return code for this code, if 3.1.1 has one.
    pub(crate) fn to_v311_connack(self) -> Option<u8> {
        match self {
            ReasonCode::SUCCESS => Some(0),
            ReasonCode::UNSUPPORTED_PROTOCOL_VERSION => Some(1),
            ReasonCode::CLIENT_IDENTIFIER_NOT_VALID => Some(2),
            ReasonCode::SERVER_UNAVAILABLE => Some(3),
            ReasonCode::BAD_USER_NAME_OR_PASSWORD => Some(4),
            ReasonCode::NOT_AUTHORIZED => Some(5),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v311_connack_codes_map_to_v5() {
        let expected = [(1, 0x84), (2, 0x85), (3, 0x88), (4, 0x86), (5, 0x87)];
        for (v3, v5) in expected {
            let code = ReasonCode::from_v311_connack(v3).expect("defined return code");
            assert_eq!(code, ReasonCode(v5));
            assert_eq!(code.to_v311_connack(), Some(v3));
        }
        assert_eq!(ReasonCode::from_v311_connack(6), None);
        assert_eq!(ReasonCode::BANNED.to_v311_connack(), None);
    }

    #[test]
    fn descriptions_depend_on_context() {
        assert_eq!(
            ReasonCode(0x87).describe(ReasonContext::ConnAck),
            "not authorized"
        );
        assert_eq!(
            ReasonCode(0x86).describe(ReasonContext::ConnAck),
            "bad user name or password"
        );
        assert_eq!(
            ReasonCode(0x00).describe(ReasonContext::Disconnect),
            "normal disconnection"
        );
        assert_eq!(
            ReasonCode(0x01).describe(ReasonContext::SubAck),
            "subscribed with QoS 1"
        );
        assert_eq!(ReasonCode(0x8A).describe(ReasonContext::ConnAck), "banned");
        assert_eq!(
            ReasonCode(0x42).describe(ReasonContext::PubAck),
            "unknown reason code"
        );
    }

    #[test]
    fn every_v5_code_has_words() {
        let codes = [
            0x00, 0x01, 0x02, 0x04, 0x10, 0x11, 0x18, 0x19, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85,
            0x86, 0x87, 0x88, 0x89, 0x8A, 0x8B, 0x8C, 0x8D, 0x8E, 0x8F, 0x90, 0x91, 0x92, 0x93,
            0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1,
            0xA2,
        ];
        let context_for = |code: u8| match code {
            0x01 | 0x02 => ReasonContext::SubAck,
            0x04 => ReasonContext::Disconnect,
            _ => ReasonContext::PubAck,
        };
        for code in codes {
            let words = ReasonCode(code).describe(context_for(code));
            assert_ne!(words, "unknown reason code", "0x{code:02X}");
        }
    }
}
