//! Enhanced authentication (MQTT 5.0 section 4.12) as a generic exchange of steps: the
//! method and first data go in CONNECT (from `ClientOptions::authentication`); each AUTH
//! (continue) from the server is an `Event::AuthenticationStep`, answered by `authenticate`;
//! `reauthenticate` starts a new exchange on a live connection. What the steps mean (SCRAM,
//! for one: `crate::scram`) is the caller's; the core checks only who may send what when.

use bytes::Bytes;

use super::Client;
use crate::codec::{DecodeError, ProtocolFault};
use crate::connection::Phase;
use crate::error::{CommandError, ConnectionError, ProtocolViolation};
use crate::event::{ConnectionState, Event};
use crate::packet::{Auth, AuthProperties, Packet, ProtocolVersion, ReasonCode};
use crate::scram::ScramError;
use crate::time::Instant;
use crate::timer::Timer;

use crate::connection::CONNACK_TIMEOUT;

impl Client {
    /// Replaces the data the next CONNECT carries (a fresh first step for each attempt, as
    /// SCRAM wants a new nonce per exchange). Without a method in the options it does nothing.
    pub fn set_authentication_data(&mut self, data: Option<Bytes>) {
        if let Some(authentication) = &mut self.options.authentication {
            authentication.data = data;
        }
    }

    /// The next step of the exchange, after an `Event::AuthenticationStep`: AUTH (continue
    /// authentication) with our method and `data`.
    pub fn authenticate(&mut self, now: Instant, data: Option<Bytes>) -> Result<(), CommandError> {
        let method = self.authentication_method()?;
        let Some(connection) = &mut self.connection else {
            return Err(CommandError::NotConnected);
        };
        if !connection.auth.awaiting_step {
            return Err(CommandError::NoAuthenticationStep);
        }
        let auth = auth(ReasonCode::CONTINUE_AUTHENTICATION, method, data);
        self.send(now, &auth)?;
        if let Some(connection) = &mut self.connection {
            connection.auth.awaiting_step = false;
        }
        Ok(())
    }

    /// Starts a re-authentication on the live connection: AUTH (re-authenticate) with our
    /// method and `data` as the first step. It ends in `Event::Reauthenticated`, or the
    /// server's DISCONNECT.
    pub fn reauthenticate(
        &mut self,
        now: Instant,
        data: Option<Bytes>,
    ) -> Result<(), CommandError> {
        let method = self.authentication_method()?;
        let connection = self.connected()?;
        if connection.auth.reauthenticating {
            return Err(CommandError::AuthenticationInProgress);
        }
        self.send(now, &auth(ReasonCode::RE_AUTHENTICATE, method, data))?;
        if let Some(connection) = &mut self.connection {
            connection.auth.reauthenticating = true;
        }
        Ok(())
    }

    /// Ends the connection because the caller does not accept the server's side of the
    /// exchange (SCRAM: a server signature that proves no knowledge of the password, or a
    /// malformed server message): DISCONNECT 0x83 to a live connection, close, and no
    /// reconnect, since another attempt would meet the same server. The state says why.
    pub fn reject_authentication(&mut self, now: Instant, error: ScramError) {
        if self.connection.is_none() {
            return;
        }
        if self
            .connection
            .as_ref()
            .is_some_and(crate::connection::Connection::is_connected)
        {
            self.send_goodbye(now, ReasonCode::IMPLEMENTATION_SPECIFIC_ERROR);
        }
        self.drop_connection(now, true);
        self.set_state(ConnectionState::Disconnected {
            reason: Some(ConnectionError::AuthenticationRejected(error)),
        });
    }

    /// Whether a re-authentication started by `reauthenticate` is still under way.
    pub fn is_reauthenticating(&self) -> bool {
        self.connection
            .as_ref()
            .is_some_and(|connection| connection.auth.reauthenticating)
    }

    fn authentication_method(&self) -> Result<alloc::string::String, CommandError> {
        match (&self.options.authentication, self.options.version) {
            (Some(authentication), ProtocolVersion::V5) => Ok(authentication.method.clone()),
            _ => Err(CommandError::NoAuthenticationMethod),
        }
    }

    /// The method a CONNACK or AUTH names must be ours; an AUTH must name one.
    pub(super) fn check_method(
        &self,
        method: &Option<alloc::string::String>,
        required: bool,
    ) -> Result<(), ProtocolViolation> {
        let ours = self.options.authentication.as_ref().map(|a| &a.method);
        match (method, ours) {
            (None, _) if !required => Ok(()),
            (Some(got), Some(ours)) if got == ours => Ok(()),
            (got, Some(_)) => {
                Err(ProtocolViolation::AuthenticationMethodMismatch { got: got.clone() })
            }
            (_, None) => Err(unrequested()),
        }
    }

    /// An AUTH from the server, while connecting or connected.
    pub(super) fn handle_auth(
        &mut self,
        now: Instant,
        auth: Auth,
    ) -> Result<(), ProtocolViolation> {
        if self.options.authentication.is_none() {
            return Err(unrequested());
        }
        self.check_method(&auth.properties.method, true)?;
        let Some(connection) = &mut self.connection else {
            return Ok(());
        };
        let connecting = matches!(connection.phase, Phase::AwaitingConnAck);
        let exchange = connecting || connection.auth.reauthenticating;
        let AuthProperties {
            method,
            data,
            reason_string,
            ..
        } = auth.properties;
        match auth.reason {
            ReasonCode::CONTINUE_AUTHENTICATION if exchange => {
                connection.auth.awaiting_step = true;
                if connecting {
                    // A person may be typing the next step: the CONNACK wait starts again.
                    self.timers.set(Timer::ConnAck, now + CONNACK_TIMEOUT);
                }
                self.events.push_back(Event::AuthenticationStep {
                    method: method.unwrap_or_default(),
                    data,
                    reason_string,
                });
                Ok(())
            }
            ReasonCode::SUCCESS if connection.auth.reauthenticating && !connecting => {
                connection.auth = Default::default();
                self.events.push_back(Event::Reauthenticated {
                    data,
                    reason_string,
                });
                Ok(())
            }
            reason => Err(ProtocolViolation::UnexpectedAuth { reason }),
        }
    }
}

/// An AUTH though our CONNECT named no method (MQTT-4.12.0-6).
fn unrequested() -> ProtocolViolation {
    ProtocolViolation::Decode(DecodeError::ProtocolError {
        packet: "AUTH",
        detail: ProtocolFault::UnrequestedAuthentication,
    })
}

fn auth(reason: ReasonCode, method: alloc::string::String, data: Option<Bytes>) -> Packet {
    Packet::Auth(Auth {
        reason,
        properties: AuthProperties {
            method: Some(method),
            data,
            ..AuthProperties::default()
        },
    })
}
