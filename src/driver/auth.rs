//! The driver's side of enhanced authentication: it runs SCRAM's steps itself (a fresh nonce
//! from `crypto.getRandomValues` for every CONNECT and re-authentication, the proof when the
//! server's first message arrives, the server's signature checked in CONNACK or AUTH success;
//! anything wrong ends the connection through `Client::reject_authentication`), and turns the
//! generic mode's steps into `AuthAction`s for the user to answer. The exchange's state as the
//! user sees it is in `State`; here is only what the protocol needs.

use mqtt_core::scram::{ScramClient, ScramError};
use mqtt_core::{Bytes, Client, CommandError, ConnectionState, Event, Instant};

use crate::auth::{AuthAction, AuthPlan, AuthStep};
use crate::i18n::{Key, Text};
use crate::payload::base64_encode;
use crate::state::Action;

/// Random bytes in a SCRAM nonce (24 characters of base64).
const NONCE_BYTES: usize = 18;

/// A nonce from the browser's cryptographic generator, never from `Math.random`.
pub(super) fn nonce() -> Result<String, Text> {
    let crypto = web_sys::window()
        .and_then(|window| window.crypto().ok())
        .ok_or_else(|| Text::from(Key::NoRandomNumbers))?;
    let mut bytes = [0u8; NONCE_BYTES];
    crypto
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| Text::from(Key::NoRandomNumbers))?;
    Ok(base64_encode(&bytes))
}

#[derive(Default)]
pub(super) struct Authenticator {
    plan: AuthPlan,
    /// The SCRAM exchange under way (or last finished), with the signature it expects.
    scram: Option<ScramClient>,
}

impl Authenticator {
    pub(super) fn new(plan: AuthPlan) -> Authenticator {
        Authenticator { plan, scram: None }
    }

    /// What the tab hears of a new connection's authentication.
    pub(super) fn connecting(&self, client: &Client) -> Action {
        Action::Auth(AuthAction::Connecting {
            method: client
                .options()
                .authentication
                .as_ref()
                .map(|a| a.method.clone()),
            generic: self.plan == AuthPlan::Generic,
        })
    }

    /// A new SCRAM exchange with a fresh nonce; `None` for the other plans.
    fn fresh_scram(&self) -> Option<Result<ScramClient, Text>> {
        let AuthPlan::Scram {
            hash,
            username,
            password,
        } = &self.plan
        else {
            return None;
        };
        Some(nonce().map(|nonce| ScramClient::new(*hash, username, password.as_bytes(), &nonce)))
    }

    /// Before each CONNECT (the first and every reconnect): SCRAM's first message with a new
    /// nonce. Without random numbers CONNECT goes without data and the server refuses it.
    pub(super) fn before_connect(&mut self, client: &mut Client, outbox: &mut Vec<Action>) {
        if self.plan != AuthPlan::None {
            outbox.push(Action::Auth(AuthAction::Started {
                reauthenticating: false,
            }));
        }
        if let Some(scram) = self.fresh_scram() {
            let scram = scram.ok();
            client.set_authentication_data(scram.as_ref().map(|s| Bytes::from(s.client_first())));
            self.scram = scram;
        }
    }

    /// Starts a re-authentication: SCRAM afresh with a new nonce, the generic mode again from
    /// CONNECT's data.
    pub(super) fn reauthenticate(
        &mut self,
        client: &mut Client,
        now: Instant,
        outbox: &mut Vec<Action>,
    ) -> Result<(), Text> {
        let (data, scram) = match self.fresh_scram() {
            Some(scram) => {
                let scram = scram?;
                (Some(Bytes::from(scram.client_first())), Some(scram))
            }
            None => {
                let data = client
                    .options()
                    .authentication
                    .as_ref()
                    .and_then(|a| a.data.clone());
                (data, None)
            }
        };
        client
            .reauthenticate(now, data)
            .map_err(|error| crate::i18n::outcomes::command_error_sentence(&error))?;
        if scram.is_some() {
            self.scram = scram;
        }
        outbox.push(Action::Auth(AuthAction::Started {
            reauthenticating: true,
        }));
        Ok(())
    }

    /// The user's next step of the generic mode.
    pub(super) fn answer(
        &mut self,
        client: &mut Client,
        now: Instant,
        data: Option<Bytes>,
        outbox: &mut Vec<Action>,
    ) -> Result<(), CommandError> {
        client.authenticate(now, data)?;
        outbox.push(Action::Auth(AuthAction::Answered));
        Ok(())
    }

    /// Acts on an event of the core before it is translated; `None` keeps it from the tab (a
    /// CONNACK from a server whose signature is wrong: the tab sees the rejection instead).
    pub(super) fn on_event(
        &mut self,
        client: &mut Client,
        now: Instant,
        event: Event,
        outbox: &mut Vec<Action>,
    ) -> Option<Event> {
        if self.plan == AuthPlan::None {
            return Some(event);
        }
        match &event {
            Event::AuthenticationStep {
                method,
                data,
                reason_string,
            } => match self.scram.as_mut() {
                Some(scram) => {
                    let answer = scram.client_final(data.as_deref().unwrap_or_default());
                    match answer {
                        Ok(answer) => {
                            // Refused only if no step is awaited, which this event says it is.
                            let _ = client.authenticate(now, Some(Bytes::from(answer)));
                        }
                        Err(error) => client.reject_authentication(now, error),
                    }
                }
                None if self.plan == AuthPlan::Generic => {
                    outbox.push(Action::Auth(AuthAction::Step(AuthStep {
                        method: method.clone(),
                        reason_string: reason_string.clone(),
                        data: data.as_ref().map(|d| d.to_vec()),
                    })));
                }
                // SCRAM without a nonce: the server's step cannot be answered.
                None => client.reject_authentication(now, ScramError::OutOfOrder),
            },
            Event::Connected(connack) => {
                let data = connack.properties.authentication_data.clone();
                if !self.accept_final(client, now, data.as_deref()) {
                    return None;
                }
                outbox.push(Action::Auth(AuthAction::Done(data.map(|d| d.to_vec()))));
            }
            Event::Reauthenticated { data, .. } => {
                if !self.accept_final(client, now, data.as_deref()) {
                    return None;
                }
                outbox.push(Action::Auth(AuthAction::Done(
                    data.as_ref().map(|d| d.to_vec()),
                )));
            }
            Event::StateChanged(state) if !matches!(state, ConnectionState::Connecting) => {
                outbox.push(Action::Auth(AuthAction::Ended));
            }
            _ => {}
        }
        Some(event)
    }

    /// SCRAM: the server's final message must carry the signature that proves it knows the
    /// password; otherwise the connection ends with the typed error. The generic mode takes
    /// what the server sent.
    fn accept_final(&mut self, client: &mut Client, now: Instant, data: Option<&[u8]>) -> bool {
        let Some(scram) = self.scram.as_ref() else {
            return true;
        };
        match scram.verify_server_final(data.unwrap_or_default()) {
            Ok(()) => true,
            Err(error) => {
                client.reject_authentication(now, error);
                false
            }
        }
    }
}
