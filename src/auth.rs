//! Enhanced authentication (MQTT 5) in the app: what the connection form holds (`AuthSettings`),
//! what the driver needs to run an exchange (`AuthPlan`: SCRAM's hash and credentials, or the
//! generic mode's), and the exchange as the tab shows it (`AuthExchange`, plain data in `State`,
//! changed by `AuthAction`s from the driver). The SCRAM steps are the core's
//! (`mqtt_core::scram`); the driver runs them (`driver/auth.rs`).

use mqtt_core::scram::ScramHash;
use mqtt_core::{Authentication, Bytes, ProtocolVersion};

use crate::payload;
use crate::settings::{Field, Problem, SettingsError};

/// Which enhanced authentication the connection uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuthMode {
    #[default]
    None,
    Scram(ScramHash),
    /// A method named by the user, its steps typed by the user.
    Generic,
}

/// Every mode, in the form's order.
pub const AUTH_MODES: [AuthMode; 4] = [
    AuthMode::None,
    AuthMode::Scram(ScramHash::Sha256),
    AuthMode::Scram(ScramHash::Sha512),
    AuthMode::Generic,
];

const GENERIC_KEY: &str = "generic";
const NONE_KEY: &str = "none";

impl AuthMode {
    /// The key profiles and the form's select use: "none", the SCRAM method's name, "generic".
    pub fn key(self) -> &'static str {
        match self {
            AuthMode::None => NONE_KEY,
            AuthMode::Scram(hash) => hash.method(),
            AuthMode::Generic => GENERIC_KEY,
        }
    }

    pub fn from_key(key: &str) -> Option<AuthMode> {
        AUTH_MODES.into_iter().find(|mode| mode.key() == key)
    }
}

/// The connection form's authentication fields, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthSettings {
    pub mode: AuthMode,
    /// The generic mode's method name and initial data.
    pub method: String,
    pub data: String,
    /// Whether `data` is hex digits rather than text.
    pub data_hex: bool,
}

/// One edit of the form's authentication fields (applied to the form's latest settings, not
/// to those of the render that made the callback).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthEdit {
    Mode(AuthMode),
    Method(String),
    Data(String),
    DataHex(bool),
}

impl AuthSettings {
    pub fn edit(&mut self, edit: AuthEdit) {
        match edit {
            AuthEdit::Mode(mode) => self.mode = mode,
            AuthEdit::Method(method) => self.method = method,
            AuthEdit::Data(data) => self.data = data,
            AuthEdit::DataHex(hex) => self.data_hex = hex,
        }
    }
}

/// Text or hex digits as bytes (`None` for nothing typed).
pub fn parse_data(text: &str, hex: bool) -> Result<Option<Bytes>, payload::InputError> {
    let bytes = match hex {
        true => payload::hex_decode(text)?,
        false => text.as_bytes().to_vec(),
    };
    Ok(Some(Bytes::from(bytes)).filter(|bytes| !bytes.is_empty()))
}

impl AuthSettings {
    /// What CONNECT carries: the method, and the generic mode's initial data (SCRAM's first
    /// message is the driver's, with a fresh nonce for each attempt). Nothing in 3.1.1.
    pub(crate) fn options(
        &self,
        version: ProtocolVersion,
        username: &str,
    ) -> Result<Option<Authentication>, SettingsError> {
        if version != ProtocolVersion::V5 {
            return Ok(None);
        }
        match self.mode {
            AuthMode::None => Ok(None),
            AuthMode::Scram(hash) => {
                if username.is_empty() {
                    return Err(SettingsError {
                        field: Field::Username,
                        problem: Problem::ScramNeedsUsername,
                    });
                }
                Ok(Some(Authentication {
                    method: hash.method().into(),
                    data: None,
                }))
            }
            AuthMode::Generic => {
                let method = self.method.trim();
                if method.is_empty() {
                    return Err(SettingsError {
                        field: Field::AuthMethod,
                        problem: Problem::Required,
                    });
                }
                crate::validate::control_characters(method).map_err(|problem| SettingsError {
                    field: Field::AuthMethod,
                    problem: Problem::Text(problem),
                })?;
                let data =
                    parse_data(&self.data, self.data_hex).map_err(|error| SettingsError {
                        field: Field::AuthData,
                        problem: Problem::Data(error),
                    })?;
                Ok(Some(Authentication {
                    method: method.into(),
                    data,
                }))
            }
        }
    }
}

/// What the driver needs to run the exchange of a connection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AuthPlan {
    #[default]
    None,
    Scram {
        hash: ScramHash,
        username: String,
        password: String,
    },
    /// The user answers each step; re-authentication starts again from CONNECT's data.
    Generic,
}

impl AuthPlan {
    /// The plan for settings that `ClientOptions::try_from` accepted.
    pub fn of(settings: &crate::settings::ConnectionSettings) -> AuthPlan {
        if settings.version != ProtocolVersion::V5 {
            return AuthPlan::None;
        }
        match settings.auth.mode {
            AuthMode::None => AuthPlan::None,
            AuthMode::Scram(hash) => AuthPlan::Scram {
                hash,
                username: settings.username.clone(),
                password: settings.password.clone(),
            },
            AuthMode::Generic => AuthPlan::Generic,
        }
    }
}

/// One AUTH (continue authentication) from the server, as the generic mode shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthStep {
    pub method: String,
    pub reason_string: Option<String>,
    pub data: Option<Vec<u8>>,
}

/// The steps kept of one exchange: a server could send any number.
pub const MAX_STEPS: usize = 32;

/// The tab's enhanced authentication, as plain data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthExchange {
    /// The method of the current connection's exchange; `None` without enhanced
    /// authentication.
    pub method: Option<String>,
    /// The user answers the steps (the generic mode); SCRAM's the driver answers.
    pub generic: bool,
    /// The server's steps of the exchange under way or last finished, oldest first.
    pub steps: Vec<AuthStep>,
    /// The server waits for the user's next step.
    pub awaiting: bool,
    /// A re-authentication is under way.
    pub reauthenticating: bool,
    /// The data of the CONNACK or AUTH (success) that ended the last exchange.
    pub final_data: Option<Vec<u8>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthAction {
    /// A connection with this method (`None`: without enhanced authentication) is being made.
    Connecting {
        method: Option<String>,
        generic: bool,
    },
    /// An exchange starts: a CONNECT's, or a re-authentication's.
    Started {
        reauthenticating: bool,
    },
    Step(AuthStep),
    /// The user's step went out.
    Answered,
    /// The exchange succeeded, with the server's last data.
    Done(Option<Vec<u8>>),
    /// The connection ended: no step is awaited any more.
    Ended,
}

impl AuthExchange {
    pub fn apply(&mut self, action: AuthAction) {
        match action {
            AuthAction::Connecting { method, generic } => {
                *self = AuthExchange {
                    method,
                    generic,
                    ..AuthExchange::default()
                };
            }
            AuthAction::Started { reauthenticating } => {
                self.steps.clear();
                self.final_data = None;
                self.awaiting = false;
                self.reauthenticating = reauthenticating;
            }
            AuthAction::Step(step) => {
                if self.steps.len() == MAX_STEPS {
                    self.steps.remove(0);
                }
                self.steps.push(step);
                self.awaiting = true;
            }
            AuthAction::Answered => self.awaiting = false,
            AuthAction::Done(data) => {
                self.final_data = data;
                self.awaiting = false;
                self.reauthenticating = false;
            }
            AuthAction::Ended => {
                self.awaiting = false;
                self.reauthenticating = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::ConnectionSettings;
    use mqtt_core::ClientOptions;

    fn settings(auth: AuthSettings) -> ConnectionSettings {
        ConnectionSettings {
            username: "user".into(),
            password: "pencil".into(),
            auth,
            ..ConnectionSettings::default()
        }
    }

    fn error(settings: &ConnectionSettings) -> Option<(Field, String)> {
        ClientOptions::try_from(settings)
            .err()
            .map(|e| (e.field, crate::i18n::english(&e.text())))
    }

    #[test]
    fn modes_have_keys_both_ways() {
        for mode in AUTH_MODES {
            assert_eq!(AuthMode::from_key(mode.key()), Some(mode));
        }
        assert_eq!(AuthMode::Scram(ScramHash::Sha512).key(), "SCRAM-SHA-512");
        assert_eq!(AuthMode::from_key("SCRAM-SHA-1"), None);
    }

    #[test]
    fn scram_names_its_method_and_leaves_the_first_step_and_the_password_to_the_driver() {
        let s = settings(AuthSettings {
            mode: AuthMode::Scram(ScramHash::Sha256),
            ..AuthSettings::default()
        });
        let options = ClientOptions::try_from(&s).expect("valid");
        let auth = options.authentication.expect("a method");
        assert_eq!((auth.method.as_str(), auth.data), ("SCRAM-SHA-256", None));
        assert_eq!(options.password, None, "SCRAM never sends the password");
        assert_eq!(options.username.as_deref(), Some("user"));
        assert_eq!(
            AuthPlan::of(&s),
            AuthPlan::Scram {
                hash: ScramHash::Sha256,
                username: "user".into(),
                password: "pencil".into()
            }
        );
        let nameless = ConnectionSettings {
            username: String::new(),
            ..s.clone()
        };
        assert_eq!(
            error(&nameless),
            Some((Field::Username, "SCRAM needs a username".into()))
        );
        // Not in 3.1.1, which has no AUTH.
        let old = ConnectionSettings {
            version: ProtocolVersion::V311,
            ..s
        };
        let options = ClientOptions::try_from(&old).expect("valid");
        assert_eq!(options.authentication, None);
        assert_eq!(options.password.as_deref(), Some(&b"pencil"[..]));
        assert_eq!(AuthPlan::of(&old), AuthPlan::None);
    }

    #[test]
    fn the_generic_mode_needs_a_method_and_valid_hex() {
        let mut s = settings(AuthSettings {
            mode: AuthMode::Generic,
            method: " TEST-CHALLENGE ".into(),
            data: "68 65 6c 6c 6f".into(),
            data_hex: true,
        });
        let auth = ClientOptions::try_from(&s)
            .expect("valid")
            .authentication
            .expect("a method");
        assert_eq!(auth.method, "TEST-CHALLENGE");
        assert_eq!(auth.data.as_deref(), Some(&b"hello"[..]));
        assert_eq!(AuthPlan::of(&s), AuthPlan::Generic);

        s.auth.data = "6g".into();
        assert_eq!(
            error(&s),
            Some((
                Field::AuthData,
                "Initial data: Invalid hex: 'g' is not a hex digit".into()
            ))
        );
        s.auth.data_hex = false;
        let auth = ClientOptions::try_from(&s).expect("valid").authentication;
        assert_eq!(auth.and_then(|a| a.data).as_deref(), Some(&b"6g"[..]));
        s.auth.data.clear();
        let auth = ClientOptions::try_from(&s).expect("valid").authentication;
        assert_eq!(auth.and_then(|a| a.data), None, "no data, no property");
        s.auth.method = "  ".into();
        assert_eq!(
            error(&s),
            Some((
                Field::AuthMethod,
                "Authentication method is required".into()
            ))
        );
    }

    #[test]
    fn the_exchange_keeps_steps_until_the_next_starts() {
        let mut exchange = AuthExchange::default();
        exchange.apply(AuthAction::Connecting {
            method: Some("M".into()),
            generic: true,
        });
        exchange.apply(AuthAction::Started {
            reauthenticating: false,
        });
        let step = AuthStep {
            method: "M".into(),
            reason_string: Some("challenge".into()),
            data: Some(b"q".to_vec()),
        };
        exchange.apply(AuthAction::Step(step.clone()));
        assert!(exchange.awaiting);
        exchange.apply(AuthAction::Answered);
        assert!(!exchange.awaiting);
        exchange.apply(AuthAction::Done(Some(b"ok".to_vec())));
        assert_eq!(exchange.steps, std::slice::from_ref(&step));
        assert_eq!(exchange.final_data.as_deref(), Some(&b"ok"[..]));
        exchange.apply(AuthAction::Started {
            reauthenticating: true,
        });
        assert!(exchange.steps.is_empty() && exchange.reauthenticating);
        for _ in 0..MAX_STEPS + 5 {
            exchange.apply(AuthAction::Step(step.clone()));
        }
        assert_eq!(exchange.steps.len(), MAX_STEPS);
        exchange.apply(AuthAction::Ended);
        assert!(!exchange.awaiting && !exchange.reauthenticating);
        assert_eq!(exchange.method.as_deref(), Some("M"));
    }
}
