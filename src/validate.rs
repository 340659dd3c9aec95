//! The checks of typed text that more than one form makes, and their words: control
//! characters and lengths of MQTT strings, number fields, the broker URL, and the numbers that
//! stand for a retain handling.

use std::fmt;
use std::str::FromStr;

use mqtt_core::{RetainHandling, MAX_SUBSCRIPTION_IDENTIFIER};

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
    /// The problem in words, of the field called `what`.
    pub fn describe(self, what: &str) -> String {
        match self {
            TextProblem::ControlCharacter(c) => format!(
                "{what} contains the control character U+{:04X}; brokers refuse it",
                u32::from(c)
            ),
            TextProblem::TooLong(bytes) => {
                format!("{what} is {bytes} bytes long; MQTT allows at most {MAX_STRING_BYTES}")
            }
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

/// `control_characters` in words, for the forms that show a problem as text.
pub fn refuse_control_characters(what: &str, text: &str) -> Result<(), String> {
    control_characters(text).map_err(|problem| problem.describe(what))
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
pub fn subscription_identifier(text: &str) -> Result<Option<u32>, String> {
    match optional_number(text) {
        Ok(None) => Ok(None),
        Ok(Some(id @ 1..=MAX_SUBSCRIPTION_IDENTIFIER)) => Ok(Some(id)),
        _ => Err(format!(
            "The subscription identifier must be a number from 1 to {MAX_SUBSCRIPTION_IDENTIFIER}"
        )),
    }
}

/// The interval of a periodic publish, in milliseconds as typed.
pub fn periodic_interval(text: &str) -> Result<u32, String> {
    match optional_number(text) {
        Ok(Some(ms)) if ms >= 10 => Ok(ms),
        _ => Err("The interval must be a whole number of milliseconds, at least 10".into()),
    }
}

/// A retain handling from its number (the form's option values, a shared link's field).
pub fn retain_handling_from_number(number: u8) -> Option<RetainHandling> {
    match number {
        0 => Some(RetainHandling::SendAtSubscribe),
        1 => Some(RetainHandling::SendAtSubscribeIfNew),
        2 => Some(RetainHandling::DoNotSend),
        _ => None,
    }
}

/// Why a broker URL cannot be used; `Display` says it in words.
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

impl fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlProblem::Empty => {
                f.write_str("Enter the broker's WebSocket URL, e.g. ws://127.0.0.1:9001")
            }
            UrlProblem::NoScheme => f.write_str("The URL must start with ws:// or wss://"),
            UrlProblem::NotWebSocket(scheme) => {
                write!(
                    f,
                    "'{scheme}://' is not a WebSocket URL; use ws:// or wss://"
                )
            }
            UrlProblem::UnclosedBracket => f.write_str("Unclosed '[' in the host"),
            UrlProblem::NoHost => f.write_str("The URL has no host"),
            UrlProblem::HostCharacters => {
                f.write_str("The host contains characters that are not allowed")
            }
            UrlProblem::Port(port) => write!(f, "'{port}' is not a port number (1-65535)"),
            UrlProblem::Spaces => f.write_str("The URL must not contain spaces"),
            UrlProblem::Fragment => f.write_str("A WebSocket URL cannot have a #fragment"),
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
        for (url, words) in [
            ("", "Enter"),
            ("127.0.0.1:9001", "must start with ws://"),
            ("http://host", "not a WebSocket URL"),
            ("ws://", "no host"),
            ("ws://[::1", "Unclosed '['"),
            ("ws://host:99999", "not a port"),
            ("ws://host:abc", "not a port"),
            ("ws://ho st", "not allowed"),
            ("ws://host/a b", "spaces"),
            ("ws://host/a#b", "fragment"),
        ] {
            let problem = broker_url(url).err().map(|p| p.to_string());
            let problem = problem.unwrap_or_default();
            assert!(problem.contains(words), "{url}: {problem}");
        }
    }

    #[test]
    fn text_problems_name_the_field() {
        assert_eq!(control_characters("tab-free"), Ok(()));
        assert_eq!(
            refuse_control_characters("The topic", "a\u{85}b"),
            Err("The topic contains the control character U+0085; brokers refuse it".into())
        );
        assert_eq!(string_length(&"x".repeat(65_535)), Ok(()));
        assert_eq!(
            string_length(&"x".repeat(65_536)).map_err(|p| p.describe("Username")),
            Err("Username is 65536 bytes long; MQTT allows at most 65535".into())
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
            assert_eq!(
                subscription_identifier(bad),
                Err("The subscription identifier must be a number from 1 to 268435455".into()),
                "{bad}"
            );
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
