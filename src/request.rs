//! Request/response (MQTT 5): requests sent from the publish form's request mode, each with a
//! Response Topic (one per tab, unique, under a prefix the user sets) and Correlation Data
//! (unique per request), paired with the reply that comes back on that topic with the same
//! correlation data, or marked as timed out. The list is plain data in the tab's state; the
//! reducer pairs each received message (`Requests::pair`) and expires what is overdue
//! (`Requests::expire`, on a timer the request list arms for the next deadline).

use std::collections::VecDeque;

use mqtt_core::{Bytes, OutgoingMessage, PublishProperties};

use crate::state::Message;

/// Requests kept, newest first; older ones are dropped.
pub const REQUEST_LIMIT: usize = 50;
pub const DEFAULT_PREFIX: &str = "replies";
pub const DEFAULT_TIMEOUT_MS: u32 = 5_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestOutcome {
    Waiting,
    /// The reply, received at `at` (wall clock, as `Message::received_at`).
    Replied {
        at: u64,
        payload: Bytes,
        seq: u64,
    },
    TimedOut,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Its number in this tab, from 1.
    pub number: u64,
    pub topic: String,
    pub response_topic: String,
    pub correlation: Bytes,
    /// Milliseconds since the Unix epoch, when handed to the core.
    pub sent_at: u64,
    /// When it times out without a reply.
    pub deadline: u64,
    pub outcome: RequestOutcome,
}

impl Request {
    /// Milliseconds from sending to the reply, once replied.
    pub fn round_trip_ms(&self) -> Option<u64> {
        match self.outcome {
            RequestOutcome::Replied { at, .. } => Some(at.saturating_sub(self.sent_at)),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestAction {
    /// A request handed to the core.
    Sent(Request),
    /// The wall clock reads this: mark every waiting request past its deadline.
    Expire(u64),
    Clear,
}

/// The tab's requests, newest first, at most `REQUEST_LIMIT`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Requests {
    items: VecDeque<Request>,
    sent: u64,
}

impl Requests {
    pub fn iter(&self) -> impl Iterator<Item = &Request> {
        self.items.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many requests this tab has sent (the next one's number is one more).
    pub fn sent(&self) -> u64 {
        self.sent
    }

    pub fn apply(&mut self, action: RequestAction) {
        match action {
            RequestAction::Sent(request) => {
                self.sent = self.sent.max(request.number);
                self.items.push_front(request);
                self.items.truncate(REQUEST_LIMIT);
            }
            RequestAction::Expire(now) => {
                for request in &mut self.items {
                    if request.outcome == RequestOutcome::Waiting && now >= request.deadline {
                        request.outcome = RequestOutcome::TimedOut;
                    }
                }
            }
            RequestAction::Clear => self.items.clear(),
        }
    }

    /// Pairs `message` with the waiting request it answers: the same response topic and
    /// correlation data. A reply after the deadline counts as too late (the request stays
    /// timed out, even if the timer has not fired yet); a second reply changes nothing.
    pub fn pair(&mut self, message: &Message) -> bool {
        let Some(correlation) = &message.properties.correlation_data else {
            return false;
        };
        let Some(request) = self.items.iter_mut().find(|r| {
            r.outcome == RequestOutcome::Waiting
                && r.response_topic == message.topic
                && r.correlation == *correlation
        }) else {
            return false;
        };
        request.outcome = if message.received_at > request.deadline {
            RequestOutcome::TimedOut
        } else {
            RequestOutcome::Replied {
                at: message.received_at,
                payload: message.payload.clone(),
                seq: message.seq,
            }
        };
        true
    }

    /// The earliest deadline of a waiting request, for the timer.
    pub fn next_deadline(&self) -> Option<u64> {
        self.items
            .iter()
            .filter(|r| r.outcome == RequestOutcome::Waiting)
            .map(|r| r.deadline)
            .min()
    }
}

/// The tab's response topic: `token` (random, made once per tab) under `prefix`.
pub fn response_topic(prefix: &str, token: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() {
        token.to_owned()
    } else {
        format!("{prefix}/{token}")
    }
}

/// Correlation data unique per request: the tab's token and the request's number.
pub fn correlation_data(token: &str, number: u64) -> Bytes {
    Bytes::from(format!("{token}-{number}").into_bytes())
}

/// A random token of 12 hex digits (the app's entropy; the core has none).
pub fn random_token() -> String {
    let high = (js_sys::Math::random() * f64::from(1u32 << 24)) as u64;
    let low = (js_sys::Math::random() * f64::from(1u32 << 24)) as u64;
    format!("{:012x}", (high << 24) | low)
}

/// `message` made a request: it carries the response topic and correlation data.
pub fn as_request(
    mut message: OutgoingMessage,
    response_topic: &str,
    correlation: Bytes,
) -> OutgoingMessage {
    message.properties.response_topic = Some(response_topic.to_owned());
    message.properties.correlation_data = Some(correlation);
    message
}

/// The reply to a received request: `payload` to its Response Topic, with its Correlation
/// Data, at its QoS. `None` if it carries no Response Topic.
pub fn reply_to(request: &Message, payload: Bytes) -> Option<OutgoingMessage> {
    let topic = request.properties.response_topic.clone()?;
    Some(OutgoingMessage {
        topic,
        payload,
        qos: request.qos,
        retain: false,
        properties: PublishProperties {
            correlation_data: request.properties.correlation_data.clone(),
            ..PublishProperties::default()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::tests::message;
    use mqtt_core::QoS;

    fn request(number: u64, sent_at: u64) -> Request {
        Request {
            number,
            topic: "ask".into(),
            response_topic: response_topic("replies/", "tok"),
            correlation: correlation_data("tok", number),
            sent_at,
            deadline: sent_at + 1000,
            outcome: RequestOutcome::Waiting,
        }
    }

    fn reply(topic: &str, correlation: Option<&str>, at: u64) -> Message {
        let mut m = message(at, topic, "pong");
        m.received_at = at;
        m.properties.correlation_data = correlation.map(|c| Bytes::from(c.as_bytes().to_vec()));
        m
    }

    #[test]
    fn names_are_unique_under_the_prefix() {
        assert_eq!(response_topic("replies/", "ab"), "replies/ab");
        assert_eq!(response_topic("a/b", "ab"), "a/b/ab");
        assert_eq!(response_topic("", "ab"), "ab");
        assert_ne!(correlation_data("t", 1), correlation_data("t", 2));
    }

    #[test]
    fn a_reply_pairs_with_its_request_by_topic_and_correlation_data() {
        let mut requests = Requests::default();
        requests.apply(RequestAction::Sent(request(1, 100)));
        requests.apply(RequestAction::Sent(request(2, 150)));
        assert_eq!(requests.sent(), 2);
        // Wrong correlation data, none, or the wrong topic: no pairing.
        assert!(!requests.pair(&reply("replies/tok", Some("tok-3"), 200)));
        assert!(!requests.pair(&reply("replies/tok", None, 200)));
        assert!(!requests.pair(&reply("elsewhere", Some("tok-1"), 200)));
        assert!(requests.pair(&reply("replies/tok", Some("tok-1"), 340)));
        let first = requests.iter().find(|r| r.number == 1).unwrap();
        assert_eq!(first.round_trip_ms(), Some(240));
        assert!(
            matches!(&first.outcome, RequestOutcome::Replied { payload, .. } if &payload[..] == b"pong")
        );
        // The second reply to the same request pairs with nothing.
        assert!(!requests.pair(&reply("replies/tok", Some("tok-1"), 400)));
        let second = requests.iter().find(|r| r.number == 2).unwrap();
        assert_eq!(second.outcome, RequestOutcome::Waiting);
        assert_eq!(requests.next_deadline(), Some(1150));
    }

    #[test]
    fn overdue_requests_time_out_and_late_replies_do_not_count() {
        let mut requests = Requests::default();
        requests.apply(RequestAction::Sent(request(1, 0)));
        requests.apply(RequestAction::Sent(request(2, 500)));
        requests.apply(RequestAction::Expire(999));
        assert_eq!(requests.next_deadline(), Some(1000));
        requests.apply(RequestAction::Expire(1000));
        let outcomes: Vec<_> = requests.iter().map(|r| r.outcome.clone()).collect();
        assert_eq!(
            outcomes,
            [RequestOutcome::Waiting, RequestOutcome::TimedOut]
        );
        // Timed out stays timed out when the reply comes after all.
        assert!(!requests.pair(&reply("replies/tok", Some("tok-1"), 1200)));
        // A reply past the deadline before the timer fired is too late too.
        assert!(requests.pair(&reply("replies/tok", Some("tok-2"), 1600)));
        assert!(requests
            .iter()
            .all(|r| r.outcome == RequestOutcome::TimedOut));
        assert_eq!(requests.next_deadline(), None);
    }

    #[test]
    fn the_reducer_pairs_received_replies_and_expires_the_rest() {
        use crate::state::{Action, State};
        let mut state = State::default();
        state.apply(Action::Request(RequestAction::Sent(request(1, 100))));
        state.apply(Action::Request(RequestAction::Sent(request(2, 100))));
        state.apply(Action::Received(vec![
            reply("other/topic", Some("tok-2"), 130),
            reply("replies/tok", Some("tok-2"), 160),
        ]));
        state.apply(Action::Request(RequestAction::Expire(1100)));
        let outcomes: Vec<_> = state
            .requests
            .iter()
            .map(|r| {
                (
                    r.number,
                    r.round_trip_ms(),
                    r.outcome == RequestOutcome::TimedOut,
                )
            })
            .collect();
        assert_eq!(outcomes, [(2, Some(60), false), (1, None, true)]);
        // The reply is still a message like any other.
        assert_eq!(state.messages.len(), 2);
        state.apply(Action::Request(RequestAction::Clear));
        assert!(state.requests.is_empty());
    }

    #[test]
    fn the_list_is_bounded_newest_first() {
        let mut requests = Requests::default();
        for n in 1..=(REQUEST_LIMIT as u64 + 5) {
            requests.apply(RequestAction::Sent(request(n, n)));
        }
        assert_eq!(requests.iter().count(), REQUEST_LIMIT);
        assert_eq!(
            requests.iter().next().unwrap().number,
            REQUEST_LIMIT as u64 + 5
        );
        assert_eq!(requests.sent(), REQUEST_LIMIT as u64 + 5);
    }

    #[test]
    fn a_reply_answers_on_the_response_topic_with_the_correlation_data() {
        let mut received = message(1, "ask", "ping");
        received.qos = QoS::AtLeastOnce;
        assert_eq!(reply_to(&received, Bytes::new()), None);
        received.properties.response_topic = Some("replies/x".into());
        received.properties.correlation_data = Some(Bytes::from_static(&[1, 2]));
        let answer = reply_to(&received, Bytes::from_static(b"ok")).unwrap();
        assert_eq!(answer.topic, "replies/x");
        assert_eq!(answer.qos, QoS::AtLeastOnce);
        assert_eq!(
            answer.properties.correlation_data.as_deref(),
            Some(&[1, 2][..])
        );
        let made = as_request(answer, "r/t", correlation_data("t", 7));
        assert_eq!(made.properties.response_topic.as_deref(), Some("r/t"));
        assert_eq!(
            made.properties.correlation_data.as_deref(),
            Some(&b"t-7"[..])
        );
    }
}
