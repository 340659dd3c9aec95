//! What the codec's errors name or say in words, as closed sets of values: the field a string
//! check refused, why a frame is malformed, which rule a packet breaks. `Display` gives each its
//! English words (the ones the errors' own `Display` writes); an app in another language looks
//! the values up in its own tables, and `ALL` lists every value for its tests.

use core::fmt;

/// An enum of fixed phrases: each variant with its English words.
macro_rules! phrases {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident => $words:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            /// Every value, in the order of their declaration.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(match self {
                    $($name::$variant => $words,)+
                })
            }
        }
    };
}

phrases! {
    /// A string or binary field whose length or content cannot be sent.
    pub enum StringField {
        ClientIdentifier => "client identifier",
        AssignedClientIdentifier => "assigned client identifier",
        UserName => "user name",
        Password => "password",
        WillPayload => "will payload",
        ContentType => "content type",
        CorrelationData => "correlation data",
        ReasonString => "reason string",
        ResponseInformation => "response information",
        ServerReference => "server reference",
        UserPropertyName => "user property name",
        UserPropertyValue => "user property value",
        AuthenticationMethod => "authentication method",
        AuthenticationData => "authentication data",
    }
}

phrases! {
    /// A property whose value the encoder checks.
    pub enum PropertyName {
        PayloadFormatIndicator => "payload format indicator",
        TopicAlias => "topic alias",
        SubscriptionIdentifier => "subscription identifier",
        ReceiveMaximum => "receive maximum",
        MaximumPacketSize => "maximum packet size",
        MaximumQos => "maximum QoS",
    }
}

phrases! {
    /// The rule a property's value breaks.
    pub enum PropertyRule {
        NotZero => "it cannot be zero",
        ZeroOrOne => "it must be 0 or 1",
        SubscriptionIdentifierRange => "it must be between 1 and 268,435,455",
    }
}

phrases! {
    /// What a version 5 packet may have and a 3.1.1 packet cannot.
    pub enum Version5Field {
        Properties => "properties",
        /// The will's properties, in a CONNECT.
        WillProperties => "will properties",
        ReasonCode => "reason code",
        ReasonCodes => "reason codes",
        SubscriptionOptions => "subscription options",
    }
}

phrases! {
    /// A valid packet that mqttbytes-ng cannot write.
    pub enum EncoderLimit {
        IncompletePacket => "the encoder did not produce a complete packet",
        EmptyUserName => "an empty user name (leave it out instead)",
        EmptyPassword => "an empty password (leave it out instead)",
        PasswordNotUtf8 => "a password that is not UTF-8 text",
    }
}

phrases! {
    /// A combination the protocol does not allow in a packet to be sent.
    pub enum Disallowed {
        PasswordWithoutUserName => "MQTT 3.1.1 does not allow a password without a user name",
        NoLocalOnSharedSubscription => "no local cannot be set on a shared subscription",
    }
}

phrases! {
    /// How received bytes break the MQTT encoding rules.
    pub enum Malformation {
        RemainingLengthNotShortest => "the remaining length is not in its shortest form",
        RemainingLengthTooLong => "the remaining length is longer than four bytes",
        ReservedPacketType => "the packet type is reserved",
        ReservedFixedHeaderFlags =>
            "the reserved flags of the fixed header are not as the protocol requires",
        PublishQos3 => "the QoS bits say 3, which does not exist",
        BytesLeftOver => "bytes are left over after the end of the packet's content",
        FieldPastEnd => "a field runs past the end of the packet",
        VarintNotShortest => "a variable byte integer is not in its shortest form",
        VarintTooLong => "a variable byte integer is longer than four bytes",
        PacketIdZero => "the packet identifier is zero",
        StringNotUtf8 => "a string is not valid UTF-8",
        StringNullCharacter => "a string contains the null character U+0000",
        ReasonCodeNotAllowed => "the reason code is not one this packet can carry",
        PropertyNotAllowed => "a property this packet type cannot carry",
        ProtocolNameNotMqtt => "the protocol name is not MQTT",
        ProtocolLevelMismatch => "the protocol level is not the version in use",
        ReservedConnectFlag => "the reserved connect flag is set",
        WillFlagsMismatch => "the will QoS and retain flags do not fit the will flag",
        PasswordWithoutUserName => "a password without a user name",
        ReservedAcknowledgeFlags => "reserved acknowledge flags are set",
        ReturnCodeNotInVersion311 => "the return code is not one MQTT 3.1.1 defines",
        ReservedSubscriptionOptions => "reserved subscription option bits are set",
        SubscriptionQos3 => "a subscription asks for QoS 3, which does not exist",
        SubscriptionIdentifierOutOfRange => "a subscription identifier is out of range",
        RejectedByReader => "the packet reader rejected one of its fields",
    }
}

phrases! {
    /// What a well-formed packet does that the protocol forbids.
    pub enum ProtocolFault {
        PropertyRepeated => "a property appears more than once",
        PropertyNotZeroOrOne => "a property that must be 0 or 1 is not",
        PropertyZero => "a property that cannot be zero is zero",
        MaximumPacketSizeZero => "the maximum packet size is zero",
        SubscriptionIdentifierZero => "a subscription identifier is zero",
        EmptyTopicWithoutAlias => "the topic is empty and there is no topic alias",
        NoTopicFilter => "there is no topic filter",
        RetainHandling3 => "retain handling 3 does not exist",
        NoLocalOnSharedSubscription => "no local is set on a shared subscription",
        NoReasonCode => "there is no reason code",
        UnrequestedAuthentication =>
            "the server started an authentication exchange this client never asked for",
    }
}
