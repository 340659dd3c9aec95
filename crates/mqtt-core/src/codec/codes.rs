//! Reason codes between our `ReasonCode` numbers and mqttbytes-ng's per-packet enums.
//!
//! The library keeps its own tables private (and its enums' discriminants are not the codes),
//! so both directions are spelled out here. `None` from a `*_from` function means the code
//! is not one that packet type can carry.

use mqttbytes_ng::{v4, v5, QoS as LibQoS};

use crate::packet::ReasonCode;

/// One table, two functions: enum to code and code to enum.
macro_rules! reason_table {
    ($enum:path, $to_code:ident, $from_code:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        pub(super) fn $to_code(reason: $enum) -> ReasonCode {
            use $enum as E;
            match reason {
                $(E::$variant => ReasonCode($code),)+
            }
        }

        pub(super) fn $from_code(code: ReasonCode) -> Option<$enum> {
            use $enum as E;
            match code.0 {
                $($code => Some(E::$variant),)+
                _ => None,
            }
        }
    };
}

reason_table!(v5::PubAckReason, puback_code, puback_reason {
    Success = 0x00,
    NoMatchingSubscribers = 0x10,
    UnspecifiedError = 0x80,
    ImplementationSpecificError = 0x83,
    NotAuthorized = 0x87,
    TopicNameInvalid = 0x90,
    PacketIdentifierInUse = 0x91,
    QuotaExceeded = 0x97,
    PayloadFormatInvalid = 0x99,
});

reason_table!(v5::PubRecReason, pubrec_code, pubrec_reason {
    Success = 0x00,
    NoMatchingSubscribers = 0x10,
    UnspecifiedError = 0x80,
    ImplementationSpecificError = 0x83,
    NotAuthorized = 0x87,
    TopicNameInvalid = 0x90,
    PacketIdentifierInUse = 0x91,
    QuotaExceeded = 0x97,
    PayloadFormatInvalid = 0x99,
});

reason_table!(v5::PubRelReason, pubrel_code, pubrel_reason {
    Success = 0x00,
    PacketIdentifierNotFound = 0x92,
});

reason_table!(v5::PubCompReason, pubcomp_code, pubcomp_reason {
    Success = 0x00,
    PacketIdentifierNotFound = 0x92,
});

reason_table!(v5::UnsubAckReason, unsuback_code, unsuback_reason {
    Success = 0x00,
    NoSubscriptionExisted = 0x11,
    UnspecifiedError = 0x80,
    ImplementationSpecificError = 0x83,
    NotAuthorized = 0x87,
    TopicFilterInvalid = 0x8F,
    PacketIdentifierInUse = 0x91,
});

reason_table!(v5::DisconnectReasonCode, disconnect_code, disconnect_reason {
    NormalDisconnection = 0x00,
    DisconnectWithWillMessage = 0x04,
    UnspecifiedError = 0x80,
    MalformedPacket = 0x81,
    ProtocolError = 0x82,
    ImplementationSpecificError = 0x83,
    NotAuthorized = 0x87,
    ServerBusy = 0x89,
    ServerShuttingDown = 0x8B,
    KeepAliveTimeout = 0x8D,
    SessionTakenOver = 0x8E,
    TopicFilterInvalid = 0x8F,
    TopicNameInvalid = 0x90,
    ReceiveMaximumExceeded = 0x93,
    TopicAliasInvalid = 0x94,
    PacketTooLarge = 0x95,
    MessageRateTooHigh = 0x96,
    QuotaExceeded = 0x97,
    AdministrativeAction = 0x98,
    PayloadFormatInvalid = 0x99,
    RetainNotSupported = 0x9A,
    QoSNotSupported = 0x9B,
    UseAnotherServer = 0x9C,
    ServerMoved = 0x9D,
    SharedSubscriptionNotSupported = 0x9E,
    ConnectionRateExceeded = 0x9F,
    MaximumConnectTime = 0xA0,
    SubscriptionIdentifiersNotSupported = 0xA1,
    WildcardSubscriptionsNotSupported = 0xA2,
});

/// The library's version 5 CONNACK enum also has three 3.1.1-only variants that its own
/// writer cannot encode (it reaches `unreachable!()`); they are never produced here.
pub(super) fn connack_code_v5(code: v5::ConnectReturnCode) -> ReasonCode {
    use v5::ConnectReturnCode as C;
    match code {
        C::Success => ReasonCode(0x00),
        C::UnspecifiedError => ReasonCode(0x80),
        C::MalformedPacket => ReasonCode(0x81),
        C::ProtocolError => ReasonCode(0x82),
        C::ImplementationSpecificError => ReasonCode(0x83),
        C::UnsupportedProtocolVersion | C::RefusedProtocolVersion => ReasonCode(0x84),
        C::ClientIdentifierNotValid | C::BadClientId => ReasonCode(0x85),
        C::BadUserNamePassword => ReasonCode(0x86),
        C::NotAuthorized => ReasonCode(0x87),
        C::ServerUnavailable | C::ServiceUnavailable => ReasonCode(0x88),
        C::ServerBusy => ReasonCode(0x89),
        C::Banned => ReasonCode(0x8A),
        C::BadAuthenticationMethod => ReasonCode(0x8C),
        C::TopicNameInvalid => ReasonCode(0x90),
        C::PacketTooLarge => ReasonCode(0x95),
        C::QuotaExceeded => ReasonCode(0x97),
        C::PayloadFormatInvalid => ReasonCode(0x99),
        C::RetainNotSupported => ReasonCode(0x9A),
        C::QoSNotSupported => ReasonCode(0x9B),
        C::UseAnotherServer => ReasonCode(0x9C),
        C::ServerMoved => ReasonCode(0x9D),
        C::ConnectionRateExceeded => ReasonCode(0x9F),
    }
}

pub(super) fn connack_reason_v5(code: ReasonCode) -> Option<v5::ConnectReturnCode> {
    use v5::ConnectReturnCode as C;
    Some(match code.0 {
        0x00 => C::Success,
        0x80 => C::UnspecifiedError,
        0x81 => C::MalformedPacket,
        0x82 => C::ProtocolError,
        0x83 => C::ImplementationSpecificError,
        0x84 => C::UnsupportedProtocolVersion,
        0x85 => C::ClientIdentifierNotValid,
        0x86 => C::BadUserNamePassword,
        0x87 => C::NotAuthorized,
        0x88 => C::ServerUnavailable,
        0x89 => C::ServerBusy,
        0x8A => C::Banned,
        0x8C => C::BadAuthenticationMethod,
        0x90 => C::TopicNameInvalid,
        0x95 => C::PacketTooLarge,
        0x97 => C::QuotaExceeded,
        0x99 => C::PayloadFormatInvalid,
        0x9A => C::RetainNotSupported,
        0x9B => C::QoSNotSupported,
        0x9C => C::UseAnotherServer,
        0x9D => C::ServerMoved,
        0x9F => C::ConnectionRateExceeded,
        _ => return None,
    })
}

/// 3.1.1 CONNACK return codes 1 to 5 travel as their version 5 equivalents.
pub(super) fn connack_code_v311(code: v4::ConnectReturnCode) -> ReasonCode {
    ReasonCode::from_v311_connack(code as u8).unwrap_or(ReasonCode::UNSPECIFIED_ERROR)
}

pub(super) fn connack_reason_v311(code: ReasonCode) -> Option<v4::ConnectReturnCode> {
    use v4::ConnectReturnCode as C;
    Some(match code.to_v311_connack()? {
        0 => C::Success,
        1 => C::RefusedProtocolVersion,
        2 => C::BadClientId,
        3 => C::ServiceUnavailable,
        4 => C::BadUserNamePassword,
        5 => C::NotAuthorized,
        _ => return None,
    })
}

pub(super) fn suback_code_v5(code: v5::SubscribeReasonCode) -> ReasonCode {
    use v5::SubscribeReasonCode as S;
    match code {
        S::Success(qos) => ReasonCode(qos as u8),
        S::Failure | S::Unspecified => ReasonCode(0x80),
        S::ImplementationSpecific => ReasonCode(0x83),
        S::NotAuthorized => ReasonCode(0x87),
        S::TopicFilterInvalid => ReasonCode(0x8F),
        S::PkidInUse => ReasonCode(0x91),
        S::QuotaExceeded => ReasonCode(0x97),
        S::SharedSubscriptionsNotSupported => ReasonCode(0x9E),
        S::SubscriptionIdNotSupported => ReasonCode(0xA1),
        S::WildcardSubscriptionsNotSupported => ReasonCode(0xA2),
    }
}

pub(super) fn suback_reason_v5(code: ReasonCode) -> Option<v5::SubscribeReasonCode> {
    use v5::SubscribeReasonCode as S;
    Some(match code.0 {
        0x00 => S::Success(LibQoS::AtMostOnce),
        0x01 => S::Success(LibQoS::AtLeastOnce),
        0x02 => S::Success(LibQoS::ExactlyOnce),
        0x80 => S::Unspecified,
        0x83 => S::ImplementationSpecific,
        0x87 => S::NotAuthorized,
        0x8F => S::TopicFilterInvalid,
        0x91 => S::PkidInUse,
        0x97 => S::QuotaExceeded,
        0x9E => S::SharedSubscriptionsNotSupported,
        0xA1 => S::SubscriptionIdNotSupported,
        0xA2 => S::WildcardSubscriptionsNotSupported,
        _ => return None,
    })
}

/// 3.1.1 SUBACK: a granted QoS, or 0x80 for failure (the same number in version 5).
pub(super) fn suback_code_v311(code: v4::SubscribeReasonCode) -> ReasonCode {
    match code {
        v4::SubscribeReasonCode::Success(qos) => ReasonCode(qos as u8),
        v4::SubscribeReasonCode::Failure => ReasonCode(0x80),
    }
}

pub(super) fn suback_reason_v311(code: ReasonCode) -> Option<v4::SubscribeReasonCode> {
    use v4::SubscribeReasonCode as S;
    Some(match code.0 {
        0x00 => S::Success(LibQoS::AtMostOnce),
        0x01 => S::Success(LibQoS::AtLeastOnce),
        0x02 => S::Success(LibQoS::ExactlyOnce),
        0x80 => S::Failure,
        _ => return None,
    })
}
