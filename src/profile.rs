//! Saved profiles and shared links as JSON. One table per record (settings, will, subscription)
//! maps each JSON key to the field it holds, and serves reading and writing alike. Reading is
//! lenient: a missing member or one of the wrong kind leaves the field at its default, so
//! documents written by earlier versions still load.

use mqtt_core::topic::validate_topic_filter;
use mqtt_core::{ProtocolVersion, QoS, RetainHandling};

use crate::auth::{AuthMode, AuthSettings};
use crate::decoder_rules::{rules_from_json, rules_to_json, DecoderRule};
use crate::json::{self, Value};
use crate::settings::{version_from_key, version_key, ConnectionSettings, WillSettings};
use crate::state::SubscriptionRequest;
use crate::validate::retain_handling_from_number;

/// Whether a settings document carries the password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Password {
    /// A shared link: never.
    Never,
    /// A saved profile: only when the user ticked "Remember password".
    IfRemembered,
}

/// A field as the tables see it: where it lives and what kind of JSON value it is.
enum Slot<'a> {
    Text(&'a mut String),
    Flag(&'a mut bool),
    /// A version key ("3.1.1", "5.0").
    Version(&'a mut ProtocolVersion),
    /// The number 0, 1 or 2.
    Qos(&'a mut QoS),
    /// The number 0, 1 or 2.
    RetainHandling(&'a mut RetainHandling),
    /// An object of its own, `will_table`.
    Will(&'a mut WillSettings),
    /// An object of its own, `auth_table`.
    Auth(&'a mut AuthSettings),
    /// An authentication mode's key ("none", "SCRAM-SHA-256", "generic").
    AuthMode(&'a mut AuthMode),
    /// An array of decoder rules (`decoder_rules.rs`).
    Decoders(&'a mut Vec<DecoderRule>),
}

type Table<'a, const N: usize> = [(&'static str, Slot<'a>); N];

/// The keys that only a profile with a remembered password carries.
const PASSWORD_KEYS: [&str; 2] = ["password", "rememberPassword"];

fn settings_table(s: &mut ConnectionSettings) -> Table<'_, 15> {
    [
        ("url", Slot::Text(&mut s.url)),
        ("version", Slot::Version(&mut s.version)),
        ("clientId", Slot::Text(&mut s.client_id)),
        ("username", Slot::Text(&mut s.username)),
        ("keepAlive", Slot::Text(&mut s.keep_alive)),
        ("cleanStart", Slot::Flag(&mut s.clean_start)),
        ("sessionExpiry", Slot::Text(&mut s.session_expiry)),
        ("autoReconnect", Slot::Flag(&mut s.auto_reconnect)),
        ("will", Slot::Will(&mut s.will)),
        ("auth", Slot::Auth(&mut s.auth)),
        ("backupUrls", Slot::Text(&mut s.backup_urls)),
        ("followReferences", Slot::Flag(&mut s.follow_references)),
        ("decoders", Slot::Decoders(&mut s.decoders)),
        ("password", Slot::Text(&mut s.password)),
        ("rememberPassword", Slot::Flag(&mut s.remember_password)),
    ]
}

fn will_table(w: &mut WillSettings) -> Table<'_, 7> {
    [
        ("topic", Slot::Text(&mut w.topic)),
        ("payload", Slot::Text(&mut w.payload)),
        ("qos", Slot::Qos(&mut w.qos)),
        ("retain", Slot::Flag(&mut w.retain)),
        ("delay", Slot::Text(&mut w.delay_interval)),
        ("expiry", Slot::Text(&mut w.message_expiry)),
        ("contentType", Slot::Text(&mut w.content_type)),
    ]
}

fn auth_table(a: &mut AuthSettings) -> Table<'_, 4> {
    [
        ("mode", Slot::AuthMode(&mut a.mode)),
        ("method", Slot::Text(&mut a.method)),
        ("data", Slot::Text(&mut a.data)),
        ("dataHex", Slot::Flag(&mut a.data_hex)),
    ]
}

fn subscription_table(s: &mut SubscriptionRequest) -> Table<'_, 6> {
    [
        ("filter", Slot::Text(&mut s.filter)),
        ("qos", Slot::Qos(&mut s.qos)),
        ("alias", Slot::Text(&mut s.alias)),
        ("noLocal", Slot::Flag(&mut s.no_local)),
        ("retainAsPublished", Slot::Flag(&mut s.retain_as_published)),
        (
            "retainHandling",
            Slot::RetainHandling(&mut s.retain_handling),
        ),
    ]
}

/// A number from 0 to 255.
fn small_number(value: &Value) -> Option<u8> {
    u8::try_from(value.as_u64()?).ok()
}

fn number(n: u8) -> Value {
    Value::Number(n.to_string())
}

impl Slot<'_> {
    /// Takes `value` if it is of the field's kind; otherwise the field stays as it is.
    fn read(self, value: &Value) {
        match self {
            Slot::Text(field) => {
                if let Some(text) = value.as_str() {
                    *field = text.to_owned();
                }
            }
            Slot::Flag(field) => {
                if let Some(flag) = value.as_bool() {
                    *field = flag;
                }
            }
            Slot::Version(field) => {
                if let Some(version) = value.as_str().and_then(version_from_key) {
                    *field = version;
                }
            }
            Slot::Qos(field) => {
                if let Some(qos) = small_number(value).and_then(|n| QoS::try_from(n).ok()) {
                    *field = qos;
                }
            }
            Slot::RetainHandling(field) => {
                if let Some(handling) = small_number(value).and_then(retain_handling_from_number) {
                    *field = handling;
                }
            }
            Slot::Will(will) => read_members(will_table(will), value),
            Slot::Auth(auth) => read_members(auth_table(auth), value),
            Slot::AuthMode(field) => {
                if let Some(mode) = value.as_str().and_then(AuthMode::from_key) {
                    *field = mode;
                }
            }
            Slot::Decoders(field) => *field = rules_from_json(value),
        }
    }

    fn write(self) -> Value {
        match self {
            Slot::Text(text) => Value::String(text.clone()),
            Slot::Flag(flag) => Value::Bool(*flag),
            Slot::Version(version) => Value::String(version_key(*version).to_owned()),
            Slot::Qos(qos) => number(*qos as u8),
            Slot::RetainHandling(handling) => number(*handling as u8),
            Slot::Will(will) => write_members(will_table(will)),
            Slot::Auth(auth) => write_members(auth_table(auth)),
            Slot::AuthMode(mode) => Value::String(mode.key().to_owned()),
            Slot::Decoders(rules) => rules_to_json(rules),
        }
    }
}

fn read_members<const N: usize>(table: Table<'_, N>, object: &Value) {
    for (key, slot) in table {
        if let Some(value) = object.get(key) {
            slot.read(value);
        }
    }
}

/// The table lends its fields mutably, so the callers write from a copy of the record.
fn write_members<'a>(table: impl IntoIterator<Item = (&'static str, Slot<'a>)>) -> Value {
    Value::Object(
        table
            .into_iter()
            .map(|(key, slot)| (key.to_owned(), slot.write()))
            .collect(),
    )
}

pub fn settings_to_json(settings: &ConnectionSettings, password: Password) -> Value {
    let with_password = password == Password::IfRemembered && settings.remember_password;
    let mut copy = settings.clone();
    write_members(
        settings_table(&mut copy)
            .into_iter()
            .filter(|(key, _)| with_password || !PASSWORD_KEYS.contains(key)),
    )
}

/// Settings from `settings_to_json` output; what is missing or odd keeps its default.
pub fn settings_from_json(value: &Value) -> ConnectionSettings {
    let mut settings = ConnectionSettings::default();
    read_members(settings_table(&mut settings), value);
    settings
}

/// A saved settings document (the last used settings).
pub fn settings_from_text(text: &str) -> Option<ConnectionSettings> {
    json::parse(text).ok().map(|v| settings_from_json(&v))
}

/// The saved profiles document: an object of settings by profile name, in the given order.
pub fn profiles_document(profiles: &[(String, ConnectionSettings)]) -> String {
    Value::Object(
        profiles
            .iter()
            .map(|(name, settings)| {
                (
                    name.clone(),
                    settings_to_json(settings, Password::IfRemembered),
                )
            })
            .collect(),
    )
    .to_compact()
}

/// Reads `profiles_document` output; anything else is no profiles.
pub fn profiles_from_text(text: &str) -> Vec<(String, ConnectionSettings)> {
    match json::parse(text) {
        Ok(Value::Object(members)) => members
            .iter()
            .map(|(name, value)| (name.clone(), settings_from_json(value)))
            .collect(),
        _ => Vec::new(),
    }
}

/// The part after `#config=` of a shareable link: the settings (never the password) and the
/// subscriptions with all their options.
pub fn share_document(
    settings: &ConnectionSettings,
    subscriptions: &[SubscriptionRequest],
) -> String {
    let subscriptions = subscriptions
        .iter()
        .map(|s| write_members(subscription_table(&mut s.clone())))
        .collect();
    Value::Object(vec![
        (
            "settings".into(),
            settings_to_json(settings, Password::Never),
        ),
        ("subscriptions".into(), Value::Array(subscriptions)),
    ])
    .to_compact()
}

/// Reads `share_document` output; `None` if it is not one. Subscriptions whose filter is not
/// valid are left out.
pub fn parse_share_document(text: &str) -> Option<(ConnectionSettings, Vec<SubscriptionRequest>)> {
    let document = json::parse(text).ok()?;
    let settings = settings_from_json(document.get("settings")?);
    let subscriptions = document
        .get("subscriptions")
        .and_then(Value::as_array)
        .unwrap_or_default()
        .iter()
        .map(|value| {
            let mut subscription = SubscriptionRequest::default();
            read_members(subscription_table(&mut subscription), value);
            subscription
        })
        .filter(|s| validate_topic_filter(&s.filter).is_ok())
        .collect();
    Some((settings, subscriptions))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Settings with every field away from its default.
    fn unusual_settings() -> ConnectionSettings {
        ConnectionSettings {
            url: "wss://example.com/mqtt".into(),
            backup_urls: "wss://b.example.com/mqtt\nws://10.0.0.2:9001".into(),
            follow_references: true,
            version: ProtocolVersion::V311,
            client_id: "abc".into(),
            username: "user".into(),
            password: "secret".into(),
            remember_password: true,
            keep_alive: "30".into(),
            clean_start: false,
            session_expiry: "120".into(),
            auto_reconnect: false,
            will: WillSettings {
                topic: "status/abc".into(),
                payload: "gone \"quoted\"\n".into(),
                qos: QoS::ExactlyOnce,
                retain: true,
                delay_interval: "5".into(),
                message_expiry: "60".into(),
                content_type: "text/plain".into(),
            },
            auth: AuthSettings {
                mode: AuthMode::Generic,
                method: "TEST-CHALLENGE".into(),
                data: "68 65".into(),
                data_hex: true,
            },
            decoders: vec![
                crate::decoder_rules::rule("sensors/+/cbor", payload_decoders::Format::Cbor)
                    .unwrap(),
                crate::decoder_rules::rule_with(
                    "pb/+",
                    payload_decoders::Format::Protobuf,
                    Some(payload_decoders::MessageSchema {
                        files: vec![payload_decoders::SchemaFile {
                            name: "a.proto".into(),
                            text: "syntax = \"proto3\";\nmessage A { string s = 1; }\n".into(),
                        }],
                        message: "A".into(),
                    }),
                )
                .unwrap(),
                crate::decoder_rules::rule("#", payload_decoders::Format::MessagePack).unwrap(),
            ],
        }
    }

    fn unusual_subscriptions() -> Vec<SubscriptionRequest> {
        vec![
            SubscriptionRequest {
                filter: "a/#".into(),
                alias: "all of a".into(),
                qos: QoS::ExactlyOnce,
                no_local: true,
                retain_as_published: true,
                retain_handling: RetainHandling::DoNotSend,
            },
            SubscriptionRequest {
                filter: "b/+/c".into(),
                qos: QoS::AtLeastOnce,
                retain_handling: RetainHandling::SendAtSubscribeIfNew,
                ..SubscriptionRequest::default()
            },
        ]
    }

    #[test]
    fn a_profile_keeps_every_field_and_the_password_only_when_remembered() {
        let settings = unusual_settings();
        let saved = settings_to_json(&settings, Password::IfRemembered).to_compact();
        assert_eq!(settings_from_text(&saved), Some(settings.clone()));

        let forgotten = ConnectionSettings {
            remember_password: false,
            ..settings.clone()
        };
        let saved = settings_to_json(&forgotten, Password::IfRemembered).to_compact();
        assert!(!saved.contains("secret"), "{saved}");
        assert_eq!(
            settings_from_text(&saved),
            Some(ConnectionSettings {
                password: String::new(),
                ..forgotten
            })
        );
    }

    #[test]
    fn profiles_keep_their_names_and_order() {
        let profiles = vec![
            ("zeta".to_owned(), unusual_settings()),
            ("alpha".to_owned(), ConnectionSettings::default()),
        ];
        assert_eq!(profiles_from_text(&profiles_document(&profiles)), profiles);
        assert_eq!(profiles_from_text("[1]"), Vec::new());
        assert_eq!(profiles_from_text("not json"), Vec::new());
    }

    #[test]
    fn a_share_link_carries_every_field_but_the_password() {
        let settings = unusual_settings();
        let subscriptions = unusual_subscriptions();
        let text = share_document(&settings, &subscriptions);
        assert!(!text.contains("secret"), "{text}");
        let (read, subs) = parse_share_document(&text).expect("a share document");
        assert_eq!(
            read,
            ConnectionSettings {
                password: String::new(),
                remember_password: false,
                ..settings
            }
        );
        assert_eq!(subs, subscriptions);
        assert_eq!(parse_share_document("{}"), None);
        assert_eq!(parse_share_document("not json"), None);
    }

    #[test]
    fn documents_written_before_the_tables_still_load() {
        // A link as the app wrote it before it shared the subscription options.
        let old_link = concat!(
            r#"{"settings":{"url":"wss://example.com/mqtt","version":"3.1.1","clientId":"abc","#,
            r#""username":"user","keepAlive":"30","cleanStart":false,"sessionExpiry":"120","#,
            r#""autoReconnect":false,"will":{"topic":"status/abc","payload":"gone","qos":2,"#,
            r#""retain":true,"delay":"5","expiry":"60","contentType":"text/plain"}},"#,
            r#""subscriptions":[{"filter":"a/#","qos":2,"alias":"all of a"},"#,
            r#"{"filter":"a/+x","qos":1,"alias":""}]}"#
        );
        let (settings, subscriptions) = parse_share_document(old_link).expect("an old link");
        let mut expected = unusual_settings();
        expected.password.clear();
        expected.remember_password = false;
        expected.will.payload = "gone".into();
        expected.auth = AuthSettings::default();
        expected.backup_urls.clear();
        expected.follow_references = false;
        expected.decoders = crate::decoder_rules::default_rules();
        assert_eq!(settings, expected);
        assert_eq!(
            subscriptions,
            [SubscriptionRequest {
                filter: "a/#".into(),
                alias: "all of a".into(),
                qos: QoS::ExactlyOnce,
                ..SubscriptionRequest::default()
            }],
            "defaults for the options it lacks; the invalid filter left out"
        );
        // The same settings as an old saved profile with a remembered password.
        let old_profile = concat!(
            r#"{"url":"wss://example.com/mqtt","version":"3.1.1","clientId":"abc","#,
            r#""username":"user","keepAlive":"30","cleanStart":false,"sessionExpiry":"120","#,
            r#""autoReconnect":false,"will":{"topic":"status/abc","payload":"gone","qos":2,"#,
            r#""retain":true,"delay":"5","expiry":"60","contentType":"text/plain"},"#,
            r#""password":"secret","rememberPassword":true}"#
        );
        let mut expected = unusual_settings();
        expected.will.payload = "gone".into();
        expected.auth = AuthSettings::default();
        expected.backup_urls.clear();
        expected.follow_references = false;
        expected.decoders = crate::decoder_rules::default_rules();
        assert_eq!(settings_from_text(old_profile), Some(expected));
        // Today's writer puts the old keys in the old order (and the newer ones after them).
        assert!(share_document(&settings, &[])
            .starts_with(&old_link[..old_link.find("},\"subscriptions").expect("key")]));
    }

    #[test]
    fn missing_or_odd_members_keep_their_defaults() {
        let odd = r#"{"url":7,"version":"4","keepAlive":null,"cleanStart":"yes","will":{"qos":3},"autoReconnect":false}"#;
        assert_eq!(
            settings_from_text(odd),
            Some(ConnectionSettings {
                auto_reconnect: false,
                ..ConnectionSettings::default()
            })
        );
        assert_eq!(
            settings_from_text(r#"{"version":"5"}"#).map(|s| s.version),
            Some(ProtocolVersion::V5)
        );
        let (_, subscriptions) = parse_share_document(
            r#"{"settings":{},"subscriptions":[{"filter":"t","qos":-1,"retainHandling":3,"noLocal":1},{"qos":1}]}"#,
        )
        .expect("a share document");
        assert_eq!(
            subscriptions,
            [SubscriptionRequest {
                filter: "t".into(),
                ..SubscriptionRequest::default()
            }]
        );
    }

    #[test]
    fn the_authentication_mode_is_kept_by_its_key() {
        let read = |text: &str| settings_from_text(text).map(|s| s.auth.mode);
        assert_eq!(
            read(r#"{"auth":{"mode":"SCRAM-SHA-512"}}"#),
            Some(AuthMode::Scram(mqtt_core::scram::ScramHash::Sha512))
        );
        assert_eq!(
            read(r#"{"auth":{"mode":"SCRAM-MD5"}}"#),
            Some(AuthMode::None)
        );
        assert_eq!(read(r#"{"auth":7}"#), Some(AuthMode::None));
        let settings = ConnectionSettings {
            auth: AuthSettings {
                mode: AuthMode::Scram(mqtt_core::scram::ScramHash::Sha256),
                ..AuthSettings::default()
            },
            ..ConnectionSettings::default()
        };
        let text = share_document(&settings, &[]);
        assert!(text.contains(r#""auth":{"mode":"SCRAM-SHA-256""#), "{text}");
        assert_eq!(parse_share_document(&text).map(|(s, _)| s), Some(settings));
    }
}
