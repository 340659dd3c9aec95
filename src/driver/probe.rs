//! After a `wss://` socket failed before it opened, one probe of its origin over https (the
//! worker's no-cors fetch; what its answer means is `secure.rs`'s), and which socket it was
//! for, so that an answer that comes after the connection opened, or after a new Connect, is
//! dropped.

use mqtt_core::TransportId;

use crate::secure::{probe_url, SecureHint};
use crate::state::Action;

#[derive(Default)]
pub(super) struct Probe {
    /// The last socket that opened.
    opened: Option<TransportId>,
    /// The socket whose probe is under way: one at a time.
    pending: Option<TransportId>,
}

impl Probe {
    /// A new Connect: what was under way is no longer wanted.
    pub(super) fn reset(&mut self) {
        *self = Probe::default();
    }

    pub(super) fn opened(&mut self, socket: TransportId) {
        self.opened = Some(socket);
        self.pending = None;
    }

    /// The current `socket`, to `url`, closed: the URL to fetch if it never opened, it was a
    /// `wss://` one and no probe is under way.
    pub(super) fn closed(&mut self, socket: TransportId, url: &str) -> Option<String> {
        if self.opened == Some(socket) || self.pending.is_some() {
            return None;
        }
        let probe = probe_url(url)?;
        self.pending = Some(socket);
        Some(probe)
    }

    /// The worker's answer for `socket`'s probe: the reducer's action, if it is still wanted.
    pub(super) fn answered(
        &mut self,
        socket: TransportId,
        url: &str,
        answered: bool,
    ) -> Option<Action> {
        if self.pending != Some(socket) {
            return None;
        }
        self.pending = None;
        Some(Action::SecureHint(SecureHint::from_probe(url, answered)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "wss://broker.example:8884/mqtt";

    fn hint(action: Option<Action>) -> Option<SecureHint> {
        match action {
            Some(Action::SecureHint(hint)) => hint,
            _ => None,
        }
    }

    #[test]
    fn a_wss_socket_that_never_opened_is_probed_once_at_a_time() {
        let mut probe = Probe::default();
        let [first, second] = [1, 2].map(TransportId::from_raw);
        assert_eq!(
            probe.closed(first, URL).as_deref(),
            Some("https://broker.example:8884/")
        );
        assert_eq!(probe.closed(second, URL), None, "one under way");
        assert!(probe.answered(second, URL, true).is_none());
        assert_eq!(
            hint(probe.answered(first, URL, false)),
            Some(SecureHint::NoSecureAnswer {
                origin: "https://broker.example:8884/".into()
            })
        );
        assert!(
            probe.closed(second, URL).is_some(),
            "the next failure is probed"
        );
    }

    #[test]
    fn no_probe_for_a_socket_that_opened_or_for_ws() {
        let mut probe = Probe::default();
        let socket = TransportId::from_raw(1);
        assert_eq!(probe.closed(socket, "ws://broker.example:9001"), None);
        probe.opened(socket);
        assert_eq!(probe.closed(socket, URL), None);
    }

    #[test]
    fn an_answer_after_the_connection_opened_or_a_new_connect_is_dropped() {
        let mut probe = Probe::default();
        let [first, second] = [1, 2].map(TransportId::from_raw);
        assert!(probe.closed(first, URL).is_some());
        probe.opened(second);
        assert!(probe.answered(first, URL, false).is_none());
        assert!(probe.closed(TransportId::from_raw(3), URL).is_some());
        probe.reset();
        assert!(probe
            .answered(TransportId::from_raw(3), URL, false)
            .is_none());
    }
}
