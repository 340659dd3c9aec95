//! Connection settings as the form edits them, presets, and their conversion to the core's
//! `ClientOptions` (`TryFrom`), which refuses what cannot be sent with a `SettingsError` that
//! names the field. Saved profiles and shared links are `profile`'s.

use std::str::FromStr;

use mqtt_core::topic::validate_topic_name;
use mqtt_core::{Bytes, ClientOptions, ProtocolVersion, QoS, TopicError, Will, WillProperties};

use crate::auth::{AuthMode, AuthSettings};
use crate::decoder_rules::DecoderRule;
use crate::i18n::{outcomes, Key, Text};
use crate::validate::{self, NotANumber, TextProblem, UrlProblem};

/// The broker the local serve command starts.
pub const DEFAULT_BROKER_URL: &str = "ws://127.0.0.1:9001";

/// The largest packet the app accepts (announced to a 5.0 server; a larger one from any server
/// ends the connection): without it a hostile length prefix could make the tab buffer 256 MB.
pub const MAX_INCOMING_PACKET_SIZE: u32 = 16 * 1024 * 1024;

pub struct Preset {
    pub name: Key,
    pub url: &'static str,
}

pub const PRESETS: [Preset; 4] = [
    Preset {
        name: Key::PresetLocalMosquitto,
        url: DEFAULT_BROKER_URL,
    },
    Preset {
        name: Key::PresetEmqx,
        url: "wss://broker.emqx.io:8084/mqtt",
    },
    Preset {
        name: Key::PresetMosquittoTest,
        url: "wss://test.mosquitto.org:8081",
    },
    Preset {
        name: Key::PresetHivemq,
        url: "wss://broker.hivemq.com:8884/mqtt",
    },
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WillSettings {
    pub topic: String,
    pub payload: String,
    pub qos: QoS,
    pub retain: bool,
    /// Version 5 will properties, as typed (empty = absent).
    pub delay_interval: String,
    pub message_expiry: String,
    pub content_type: String,
}

impl Default for WillSettings {
    fn default() -> Self {
        WillSettings {
            topic: String::new(),
            payload: String::new(),
            qos: QoS::AtMostOnce,
            retain: false,
            delay_interval: String::new(),
            message_expiry: String::new(),
            content_type: String::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionSettings {
    pub url: String,
    /// More URLs of the same broker (or cluster), one per line, tried in turn after the main
    /// one (`addresses.rs`).
    pub backup_urls: String,
    /// Follow an MQTT 5 Server Reference without asking.
    pub follow_references: bool,
    pub version: ProtocolVersion,
    pub client_id: String,
    pub username: String,
    pub password: String,
    pub remember_password: bool,
    pub keep_alive: String,
    pub clean_start: bool,
    /// Seconds, as typed (version 5; empty = 0, the session ends with the connection).
    pub session_expiry: String,
    pub auto_reconnect: bool,
    pub will: WillSettings,
    /// Enhanced authentication (version 5; `auth.rs`).
    pub auth: AuthSettings,
    /// Payload decoders per topic, first match first (`decoder_rules.rs`).
    pub decoders: Vec<DecoderRule>,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        ConnectionSettings {
            url: DEFAULT_BROKER_URL.to_owned(),
            backup_urls: String::new(),
            follow_references: false,
            version: ProtocolVersion::V5,
            client_id: String::new(),
            username: String::new(),
            password: String::new(),
            remember_password: false,
            keep_alive: "60".to_owned(),
            clean_start: true,
            session_expiry: String::new(),
            auto_reconnect: true,
            will: WillSettings::default(),
            auth: AuthSettings::default(),
            decoders: crate::decoder_rules::default_rules(),
        }
    }
}

/// A field of the connection form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Url,
    BackupUrls,
    KeepAlive,
    SessionExpiry,
    ClientId,
    Username,
    Password,
    WillTopic,
    WillPayload,
    WillDelay,
    WillMessageExpiry,
    WillContentType,
    AuthMethod,
    AuthData,
}

impl Field {
    /// The field's name as a sentence starts with it.
    pub fn name(self) -> Key {
        match self {
            Field::Url => Key::TheBrokerUrl,
            Field::BackupUrls => Key::BackupUrls,
            Field::KeepAlive => Key::FieldKeepAlive,
            Field::SessionExpiry => Key::FieldSessionExpiry,
            Field::ClientId => Key::FieldClientId,
            Field::Username => Key::FieldUsername,
            Field::Password => Key::FieldPassword,
            Field::WillTopic => Key::FieldWillTopic,
            Field::WillPayload => Key::FieldWillPayload,
            Field::WillDelay => Key::FieldWillDelay,
            Field::WillMessageExpiry => Key::FieldWillMessageExpiry,
            Field::WillContentType => Key::FieldWillContentType,
            Field::AuthMethod => Key::FieldAuthMethod,
            Field::AuthData => Key::FieldAuthData,
        }
    }

    fn error(self, problem: Problem) -> SettingsError {
        SettingsError {
            field: self,
            problem,
        }
    }

    fn number<T: FromStr>(self, text: &str) -> Result<Option<T>, SettingsError> {
        validate::optional_number(text).map_err(|NotANumber| self.error(Problem::NotANumber))
    }

    fn text(
        self,
        check: fn(&str) -> Result<(), TextProblem>,
        text: &str,
    ) -> Result<(), SettingsError> {
        check(text).map_err(|problem| self.error(Problem::Text(problem)))
    }
}

/// What is wrong with a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Url(UrlProblem),
    Backup(crate::addresses::BackupProblem),
    /// Not a whole number that the field's type holds (keep alive: 16 bits, the others: 32).
    NotANumber,
    Text(TextProblem),
    Topic(TopicError),
    /// Nothing typed where something must be.
    Required,
    /// Not valid in its data format (hex).
    Data(crate::payload::InputError),
    ScramNeedsUsername,
}

/// Why the settings cannot be connected with; `text` says it in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsError {
    pub field: Field,
    pub problem: Problem,
}

impl SettingsError {
    pub fn text(&self) -> Text {
        let name = self.field.name();
        match &self.problem {
            Problem::Url(problem) => problem.text(),
            Problem::Backup(problem) => problem.text(),
            Problem::NotANumber if self.field == Field::KeepAlive => Text::new(Key::SecondsRange)
                .with("what", name)
                .number("maximum", u64::from(u16::MAX)),
            Problem::NotANumber => Text::new(Key::WholeNumberRange)
                .with("what", name)
                .number("maximum", u64::from(u32::MAX)),
            Problem::Text(problem) => problem.text(name),
            Problem::Topic(error) => Text::new(Key::FieldProblem)
                .with("what", name)
                .with("reason", outcomes::topic_error(error)),
            Problem::Required => Text::new(Key::FieldRequired).with("what", name),
            Problem::Data(error) => Text::new(Key::FieldProblem)
                .with("what", name)
                .with("reason", error.text()),
            Problem::ScramNeedsUsername => Key::ScramNeedsUsername.into(),
        }
    }
}

/// For the callbacks that show the words (`?` in a callback that returns them).
impl From<SettingsError> for Text {
    fn from(error: SettingsError) -> Text {
        error.text()
    }
}

impl TryFrom<&ConnectionSettings> for ClientOptions {
    type Error = SettingsError;

    fn try_from(settings: &ConnectionSettings) -> Result<ClientOptions, SettingsError> {
        let will = &settings.will;
        let client_id = settings.client_id.trim();
        validate::broker_url(&settings.url).map_err(|p| Field::Url.error(Problem::Url(p)))?;
        crate::addresses::check_backups(&settings.backup_urls)
            .map_err(|p| Field::BackupUrls.error(Problem::Backup(p)))?;
        let keep_alive = Field::KeepAlive.number(&settings.keep_alive)?;
        let session_expiry = Field::SessionExpiry.number(&settings.session_expiry)?;
        if !will.topic.is_empty() {
            validate_topic_name(&will.topic)
                .map_err(|e| Field::WillTopic.error(Problem::Topic(e)))?;
        }
        for (field, text) in [
            (Field::ClientId, client_id),
            (Field::Username, &settings.username),
            (Field::WillTopic, &will.topic),
            (Field::WillContentType, &will.content_type),
        ] {
            field.text(validate::control_characters, text)?;
        }
        let will_delay = Field::WillDelay.number(&will.delay_interval)?;
        let will_expiry = Field::WillMessageExpiry.number(&will.message_expiry)?;
        for (field, text) in [
            (Field::ClientId, client_id),
            (Field::Username, &settings.username),
            (Field::Password, &settings.password),
            (Field::WillPayload, &will.payload),
            (Field::WillContentType, &will.content_type),
        ] {
            field.text(validate::string_length, text)?;
        }

        let authentication = settings
            .auth
            .options(settings.version, &settings.username)?;

        let v5 = settings.version == ProtocolVersion::V5;
        let mut options = ClientOptions::new(settings.version, client_id);
        options.maximum_packet_size = Some(MAX_INCOMING_PACKET_SIZE);
        options.username = Some(settings.username.clone()).filter(|u| !u.is_empty());
        // SCRAM proves the password without sending it.
        let scram = v5 && matches!(settings.auth.mode, AuthMode::Scram(_));
        options.password = Some(Bytes::from(settings.password.clone().into_bytes()))
            .filter(|p| !p.is_empty() && !scram);
        options.authentication = authentication;
        options.keep_alive = keep_alive.unwrap_or(0);
        options.clean_start = settings.clean_start;
        if v5 {
            options.session_expiry_interval = session_expiry;
        }
        options.reconnect.enabled = settings.auto_reconnect;
        if !will.topic.is_empty() {
            let mut properties = WillProperties::default();
            if v5 {
                properties.delay_interval = will_delay;
                properties.message_expiry_interval = will_expiry;
                properties.content_type = Some(will.content_type.clone()).filter(|c| !c.is_empty());
            }
            options.will = Some(Will {
                topic: will.topic.clone(),
                payload: Bytes::from(will.payload.clone().into_bytes()),
                qos: will.qos,
                retain: will.retain,
                properties,
            });
        }
        Ok(options)
    }
}

pub fn version_key(version: ProtocolVersion) -> &'static str {
    match version {
        ProtocolVersion::V311 => "3.1.1",
        ProtocolVersion::V5 => "5.0",
    }
}

pub fn version_from_key(key: &str) -> Option<ProtocolVersion> {
    match key {
        "3.1.1" => Some(ProtocolVersion::V311),
        "5.0" | "5" => Some(ProtocolVersion::V5),
        _ => None,
    }
}

/// A client id like `mqttweb-1a2b3c4d` from a random 32-bit number.
pub fn generated_client_id(random: u32) -> String {
    format!("mqttweb-{random:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connect_error(settings: &ConnectionSettings) -> Option<(Field, String)> {
        ClientOptions::try_from(settings)
            .err()
            .map(|e| (e.field, crate::i18n::english(&e.text())))
    }

    #[test]
    fn incoming_packets_are_bounded_in_both_versions() {
        for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
            let settings = ConnectionSettings {
                version,
                ..ConnectionSettings::default()
            };
            let options =
                ClientOptions::try_from(&settings).expect("the default settings are valid");
            assert_eq!(options.maximum_packet_size, Some(MAX_INCOMING_PACKET_SIZE));
        }
    }

    #[test]
    fn every_field_reaches_the_options_and_version_5_ones_only_in_version_5() {
        let mut settings = ConnectionSettings {
            client_id: " abc ".into(),
            username: "user".into(),
            password: "secret".into(),
            keep_alive: " 30 ".into(),
            clean_start: false,
            session_expiry: "120".into(),
            auto_reconnect: false,
            ..Default::default()
        };
        settings.will = WillSettings {
            topic: "status/abc".into(),
            payload: "gone".into(),
            qos: QoS::ExactlyOnce,
            retain: true,
            delay_interval: "5".into(),
            message_expiry: "60".into(),
            content_type: "text/plain".into(),
        };
        let options = ClientOptions::try_from(&settings).expect("valid");
        assert_eq!(options.client_id, "abc");
        assert_eq!(options.username.as_deref(), Some("user"));
        assert_eq!(options.password.as_deref(), Some(&b"secret"[..]));
        assert_eq!(options.keep_alive, 30);
        assert!(!options.clean_start);
        assert_eq!(options.session_expiry_interval, Some(120));
        assert!(!options.reconnect.enabled);
        let will = options.will.expect("a will");
        assert_eq!(
            (
                will.topic.as_str(),
                &will.payload[..],
                will.qos,
                will.retain
            ),
            ("status/abc", &b"gone"[..], QoS::ExactlyOnce, true)
        );
        assert_eq!(will.properties.delay_interval, Some(5));
        assert_eq!(will.properties.message_expiry_interval, Some(60));
        assert_eq!(will.properties.content_type.as_deref(), Some("text/plain"));

        settings.version = ProtocolVersion::V311;
        let options = ClientOptions::try_from(&settings).expect("valid");
        assert_eq!(options.session_expiry_interval, None);
        assert_eq!(
            options.will.expect("a will").properties,
            WillProperties::default()
        );
        settings.will.topic.clear();
        settings.keep_alive.clear();
        let options = ClientOptions::try_from(&settings).expect("valid");
        assert_eq!((options.will, options.keep_alive), (None, 0));
    }

    #[test]
    fn errors_name_the_field_in_the_words_the_form_shows() {
        let mut settings = ConnectionSettings {
            keep_alive: "70000".into(),
            ..Default::default()
        };
        assert_eq!(
            connect_error(&settings),
            Some((
                Field::KeepAlive,
                "Keep alive must be a whole number of seconds from 0 to 65535".into()
            ))
        );
        settings.keep_alive = "60".into();
        settings.session_expiry = "-1".into();
        assert_eq!(
            connect_error(&settings),
            Some((
                Field::SessionExpiry,
                "Session expiry must be a whole number from 0 to 4294967295".into()
            ))
        );
        settings.session_expiry.clear();
        settings.version = ProtocolVersion::V311;
        settings.will.delay_interval = "soon".into();
        assert_eq!(
            connect_error(&settings).map(|(field, _)| field),
            Some(Field::WillDelay),
            "checked in 3.1.1 too"
        );
        settings.will.delay_interval.clear();
        settings.will.topic = "a/+".into();
        assert!(connect_error(&settings)
            .is_some_and(|(f, e)| f == Field::WillTopic && e.starts_with("Will topic: ")));
        settings.will.topic = "a/b".into();
        assert_eq!(connect_error(&settings), None);
        settings.client_id = "c".repeat(65_536);
        assert!(connect_error(&settings).is_some_and(
            |(f, e)| f == Field::ClientId && e.starts_with("Client ID is 65536 bytes")
        ));
        settings.client_id = "c".repeat(65_535);
        assert_eq!(connect_error(&settings), None);
        settings.client_id = "tab\there".into();
        assert!(
            connect_error(&settings).is_some_and(|(_, e)| e.contains("control character U+0009"))
        );
        settings.client_id.clear();
        settings.backup_urls = "ws://b:1\nmqtt://c".into();
        assert_eq!(
            connect_error(&settings),
            Some((
                Field::BackupUrls,
                "Backup URL 2 (mqtt://c): 'mqtt://' is not a WebSocket URL; use ws:// or wss://"
                    .into()
            ))
        );
        settings.backup_urls.clear();
        settings.url = "http://host".into();
        assert_eq!(
            connect_error(&settings),
            Some((
                Field::Url,
                "'http://' is not a WebSocket URL; use ws:// or wss://".into()
            ))
        );
    }

    #[test]
    fn the_first_problem_in_the_form_s_order_is_reported() {
        let mut settings = ConnectionSettings {
            url: String::new(),
            keep_alive: "x".into(),
            username: "bell\u{7}".into(),
            password: "p".repeat(65_536),
            ..Default::default()
        };
        let mut seen = Vec::new();
        while let Some((field, _)) = connect_error(&settings) {
            seen.push(field);
            match field {
                Field::Url => settings.url = DEFAULT_BROKER_URL.into(),
                Field::KeepAlive => settings.keep_alive.clear(),
                Field::Username => settings.username.clear(),
                Field::Password => settings.password.clear(),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(
            seen,
            [
                Field::Url,
                Field::KeepAlive,
                Field::Username,
                Field::Password
            ]
        );
    }
}
