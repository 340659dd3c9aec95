//! The checks of typed text that more than one form makes, and their words: control
//! characters and lengths of MQTT strings, number fields, the broker URL, and the numbers that
//! stand for a retain handling.

use std::str::FromStr;

use mqtt_core::{RetainHandling, MAX_SUBSCRIPTION_IDENTIFIER};

use crate::i18n::{Key, Text};

/// The most bytes an MQTT string can have: its length travels as 16 bits.
pub const MAX_STRING_BYTES: usize = u16::MAX as usize;

/// What is wrong with text that MQTT sends as a UTF-8 string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextProblem {
    /// A control character (U+0000..U+001F, U+007F..U+009F): the protocol says it should not be
    /// there, and brokers such as Mosquitto close the connection when it is, which would leave
    /// the user guessing why.
    ControlCharacter(char),
    /// This many bytes, more than `MAX_STRING_BYTES`: refused before connecting rather than
    /// when the packet is built, after the WebSocket opened.
    TooLong(usize),
}

impl TextProblem {
    /// The problem of the field named `what` (its name as a sentence starts with it).
    pub fn text(self, what: Key) -> Text {
        match self {
            TextProblem::ControlCharacter(c) => Text::new(Key::ControlCharacter)
                .with("what", what)
                .with("code", format!("{:04X}", u32::from(c))),
            TextProblem::TooLong(bytes) => Text::new(Key::StringTooLong)
                .with("what", what)
                .number("bytes", bytes as u64)
                .number("maximum", MAX_STRING_BYTES as u64),
        }
    }
}

pub fn control_characters(text: &str) -> Result<(), TextProblem> {
    match text.chars().find(|c| c.is_control()) {
        Some(c) => Err(TextProblem::ControlCharacter(c)),
        None => Ok(()),
    }
}

pub fn string_length(text: &str) -> Result<(), TextProblem> {
    match text.len() {
        bytes if bytes > MAX_STRING_BYTES => Err(TextProblem::TooLong(bytes)),
        _ => Ok(()),
    }
}

/// `control_characters` as the text the forms show, of the field named `what`.
pub fn refuse_control_characters(what: Key, text: &str) -> Result<(), Text> {
    control_characters(text).map_err(|problem| problem.text(what))
}

/// A number field that does not hold a whole number of its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotANumber;

/// A number field as typed: blanks around it are ignored, and a blank field is `None`.
pub fn optional_number<T: FromStr>(text: &str) -> Result<Option<T>, NotANumber> {
    match text.trim() {
        "" => Ok(None),
        text => text.parse().map(Some).map_err(|_| NotANumber),
    }
}

/// A version 5 subscription identifier as typed; blank is none.
pub fn subscription_identifier(text: &str) -> Result<Option<u32>, Text> {
    match optional_number(text) {
        Ok(None) => Ok(None),
        Ok(Some(id @ 1..=MAX_SUBSCRIPTION_IDENTIFIER)) => Ok(Some(id)),
        _ => Err(Text::new(Key::SubscriptionIdentifierRange)
            .number("maximum", u64::from(MAX_SUBSCRIPTION_IDENTIFIER))),
    }
}

/// The interval of a periodic publish, in milliseconds as typed.
pub fn periodic_interval(text: &str) -> Result<u32, Text> {
    match optional_number(text) {
        Ok(Some(ms)) if ms >= MIN_PERIODIC_INTERVAL_MS => Ok(ms),
        _ => Err(Text::new(Key::PeriodicIntervalRange)
            .number("minimum", u64::from(MIN_PERIODIC_INTERVAL_MS))),
    }
}

const MIN_PERIODIC_INTERVAL_MS: u32 = 10;

/// A retain handling from its number (the form's option values, a shared link's field).
pub fn retain_handling_from_number(number: u8) -> Option<RetainHandling> {
    match number {
        0 => Some(RetainHandling::SendAtSubscribe),
        1 => Some(RetainHandling::SendAtSubscribeIfNew),
        2 => Some(RetainHandling::DoNotSend),
        _ => None,
    }
}

/// Why a broker URL cannot be used; `text` says it in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlProblem {
    Empty,
    NoScheme,
    /// The scheme as typed.
    NotWebSocket(String),
    UnclosedBracket,
    NoHost,
    HostCharacters,
    /// The port as typed.
    Port(String),
    Spaces,
    Fragment,
}

impl UrlProblem {
    pub fn text(&self) -> Text {
        match self {
            UrlProblem::Empty => Key::UrlEmpty.into(),
            UrlProblem::NoScheme => Key::UrlNoScheme.into(),
            UrlProblem::NotWebSocket(scheme) => {
                Text::new(Key::UrlNotWebsocket).with("scheme", scheme.as_str())
            }
            UrlProblem::UnclosedBracket => Key::UrlUnclosedBracket.into(),
            UrlProblem::NoHost => Key::UrlNoHost.into(),
            UrlProblem::HostCharacters => Key::UrlHostCharacters.into(),
            UrlProblem::Port(port) => Text::new(Key::UrlPort).with("port", port.as_str()),
            UrlProblem::Spaces => Key::UrlSpaces.into(),
            UrlProblem::Fragment => Key::UrlFragment.into(),
        }
    }
}

/// Checks a broker's WebSocket URL (surrounding blanks are ignored).
pub fn broker_url(url: &str) -> Result<(), UrlProblem> {
    let url = url.trim();
    if url.is_empty() {
        return Err(UrlProblem::Empty);
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(UrlProblem::NoScheme);
    };
    if !scheme.eq_ignore_ascii_case("ws") && !scheme.eq_ignore_ascii_case("wss") {
        return Err(UrlProblem::NotWebSocket(scheme.to_owned()));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        match bracketed.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => return Err(UrlProblem::UnclosedBracket),
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return Err(UrlProblem::NoHost);
    }
    if host
        .chars()
        .any(|c| c.is_whitespace() || "<>\"{}|\\^`".contains(c))
    {
        return Err(UrlProblem::HostCharacters);
    }
    if let Some(port) = port {
        if port.parse::<u16>().map_or(true, |p| p == 0) {
            return Err(UrlProblem::Port(port.to_owned()));
        }
    }
    if url.contains(char::is_whitespace) {
        return Err(UrlProblem::Spaces);
    }
    if url.contains('#') {
        return Err(UrlProblem::Fragment);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_websocket_urls() {
        for url in [
            "ws://127.0.0.1:9001",
            "wss://broker.emqx.io:8084/mqtt",
            "ws://[::1]:8080/mqtt",
            "ws://localhost",
            "WSS://Example.com/path?x=1",
        ] {
            assert_eq!(broker_url(url), Ok(()), "{url}");
        }
    }

    #[test]
    fn rejects_bad_urls_with_reasons() {
        for (url, problem) in [
            ("", UrlProblem::Empty),
            ("127.0.0.1:9001", UrlProblem::NoScheme),
            ("http://host", UrlProblem::NotWebSocket("http".into())),
            ("ws://", UrlProblem::NoHost),
            ("ws://[::1", UrlProblem::UnclosedBracket),
            ("ws://host:99999", UrlProblem::Port("99999".into())),
            ("ws://host:abc", UrlProblem::Port("abc".into())),
            ("ws://ho st", UrlProblem::HostCharacters),
            ("ws://host/a b", UrlProblem::Spaces),
            ("ws://host/a#b", UrlProblem::Fragment),
        ] {
            assert_eq!(broker_url(url), Err(problem), "{url}");
        }
        let english = crate::i18n::I18n {
            locale: crate::i18n::Locale::En,
        };
        assert_eq!(
            english.text(&UrlProblem::NotWebSocket("http".into()).text()),
            "'http://' is not a WebSocket URL; use ws:// or wss://"
        );
    }

    #[test]
    fn text_problems_name_the_field() {
        assert_eq!(control_characters("tab-free"), Ok(()));
        let english = crate::i18n::I18n {
            locale: crate::i18n::Locale::En,
        };
        let problem = refuse_control_characters(Key::TheTopic, "a\u{85}b").unwrap_err();
        assert_eq!(
            english.text(&problem),
            "The topic contains the control character U+0085; brokers refuse it"
        );
        assert_eq!(string_length(&"x".repeat(65_535)), Ok(()));
        assert_eq!(
            string_length(&"x".repeat(65_536)),
            Err(TextProblem::TooLong(65_536))
        );
    }

    #[test]
    fn numbers_as_typed() {
        assert_eq!(optional_number::<u16>(" 30 "), Ok(Some(30)));
        assert_eq!(optional_number::<u16>("  "), Ok(None));
        assert_eq!(optional_number::<u16>("65536"), Err(NotANumber));
        assert_eq!(optional_number::<u32>("-1"), Err(NotANumber));
        assert_eq!(subscription_identifier(""), Ok(None));
        assert_eq!(subscription_identifier("268435455"), Ok(Some(268_435_455)));
        for bad in ["0", "268435456", "x"] {
            let problem = subscription_identifier(bad).unwrap_err();
            assert_eq!(problem.key, Key::SubscriptionIdentifierRange, "{bad}");
        }
        assert_eq!(periodic_interval(" 10 "), Ok(10));
        for bad in ["", "9", "1.5"] {
            assert!(periodic_interval(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn retain_handling_numbers_are_the_protocol_values() {
        for handling in [
            RetainHandling::SendAtSubscribe,
            RetainHandling::SendAtSubscribeIfNew,
            RetainHandling::DoNotSend,
        ] {
            assert_eq!(retain_handling_from_number(handling as u8), Some(handling));
        }
        assert_eq!(retain_handling_from_number(3), None);
    }
}
