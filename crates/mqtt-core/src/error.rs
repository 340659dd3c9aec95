//! Every outcome the core reports as a typed value. `Display` beside each type gives the
//! English words, and a UI may render the same values in its user's language: no sentence is
//! built inside the core's state machine.

use alloc::string::String;
use core::fmt;
use core::time::Duration;

use crate::codec::{DecodeError, EncodeError};
use crate::packet::{PacketId, QoS, ReasonCode, MAX_SUBSCRIPTION_IDENTIFIER};
use crate::reason::ReasonContext;
use crate::scram::ScramError;
use crate::topic::TopicError;

/// Why a command was refused; nothing was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandError {
    InvalidTopic(TopicError),
    InvalidFilter(TopicError),
    PacketTooLarge {
        size: usize,
        maximum: u32,
    },
    QoSNotSupported {
        requested: QoS,
        maximum: QoS,
    },
    RetainNotAvailable,
    WildcardSubscriptionsNotAvailable,
    SharedSubscriptionsNotAvailable,
    SubscriptionIdentifiersNotAvailable,
    InvalidSubscriptionIdentifier(u32),
    /// A property the core manages itself, not the user.
    UnsupportedProperty(ManagedProperty),
    NoFilters,
    QueueFull,
    NotConnected,
    /// All 65535 packet ids are waiting for acknowledgements.
    NoPacketIdAvailable,
    /// Re-authentication needs version 5 and an authentication method in the options.
    NoAuthenticationMethod,
    /// An authentication step was given but the server is not waiting for one.
    NoAuthenticationStep,
    /// A re-authentication is already under way on this connection.
    AuthenticationInProgress,
    /// The packet cannot be encoded (a string too long, a property out of range, ...).
    Encode(EncodeError),
}

/// A PUBLISH property only the core sets: topic aliases per connection, subscription
/// identifiers only from the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManagedProperty {
    TopicAlias,
    SubscriptionIdentifier,
}

impl From<EncodeError> for CommandError {
    fn from(error: EncodeError) -> Self {
        match error {
            EncodeError::InvalidTopic(error) => CommandError::InvalidTopic(error),
            EncodeError::InvalidFilter(error) => CommandError::InvalidFilter(error),
            EncodeError::PacketTooLarge { size, maximum } => {
                CommandError::PacketTooLarge { size, maximum }
            }
            error => CommandError::Encode(error),
        }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::InvalidTopic(error) => write!(f, "invalid topic: {error}"),
            CommandError::InvalidFilter(error) => write!(f, "invalid topic filter: {error}"),
            CommandError::PacketTooLarge { size, maximum } => write!(
                f,
                "the packet would be {size} bytes, more than the {maximum} bytes the server accepts"
            ),
            CommandError::QoSNotSupported { requested, maximum } => write!(
                f,
                "the server accepts QoS {} at most, not QoS {}",
                *maximum as u8, *requested as u8
            ),
            CommandError::RetainNotAvailable => {
                f.write_str("the server does not support retained messages")
            }
            CommandError::WildcardSubscriptionsNotAvailable => {
                f.write_str("the server does not support wildcard subscriptions")
            }
            CommandError::SharedSubscriptionsNotAvailable => {
                f.write_str("the server does not support shared subscriptions")
            }
            CommandError::SubscriptionIdentifiersNotAvailable => {
                f.write_str("the server does not support subscription identifiers")
            }
            CommandError::InvalidSubscriptionIdentifier(value) => {
                write!(
                    f,
                    "subscription identifier {value} is outside 1..={MAX_SUBSCRIPTION_IDENTIFIER}"
                )
            }
            CommandError::UnsupportedProperty(property) => {
                let name = match property {
                    ManagedProperty::TopicAlias => "topic alias",
                    ManagedProperty::SubscriptionIdentifier => "subscription identifier",
                };
                write!(f, "the {name} property cannot be set here")
            }
            CommandError::NoFilters => f.write_str("at least one topic filter is needed"),
            CommandError::QueueFull => f.write_str("too many messages are waiting to be sent"),
            CommandError::NotConnected => f.write_str("not connected"),
            CommandError::NoPacketIdAvailable => {
                f.write_str("all 65535 packet ids are waiting for acknowledgements")
            }
            CommandError::NoAuthenticationMethod => {
                f.write_str("no authentication method is chosen for this MQTT 5 connection")
            }
            CommandError::NoAuthenticationStep => {
                f.write_str("the server is not waiting for an authentication step")
            }
            CommandError::AuthenticationInProgress => {
                f.write_str("an authentication exchange is already under way")
            }
            CommandError::Encode(error) => error.fmt(f),
        }
    }
}

/// Why a publish accepted by `Client::publish` did not complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublishError {
    /// The server's PUBACK or PUBREC carried a failure code (the `context` it came in).
    Refused {
        code: ReasonCode,
        context: ReasonContext,
        reason_string: Option<String>,
    },
    /// The user disconnected before it was sent.
    DisconnectedBeforeSending,
    /// The server did not keep the session, so whether it arrived is unknown.
    SessionNotKept,
    /// It waited for a connection whose limits it does not fit.
    NotSent(CommandError),
    /// A kept session's resend no longer fits the new connection's limits.
    NotResent(CommandError),
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublishError::Refused {
                code,
                context,
                reason_string,
            } => write_reason(f, *code, *context, reason_string.as_deref()),
            PublishError::DisconnectedBeforeSending => {
                f.write_str("not sent: disconnected on request")
            }
            PublishError::SessionNotKept => {
                f.write_str("unconfirmed: the server did not keep the session")
            }
            PublishError::NotSent(error) => error.fmt(f),
            PublishError::NotResent(error) => write!(f, "not resent: {error}"),
        }
    }
}

/// A reason code the server sent in a CONNACK or DISCONNECT, with its own reason string and
/// server reference, which stay data: shown as the server gave them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerReason {
    pub code: ReasonCode,
    pub reason_string: Option<String>,
    pub server_reference: Option<String>,
}

impl ServerReason {
    pub fn new(
        code: ReasonCode,
        reason_string: Option<String>,
        server_reference: Option<String>,
    ) -> Self {
        ServerReason {
            code,
            reason_string,
            server_reference,
        }
    }

    /// The words for this reason in the packet it came in, as `ConnectionError`'s `Display`
    /// says them.
    fn words(&self, context: ReasonContext) -> impl fmt::Display + '_ {
        ServerReasonWords {
            reason: self,
            context,
        }
    }
}

/// Why a version 5 server sends the client elsewhere (MQTT 5 section 4.11).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedirectKind {
    /// 0x9C: use another server, for now.
    UseAnotherServer,
    /// 0x9D: the server has moved for good.
    ServerMoved,
}

/// A server redirection: a CONNACK or DISCONNECT with reason code 0x9C or 0x9D and a
/// non-empty Server Reference. The reference is the server's text, not checked: the caller
/// decides what it may stand for (its format is not specified by MQTT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Redirect<'a> {
    pub kind: RedirectKind,
    pub reference: &'a str,
}

impl ServerReason {
    /// The redirection this reason is, if its code is 0x9C or 0x9D and it names a server.
    pub fn redirect(&self) -> Option<Redirect<'_>> {
        let kind = match self.code {
            ReasonCode::USE_ANOTHER_SERVER => RedirectKind::UseAnotherServer,
            ReasonCode::SERVER_MOVED => RedirectKind::ServerMoved,
            _ => return None,
        };
        let reference = self.server_reference.as_deref()?;
        (!reference.is_empty()).then_some(Redirect { kind, reference })
    }
}

struct ServerReasonWords<'a> {
    reason: &'a ServerReason,
    context: ReasonContext,
}

impl fmt::Display for ServerReasonWords<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = self.reason;
        write_reason(
            f,
            reason.code,
            self.context,
            reason.reason_string.as_deref(),
        )?;
        match &reason.server_reference {
            Some(server) => write!(f, "; the server suggests {server}"),
            None => Ok(()),
        }
    }
}

/// Why a connection ended (or never came up).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectionError {
    /// The transport closed without the core asking; the driver said why.
    Transport(TransportError),
    /// CONNACK did not come within this long of CONNECT.
    ConnAckTimeout(Duration),
    /// PINGRESP did not come within the keep alive interval.
    PingTimeout(Duration),
    /// The server broke the protocol; a version 5 server was told so with the reason code.
    Protocol(ProtocolViolation),
    /// CONNACK refused the connection.
    Refused(ServerReason),
    /// The server sent DISCONNECT (version 5).
    ServerDisconnected(ServerReason),
    /// The options cannot make a valid CONNECT (a will topic with a wildcard, a user name over
    /// 65535 bytes): retrying cannot help.
    InvalidOptions(CommandError),
    /// A packet the core itself sends (an acknowledgement, a ping) does not fit the server's
    /// limits.
    CannotSend(CommandError),
    /// The caller did not accept the server's side of enhanced authentication
    /// (`Client::reject_authentication`: a wrong SCRAM server signature, a malformed step).
    AuthenticationRejected(ScramError),
}

impl fmt::Display for ConnectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectionError::Transport(error) => error.fmt(f),
            ConnectionError::ConnAckTimeout(after) => {
                write!(f, "no CONNACK within {} s", after.as_secs())
            }
            ConnectionError::PingTimeout(after) => {
                write!(f, "no answer to ping within {} s", after.as_secs())
            }
            ConnectionError::Protocol(violation) => violation.fmt(f),
            ConnectionError::Refused(reason) => reason.words(ReasonContext::ConnAck).fmt(f),
            ConnectionError::ServerDisconnected(reason) => write!(
                f,
                "the server disconnected: {}",
                reason.words(ReasonContext::Disconnect)
            ),
            ConnectionError::InvalidOptions(error) => write!(f, "cannot connect: {error}"),
            ConnectionError::CannotSend(error) => write!(f, "could not send a packet: {error}"),
            ConnectionError::AuthenticationRejected(error) => {
                write!(f, "the server's authentication is not accepted: {error}")
            }
        }
    }
}

impl ConnectionError {
    /// The server redirection this is: a refusing CONNACK or a DISCONNECT naming another
    /// server with reason code 0x9C or 0x9D.
    pub fn redirect(&self) -> Option<Redirect<'_>> {
        match self {
            ConnectionError::Refused(reason) | ConnectionError::ServerDisconnected(reason) => {
                reason.redirect()
            }
            _ => None,
        }
    }
}

/// What a driver reports when its transport closes or cannot open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// `url` could not be reached, or the connection broke without a closing handshake
    /// (WebSocket close code 1006).
    Unreachable { url: String },
    /// The server closed the WebSocket with this code and reason (which may be empty).
    Closed { code: u16, reason: String },
    /// A text frame: MQTT over WebSocket is binary frames only (MQTT-6.0.0-1).
    TextFrame,
    /// A transport to `url` could not be created; `detail` is the platform's words.
    CannotOpen { url: String, detail: String },
    /// The user closed it without DISCONNECT, as a network failure would.
    ClosedByUser,
    /// Any other failure, in the platform's words (an OS error); may be empty.
    Other(String),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the connection was closed")?;
        match self {
            TransportError::Unreachable { url } => {
                write!(f, ": could not reach {url} or the connection broke")
            }
            TransportError::Closed { code, reason } if reason.is_empty() => {
                write!(f, ": the WebSocket closed (code {code})")
            }
            TransportError::Closed { code, reason } => {
                write!(f, ": the WebSocket closed (code {code}: {reason})")
            }
            TransportError::TextFrame => f.write_str(
                ": the server sent a text frame; MQTT over WebSocket needs binary frames",
            ),
            TransportError::CannotOpen { url, detail } => {
                write!(f, ": cannot open {url}: {detail}")
            }
            TransportError::ClosedByUser => f.write_str(": closed without DISCONNECT by the user"),
            TransportError::Other(words) if words.is_empty() => Ok(()),
            TransportError::Other(words) => write!(f, ": {words}"),
        }
    }
}

/// What a packet id in use stands for, when the server acknowledged it as something else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PacketIdUse {
    Subscribe,
    Unsubscribe,
    AtLeastOnce,
    ExactlyOnce,
}

/// How the server broke the protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProtocolViolation {
    /// Bytes that are not an acceptable packet.
    Decode(DecodeError),
    ConnAckTwice,
    /// A packet other than CONNACK came first.
    BeforeConnAck {
        packet: &'static str,
    },
    /// MQTT-3.2.2-4: after a clean start there is no session to be present.
    SessionAfterCleanStart,
    /// An acknowledgement for a packet id we are not using.
    UnknownPacketId {
        packet: &'static str,
        packet_id: PacketId,
    },
    /// An acknowledgement for a packet id that is in use by something else.
    WrongAcknowledgement {
        packet: &'static str,
        packet_id: PacketId,
        in_use_by: PacketIdUse,
    },
    PubCompBeforePubRec {
        packet_id: PacketId,
    },
    /// A SUBACK or UNSUBACK whose result count is not its request's filter count.
    ResultCount {
        packet: &'static str,
        results: usize,
        filters: usize,
    },
    /// More unacknowledged incoming QoS 2 messages than our receive maximum.
    ReceiveMaximumExceeded {
        maximum: u16,
    },
    /// A topic alias outside 1 to our topic alias maximum.
    TopicAliasOutOfRange {
        alias: u16,
        maximum: u16,
    },
    /// A topic alias used before it was set on this connection.
    TopicAliasUnknown {
        alias: u16,
    },
    /// AUTH or CONNACK names another authentication method than our CONNECT's
    /// (MQTT-4.12.0-5).
    AuthenticationMethodMismatch {
        got: Option<String>,
    },
    /// AUTH with a reason code that does not fit the exchange: re-authenticate (0x19) from the
    /// server, success outside a re-authentication, continue when no exchange is under way.
    UnexpectedAuth {
        reason: ReasonCode,
    },
}

impl ProtocolViolation {
    /// The version 5 reason code to close the connection with.
    pub fn reason_code(&self) -> ReasonCode {
        match self {
            ProtocolViolation::Decode(error) => error.reason_code(),
            ProtocolViolation::ReceiveMaximumExceeded { .. } => {
                ReasonCode::RECEIVE_MAXIMUM_EXCEEDED
            }
            ProtocolViolation::TopicAliasOutOfRange { .. } => ReasonCode::TOPIC_ALIAS_INVALID,
            _ => ReasonCode::PROTOCOL_ERROR,
        }
    }
}

impl From<DecodeError> for ProtocolViolation {
    fn from(error: DecodeError) -> Self {
        ProtocolViolation::Decode(error)
    }
}

impl fmt::Display for ProtocolViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolViolation::Decode(error) => error.fmt(f),
            ProtocolViolation::ConnAckTwice => f.write_str("the server sent CONNACK twice"),
            ProtocolViolation::BeforeConnAck { packet } => {
                write!(f, "the server sent {packet} before CONNACK")
            }
            ProtocolViolation::SessionAfterCleanStart => {
                f.write_str("the server claims a session after a clean start")
            }
            ProtocolViolation::UnknownPacketId { packet, packet_id } => {
                write!(f, "{packet} for packet id {packet_id}, which is not in use")
            }
            ProtocolViolation::WrongAcknowledgement {
                packet,
                packet_id,
                in_use_by,
            } => {
                let what = match in_use_by {
                    PacketIdUse::Subscribe => "a SUBSCRIBE",
                    PacketIdUse::Unsubscribe => "an UNSUBSCRIBE",
                    PacketIdUse::AtLeastOnce => "a QoS 1 message",
                    PacketIdUse::ExactlyOnce => "a QoS 2 message",
                };
                write!(f, "{packet} for packet id {packet_id}, which is {what}")
            }
            ProtocolViolation::PubCompBeforePubRec { packet_id } => {
                write!(f, "PUBCOMP for packet id {packet_id} before its PUBREC")
            }
            ProtocolViolation::ResultCount {
                packet,
                results,
                filters,
            } => write!(f, "{packet} has {results} results for {filters} filters"),
            ProtocolViolation::ReceiveMaximumExceeded { maximum } => write!(
                f,
                "the server sent more than {maximum} unacknowledged QoS 2 messages"
            ),
            ProtocolViolation::TopicAliasOutOfRange { alias, maximum } => write!(
                f,
                "the server used topic alias {alias}, but we allow 1 to {maximum}"
            ),
            ProtocolViolation::TopicAliasUnknown { alias } => write!(
                f,
                "the server used topic alias {alias} before saying what it stands for"
            ),
            ProtocolViolation::AuthenticationMethodMismatch { got: Some(got) } => write!(
                f,
                "the server answered with the authentication method {got}, not the one chosen"
            ),
            ProtocolViolation::AuthenticationMethodMismatch { got: None } => {
                f.write_str("the server's AUTH names no authentication method")
            }
            ProtocolViolation::UnexpectedAuth { reason } => write!(
                f,
                "the server sent AUTH with reason code 0x{:02X}, which does not fit the exchange",
                reason.0
            ),
        }
    }
}

/// A reason code in words, with the server's reason string if it gave one.
fn write_reason(
    f: &mut fmt::Formatter<'_>,
    code: ReasonCode,
    context: ReasonContext,
    reason_string: Option<&str>,
) -> fmt::Result {
    f.write_str(code.describe(context))?;
    match reason_string {
        Some(reason) => write!(f, " ({reason})"),
        None => Ok(()),
    }
}
