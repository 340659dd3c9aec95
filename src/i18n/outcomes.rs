//! The core's typed outcomes as texts: each variant of its errors and each reason code, in
//! the words of the tables. The core's own `Display` is for native tools; the UI uses these.
//!
//! The codec's errors name fields and say what is wrong as typed values (`StringField`,
//! `Malformation`, ...), each a text of its own here; only packet type names (CONNACK) are
//! passed on as they are, protocol tokens inside a translated sentence.

use mqtt_core::codec::{
    Disallowed, EncoderLimit, Malformation, PropertyName, PropertyRule, ProtocolFault, StringField,
    Version5Field,
};
use mqtt_core::{
    CommandError, ConnectionError, DecodeError, EncodeError, ManagedProperty, PacketIdUse,
    ProtocolViolation, PublishError, ReasonCode, ReasonContext, ServerReason, TopicError,
    TransportError,
};

use mqtt_core::scram::ScramError;

use super::{Key, Text};

pub fn topic_error(error: &TopicError) -> Text {
    match error {
        TopicError::Empty => Key::TopicEmpty.into(),
        TopicError::TooLong { len } => Text::new(Key::TopicTooLong)
            .number("len", *len as u64)
            .number("maximum", mqtt_core::topic::MAX_TOPIC_LEN as u64),
        TopicError::NullCharacter => Key::TopicNullCharacter.into(),
        TopicError::WildcardInTopicName => Key::TopicWildcardInName.into(),
        TopicError::MisplacedMultiLevelWildcard => Key::TopicMisplacedMultiLevel.into(),
        TopicError::MisplacedSingleLevelWildcard => Key::TopicMisplacedSingleLevel.into(),
        TopicError::InvalidSharedSubscription => Key::TopicInvalidShared.into(),
    }
}

/// What `code` means in the packet it came in: the same number reads differently in a
/// SUBACK and in a DISCONNECT.
pub fn reason_code(code: ReasonCode, context: ReasonContext) -> Text {
    use ReasonContext as C;
    let unknown = || Text::new(Key::ReasonUnknown).with("code", format!("{:02X}", code.0));
    let key = match code {
        // 0x00 is SUCCESS, GRANTED_QOS_0 and NORMAL_DISCONNECTION.
        ReasonCode::SUCCESS => match context {
            C::ConnAck => Key::ReasonConnectionAccepted,
            C::SubAck => Key::ReasonGrantedQos0,
            C::UnsubAck => Key::ReasonUnsubscribed,
            C::PubAck | C::PubRec => Key::ReasonAccepted,
            C::PubRel | C::PubComp => Key::ReasonCompleted,
            C::Disconnect => Key::ReasonNormalDisconnection,
        },
        // These three mean something in one packet only; elsewhere they are unknown.
        ReasonCode::GRANTED_QOS_1 if context == C::SubAck => Key::ReasonGrantedQos1,
        ReasonCode::GRANTED_QOS_2 if context == C::SubAck => Key::ReasonGrantedQos2,
        ReasonCode::DISCONNECT_WITH_WILL_MESSAGE if context == C::Disconnect => {
            Key::ReasonDisconnectWithWill
        }
        ReasonCode::NO_MATCHING_SUBSCRIBERS => Key::ReasonNoMatchingSubscribers,
        ReasonCode::NO_SUBSCRIPTION_EXISTED => Key::ReasonNoSubscriptionExisted,
        ReasonCode::CONTINUE_AUTHENTICATION => Key::ReasonContinueAuthentication,
        ReasonCode::RE_AUTHENTICATE => Key::ReasonReAuthenticate,
        ReasonCode::UNSPECIFIED_ERROR => Key::ReasonUnspecifiedError,
        ReasonCode::MALFORMED_PACKET => Key::ReasonMalformedPacket,
        ReasonCode::PROTOCOL_ERROR => Key::ReasonProtocolError,
        ReasonCode::IMPLEMENTATION_SPECIFIC_ERROR => match context {
            C::PubAck | C::PubRec => Key::ReasonMessageRefused,
            C::SubAck => Key::ReasonSubscriptionRefused,
            C::ConnAck | C::UnsubAck | C::PubRel | C::PubComp | C::Disconnect => {
                Key::ReasonImplementationSpecificError
            }
        },
        ReasonCode::UNSUPPORTED_PROTOCOL_VERSION => Key::ReasonUnsupportedProtocolVersion,
        ReasonCode::CLIENT_IDENTIFIER_NOT_VALID => Key::ReasonClientIdentifierNotValid,
        ReasonCode::BAD_USER_NAME_OR_PASSWORD => Key::ReasonBadUserNameOrPassword,
        ReasonCode::NOT_AUTHORIZED => match context {
            C::SubAck => Key::ReasonNotAuthorizedToSubscribe,
            C::UnsubAck => Key::ReasonNotAuthorizedToUnsubscribe,
            C::PubAck | C::PubRec => Key::ReasonNotAuthorizedToPublish,
            C::ConnAck | C::PubRel | C::PubComp | C::Disconnect => Key::ReasonNotAuthorized,
        },
        ReasonCode::SERVER_UNAVAILABLE => Key::ReasonServerUnavailable,
        ReasonCode::SERVER_BUSY => Key::ReasonServerBusy,
        ReasonCode::BANNED => Key::ReasonBanned,
        ReasonCode::SERVER_SHUTTING_DOWN => Key::ReasonServerShuttingDown,
        ReasonCode::BAD_AUTHENTICATION_METHOD => Key::ReasonBadAuthenticationMethod,
        ReasonCode::KEEP_ALIVE_TIMEOUT => Key::ReasonKeepAliveTimeout,
        ReasonCode::SESSION_TAKEN_OVER => Key::ReasonSessionTakenOver,
        ReasonCode::TOPIC_FILTER_INVALID => Key::ReasonTopicFilterInvalid,
        ReasonCode::TOPIC_NAME_INVALID => Key::ReasonTopicNameInvalid,
        ReasonCode::PACKET_IDENTIFIER_IN_USE => Key::ReasonPacketIdentifierInUse,
        ReasonCode::PACKET_IDENTIFIER_NOT_FOUND => Key::ReasonPacketIdentifierNotFound,
        ReasonCode::RECEIVE_MAXIMUM_EXCEEDED => Key::ReasonReceiveMaximumExceeded,
        ReasonCode::TOPIC_ALIAS_INVALID => Key::ReasonTopicAliasInvalid,
        ReasonCode::PACKET_TOO_LARGE => Key::ReasonPacketTooLarge,
        ReasonCode::MESSAGE_RATE_TOO_HIGH => Key::ReasonMessageRateTooHigh,
        ReasonCode::QUOTA_EXCEEDED => Key::ReasonQuotaExceeded,
        ReasonCode::ADMINISTRATIVE_ACTION => Key::ReasonAdministrativeAction,
        ReasonCode::PAYLOAD_FORMAT_INVALID => Key::ReasonPayloadFormatInvalid,
        ReasonCode::RETAIN_NOT_SUPPORTED => Key::ReasonRetainNotSupported,
        ReasonCode::QOS_NOT_SUPPORTED => Key::ReasonQosNotSupported,
        ReasonCode::USE_ANOTHER_SERVER => Key::ReasonUseAnotherServer,
        ReasonCode::SERVER_MOVED => Key::ReasonServerMoved,
        ReasonCode::SHARED_SUBSCRIPTIONS_NOT_SUPPORTED => {
            Key::ReasonSharedSubscriptionsNotSupported
        }
        ReasonCode::CONNECTION_RATE_EXCEEDED => Key::ReasonConnectionRateExceeded,
        ReasonCode::MAXIMUM_CONNECT_TIME => Key::ReasonMaximumConnectTime,
        ReasonCode::SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED => {
            Key::ReasonSubscriptionIdentifiersNotSupported
        }
        ReasonCode::WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED => {
            Key::ReasonWildcardSubscriptionsNotSupported
        }
        // A byte MQTT 5 gives no meaning (a broken or newer server).
        _ => return unknown(),
    };
    key.into()
}

/// A reason code with the server's own reason string, if it gave one.
fn refusal(code: ReasonCode, context: ReasonContext, reason_string: Option<&str>) -> Text {
    let reason = reason_code(code, context);
    match reason_string {
        Some(words) => Text::new(Key::ReasonWithString)
            .with("reason", reason)
            .with("reason_string", words),
        None => reason,
    }
}

/// A CONNACK's or DISCONNECT's reason: the code in that packet's words, the server's reason
/// string and the server it suggests instead, as the server gave them.
pub fn server_reason(reason: &ServerReason, context: ReasonContext) -> Text {
    let words = reason_code(reason.code, context);
    match (&reason.reason_string, &reason.server_reference) {
        (None, None) => words,
        (Some(string), None) => Text::new(Key::ReasonWithString)
            .with("reason", words)
            .with("reason_string", string.as_str()),
        (None, Some(server)) => Text::new(Key::ReasonWithReference)
            .with("reason", words)
            .with("server", server.as_str()),
        (Some(string), Some(server)) => Text::new(Key::ReasonWithStringAndReference)
            .with("reason", words)
            .with("reason_string", string.as_str())
            .with("server", server.as_str()),
    }
}

/// Why a connection ended or never came up, to follow a colon ("Connection lost: …").
pub fn connection_error(error: &ConnectionError) -> Text {
    match error {
        ConnectionError::Transport(error) => transport_error(error),
        ConnectionError::ConnAckTimeout(after) => {
            Text::new(Key::ConnackTimeout).number("seconds", after.as_secs())
        }
        ConnectionError::PingTimeout(after) => {
            Text::new(Key::PingTimeout).number("seconds", after.as_secs())
        }
        ConnectionError::Protocol(violation) => protocol_violation(violation),
        ConnectionError::Refused(reason) => server_reason(reason, ReasonContext::ConnAck),
        ConnectionError::ServerDisconnected(reason) => Text::new(Key::ServerDisconnected)
            .with("reason", server_reason(reason, ReasonContext::Disconnect)),
        ConnectionError::InvalidOptions(error) => {
            Text::new(Key::CannotConnect).with("reason", command_error(error))
        }
        ConnectionError::CannotSend(error) => {
            Text::new(Key::CannotSendPacket).with("reason", command_error(error))
        }
        ConnectionError::AuthenticationRejected(error) => {
            Text::new(Key::AuthRejected).with("reason", scram_error(error))
        }
    }
}

/// Why a SCRAM exchange could not go on, to follow a colon.
pub fn scram_error(error: &ScramError) -> Text {
    match error {
        ScramError::Malformed => Key::ScramMalformed.into(),
        ScramError::NonceMismatch => Key::ScramNonceMismatch.into(),
        ScramError::IterationCount(count) => {
            Text::new(Key::ScramIterationCount).number("count", u64::from(*count))
        }
        ScramError::Server(words) => Text::new(Key::ScramServerError).with("words", words.as_str()),
        ScramError::ServerSignature => Key::ScramServerSignature.into(),
        ScramError::OutOfOrder => Key::ScramOutOfOrder.into(),
    }
}

fn transport_error(error: &TransportError) -> Text {
    match error {
        TransportError::Unreachable { url } => {
            Text::new(Key::TransportUnreachable).with("url", url.as_str())
        }
        TransportError::Closed { code, reason } if reason.is_empty() => {
            Text::new(Key::TransportClosedCode).with("code", code.to_string())
        }
        TransportError::Closed { code, reason } => Text::new(Key::TransportClosedCodeReason)
            .with("code", code.to_string())
            .with("reason", reason.as_str()),
        TransportError::TextFrame => Key::TransportTextFrame.into(),
        TransportError::CannotOpen { url, detail } if detail.is_empty() => {
            Text::new(Key::TransportCannotOpenUrl).with("url", url.as_str())
        }
        TransportError::CannotOpen { url, detail } => Text::new(Key::TransportCannotOpen)
            .with("url", url.as_str())
            .with("detail", detail.as_str()),
        TransportError::ClosedByUser => Key::TransportClosedByUser.into(),
        TransportError::Other(words) if words.is_empty() => Key::TransportClosed.into(),
        TransportError::Other(words) => {
            Text::new(Key::TransportOther).with("detail", words.as_str())
        }
    }
}

fn protocol_violation(violation: &ProtocolViolation) -> Text {
    match violation {
        ProtocolViolation::Decode(error) => decode_error(error),
        ProtocolViolation::ConnAckTwice => Key::ViolationConnackTwice.into(),
        ProtocolViolation::BeforeConnAck { packet } => {
            Text::new(Key::ViolationBeforeConnack).with("packet", *packet)
        }
        ProtocolViolation::SessionAfterCleanStart => Key::ViolationSessionAfterCleanStart.into(),
        ProtocolViolation::UnknownPacketId { packet, packet_id } => {
            Text::new(Key::ViolationUnknownPacketId)
                .with("packet", *packet)
                .with("packet_id", packet_id.to_string())
        }
        ProtocolViolation::WrongAcknowledgement {
            packet,
            packet_id,
            in_use_by,
        } => Text::new(Key::ViolationWrongAcknowledgement)
            .with("packet", *packet)
            .with("packet_id", packet_id.to_string())
            .with("use", packet_id_use(*in_use_by)),
        ProtocolViolation::PubCompBeforePubRec { packet_id } => {
            Text::new(Key::ViolationPubcompBeforePubrec).with("packet_id", packet_id.to_string())
        }
        ProtocolViolation::ResultCount {
            packet,
            results,
            filters,
        } => Text::new(Key::ViolationResultCount)
            .with("packet", *packet)
            .number("results", *results as u64)
            .number("filters", *filters as u64),
        ProtocolViolation::ReceiveMaximumExceeded { maximum } => {
            Text::new(Key::ViolationReceiveMaximum).number("maximum", u64::from(*maximum))
        }
        ProtocolViolation::TopicAliasOutOfRange { alias, maximum } => {
            Text::new(Key::ViolationTopicAliasRange)
                .with("alias", alias.to_string())
                .with("maximum", maximum.to_string())
        }
        ProtocolViolation::TopicAliasUnknown { alias } => {
            Text::new(Key::ViolationTopicAliasUnknown).with("alias", alias.to_string())
        }
        ProtocolViolation::AuthenticationMethodMismatch { got: Some(got) } => {
            Text::new(Key::ViolationAuthMethodMismatch).with("method", got.as_str())
        }
        ProtocolViolation::AuthenticationMethodMismatch { got: None } => {
            Key::ViolationAuthNoMethod.into()
        }
        ProtocolViolation::UnexpectedAuth { reason } => {
            Text::new(Key::ViolationUnexpectedAuth).with("code", format!("0x{:02X}", reason.0))
        }
    }
}

/// What a packet id in use stands for, as a noun.
fn packet_id_use(in_use_by: PacketIdUse) -> Text {
    match in_use_by {
        PacketIdUse::Subscribe => Key::PacketIdUseSubscribe,
        PacketIdUse::Unsubscribe => Key::PacketIdUseUnsubscribe,
        PacketIdUse::AtLeastOnce => Key::PacketIdUseQos1,
        PacketIdUse::ExactlyOnce => Key::PacketIdUseQos2,
    }
    .into()
}

fn decode_error(error: &DecodeError) -> Text {
    match error {
        DecodeError::Malformed {
            packet: Some(packet),
            detail,
        } => Text::new(Key::DecodeMalformed)
            .with("packet", *packet)
            .with("detail", malformation(*detail)),
        DecodeError::Malformed {
            packet: None,
            detail,
        } => Text::new(Key::DecodeMalformedIncoming).with("detail", malformation(*detail)),
        DecodeError::InvalidTopic { packet, error } => Text::new(Key::DecodeInvalidTopic)
            .with("packet", *packet)
            .with("reason", topic_error(error)),
        DecodeError::ProtocolError { packet, detail } => Text::new(Key::DecodeProtocolError)
            .with("packet", *packet)
            .with("detail", protocol_fault(*detail)),
        DecodeError::PacketTooLarge { size, maximum } => Text::new(Key::DecodePacketTooLarge)
            .number("size", *size as u64)
            .number("maximum", u64::from(*maximum)),
        DecodeError::NotFromServer { packet } => {
            Text::new(Key::DecodeNotFromServer).with("packet", *packet)
        }
    }
}

/// Where the words of a refusal stand: on their own they start with a capital.
#[derive(Clone, Copy)]
enum Place {
    Within,
    Alone,
}

impl Place {
    fn key(self, within: Key, alone: Key) -> Key {
        match self {
            Place::Within => within,
            Place::Alone => alone,
        }
    }
}

fn encode_error(error: &EncodeError, place: Place) -> Text {
    let key = |within, alone| Text::new(place.key(within, alone));
    match error {
        EncodeError::InvalidTopic(error) => {
            key(Key::RefusedInvalidTopic, Key::RefusedInvalidTopicSentence)
                .with("reason", topic_error(error))
        }
        EncodeError::InvalidFilter(error) => {
            key(Key::RefusedInvalidFilter, Key::RefusedInvalidFilterSentence)
                .with("reason", topic_error(error))
        }
        EncodeError::StringTooLong { field, len } => {
            key(Key::RefusedStringTooLong, Key::RefusedStringTooLongSentence)
                .with("field", string_field(*field))
                .number("len", *len as u64)
                .number("maximum", u64::from(u16::MAX))
        }
        EncodeError::PacketTooLarge { size, maximum } => key(
            Key::RefusedTooLargeForMqtt,
            Key::RefusedTooLargeForMqttSentence,
        )
        .number("size", *size as u64)
        .number("maximum", u64::from(*maximum)),
        EncodeError::InvalidProperty { name, detail } => key(
            Key::RefusedInvalidProperty,
            Key::RefusedInvalidPropertySentence,
        )
        .with("name", property_name(*name))
        .with("detail", property_rule(*detail)),
        EncodeError::InvalidReasonCode { packet, code } => key(
            Key::RefusedInvalidReasonCode,
            Key::RefusedInvalidReasonCodeSentence,
        )
        .with("code", format!("{:02X}", code.0))
        .with("packet", *packet),
        EncodeError::NotInVersion311 { packet, field } => {
            let field = match field {
                Version5Field::Properties => Key::V5FieldProperties,
                Version5Field::ReasonCode => Key::V5FieldReasonCode,
                Version5Field::ReasonCodes => Key::V5FieldReasonCodes,
                Version5Field::SubscriptionOptions => Key::V5FieldSubscriptionOptions,
                // Named by the will, not by the CONNECT that carries it.
                Version5Field::WillProperties => {
                    return key(
                        Key::RefusedWillPropertiesNotInV311,
                        Key::RefusedWillPropertiesNotInV311Sentence,
                    )
                }
            };
            key(Key::RefusedNotInV311, Key::RefusedNotInV311Sentence)
                .with("packet", *packet)
                .with("field", field)
        }
        EncodeError::NullCharacter { field } => {
            key(Key::RefusedNullCharacter, Key::RefusedNullCharacterSentence)
                .with("field", string_field(*field))
        }
        EncodeError::NoFilters => key(Key::RefusedNoFilters, Key::RefusedNoFiltersSentence),
        EncodeError::Unsupported { detail } => {
            key(Key::RefusedUnsupported, Key::RefusedUnsupportedSentence)
                .with("detail", encoder_limit(*detail))
        }
        EncodeError::ProtocolViolation { detail } => match detail {
            Disallowed::PasswordWithoutUserName => key(
                Key::RefusedPasswordWithoutUserName,
                Key::RefusedPasswordWithoutUserNameSentence,
            ),
            Disallowed::NoLocalOnSharedSubscription => key(
                Key::RefusedNoLocalOnShared,
                Key::RefusedNoLocalOnSharedSentence,
            ),
        },
    }
}

fn string_field(field: StringField) -> Key {
    match field {
        StringField::ClientIdentifier => Key::StringFieldClientIdentifier,
        StringField::AssignedClientIdentifier => Key::StringFieldAssignedClientIdentifier,
        StringField::UserName => Key::StringFieldUserName,
        StringField::Password => Key::StringFieldPassword,
        StringField::WillPayload => Key::StringFieldWillPayload,
        StringField::ContentType => Key::StringFieldContentType,
        StringField::CorrelationData => Key::StringFieldCorrelationData,
        StringField::ReasonString => Key::StringFieldReasonString,
        StringField::ResponseInformation => Key::StringFieldResponseInformation,
        StringField::ServerReference => Key::StringFieldServerReference,
        StringField::UserPropertyName => Key::StringFieldUserPropertyName,
        StringField::UserPropertyValue => Key::StringFieldUserPropertyValue,
        StringField::AuthenticationMethod => Key::StringFieldAuthenticationMethod,
        StringField::AuthenticationData => Key::StringFieldAuthenticationData,
    }
}

fn property_name(name: PropertyName) -> Key {
    match name {
        PropertyName::PayloadFormatIndicator => Key::PropertyNamePayloadFormatIndicator,
        PropertyName::TopicAlias => Key::PropertyNameTopicAlias,
        PropertyName::SubscriptionIdentifier => Key::PropertyNameSubscriptionIdentifier,
        PropertyName::ReceiveMaximum => Key::PropertyNameReceiveMaximum,
        PropertyName::MaximumPacketSize => Key::PropertyNameMaximumPacketSize,
        PropertyName::MaximumQos => Key::PropertyNameMaximumQos,
    }
}

fn property_rule(rule: PropertyRule) -> Key {
    match rule {
        PropertyRule::NotZero => Key::PropertyRuleNotZero,
        PropertyRule::ZeroOrOne => Key::PropertyRuleZeroOrOne,
        PropertyRule::SubscriptionIdentifierRange => Key::PropertyRuleSubscriptionIdentifierRange,
    }
}

fn encoder_limit(limit: EncoderLimit) -> Key {
    match limit {
        EncoderLimit::IncompletePacket => Key::EncoderLimitIncompletePacket,
        EncoderLimit::EmptyUserName => Key::EncoderLimitEmptyUserName,
        EncoderLimit::EmptyPassword => Key::EncoderLimitEmptyPassword,
        EncoderLimit::PasswordNotUtf8 => Key::EncoderLimitPasswordNotUtf8,
    }
}

fn malformation(detail: Malformation) -> Key {
    use Malformation as M;
    match detail {
        M::RemainingLengthNotShortest => Key::MalformationRemainingLengthNotShortest,
        M::RemainingLengthTooLong => Key::MalformationRemainingLengthTooLong,
        M::ReservedPacketType => Key::MalformationReservedPacketType,
        M::ReservedFixedHeaderFlags => Key::MalformationReservedFixedHeaderFlags,
        M::PublishQos3 => Key::MalformationPublishQos3,
        M::BytesLeftOver => Key::MalformationBytesLeftOver,
        M::FieldPastEnd => Key::MalformationFieldPastEnd,
        M::VarintNotShortest => Key::MalformationVarintNotShortest,
        M::VarintTooLong => Key::MalformationVarintTooLong,
        M::PacketIdZero => Key::MalformationPacketIdZero,
        M::StringNotUtf8 => Key::MalformationStringNotUtf8,
        M::StringNullCharacter => Key::MalformationStringNullCharacter,
        M::ReasonCodeNotAllowed => Key::MalformationReasonCodeNotAllowed,
        M::PropertyNotAllowed => Key::MalformationPropertyNotAllowed,
        M::ProtocolNameNotMqtt => Key::MalformationProtocolNameNotMqtt,
        M::ProtocolLevelMismatch => Key::MalformationProtocolLevelMismatch,
        M::ReservedConnectFlag => Key::MalformationReservedConnectFlag,
        M::WillFlagsMismatch => Key::MalformationWillFlagsMismatch,
        M::PasswordWithoutUserName => Key::MalformationPasswordWithoutUserName,
        M::ReservedAcknowledgeFlags => Key::MalformationReservedAcknowledgeFlags,
        M::ReturnCodeNotInVersion311 => Key::MalformationReturnCodeNotInV311,
        M::ReservedSubscriptionOptions => Key::MalformationReservedSubscriptionOptions,
        M::SubscriptionQos3 => Key::MalformationSubscriptionQos3,
        M::SubscriptionIdentifierOutOfRange => Key::MalformationSubscriptionIdentifierOutOfRange,
        M::RejectedByReader => Key::MalformationRejectedByReader,
    }
}

fn protocol_fault(detail: ProtocolFault) -> Key {
    use ProtocolFault as F;
    match detail {
        F::PropertyRepeated => Key::ProtocolFaultPropertyRepeated,
        F::PropertyNotZeroOrOne => Key::ProtocolFaultPropertyNotZeroOrOne,
        F::PropertyZero => Key::ProtocolFaultPropertyZero,
        F::MaximumPacketSizeZero => Key::ProtocolFaultMaximumPacketSizeZero,
        F::SubscriptionIdentifierZero => Key::ProtocolFaultSubscriptionIdentifierZero,
        F::EmptyTopicWithoutAlias => Key::ProtocolFaultEmptyTopicWithoutAlias,
        F::NoTopicFilter => Key::ProtocolFaultNoTopicFilter,
        F::RetainHandling3 => Key::ProtocolFaultRetainHandling3,
        F::NoLocalOnSharedSubscription => Key::ProtocolFaultNoLocalOnShared,
        F::NoReasonCode => Key::ProtocolFaultNoReasonCode,
        F::UnrequestedAuthentication => Key::ProtocolFaultUnrequestedAuthentication,
    }
}

fn command_error_in(error: &CommandError, place: Place) -> Text {
    let key = |within, alone| Text::new(place.key(within, alone));
    match error {
        CommandError::InvalidTopic(error) => {
            key(Key::RefusedInvalidTopic, Key::RefusedInvalidTopicSentence)
                .with("reason", topic_error(error))
        }
        CommandError::InvalidFilter(error) => {
            key(Key::RefusedInvalidFilter, Key::RefusedInvalidFilterSentence)
                .with("reason", topic_error(error))
        }
        CommandError::PacketTooLarge { size, maximum } => key(
            Key::RefusedTooLargeForServer,
            Key::RefusedTooLargeForServerSentence,
        )
        .number("size", *size as u64)
        .number("maximum", u64::from(*maximum)),
        CommandError::QoSNotSupported { requested, maximum } => key(
            Key::RefusedQosNotSupported,
            Key::RefusedQosNotSupportedSentence,
        )
        .with("maximum", (*maximum as u8).to_string())
        .with("requested", (*requested as u8).to_string()),
        CommandError::RetainNotAvailable => key(
            Key::RefusedRetainNotAvailable,
            Key::RefusedRetainNotAvailableSentence,
        ),
        CommandError::WildcardSubscriptionsNotAvailable => key(
            Key::RefusedWildcardsNotAvailable,
            Key::RefusedWildcardsNotAvailableSentence,
        ),
        CommandError::SharedSubscriptionsNotAvailable => key(
            Key::RefusedSharedNotAvailable,
            Key::RefusedSharedNotAvailableSentence,
        ),
        CommandError::SubscriptionIdentifiersNotAvailable => key(
            Key::RefusedIdentifiersNotAvailable,
            Key::RefusedIdentifiersNotAvailableSentence,
        ),
        CommandError::InvalidSubscriptionIdentifier(value) => key(
            Key::RefusedIdentifierRange,
            Key::RefusedIdentifierRangeSentence,
        )
        .with("value", value.to_string())
        .with(
            "maximum",
            mqtt_core::MAX_SUBSCRIPTION_IDENTIFIER.to_string(),
        ),
        CommandError::UnsupportedProperty(property) => key(
            Key::RefusedManagedProperty,
            Key::RefusedManagedPropertySentence,
        )
        .with(
            "property",
            match property {
                ManagedProperty::TopicAlias => Key::ManagedPropertyTopicAlias,
                ManagedProperty::SubscriptionIdentifier => {
                    Key::ManagedPropertySubscriptionIdentifier
                }
            },
        ),
        CommandError::NoFilters => key(Key::RefusedNoFilters, Key::RefusedNoFiltersSentence),
        CommandError::QueueFull => key(Key::RefusedQueueFull, Key::RefusedQueueFullSentence),
        CommandError::NotConnected => {
            key(Key::RefusedNotConnected, Key::RefusedNotConnectedSentence)
        }
        CommandError::NoPacketIdAvailable => {
            key(Key::RefusedNoPacketId, Key::RefusedNoPacketIdSentence)
                .number("ids", u64::from(u16::MAX))
        }
        CommandError::NoAuthenticationMethod => {
            key(Key::RefusedNoAuthMethod, Key::RefusedNoAuthMethodSentence)
        }
        CommandError::NoAuthenticationStep => {
            key(Key::RefusedNoAuthStep, Key::RefusedNoAuthStepSentence)
        }
        CommandError::AuthenticationInProgress => key(
            Key::RefusedAuthInProgress,
            Key::RefusedAuthInProgressSentence,
        ),
        CommandError::Encode(error) => encode_error(error, place),
        // The core may refuse in new ways (the enum is non_exhaustive); until they have words
        // of their own, the refusal itself is still said.
        _ => key(Key::RefusedOther, Key::RefusedOtherSentence),
    }
}

/// Why a command was refused, to follow a colon ("cannot connect: …").
fn command_error(error: &CommandError) -> Text {
    command_error_in(error, Place::Within)
}

/// Why a command was refused, as a sentence of its own (a form's error, a log line).
pub fn command_error_sentence(error: &CommandError) -> Text {
    command_error_in(error, Place::Alone)
}

/// Why a publish did not complete, to follow a colon ("Publish failed: …").
pub fn publish_error(error: &PublishError) -> Text {
    match error {
        PublishError::Refused {
            code,
            context,
            reason_string,
        } => refusal(*code, *context, reason_string.as_deref()),
        PublishError::DisconnectedBeforeSending => Key::PublishDisconnectedBeforeSending.into(),
        PublishError::SessionNotKept => Key::PublishSessionNotKept.into(),
        PublishError::NotSent(error) => command_error(error),
        PublishError::NotResent(error) => {
            Text::new(Key::PublishNotResent).with("reason", command_error(error))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{english, I18n, Locale};
    use mqtt_core::{Duration, PacketId, QoS};

    const CONTEXTS: [ReasonContext; 8] = [
        ReasonContext::ConnAck,
        ReasonContext::SubAck,
        ReasonContext::UnsubAck,
        ReasonContext::PubAck,
        ReasonContext::PubRec,
        ReasonContext::PubRel,
        ReasonContext::PubComp,
        ReasonContext::Disconnect,
    ];

    /// Every code MQTT 5 names (section 2.4).
    const NAMED: [u8; 43] = [
        0x00, 0x01, 0x02, 0x04, 0x10, 0x11, 0x18, 0x19, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86,
        0x87, 0x88, 0x89, 0x8A, 0x8B, 0x8C, 0x8D, 0x8E, 0x8F, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95,
        0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2,
    ];

    fn in_both_languages(text: &Text) -> [String; 2] {
        [Locale::En, Locale::ZhCn].map(|locale| I18n { locale }.text(text))
    }

    /// Renders in both languages to words with every placeholder filled.
    fn assert_complete(text: &Text) {
        for words in in_both_languages(text) {
            assert!(!words.trim().is_empty(), "{text:?} has no words");
            assert!(!words.contains('{'), "{text:?} left a placeholder: {words}");
        }
    }

    #[test]
    fn every_reason_code_has_words_in_every_context_and_language() {
        for code in 0..=u8::MAX {
            for context in CONTEXTS {
                let text = reason_code(ReasonCode(code), context);
                assert_complete(&text);
                let unknown = text.key == Key::ReasonUnknown;
                // A named code reads as itself where the protocol sends it (0x01 and 0x02
                // only in SUBACK, 0x04 only in DISCONNECT), and only there.
                let sent_here = match code {
                    0x01 | 0x02 => context == ReasonContext::SubAck,
                    0x04 => context == ReasonContext::Disconnect,
                    _ => NAMED.contains(&code),
                };
                assert_eq!(unknown, !sent_here, "0x{code:02X} in {context:?}");
            }
        }
    }

    #[test]
    fn reason_codes_read_as_in_their_packet() {
        let words = |code, context| english(&reason_code(ReasonCode(code), context));
        assert_eq!(words(0x87, ReasonContext::ConnAck), "not authorized");
        assert_eq!(
            words(0x87, ReasonContext::SubAck),
            "not authorized to subscribe to this filter"
        );
        assert_eq!(
            words(0x86, ReasonContext::ConnAck),
            "bad user name or password"
        );
        assert_eq!(
            words(0x00, ReasonContext::Disconnect),
            "normal disconnection"
        );
        assert_eq!(words(0x00, ReasonContext::ConnAck), "connection accepted");
        assert_eq!(words(0x01, ReasonContext::SubAck), "subscribed with QoS 1");
        assert_eq!(
            words(0x83, ReasonContext::PubRec),
            "the message was refused by the server"
        );
        assert_eq!(words(0x8A, ReasonContext::ConnAck), "banned");
        assert_eq!(
            words(0x42, ReasonContext::PubAck),
            "unknown reason code 0x42"
        );
        assert_eq!(
            words(0x04, ReasonContext::SubAck),
            "unknown reason code 0x04"
        );
    }

    #[test]
    fn the_server_s_own_words_follow_the_code() {
        let reason = |string: Option<&str>, server: Option<&str>| {
            ServerReason::new(
                ReasonCode::USE_ANOTHER_SERVER,
                string.map(Into::into),
                server.map(Into::into),
            )
        };
        let words = |reason: &ServerReason| english(&server_reason(reason, ReasonContext::ConnAck));
        assert_eq!(words(&reason(None, None)), "use another server");
        assert_eq!(
            words(&reason(Some("full"), None)),
            "use another server (full)"
        );
        assert_eq!(
            words(&reason(None, Some("b:1883"))),
            "use another server; the server suggests b:1883"
        );
        assert_eq!(
            words(&reason(Some("full"), Some("b:1883"))),
            "use another server (full); the server suggests b:1883"
        );
    }

    fn every_command_error() -> Vec<CommandError> {
        let mut errors = vec![
            CommandError::InvalidTopic(TopicError::Empty),
            CommandError::InvalidFilter(TopicError::MisplacedMultiLevelWildcard),
            CommandError::PacketTooLarge {
                size: 2000,
                maximum: 1000,
            },
            CommandError::QoSNotSupported {
                requested: QoS::ExactlyOnce,
                maximum: QoS::AtLeastOnce,
            },
            CommandError::RetainNotAvailable,
            CommandError::WildcardSubscriptionsNotAvailable,
            CommandError::SharedSubscriptionsNotAvailable,
            CommandError::SubscriptionIdentifiersNotAvailable,
            CommandError::InvalidSubscriptionIdentifier(0),
            CommandError::UnsupportedProperty(ManagedProperty::TopicAlias),
            CommandError::UnsupportedProperty(ManagedProperty::SubscriptionIdentifier),
            CommandError::NoFilters,
            CommandError::QueueFull,
            CommandError::NotConnected,
            CommandError::NoPacketIdAvailable,
            CommandError::NoAuthenticationMethod,
            CommandError::NoAuthenticationStep,
            CommandError::AuthenticationInProgress,
        ];
        errors.extend(every_encode_error().into_iter().map(CommandError::Encode));
        errors
    }

    /// Every encoding error with each of the codec's phrases it can carry.
    fn every_encode_error() -> Vec<EncodeError> {
        let mut errors = vec![
            EncodeError::InvalidTopic(TopicError::NullCharacter),
            EncodeError::InvalidFilter(TopicError::InvalidSharedSubscription),
            EncodeError::PacketTooLarge {
                size: 300_000_000,
                maximum: mqtt_core::codec::MAX_PACKET_SIZE,
            },
            EncodeError::InvalidReasonCode {
                packet: "PUBACK",
                code: ReasonCode(0x01),
            },
            EncodeError::NoFilters,
        ];
        for &field in StringField::ALL {
            errors.push(EncodeError::StringTooLong { field, len: 70_000 });
            errors.push(EncodeError::NullCharacter { field });
        }
        for &name in PropertyName::ALL {
            for &detail in PropertyRule::ALL {
                errors.push(EncodeError::InvalidProperty { name, detail });
            }
        }
        for &field in Version5Field::ALL {
            errors.push(EncodeError::NotInVersion311 {
                packet: "CONNECT",
                field,
            });
        }
        for &detail in EncoderLimit::ALL {
            errors.push(EncodeError::Unsupported { detail });
        }
        for &detail in Disallowed::ALL {
            errors.push(EncodeError::ProtocolViolation { detail });
        }
        errors
    }

    /// Every decoding error with each of the codec's phrases it can carry.
    fn every_decode_error() -> Vec<DecodeError> {
        let mut errors = vec![
            DecodeError::InvalidTopic {
                packet: "PUBLISH",
                error: TopicError::TooLong { len: 70_000 },
            },
            DecodeError::PacketTooLarge {
                size: 2_000_000,
                maximum: 1_000_000,
            },
            DecodeError::NotFromServer { packet: "CONNECT" },
        ];
        for &detail in Malformation::ALL {
            for packet in [Some("PUBLISH"), None] {
                errors.push(DecodeError::Malformed { packet, detail });
            }
        }
        for &detail in ProtocolFault::ALL {
            errors.push(DecodeError::ProtocolError {
                packet: "CONNACK",
                detail,
            });
        }
        errors
    }

    /// The English words of every phrase the codec's errors carry.
    fn codec_phrases() -> Vec<String> {
        fn words<T: ToString>(all: &[T]) -> impl Iterator<Item = String> + '_ {
            all.iter().map(ToString::to_string)
        }
        words(StringField::ALL)
            .chain(words(PropertyName::ALL))
            .chain(words(PropertyRule::ALL))
            .chain(words(Version5Field::ALL))
            .chain(words(EncoderLimit::ALL))
            .chain(words(Disallowed::ALL))
            .chain(words(Malformation::ALL))
            .chain(words(ProtocolFault::ALL))
            .collect()
    }

    fn every_connection_error() -> Vec<ConnectionError> {
        let id = PacketId::new(7).unwrap();
        let mut errors: Vec<ConnectionError> = [
            TransportError::Unreachable {
                url: "ws://b:9001".into(),
            },
            TransportError::Closed {
                code: 1011,
                reason: String::new(),
            },
            TransportError::Closed {
                code: 1011,
                reason: "restart".into(),
            },
            TransportError::TextFrame,
            TransportError::CannotOpen {
                url: "ws://b:9001".into(),
                detail: "SyntaxError".into(),
            },
            TransportError::ClosedByUser,
            TransportError::Other(String::new()),
            TransportError::Other("reset by peer".into()),
        ]
        .map(ConnectionError::Transport)
        .into();
        errors.extend(
            [
                ScramError::Malformed,
                ScramError::NonceMismatch,
                ScramError::IterationCount(0),
                ScramError::Server("unknown-user".into()),
                ScramError::ServerSignature,
                ScramError::OutOfOrder,
            ]
            .map(ConnectionError::AuthenticationRejected),
        );
        errors.extend([
            ConnectionError::ConnAckTimeout(Duration::from_secs(10)),
            ConnectionError::PingTimeout(Duration::from_secs(30)),
            ConnectionError::Refused(ServerReason::new(ReasonCode::BANNED, None, None)),
            ConnectionError::ServerDisconnected(ServerReason::new(
                ReasonCode::SESSION_TAKEN_OVER,
                Some("bye".into()),
                None,
            )),
        ]);
        let uses = [
            PacketIdUse::Subscribe,
            PacketIdUse::Unsubscribe,
            PacketIdUse::AtLeastOnce,
            PacketIdUse::ExactlyOnce,
        ];
        let violations = every_decode_error()
            .into_iter()
            .map(ProtocolViolation::from)
            .chain([
                ProtocolViolation::ConnAckTwice,
                ProtocolViolation::BeforeConnAck { packet: "PUBLISH" },
                ProtocolViolation::SessionAfterCleanStart,
                ProtocolViolation::UnknownPacketId {
                    packet: "PUBACK",
                    packet_id: id,
                },
                ProtocolViolation::PubCompBeforePubRec { packet_id: id },
                ProtocolViolation::ResultCount {
                    packet: "SUBACK",
                    results: 2,
                    filters: 1,
                },
                ProtocolViolation::ReceiveMaximumExceeded { maximum: 10 },
                ProtocolViolation::TopicAliasOutOfRange {
                    alias: 20,
                    maximum: 10,
                },
                ProtocolViolation::TopicAliasUnknown { alias: 3 },
                ProtocolViolation::AuthenticationMethodMismatch {
                    got: Some("OTHER".into()),
                },
                ProtocolViolation::AuthenticationMethodMismatch { got: None },
                ProtocolViolation::UnexpectedAuth {
                    reason: ReasonCode::RE_AUTHENTICATE,
                },
            ])
            .chain(
                uses.map(|in_use_by| ProtocolViolation::WrongAcknowledgement {
                    packet: "PUBREC",
                    packet_id: id,
                    in_use_by,
                }),
            );
        errors.extend(violations.map(ConnectionError::Protocol));
        for error in every_command_error() {
            errors.push(ConnectionError::InvalidOptions(error.clone()));
            errors.push(ConnectionError::CannotSend(error));
        }
        errors
    }

    #[test]
    fn every_outcome_renders_complete_in_both_languages() {
        for error in every_connection_error() {
            assert_complete(&connection_error(&error));
        }
        for error in every_command_error() {
            assert_complete(&command_error(&error));
            assert_complete(&command_error_sentence(&error));
        }
        let mut publishes = vec![
            PublishError::Refused {
                code: ReasonCode::QUOTA_EXCEEDED,
                context: ReasonContext::PubAck,
                reason_string: Some("slow down".into()),
            },
            PublishError::DisconnectedBeforeSending,
            PublishError::SessionNotKept,
        ];
        for error in every_command_error() {
            publishes.push(PublishError::NotSent(error.clone()));
            publishes.push(PublishError::NotResent(error));
        }
        for error in &publishes {
            assert_complete(&publish_error(error));
        }
    }

    #[test]
    fn english_is_the_core_s_english() {
        // The words moved from the core's `Display` (which native tools still print) into the
        // tables unchanged: a user and a developer read the same English for one outcome.
        // Only the tests compare with `Display`; the app never renders it.
        for error in every_connection_error() {
            assert_eq!(english(&connection_error(&error)), error.to_string());
        }
        for error in every_command_error() {
            let within = english(&command_error(&error));
            assert_eq!(within, error.to_string());
            let mut sentence = within;
            sentence[..1].make_ascii_uppercase();
            assert_eq!(english(&command_error_sentence(&error)), sentence);
        }
        let refused = PublishError::Refused {
            code: ReasonCode::NOT_AUTHORIZED,
            context: ReasonContext::PubAck,
            reason_string: Some("read only".into()),
        };
        assert_eq!(english(&publish_error(&refused)), refused.to_string());
        assert_eq!(
            english(&publish_error(&refused)),
            "not authorized to publish to this topic (read only)"
        );
    }

    #[test]
    fn no_english_phrase_of_the_codec_reaches_a_chinese_sentence() {
        let chinese = I18n {
            locale: Locale::ZhCn,
        };
        let phrases = codec_phrases();
        let connections = every_connection_error();
        let commands = every_command_error();
        let sentences = connections
            .iter()
            .map(connection_error)
            .chain(commands.iter().map(command_error_sentence));
        for text in sentences {
            let words = chinese.text(&text);
            for phrase in &phrases {
                assert!(!words.contains(phrase.as_str()), "{phrase:?} in {words}");
            }
        }
    }

    #[test]
    fn a_few_sentences_exactly() {
        let lost = ConnectionError::Transport(TransportError::Unreachable {
            url: "ws://b:9001".into(),
        });
        assert_eq!(
            english(&connection_error(&lost)),
            "the connection was closed: could not reach ws://b:9001 or the connection broke"
        );
        assert_eq!(
            english(&connection_error(&ConnectionError::PingTimeout(
                Duration::from_secs(10)
            ))),
            "no answer to ping within 10 s"
        );
        assert_eq!(
            english(&command_error_sentence(
                &CommandError::WildcardSubscriptionsNotAvailable
            )),
            "The server does not support wildcard subscriptions"
        );
        assert_eq!(
            english(&command_error_sentence(&CommandError::Encode(
                EncodeError::ProtocolViolation {
                    detail: Disallowed::NoLocalOnSharedSubscription
                }
            ))),
            "No local cannot be set on a shared subscription"
        );
        assert_eq!(
            english(&publish_error(&PublishError::NotResent(
                CommandError::QueueFull
            ))),
            "not resent: too many messages are waiting to be sent"
        );
        let chinese = I18n {
            locale: Locale::ZhCn,
        };
        assert_eq!(
            chinese.text(&command_error_sentence(&CommandError::QoSNotSupported {
                requested: QoS::ExactlyOnce,
                maximum: QoS::AtLeastOnce,
            })),
            "服务器最高只接受 QoS 1，不接受 QoS 2"
        );
        // Natively a number is not grouped (the browser's Intl groups it).
        assert_eq!(
            chinese.text(&command_error_sentence(&CommandError::Encode(
                EncodeError::StringTooLong {
                    field: StringField::UserPropertyValue,
                    len: 1_199_998,
                }
            ))),
            "用户属性值长 1199998 字节，超过了 MQTT 允许的 65535 字节"
        );
        assert_eq!(
            chinese.text(&connection_error(&ConnectionError::Protocol(
                DecodeError::Malformed {
                    packet: None,
                    detail: Malformation::RemainingLengthTooLong,
                }
                .into()
            ))),
            "收到的报文格式错误：剩余长度超过了四个字节"
        );
    }
}
