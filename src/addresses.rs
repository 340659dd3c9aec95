//! Several broker addresses: the backup URLs of a profile, the round robin the driver opens
//! them in, and what an MQTT 5 Server Reference may stand for.
//!
//! Pure: the driver asks `Rotation` which URL the next transport opens, and the core's
//! backoff decides when; a followed Server Reference is a detour taken by the next transport.

use mqtt_core::RedirectKind;

use crate::i18n::{Key, Text};
use crate::validate::{self, UrlProblem};

/// The longest Server Reference followed; longer ones are refused (a host name is at most
/// 253 characters, and a URL to a broker needs little more).
pub const MAX_REFERENCE_LENGTH: usize = 512;

/// The backup URLs as typed: one per line (or separated by blanks), empty entries skipped.
pub fn backup_urls(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
}

/// Why a backup URL cannot be used: which one (1-based) and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupProblem {
    pub number: usize,
    pub url: String,
    pub problem: UrlProblem,
}

impl BackupProblem {
    pub fn text(&self) -> Text {
        Text::new(Key::BackupUrlProblem)
            .number("number", self.number as u64)
            .with("url", self.url.as_str())
            .with("reason", self.problem.text())
    }
}

/// Checks each backup URL as the main one is checked.
pub fn check_backups(text: &str) -> Result<(), BackupProblem> {
    for (index, url) in backup_urls(text).enumerate() {
        validate::broker_url(url).map_err(|problem| BackupProblem {
            number: index + 1,
            url: url.to_owned(),
            problem,
        })?;
    }
    Ok(())
}

/// The URLs of one connection, in the order they are tried, and the one in use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    /// The main URL first, then the backups; never empty.
    urls: Vec<String>,
    /// The list's URL in use (or the last one used before a detour).
    index: usize,
    /// A followed Server Reference, in use instead of the list's URL.
    detour: Option<String>,
    /// Whether a transport has been opened yet: the first opens the main URL.
    started: bool,
    /// The next open takes the detour rather than moving on.
    detour_next: bool,
}

impl Rotation {
    pub fn new(main: &str, backups: &str) -> Rotation {
        let mut urls = vec![main.trim().to_owned()];
        for url in backup_urls(backups) {
            if !urls.iter().any(|known| known == url) {
                urls.push(url.to_owned());
            }
        }
        Rotation {
            urls,
            index: 0,
            detour: None,
            started: false,
            detour_next: false,
        }
    }

    /// The URL a new transport opens: the main one first, then on each further attempt the
    /// next in round robin; a detour just followed comes first.
    pub fn next_url(&mut self) -> &str {
        if std::mem::take(&mut self.detour_next) {
            self.started = true;
            return self.current();
        }
        if self.started {
            self.detour = None;
            self.index = (self.index + 1) % self.urls.len();
        }
        self.started = true;
        self.current()
    }

    /// The next transport opens `url` (a followed Server Reference); after it, the list goes
    /// on from the URL after the one the detour replaced.
    pub fn follow(&mut self, url: String) {
        self.detour = Some(url);
        self.detour_next = true;
    }

    /// The URL in use, or the one the next transport opens if none has yet.
    pub fn current(&self) -> &str {
        self.detour
            .as_deref()
            .unwrap_or_else(|| &self.urls[self.index])
    }

    /// Where the URL in use is: `Some((1-based number, count))` in the list, `None` on a
    /// detour.
    pub fn position(&self) -> Option<(usize, usize)> {
        self.detour
            .is_none()
            .then_some((self.index + 1, self.urls.len()))
    }
}

/// The URL a connection is on, as the status bar shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InUse {
    pub url: String,
    /// 1-based number in the list and the list's length; `None` for a server's reference.
    pub position: Option<(usize, usize)>,
}

impl InUse {
    /// Whether the status bar names it: with one URL only, the connection's summary already
    /// does.
    pub fn is_one_of_several(&self) -> bool {
        self.position.is_none_or(|(_, count)| count > 1)
    }

    pub fn text(&self) -> Text {
        match self.position {
            Some((number, count)) => Text::new(Key::StatusOnUrl)
                .with("url", self.url.as_str())
                .number("number", number as u64)
                .number("count", count as u64),
            None => Text::new(Key::StatusOnReference).with("url", self.url.as_str()),
        }
    }
}

/// A server redirection as the tab shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectOffer {
    /// A reference the user may follow, resolved to the URL it stands for.
    Offer { kind: RedirectKind, target: String },
    /// A reference refused, and why.
    Refused(Text),
}

impl RedirectOffer {
    pub fn text(&self) -> Text {
        match self {
            RedirectOffer::Offer { kind, target } => Text::new(match kind {
                RedirectKind::UseAnotherServer => Key::RedirectUseAnother,
                RedirectKind::ServerMoved => Key::RedirectMoved,
            })
            .with("target", target.as_str()),
            RedirectOffer::Refused(text) => text.clone(),
        }
    }
}

/// A tab's addresses as the views show them: the URL in use, whether the browser is
/// offline, and the server's last redirection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddressState {
    pub in_use: Option<InUse>,
    pub offline: bool,
    pub redirect: Option<RedirectOffer>,
}

/// What the driver tells the tab about its addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressAction {
    InUse(InUse),
    Offline(bool),
    Redirect(Option<RedirectOffer>),
}

impl AddressState {
    pub fn apply(&mut self, action: AddressAction) {
        match action {
            AddressAction::InUse(in_use) => self.in_use = Some(in_use),
            AddressAction::Offline(offline) => self.offline = offline,
            AddressAction::Redirect(redirect) => self.redirect = redirect,
        }
    }
}

/// Why a Server Reference is not followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReferenceProblem {
    /// Longer than `MAX_REFERENCE_LENGTH` characters.
    TooLong(usize),
    /// A URL of another kind (`javascript:`, `http://`, `mqtt://`).
    NotWebSocket(String),
    /// Not a host, host:port or WebSocket URL that the app can open.
    Url(UrlProblem),
    /// A `ws://` broker from a page served over https (the browser would refuse it).
    MixedContent(Text),
}

impl ReferenceProblem {
    pub fn text(&self) -> Text {
        let reason = match self {
            ReferenceProblem::TooLong(length) => Text::new(Key::ReferenceTooLong)
                .number("length", *length as u64)
                .number("maximum", MAX_REFERENCE_LENGTH as u64),
            ReferenceProblem::NotWebSocket(scheme) => {
                Text::new(Key::ReferenceNotWebsocket).with("scheme", scheme.as_str())
            }
            ReferenceProblem::Url(problem) => problem.text(),
            ReferenceProblem::MixedContent(text) => text.clone(),
        };
        Text::new(Key::ReferenceRefused).with("reason", reason)
    }
}

/// The WebSocket URL a Server Reference stands for, seen from `current` (the URL in use) on a
/// page loaded with `page_protocol`: a `ws://` or `wss://` URL as it is; `host` or
/// `host:port` with the current URL's scheme and path; anything else refused.
pub fn resolve_reference(
    reference: &str,
    current: &str,
    page_protocol: &str,
) -> Result<String, ReferenceProblem> {
    let reference = reference.trim();
    let length = reference.chars().count();
    if length > MAX_REFERENCE_LENGTH {
        return Err(ReferenceProblem::TooLong(length));
    }
    let url = match scheme_of(reference) {
        Some(scheme) if is_websocket(scheme) && reference[scheme.len()..].starts_with("://") => {
            reference.to_owned()
        }
        Some(scheme) => return Err(ReferenceProblem::NotWebSocket(scheme.to_owned())),
        None => {
            if reference.contains(['/', '?', '#', '@', '\\']) {
                return Err(ReferenceProblem::Url(UrlProblem::HostCharacters));
            }
            let (scheme, rest) = current.trim().split_once("://").unwrap_or(("ws", ""));
            let path = rest.find('/').map_or("", |at| &rest[at..]);
            format!("{scheme}://{reference}{path}")
        }
    };
    validate::broker_url(&url).map_err(ReferenceProblem::Url)?;
    crate::secure::mixed_content(page_protocol, &url).map_err(ReferenceProblem::MixedContent)?;
    Ok(url)
}

fn is_websocket(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("ws") || scheme.eq_ignore_ascii_case("wss")
}

/// The scheme a reference starts with, if it is a URL rather than `host` or `host:port`:
/// letters before a `:` that is not followed by a port number alone.
fn scheme_of(reference: &str) -> Option<&str> {
    let (scheme, rest) = reference.split_once(':')?;
    let is_scheme = !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let is_port = !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit());
    (is_scheme && !is_port).then_some(scheme)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_url_comes_first_then_each_attempt_takes_the_next_in_turn() {
        let mut rotation = Rotation::new(" ws://a:1 ", "ws://b:2\n\n  ws://c:3 ws://a:1");
        assert_eq!(rotation.current(), "ws://a:1");
        assert_eq!(rotation.next_url(), "ws://a:1");
        assert_eq!(rotation.position(), Some((1, 3)));
        assert_eq!(rotation.next_url(), "ws://b:2");
        assert_eq!(rotation.next_url(), "ws://c:3");
        assert_eq!(rotation.position(), Some((3, 3)));
        assert_eq!(rotation.next_url(), "ws://a:1");
    }

    #[test]
    fn a_single_url_is_tried_again_and_again() {
        let mut rotation = Rotation::new("ws://a:1", "");
        assert_eq!(rotation.next_url(), "ws://a:1");
        assert_eq!(rotation.next_url(), "ws://a:1");
        assert_eq!(rotation.position(), Some((1, 1)));
    }

    #[test]
    fn a_followed_reference_is_opened_next_then_the_list_goes_on() {
        let mut rotation = Rotation::new("ws://a:1", "ws://b:2 ws://c:3");
        assert_eq!(rotation.next_url(), "ws://a:1");
        rotation.follow("ws://moved:9".into());
        assert_eq!(rotation.current(), "ws://moved:9");
        assert_eq!(rotation.next_url(), "ws://moved:9");
        assert_eq!(rotation.position(), None);
        assert_eq!(rotation.next_url(), "ws://b:2");
        assert_eq!(rotation.position(), Some((2, 3)));
    }

    #[test]
    fn a_reference_followed_before_the_first_open_is_opened_first() {
        let mut rotation = Rotation::new("ws://a:1", "ws://b:2");
        rotation.follow("ws://moved:9".into());
        assert_eq!(rotation.next_url(), "ws://moved:9");
        assert_eq!(rotation.next_url(), "ws://b:2");
    }

    #[test]
    fn backups_are_checked_like_the_main_url() {
        assert_eq!(check_backups(""), Ok(()));
        assert_eq!(check_backups("ws://a:1\nwss://b/mqtt"), Ok(()));
        assert_eq!(
            check_backups("ws://a:1\nhttp://b"),
            Err(BackupProblem {
                number: 2,
                url: "http://b".into(),
                problem: UrlProblem::NotWebSocket("http".into()),
            })
        );
        assert_eq!(
            check_backups("ws://a:99999").map_err(|p| p.problem),
            Err(UrlProblem::Port("99999".into()))
        );
    }

    #[test]
    fn references_resolve_against_the_current_url() {
        let current = "wss://old.example:8084/mqtt";
        for (reference, url) in [
            ("new.example", "wss://new.example/mqtt"),
            ("new.example:8885", "wss://new.example:8885/mqtt"),
            ("[::1]:9001", "wss://[::1]:9001/mqtt"),
            ("ws://127.0.0.1:9001", "ws://127.0.0.1:9001"),
            ("WSS://x.example/other", "WSS://x.example/other"),
        ] {
            assert_eq!(
                resolve_reference(reference, current, "http:"),
                Ok(url.to_owned()),
                "{reference}"
            );
        }
        assert_eq!(
            resolve_reference("h:1", "ws://127.0.0.1:9001", "http:"),
            Ok("ws://h:1".to_owned())
        );
    }

    #[test]
    fn hostile_references_are_refused_with_a_reason() {
        let current = "ws://127.0.0.1:9001/mqtt";
        for (reference, problem) in [
            (
                "javascript:alert(1)",
                ReferenceProblem::NotWebSocket("javascript".into()),
            ),
            (
                "http://evil.example",
                ReferenceProblem::NotWebSocket("http".into()),
            ),
            ("ws:evil", ReferenceProblem::NotWebSocket("ws".into())),
            ("", ReferenceProblem::Url(UrlProblem::NoHost)),
            ("a b", ReferenceProblem::Url(UrlProblem::HostCharacters)),
            (
                "evil/../x",
                ReferenceProblem::Url(UrlProblem::HostCharacters),
            ),
            (
                "user@evil",
                ReferenceProblem::Url(UrlProblem::HostCharacters),
            ),
            ("h:0", ReferenceProblem::Url(UrlProblem::Port("0".into()))),
            ("ws://h:1/#x", ReferenceProblem::Url(UrlProblem::Fragment)),
        ] {
            assert_eq!(
                resolve_reference(reference, current, "http:"),
                Err(problem),
                "{reference:?}"
            );
        }
        let long = "a".repeat(MAX_REFERENCE_LENGTH + 1);
        assert_eq!(
            resolve_reference(&long, current, "http:"),
            Err(ReferenceProblem::TooLong(MAX_REFERENCE_LENGTH + 1))
        );
    }

    #[test]
    fn problems_and_the_url_in_use_read_in_both_languages() {
        use crate::i18n::{I18n, Locale};
        let english = I18n { locale: Locale::En };
        let chinese = I18n {
            locale: Locale::ZhCn,
        };
        let backup = check_backups("ws://a:1 http://b").unwrap_err().text();
        assert_eq!(
            english.text(&backup),
            "Backup URL 2 (http://b): 'http://' is not a WebSocket URL; use ws:// or wss://"
        );
        assert_eq!(
            chinese.text(&backup),
            "备用地址 2（http://b）：'http://' 不是 WebSocket 地址，请使用 ws:// 或 wss://"
        );
        let refused = resolve_reference("javascript:x", "ws://a:1", "http:")
            .unwrap_err()
            .text();
        assert_eq!(
            english.text(&refused),
            "The server's reference is not followed: \
             'javascript:' is not a WebSocket URL (ws:// or wss://)"
        );
        assert_eq!(
            chinese.text(&refused),
            "未跟随服务器给出的地址：'javascript:' 不是 WebSocket 地址（ws:// 或 wss://）"
        );
        let in_use = InUse {
            url: "ws://b:2".into(),
            position: Some((2, 3)),
        };
        assert_eq!(english.text(&in_use.text()), "on ws://b:2 (URL 2 of 3)");
        assert!(in_use.is_one_of_several());
        let alone = InUse {
            position: Some((1, 1)),
            ..in_use.clone()
        };
        assert!(!alone.is_one_of_several());
        assert_eq!(
            chinese.text(&in_use.text()),
            "使用 ws://b:2（第 2 个，共 3 个）"
        );
        let offer = RedirectOffer::Offer {
            kind: RedirectKind::ServerMoved,
            target: "ws://c:3".into(),
        };
        assert_eq!(
            english.text(&offer.text()),
            "The server has moved to ws://c:3"
        );
        assert_eq!(chinese.text(&offer.text()), "服务器已迁移到 ws://c:3");
    }

    #[test]
    fn the_tab_hears_the_url_in_use_offline_and_the_offer() {
        let mut state = AddressState::default();
        let in_use = InUse {
            url: "ws://a:1".into(),
            position: Some((1, 1)),
        };
        state.apply(AddressAction::InUse(in_use.clone()));
        state.apply(AddressAction::Offline(true));
        let offer = RedirectOffer::Refused(Text::new(Key::ReferenceRefused));
        state.apply(AddressAction::Redirect(Some(offer.clone())));
        assert_eq!(
            state,
            AddressState {
                in_use: Some(in_use),
                offline: true,
                redirect: Some(offer),
            }
        );
        state.apply(AddressAction::Offline(false));
        state.apply(AddressAction::Redirect(None));
        assert!(!state.offline && state.redirect.is_none());
    }

    #[test]
    fn a_ws_reference_from_an_https_page_is_mixed_content() {
        assert!(matches!(
            resolve_reference("ws://broker.example", "wss://a.example", "https:"),
            Err(ReferenceProblem::MixedContent(_))
        ));
        // The current wss:// scheme is kept, so a bare host is fine.
        assert_eq!(
            resolve_reference("broker.example", "wss://a.example", "https:"),
            Ok("wss://broker.example".to_owned())
        );
    }
}
