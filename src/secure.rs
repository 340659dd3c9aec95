//! Secure connections, as plain data and rules: the mixed-content rule (a page served over https
//! may not open an unencrypted `ws://` connection), and what a `wss://` connection that failed
//! before it opened most likely ran into.
//!
//! The browser's WebSocket says nothing of why it failed: Chromium closes it with code 1006 and
//! no reason whether the certificate is untrusted, the port is closed, the path is wrong (a 404
//! to the upgrade) or the port speaks plain `ws://`, and its console's `net::ERR_…` never reaches
//! the page. So after such a failure the driver asks the same origin once over https with a
//! no-cors `fetch` (`probe_url`; the worker does it): an answer of any kind (an opaque response)
//! means the TLS handshake passed with a trusted certificate and an HTTP server answers, so the
//! path or the port's service is wrong (`SecureHint::NotMqttAtPath`); a failure means no TLS
//! connection the browser accepts: most likely an untrusted certificate, else nothing or no TLS
//! listening there (`SecureHint::NoSecureAnswer`), which no page can tell apart (both are
//! `TypeError: Failed to fetch`), so its words name both and link the origin, where the browser
//! shows its own verdict and lets the user accept the certificate. (In a cross-origin isolated
//! page, COEP require-corp, an answer without `Cross-Origin-Resource-Policy` is blocked and
//! reads as none; the app's page is not isolated.)

use crate::i18n::{Key, Text};

/// What a `wss://` connection that failed before it opened most likely ran into, from the
/// driver's probe of its origin; the views word it (`text`) and link `link`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecureHint {
    /// The probe of `origin` (`https://host:port/`) got no answer.
    NoSecureAnswer { origin: String },
    /// `origin` answered over https, but no MQTT WebSocket at `path`.
    NotMqttAtPath { origin: String, path: String },
}

impl SecureHint {
    /// The finding for a failed connection to `url` whose probe was (`answered`) or was not
    /// answered; `None` if `url` is not a `wss://` URL.
    pub fn from_probe(url: &str, answered: bool) -> Option<SecureHint> {
        let parts = Parts::of(url)?;
        if !parts.secure {
            return None;
        }
        let origin = parts.https_origin();
        Some(match answered {
            true => SecureHint::NotMqttAtPath {
                origin,
                path: parts.path.to_owned(),
            },
            false => SecureHint::NoSecureAnswer { origin },
        })
    }

    /// The hint's words; the link, if any, goes after them.
    pub fn text(&self) -> Text {
        match self {
            SecureHint::NoSecureAnswer { origin } => {
                Text::new(Key::WssNoSecureAnswer).with("origin", origin.as_str())
            }
            SecureHint::NotMqttAtPath { origin, path } => Text::new(Key::WssNotMqttAtPath)
                .with("origin", origin.as_str())
                .with("path", path.as_str()),
        }
    }

    /// The page to open in a new tab, where the browser shows why and lets the user accept
    /// the certificate; with the words that follow the link.
    pub fn link(&self) -> Option<(&str, Text)> {
        match self {
            SecureHint::NoSecureAnswer { origin } => {
                Some((origin.as_str(), Key::WssAcceptThenRetry.into()))
            }
            SecureHint::NotMqttAtPath { .. } => None,
        }
    }
}

/// What the driver fetches after a `wss://` connection to `url` failed before it opened:
/// `https://host:port/`, the same TLS server; `None` for any other URL.
pub fn probe_url(url: &str) -> Option<String> {
    Parts::of(url)
        .filter(|parts| parts.secure)
        .map(|parts| parts.https_origin())
}

/// Why a connection to `url` may not even be tried from a page loaded with `page_protocol`
/// (`location.protocol`, such as "https:"): an https page may not open `ws://` (mixed content;
/// the browser would refuse it with no word to the page), but for loopback hosts, which are
/// potentially trustworthy and allowed.
pub fn mixed_content(page_protocol: &str, url: &str) -> Result<(), Text> {
    let Some(parts) = Parts::of(url) else {
        return Ok(());
    };
    if page_protocol.eq_ignore_ascii_case("https:") && !parts.secure && !parts.loopback() {
        return Err(Text::new(Key::WssMixedContent).with("host", parts.host));
    }
    Ok(())
}

/// The protocol of the page the app runs in ("https:", "http:"), or "" if there is none.
pub fn page_protocol() -> String {
    web_sys::window()
        .and_then(|window| window.location().protocol().ok())
        .unwrap_or_default()
}

/// A WebSocket URL in the parts these rules need.
struct Parts<'a> {
    secure: bool,
    /// `host` or `host:port`, without user information.
    host_port: &'a str,
    /// The host, brackets of an IPv6 address kept.
    host: &'a str,
    /// From the first `/` on, "/" if there is none; without the query.
    path: &'a str,
}

impl<'a> Parts<'a> {
    fn of(url: &'a str) -> Option<Parts<'a>> {
        let (scheme, rest) = url.trim().split_once("://")?;
        let secure = match scheme {
            s if s.eq_ignore_ascii_case("wss") => true,
            s if s.eq_ignore_ascii_case("ws") => false,
            _ => return None,
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..end];
        let host_port = authority.rsplit('@').next().unwrap_or(authority);
        let host = match host_port.strip_prefix('[') {
            Some(bracketed) => &host_port[..bracketed.find(']')? + 2],
            None => host_port.split(':').next().unwrap_or(host_port),
        };
        if host.is_empty() {
            return None;
        }
        let after = &rest[end..];
        let path = match after.split(['?', '#']).next().unwrap_or("") {
            "" => "/",
            path => path,
        };
        Some(Parts {
            secure,
            host_port,
            host,
            path,
        })
    }

    fn https_origin(&self) -> String {
        format!("https://{}/", self.host_port)
    }

    /// `localhost`, a name under `.localhost`, 127.0.0.0/8 or `[::1]`.
    fn loopback(&self) -> bool {
        let host = self.host.trim_end_matches('.');
        host.eq_ignore_ascii_case("localhost")
            || host
                .len()
                .checked_sub(".localhost".len())
                .and_then(|at| host.get(at..))
                .is_some_and(|tail| tail.eq_ignore_ascii_case(".localhost"))
            || host == "[::1]"
            || host
                .strip_prefix("127.")
                .is_some_and(|rest| rest.split('.').count() == 3 && rest.split('.').all(octet))
    }
}

fn octet(text: &str) -> bool {
    !text.is_empty() && text.len() <= 3 && text.parse::<u8>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::english;

    #[test]
    fn an_https_page_refuses_ws_but_to_loopback() {
        let refused = mixed_content("https:", "ws://broker.example:9001/mqtt");
        assert_eq!(
            refused.map_err(|text| english(&text)),
            Err(
                "This page was loaded over https, so the browser refuses the unencrypted \
                 ws:// connection to broker.example (mixed content). Use the broker's wss:// \
                 address instead."
                    .to_owned()
            )
        );
        assert!(mixed_content("HTTPS:", " WS://broker.example ").is_err());
        for url in [
            "wss://broker.example:8084/mqtt",
            "ws://localhost:9001",
            "ws://LOCALHOST.:9001",
            "ws://app.localhost:9001",
            "ws://127.0.0.1:9001",
            "ws://127.1.2.3",
            "ws://[::1]:9001/",
            "ws://user:secret@localhost:9001",
        ] {
            assert_eq!(mixed_content("https:", url), Ok(()), "{url}");
        }
        for url in [
            "ws://127.0.0.1.evil.example",
            "ws://notlocalhost",
            "ws://[::2]",
        ] {
            assert!(mixed_content("https:", url).is_err(), "{url}");
        }
        for protocol in ["http:", "file:", ""] {
            assert_eq!(mixed_content(protocol, "ws://broker.example"), Ok(()));
        }
    }

    #[test]
    fn the_probe_asks_the_same_tls_server_over_https() {
        assert_eq!(
            probe_url("wss://broker.example:8084/mqtt?x=1").as_deref(),
            Some("https://broker.example:8084/")
        );
        assert_eq!(
            probe_url("WSS://user:pw@broker.example/mqtt").as_deref(),
            Some("https://broker.example/")
        );
        assert_eq!(
            probe_url("wss://[::1]:8884").as_deref(),
            Some("https://[::1]:8884/")
        );
        assert_eq!(probe_url("ws://broker.example:9001"), None);
        assert_eq!(probe_url("wss://"), None);
        assert_eq!(probe_url("https://broker.example"), None);
    }

    #[test]
    fn an_answer_means_the_path_no_answer_the_certificate_or_port() {
        let answered = SecureHint::from_probe("wss://b.example:8084/ws", true);
        assert_eq!(
            answered,
            Some(SecureHint::NotMqttAtPath {
                origin: "https://b.example:8084/".into(),
                path: "/ws".into()
            })
        );
        let answered = answered.unwrap();
        assert_eq!(answered.link(), None);
        assert!(english(&answered.text()).contains("/ws"));
        let silent = SecureHint::from_probe("wss://b.example:8084", false).unwrap();
        assert_eq!(
            silent,
            SecureHint::NoSecureAnswer {
                origin: "https://b.example:8084/".into()
            }
        );
        assert_eq!(
            silent.link().map(|(url, _)| url),
            Some("https://b.example:8084/")
        );
        assert!(english(&silent.text()).contains("certificate"));
        assert_eq!(SecureHint::from_probe("ws://b.example:9001", false), None);
        assert_eq!(
            SecureHint::from_probe("wss://b.example", true),
            Some(SecureHint::NotMqttAtPath {
                origin: "https://b.example/".into(),
                path: "/".into()
            })
        );
    }
}
