//! The publish form's contents and their validation into an `OutgoingMessage`.

use mqtt_core::topic::validate_topic_name;
use mqtt_core::{Bytes, OutgoingMessage, ProtocolVersion, PublishProperties, QoS};

use crate::i18n::{outcomes, Key, Text};
use crate::payload::{parse_input, PayloadFormat};
use crate::state::SentMessage;
use crate::validate::{optional_number, refuse_control_characters, NotANumber};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishDraft {
    pub topic: String,
    pub payload: String,
    pub format: PayloadFormat,
    pub qos: QoS,
    pub retain: bool,
    // Version 5 properties, as typed; empty means absent. (Topic aliases are the core's
    // business: it refuses one set by the user.)
    pub content_type: String,
    pub response_topic: String,
    pub correlation_data: String,
    pub message_expiry: String,
    pub payload_is_utf8: bool,
    /// One `name=value` per line.
    pub user_properties: String,
}

impl Default for PublishDraft {
    fn default() -> Self {
        PublishDraft {
            topic: String::new(),
            payload: String::new(),
            format: PayloadFormat::Text,
            qos: QoS::AtMostOnce,
            retain: false,
            content_type: String::new(),
            response_topic: String::new(),
            correlation_data: String::new(),
            message_expiry: String::new(),
            payload_is_utf8: false,
            user_properties: String::new(),
        }
    }
}

/// Which field a problem belongs to, so the form shows it there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftField {
    Topic,
    Payload,
    Properties,
}

pub type DraftError = (DraftField, Text);

fn optional_text(text: &str) -> Option<String> {
    Some(text.to_owned()).filter(|t| !t.is_empty())
}

fn invalid(what: Key, error: &mqtt_core::TopicError) -> Text {
    Text::new(what).with("reason", outcomes::topic_error(error))
}

impl PublishDraft {
    /// The form filled with a message from the sent history, to edit and send again.
    pub fn from_sent(sent: &SentMessage) -> PublishDraft {
        let sent = &sent.message;
        let (format, payload) = match std::str::from_utf8(&sent.payload) {
            Ok(text) => (PayloadFormat::Text, text.to_owned()),
            Err(_) => (
                PayloadFormat::Hex,
                crate::payload::hex_encode(&sent.payload),
            ),
        };
        let p = &sent.properties;
        PublishDraft {
            topic: sent.topic.clone(),
            payload,
            format,
            qos: sent.qos,
            retain: sent.retain,
            content_type: p.content_type.clone().unwrap_or_default(),
            response_topic: p.response_topic.clone().unwrap_or_default(),
            correlation_data: p
                .correlation_data
                .as_ref()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .unwrap_or_default(),
            message_expiry: p
                .message_expiry_interval
                .map(|e| e.to_string())
                .unwrap_or_default(),
            payload_is_utf8: p.payload_format_indicator == Some(1),
            user_properties: p
                .user_properties
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The message to publish. For a periodic publish the text payload may contain `{n}`;
    /// it is validated with `{n}` replaced by 1.
    pub fn build(&self, version: ProtocolVersion) -> Result<OutgoingMessage, DraftError> {
        validate_topic_name(&self.topic)
            .map_err(|e| (DraftField::Topic, invalid(Key::InvalidTopic, &e)))?;
        refuse_control_characters(Key::TheTopic, &self.topic)
            .map_err(|e| (DraftField::Topic, e))?;
        let payload =
            parse_input(self.format, &self.payload).map_err(|e| (DraftField::Payload, e.text()))?;
        let mut properties = PublishProperties::default();
        if version == ProtocolVersion::V5 {
            let strings = [
                (Key::TheContentType, &self.content_type),
                (Key::TheResponseTopic, &self.response_topic),
                (
                    Key::AUserProperty,
                    &self.user_properties.replace(['\n', '\r'], ""),
                ),
            ];
            for (what, text) in strings {
                refuse_control_characters(what, text).map_err(|e| (DraftField::Properties, e))?;
            }
            properties.content_type = optional_text(&self.content_type);
            if !self.response_topic.is_empty() {
                validate_topic_name(&self.response_topic).map_err(|e| {
                    (
                        DraftField::Properties,
                        invalid(Key::InvalidResponseTopic, &e),
                    )
                })?;
                properties.response_topic = Some(self.response_topic.clone());
            }
            properties.correlation_data =
                optional_text(&self.correlation_data).map(|c| Bytes::from(c.into_bytes()));
            properties.message_expiry_interval =
                optional_number(&self.message_expiry).map_err(|NotANumber| {
                    (DraftField::Properties, Text::from(Key::MessageExpiryNumber))
                })?;
            properties.payload_format_indicator = self.payload_is_utf8.then_some(1);
            if self.payload_is_utf8 && std::str::from_utf8(&payload).is_err() {
                return Err((DraftField::Payload, Key::PayloadNotUtf8.into()));
            }
            for line in self
                .user_properties
                .lines()
                .filter(|l| !l.trim().is_empty())
            {
                let Some((name, value)) = line.split_once('=') else {
                    return Err((
                        DraftField::Properties,
                        Text::new(Key::UserPropertyForm).with("line", line),
                    ));
                };
                properties
                    .user_properties
                    .push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
        Ok(OutgoingMessage {
            topic: self.topic.clone(),
            payload: Bytes::from(payload),
            qos: self.qos,
            retain: self.retain,
            properties,
        })
    }

    /// The text payload template for a periodic publish (`{n}` = message number), if the
    /// payload is text that contains it.
    pub fn template(&self) -> Option<String> {
        (self.format != PayloadFormat::Hex
            && self.format != PayloadFormat::Base64
            && self.payload.contains("{n}"))
        .then(|| self.payload.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::InputError;

    #[test]
    fn a_sent_message_loads_back_into_the_form_and_builds_the_same_message() {
        let built = PublishDraft {
            topic: "t/1".into(),
            payload: "hello".into(),
            qos: QoS::ExactlyOnce,
            retain: true,
            content_type: "text/plain".into(),
            message_expiry: "60".into(),
            payload_is_utf8: true,
            user_properties: "a=1\nb=2".into(),
            ..Default::default()
        }
        .build(ProtocolVersion::V5)
        .unwrap();
        let sent = SentMessage::pending(1, built.clone(), 0);
        let draft = PublishDraft::from_sent(&sent);
        assert_eq!(draft.format, PayloadFormat::Text);
        assert_eq!(draft.user_properties, "a=1\nb=2");
        assert_eq!(draft.build(ProtocolVersion::V5).unwrap(), built);
        // Bytes that are not UTF-8 come back as hex.
        let binary = SentMessage::pending(
            2,
            OutgoingMessage {
                payload: Bytes::from_static(&[0xFF, 0x01]),
                ..built
            },
            0,
        );
        let draft = PublishDraft::from_sent(&binary);
        assert_eq!(
            (draft.format, draft.payload.as_str()),
            (PayloadFormat::Hex, "ff 01")
        );
    }

    fn draft(topic: &str, payload: &str, format: PayloadFormat) -> PublishDraft {
        PublishDraft {
            topic: topic.into(),
            payload: payload.into(),
            format,
            ..Default::default()
        }
    }

    #[test]
    fn wildcards_in_the_topic_are_refused() {
        for topic in ["a/+", "a/#", ""] {
            let err = draft(topic, "x", PayloadFormat::Text)
                .build(ProtocolVersion::V5)
                .expect_err(topic);
            assert_eq!(err.0, DraftField::Topic);
        }
    }

    #[test]
    fn payload_is_checked_in_its_format() {
        let err = draft("t", "{\"a\":", PayloadFormat::Json)
            .build(ProtocolVersion::V5)
            .expect_err("invalid JSON");
        let unfinished = InputError::Json {
            problem: crate::json::JsonProblem::UnexpectedEnd,
            character: 6,
        };
        assert_eq!(err, (DraftField::Payload, unfinished.text()));
        let ok = draft("t", "01 ff", PayloadFormat::Hex)
            .build(ProtocolVersion::V311)
            .expect("valid hex");
        assert_eq!(&ok.payload[..], &[0x01, 0xff]);
    }

    #[test]
    fn v5_properties_are_filled_and_v311_ignores_them() {
        let mut d = draft("t", "hi", PayloadFormat::Text);
        d.content_type = "text/plain".into();
        d.response_topic = "reply/1".into();
        d.correlation_data = "abc".into();
        d.message_expiry = "30".into();
        d.payload_is_utf8 = true;
        d.user_properties = "a=1\n\n b = two ".into();
        let message = d.build(ProtocolVersion::V5).expect("valid");
        let p = &message.properties;
        assert_eq!(p.content_type.as_deref(), Some("text/plain"));
        assert_eq!(p.response_topic.as_deref(), Some("reply/1"));
        assert_eq!(p.correlation_data.as_deref(), Some(&b"abc"[..]));
        assert_eq!(p.message_expiry_interval, Some(30));
        assert_eq!(p.payload_format_indicator, Some(1));
        assert_eq!(
            p.user_properties,
            vec![("a".into(), "1".into()), ("b".into(), "two".into())]
        );
        let v311 = d.build(ProtocolVersion::V311).expect("valid");
        assert_eq!(v311.properties, PublishProperties::default());
        d.user_properties = "novalue".into();
        assert_eq!(
            d.build(ProtocolVersion::V5).map_err(|e| e.0),
            Err(DraftField::Properties)
        );
    }

    #[test]
    fn control_characters_in_strings_are_refused() {
        let err = draft("t/bell\u{7}", "x", PayloadFormat::Text)
            .build(ProtocolVersion::V311)
            .expect_err("control character");
        assert_eq!(err.0, DraftField::Topic);
        assert!(
            crate::i18n::english(&err.1).contains("U+0007"),
            "{:?}",
            err.1
        );
        let mut d = draft(
            "t",
            "control characters\u{7} are fine in payloads",
            PayloadFormat::Text,
        );
        assert!(d.build(ProtocolVersion::V5).is_ok());
        d.user_properties = "a=1\nb=\t2".into();
        let err = d
            .build(ProtocolVersion::V5)
            .expect_err("tab in a user property");
        assert_eq!(err.0, DraftField::Properties);
        assert!(
            crate::i18n::english(&err.1).contains("U+0009"),
            "{:?}",
            err.1
        );
    }

    #[test]
    fn template_only_for_text_with_placeholder() {
        assert_eq!(
            draft("t", "Message num: {n}", PayloadFormat::Text).template(),
            Some("Message num: {n}".into())
        );
        assert_eq!(draft("t", "fixed", PayloadFormat::Text).template(), None);
        assert_eq!(draft("t", "{n}", PayloadFormat::Hex).template(), None);
    }
}
