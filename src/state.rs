//! One connection tab's state as plain data, changed only through `Action`s.
//!
//! Handles (socket, timers, the core `Client`) live in the driver, never here.

use std::collections::VecDeque;
use std::rc::Rc;

use mqtt_core::topic::FilterSet;
use mqtt_core::{
    Bytes, ConnectionState, OutgoingMessage, ProtocolVersion, PublishId, PublishProperties, QoS,
    RetainHandling,
};
use yew::Reducible;

use crate::i18n::Text;
use crate::payload::contains_ignore_ascii_case;
use crate::topic_index::{NodeId, SharedIndex, TopicIndex};

pub const DEFAULT_HISTORY_LIMIT: usize = 10_000;
const SENT_HISTORY_LIMIT: usize = 100;
const LOG_LIMIT: usize = 100;

/// Subscriptions get colours in turn from this many; the stylesheet defines `.color-0` to
/// `.color-7` (classes, because the Content-Security-Policy forbids inline styles).
pub const COLOR_COUNT: usize = 8;

/// The colour class of subscription `id`, and of the messages it coloured, in the list or not.
pub fn color_of(id: u32) -> usize {
    (id as usize).wrapping_sub(1) % COLOR_COUNT
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Arrival order within this tab, also the row's stable key.
    pub seq: u64,
    pub topic: String,
    pub payload: Bytes,
    pub qos: QoS,
    pub retain: bool,
    pub dup: bool,
    /// Milliseconds since the Unix epoch.
    pub received_at: u64,
    pub properties: PublishProperties,
    /// The first subscription whose filter matches the topic (its colour).
    pub subscription: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubscriptionStatus {
    Pending,
    Active {
        granted: QoS,
    },
    Failed(Text),
    /// UNSUBSCRIBE sent (or held while connecting); it goes once the server confirms.
    Unsubscribing,
    /// The server refused the UNSUBSCRIBE (version 5): still subscribed, for this reason.
    UnsubscribeRefused(Text),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub id: u32,
    /// What the user asked for, as the SUBSCRIBE carries it.
    pub request: SubscriptionRequest,
    pub status: SubscriptionStatus,
    pub count: u64,
}

/// What the user asked to subscribe to (the state adds id, status and count).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionRequest {
    pub filter: String,
    pub alias: String,
    pub qos: QoS,
    pub no_local: bool,
    pub retain_as_published: bool,
    pub retain_handling: RetainHandling,
}

/// The subscription form's blank request.
impl Default for SubscriptionRequest {
    fn default() -> Self {
        SubscriptionRequest {
            filter: String::new(),
            alias: String::new(),
            qos: QoS::AtMostOnce,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendAtSubscribe,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SentOutcome {
    Pending,
    Done,
    Failed(Text),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentMessage {
    pub id: PublishId,
    /// What was handed to the core.
    pub message: OutgoingMessage,
    pub sent_at: u64,
    pub outcome: SentOutcome,
}

impl SentMessage {
    /// A message just handed to the core under `id`, its outcome to come.
    pub fn pending(id: PublishId, message: OutgoingMessage, sent_at: u64) -> SentMessage {
        SentMessage {
            id,
            message,
            sent_at,
            outcome: SentOutcome::Pending,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogLevel {
    Info,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub at: u64,
    pub level: LogLevel,
    pub text: Text,
}

/// The limits the server announced in its CONNACK.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerInfo {
    pub assigned_client_id: Option<String>,
    pub maximum_packet_size: Option<u32>,
    pub maximum_qos: Option<QoS>,
    pub retain_available: Option<bool>,
    pub server_keep_alive: Option<u16>,
    pub receive_maximum: Option<u16>,
    pub topic_alias_maximum: Option<u16>,
}

/// Received messages, oldest first, at most `limit`. `version` changes with every change so
/// views can compare two logs without comparing their contents.
///
/// The deque is shared (`Rc`): views get a copy of the log with every render, and only a
/// change copies the deque itself.
#[derive(Clone, Debug, Default)]
pub struct MessageLog {
    items: Rc<VecDeque<Rc<Message>>>,
    version: u64,
}

impl PartialEq for MessageLog {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && self.items.len() == other.items.len()
    }
}

impl MessageLog {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// Newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Rc<Message>> {
        self.items.iter().rev()
    }

    /// The `index`th newest message.
    pub fn nth_newest(&self, index: usize) -> Option<&Rc<Message>> {
        self.items
            .len()
            .checked_sub(index + 1)
            .and_then(|i| self.items.get(i))
    }

    pub fn find(&self, seq: u64) -> Option<&Rc<Message>> {
        // Sequence numbers increase, so binary search works.
        self.items
            .binary_search_by_key(&seq, |m| m.seq)
            .ok()
            .and_then(|i| self.items.get(i))
    }

    fn push(&mut self, message: Rc<Message>, limit: usize) {
        let items = Rc::make_mut(&mut self.items);
        items.push_back(message);
        while items.len() > limit {
            items.pop_front();
        }
        self.version += 1;
    }

    fn truncate_to(&mut self, limit: usize) {
        if self.items.len() > limit {
            let items = Rc::make_mut(&mut self.items);
            let excess = items.len() - limit;
            items.drain(..excess);
        }
        self.version += 1;
    }

    fn clear(&mut self) {
        self.items = Rc::default();
        self.version += 1;
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The MQTT version of the session the tab last connected with (or will connect with),
    /// which decides what the forms offer.
    pub version: ProtocolVersion,
    pub connection: ConnectionState,
    pub server: Option<ServerInfo>,
    /// Shared from copy to copy of the state: under a flood one count changes per batch, and
    /// the list's rows compare by identity (`subscription_list.rs`).
    pub subscriptions: Vec<Rc<Subscription>>,
    /// Each subscription's filter to its index in `subscriptions`, rebuilt by `index_filters`
    /// whenever the list changes; shared by the copies `reduce` makes.
    filters: Rc<FilterSet<usize>>,
    next_subscription_id: u32,
    pub messages: MessageLog,
    /// Arrived while paused, shown on resume.
    pub held: MessageLog,
    pub paused: bool,
    pub history_limit: usize,
    pub received_total: u64,
    /// Messages per second over the last second.
    pub rate: u32,
    pub sent: VecDeque<SentMessage>,
    /// Messages sent by the running periodic publish; `None` when it is stopped.
    pub periodic_sent: Option<u64>,
    /// The running recording's count and size, and the last replay's progress (`recording.rs`,
    /// `replay.rs`).
    pub recording: Option<RecordingProgress>,
    pub replay: Option<ReplayProgress>,
    pub log: VecDeque<LogEntry>,
    /// The message shown in detail; selecting a topic clears it, and the other way round.
    pub selected: Option<u64>,
    /// Every topic seen since Connect or Clear: the topic tree.
    pub topics: SharedIndex,
    pub selected_topic: Option<NodeId>,
    /// Show only messages matching this subscription.
    pub filter: Option<u32>,
    pub search: String,
    /// Request/response (version 5): the requests sent and what became of them.
    pub requests: crate::request::Requests,
    /// What a `wss://` connection that failed before it opened most likely ran into, found by
    /// the driver's probe; gone on Connect and once connected.
    pub secure_hint: Option<crate::secure::SecureHint>,
    /// Enhanced authentication (version 5): the exchange as the user follows it.
    pub auth: crate::auth::AuthExchange,
    /// The URL in use, offline, the server's redirection (`addresses.rs`).
    pub addresses: crate::addresses::AddressState,
    /// Messages decoded by their topic's rule for the list, the tree and the charts
    /// (`decoded.rs`).
    pub decoded: crate::decoded::DecodedCache,
}

impl Default for State {
    fn default() -> Self {
        State {
            version: ProtocolVersion::V5,
            connection: ConnectionState::Disconnected { reason: None },
            server: None,
            subscriptions: Vec::new(),
            filters: Rc::default(),
            next_subscription_id: 1,
            messages: MessageLog::default(),
            held: MessageLog::default(),
            paused: false,
            history_limit: DEFAULT_HISTORY_LIMIT,
            received_total: 0,
            rate: 0,
            sent: VecDeque::new(),
            periodic_sent: None,
            recording: None,
            replay: None,
            log: VecDeque::new(),
            selected: None,
            topics: SharedIndex::default(),
            selected_topic: None,
            filter: None,
            search: String::new(),
            requests: crate::request::Requests::default(),
            secure_hint: None,
            auth: crate::auth::AuthExchange::default(),
            addresses: crate::addresses::AddressState::default(),
            decoded: crate::decoded::DecodedCache::default(),
        }
    }
}

#[derive(Debug)]
pub enum Action {
    Connection(ConnectionState),
    /// The user connected, with this version: a new session, whose topics start afresh.
    Connect(ProtocolVersion),
    Connected {
        session_present: bool,
        server: ServerInfo,
    },
    Log {
        at: u64,
        level: LogLevel,
        text: Text,
    },
    /// A batch of incoming messages, oldest first.
    Received(Vec<Message>),
    Subscribe(SubscriptionRequest),
    /// SUBACK: per filter, the granted QoS or why it was refused.
    SubscriptionResults(Vec<(String, Result<QoS, Text>)>),
    /// The user unsubscribed: gone at once if there is no connection, else once confirmed.
    Unsubscribe(u32),
    /// UNSUBACK: per filter, done or why it was refused.
    UnsubscribeResults(Vec<(String, Result<(), Text>)>),
    Sent(SentMessage),
    PublishResult {
        id: PublishId,
        result: Result<(), Text>,
    },
    SetPaused(bool),
    Clear,
    SetHistoryLimit(usize),
    Select(Option<u64>),
    SelectTopic(Option<NodeId>),
    ExpandTopic(NodeId, bool),
    /// Narrows the topic tree to topics and payloads containing this text.
    FilterTopics(String),
    /// Messages the topic index keeps per topic.
    SetTopicHistory(usize),
    FilterBy(Option<u32>),
    Search(String),
    Rate(u32),
    Periodic(Option<u64>),
    Request(crate::request::RequestAction),
    Recording(Option<RecordingProgress>),
    Replay(Option<ReplayProgress>),
    /// The driver's finding on a failed `wss://` connection (`secure.rs`).
    SecureHint(Option<crate::secure::SecureHint>),
    /// Enhanced authentication's exchange, from the driver (`auth.rs`).
    Auth(crate::auth::AuthAction),
    /// The URL in use, offline, a server's redirection, from the driver (`addresses.rs`).
    Addresses(crate::addresses::AddressAction),
    /// The decoder Worker's answers for the messages the views asked for (`decoded.rs`).
    Decoded(Vec<(u64, payload_decoders::Format, crate::decoded::Decoding)>),
}

/// A running recording: messages written so far and the file's size in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordingProgress {
    pub count: u64,
    pub bytes: u64,
}

/// Where a replay is: the next message of its pass, the passes done, the counts, and the time
/// left of the pass (`None` until it can be told).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplayProgress {
    pub position: u64,
    pub total: u64,
    pub passes: u32,
    pub sent: u64,
    pub acknowledged: u64,
    pub failed: u64,
    pub left_ms: Option<u64>,
    pub paused: bool,
    pub finished: bool,
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut state = Rc::unwrap_or_clone(self);
        state.apply(action);
        Rc::new(state)
    }
}

impl Subscription {
    pub fn color(&self) -> usize {
        color_of(self.id)
    }

    pub fn filter(&self) -> &str {
        &self.request.filter
    }

    /// The alias if it has one, else the filter.
    pub fn name(&self) -> &str {
        match self.request.alias.as_str() {
            "" => self.filter(),
            alias => alias,
        }
    }
}

impl State {
    /// A tab that connects with `version`, its list holding `subscriptions` (from a shared
    /// link) to subscribe on Connect.
    pub fn new(version: ProtocolVersion, subscriptions: Vec<SubscriptionRequest>) -> State {
        let mut state = State {
            version,
            ..State::default()
        };
        for request in subscriptions {
            state.subscribe(request);
        }
        state
    }

    pub fn subscription(&self, id: u32) -> Option<&Subscription> {
        self.subscriptions.iter().find(|s| s.id == id).map(|s| &**s)
    }

    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Connection(connection) => {
                if !matches!(connection, ConnectionState::Connected { .. }) {
                    self.server = None;
                }
                if matches!(connection, ConnectionState::Disconnected { .. }) {
                    // No session goes on to confirm them.
                    self.remove_subscriptions(|s| s.status == SubscriptionStatus::Unsubscribing);
                }
                self.connection = connection;
            }
            Action::Connect(version) => {
                self.version = version;
                self.clear_topics();
                self.secure_hint = None;
                self.addresses.redirect = None;
            }
            Action::Connected {
                session_present,
                server,
            } => {
                self.connection = ConnectionState::Connected { session_present };
                self.server = Some(server);
                self.secure_hint = None;
                // Connected after all: a server's redirection is no longer a way out.
                self.addresses.redirect = None;
            }
            Action::SecureHint(hint) => self.secure_hint = hint,
            Action::Addresses(action) => self.addresses.apply(action),
            Action::Log { at, level, text } => {
                self.log.push_back(LogEntry { at, level, text });
                if self.log.len() > LOG_LIMIT {
                    self.log.pop_front();
                }
            }
            Action::Received(batch) => self.receive(batch),
            Action::Subscribe(request) => self.subscribe(request),
            Action::SubscriptionResults(results) => {
                for (filter, result) in results {
                    if let Some(sub) = self.subscriptions.iter_mut().find(|s| s.filter() == filter)
                    {
                        Rc::make_mut(sub).status = match result {
                            Ok(granted) => SubscriptionStatus::Active { granted },
                            Err(words) => SubscriptionStatus::Failed(words),
                        };
                    }
                }
            }
            Action::Unsubscribe(id) => {
                if matches!(self.connection, ConnectionState::Disconnected { .. }) {
                    self.remove_subscriptions(|s| s.id == id);
                } else if let Some(sub) = self.subscriptions.iter_mut().find(|s| s.id == id) {
                    Rc::make_mut(sub).status = SubscriptionStatus::Unsubscribing;
                }
            }
            Action::UnsubscribeResults(results) => {
                for (filter, result) in results {
                    let unsubscribing = |s: &Subscription| {
                        s.filter() == filter && s.status == SubscriptionStatus::Unsubscribing
                    };
                    match result {
                        Ok(()) => self.remove_subscriptions(unsubscribing),
                        Err(words) => {
                            if let Some(sub) =
                                self.subscriptions.iter_mut().find(|s| unsubscribing(s))
                            {
                                Rc::make_mut(sub).status =
                                    SubscriptionStatus::UnsubscribeRefused(words);
                            }
                        }
                    }
                }
            }
            Action::Sent(sent) => {
                self.sent.push_front(sent);
                self.sent.truncate(SENT_HISTORY_LIMIT);
            }
            Action::PublishResult { id, result } => {
                if let Some(sent) = self.sent.iter_mut().find(|s| s.id == id) {
                    sent.outcome = match result {
                        Ok(()) => SentOutcome::Done,
                        Err(words) => SentOutcome::Failed(words),
                    };
                }
            }
            Action::SetPaused(paused) => {
                self.paused = paused;
                if !paused {
                    let held = std::mem::take(&mut self.held);
                    for message in held.items.iter() {
                        self.messages.push(message.clone(), self.history_limit);
                    }
                }
            }
            Action::Decoded(decoded) => self.decoded.insert(decoded),
            Action::Clear => {
                self.decoded.clear();
                self.messages.clear();
                self.held.clear();
                self.selected = None;
                self.clear_topics();
                for sub in &mut self.subscriptions {
                    Rc::make_mut(sub).count = 0;
                }
            }
            Action::SetHistoryLimit(limit) => {
                self.history_limit = limit.max(1);
                self.messages.truncate_to(self.history_limit);
                self.held.truncate_to(self.history_limit);
            }
            Action::Select(selected) => {
                self.selected = selected;
                if selected.is_some() {
                    self.selected_topic = None;
                }
            }
            Action::SelectTopic(topic) => {
                self.selected_topic = topic;
                if topic.is_some() {
                    self.selected = None;
                }
            }
            Action::ExpandTopic(node, expanded) => self
                .topics
                .change(|index| index.set_expanded(node, expanded)),
            Action::FilterTopics(text) => self.topics.change(|index| index.set_filter(&text)),
            Action::SetTopicHistory(limit) => {
                self.topics.change(|index| index.set_topic_history(limit))
            }
            Action::FilterBy(filter) => self.filter = filter,
            Action::Search(search) => self.search = search,
            Action::Rate(rate) => self.rate = rate,
            Action::Periodic(sent) => self.periodic_sent = sent,
            Action::Request(action) => self.requests.apply(action),
            Action::Recording(progress) => self.recording = progress,
            Action::Replay(progress) => self.replay = progress,
            Action::Auth(action) => self.auth.apply(action),
        }
    }

    fn remove_subscriptions(&mut self, remove: impl Fn(&Subscription) -> bool) {
        self.subscriptions.retain(|s| !remove(s));
        self.index_filters();
        if self
            .filter
            .is_some_and(|id| self.subscription(id).is_none())
        {
            self.filter = None;
        }
    }

    fn subscribe(&mut self, request: SubscriptionRequest) {
        if let Some(existing) = self
            .subscriptions
            .iter_mut()
            .find(|s| s.request.filter == request.filter)
        {
            // Subscribing again to the same filter replaces its options on the server.
            let existing = Rc::make_mut(existing);
            existing.request = request;
            existing.status = SubscriptionStatus::Pending;
            return;
        }
        let id = self.next_subscription_id;
        self.next_subscription_id += 1;
        self.subscriptions.push(Rc::new(Subscription {
            id,
            request,
            status: SubscriptionStatus::Pending,
            count: 0,
        }));
        self.index_filters();
    }

    /// After any change to which filters the list holds.
    fn index_filters(&mut self) {
        let filters = self.subscriptions.iter().map(|s| s.filter());
        self.filters = Rc::new(filters.zip(0..).collect());
    }

    fn clear_topics(&mut self) {
        self.selected_topic = None;
        self.topics.change(TopicIndex::clear);
    }

    fn receive(&mut self, batch: Vec<Message>) {
        let mut recorded = Vec::with_capacity(batch.len());
        for mut message in batch {
            self.received_total += 1;
            self.requests.pair(&message);
            // Every matching subscription counts the message; the first in the list colours it.
            let mut first: Option<usize> = None;
            let subscriptions = &mut self.subscriptions;
            self.filters.for_each_match(&message.topic, |&index| {
                if let Some(sub) = subscriptions.get_mut(index) {
                    Rc::make_mut(sub).count += 1;
                }
                first = Some(first.map_or(index, |first| first.min(index)));
            });
            message.subscription = first
                .and_then(|index| self.subscriptions.get(index))
                .map(|sub| sub.id);
            let message = Rc::new(message);
            recorded.push(message.clone());
            if self.paused {
                self.held.push(message, self.history_limit);
            } else {
                self.messages.push(message, self.history_limit);
            }
        }
        // The tree stays live while the list is paused.
        self.topics.change(|index| index.record(&recorded));
    }
}

/// Case-insensitive (ASCII) search in the topic and the first 64 KB of the payload.
pub fn message_contains(message: &Message, needle: &str) -> bool {
    let needle = needle.as_bytes();
    let head = &message.payload[..message.payload.len().min(64 * 1024)];
    contains_ignore_ascii_case(message.topic.as_bytes(), needle)
        || contains_ignore_ascii_case(head, needle)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::i18n::Key;

    /// A received QoS 0 message with no flags or properties.
    pub(crate) fn message(seq: u64, topic: &str, payload: &str) -> Message {
        Message {
            seq,
            topic: topic.into(),
            payload: Bytes::from(payload.as_bytes().to_vec()),
            qos: QoS::AtMostOnce,
            retain: false,
            dup: false,
            received_at: 0,
            properties: PublishProperties::default(),
            subscription: None,
        }
    }

    fn request(filter: &str) -> SubscriptionRequest {
        SubscriptionRequest {
            filter: filter.into(),
            alias: String::new(),
            qos: QoS::AtLeastOnce,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendAtSubscribe,
        }
    }

    #[test]
    fn a_server_s_redirection_is_offered_until_connect_or_connected() {
        use crate::addresses::{AddressAction, RedirectOffer};
        let offer = || {
            Action::Addresses(AddressAction::Redirect(Some(RedirectOffer::Offer {
                kind: mqtt_core::RedirectKind::UseAnotherServer,
                target: "ws://b:1".into(),
            })))
        };
        let mut state = State::default();
        state.apply(offer());
        assert!(state.addresses.redirect.is_some());
        state.apply(Action::Connect(ProtocolVersion::V5));
        assert_eq!(state.addresses.redirect, None);
        state.apply(offer());
        state.apply(Action::Connected {
            session_present: true,
            server: ServerInfo::default(),
        });
        assert_eq!(state.addresses.redirect, None);
    }

    #[test]
    fn received_messages_are_counted_and_coloured_by_matching_subscription() {
        let mut state = State::default();
        state.apply(Action::Subscribe(request("sensors/#")));
        state.apply(Action::Subscribe(request("sensors/+/temp")));
        state.apply(Action::Received(vec![
            message(1, "sensors/a/temp", "1"),
            message(2, "sensors/b", "2"),
            message(3, "other", "3"),
        ]));
        assert_eq!(state.subscriptions[0].count, 2);
        assert_eq!(state.subscriptions[1].count, 1);
        let newest: Vec<_> = state.messages.newest_first().map(|m| m.seq).collect();
        assert_eq!(newest, [3, 2, 1]);
        assert_eq!(state.messages.find(1).and_then(|m| m.subscription), Some(1));
        assert_eq!(state.messages.find(3).and_then(|m| m.subscription), None);
        assert_eq!(state.received_total, 3);
    }

    #[test]
    fn a_batch_copies_only_the_subscriptions_it_counts() {
        let mut state = State::default();
        state.apply(Action::Subscribe(request("a")));
        state.apply(Action::Subscribe(request("b")));
        let before = state.clone();
        state.apply(Action::Received(vec![
            message(1, "a", "1"),
            message(2, "a", "2"),
        ]));
        assert_eq!(state.subscriptions[0].count, 2);
        assert_eq!(before.subscriptions[0].count, 0);
        // The list's rows compare by identity: the one not counted did not change.
        assert!(Rc::ptr_eq(
            &before.subscriptions[1],
            &state.subscriptions[1]
        ));
    }

    /// The subscriptions' counts, in list order, and the subscription of message `seq`.
    fn counts_and_colour(state: &State, seq: u64) -> (Vec<u64>, Option<u32>) {
        let counts = state.subscriptions.iter().map(|s| s.count).collect();
        (
            counts,
            state.messages.find(seq).and_then(|m| m.subscription),
        )
    }

    #[test]
    fn overlapping_filters_all_count_and_the_first_listed_colours() {
        let mut state = State::default();
        for filter in ["a/b/c", "#", "a/+/c", "$share/g/a/#", "+/b/+", "x"] {
            state.apply(Action::Subscribe(request(filter)));
        }
        state.apply(Action::Received(vec![message(1, "a/b/c", "")]));
        assert_eq!(
            counts_and_colour(&state, 1),
            (vec![1, 1, 1, 1, 1, 0], Some(1))
        );
        state.apply(Action::Received(vec![message(2, "a/z/c", "")]));
        assert_eq!(
            counts_and_colour(&state, 2),
            (vec![1, 2, 2, 2, 1, 0], Some(2))
        );
        state.apply(Action::Received(vec![message(3, "$SYS/b/c", "")]));
        assert_eq!(counts_and_colour(&state, 3), (vec![1, 2, 2, 2, 1, 0], None));
    }

    #[test]
    fn matching_follows_unsubscribes_and_removals() {
        let mut state = State::default();
        for filter in ["x", "a/+", "a/b"] {
            state.apply(Action::Subscribe(request(filter)));
        }
        // No connection: "x" goes at once, and the others move up the list.
        state.apply(Action::Unsubscribe(1));
        state.apply(Action::Received(vec![message(1, "a/b", "")]));
        assert_eq!(counts_and_colour(&state, 1), (vec![1, 1], Some(2)));
        // Connected: "a/+" matches until the server confirms.
        state.apply(Action::Connection(ConnectionState::Connecting));
        state.apply(Action::Unsubscribe(2));
        state.apply(Action::Received(vec![message(2, "a/b", "")]));
        assert_eq!(counts_and_colour(&state, 2), (vec![2, 2], Some(2)));
        state.apply(Action::UnsubscribeResults(vec![("a/+".into(), Ok(()))]));
        state.apply(Action::Received(vec![message(3, "a/b", "")]));
        assert_eq!(counts_and_colour(&state, 3), (vec![3], Some(3)));
        // A filter subscribed after the removals matches from its place in the list.
        state.apply(Action::Subscribe(request("+/b")));
        state.apply(Action::Received(vec![message(4, "a/b", "")]));
        assert_eq!(counts_and_colour(&state, 4), (vec![4, 1], Some(3)));
        state.apply(Action::Connection(ConnectionState::Disconnected {
            reason: None,
        }));
        state.apply(Action::Unsubscribe(3));
        state.apply(Action::Received(vec![message(5, "a/b", "")]));
        assert_eq!(counts_and_colour(&state, 5), (vec![2], Some(4)));
    }

    #[test]
    fn history_is_bounded_and_keeps_the_newest() {
        let mut state = State::default();
        state.apply(Action::SetHistoryLimit(3));
        state.apply(Action::Received(
            (1..=5).map(|i| message(i, "t", "x")).collect(),
        ));
        let kept: Vec<_> = state.messages.newest_first().map(|m| m.seq).collect();
        assert_eq!(kept, [5, 4, 3]);
        state.apply(Action::SetHistoryLimit(2));
        assert_eq!(state.messages.len(), 2);
        assert_eq!(state.messages.nth_newest(1).map(|m| m.seq), Some(4));
    }

    #[test]
    fn pause_holds_messages_until_resume() {
        let mut state = State::default();
        state.apply(Action::Received(vec![message(1, "t", "a")]));
        state.apply(Action::SetPaused(true));
        state.apply(Action::Received(vec![
            message(2, "t", "b"),
            message(3, "t", "c"),
        ]));
        assert_eq!(state.messages.len(), 1);
        assert_eq!(state.held.len(), 2);
        state.apply(Action::SetPaused(false));
        assert_eq!(state.held.len(), 0);
        let all: Vec<_> = state.messages.newest_first().map(|m| m.seq).collect();
        assert_eq!(all, [3, 2, 1]);
    }

    #[test]
    fn suback_results_update_status_and_resubscribing_does_not_duplicate() {
        let mut state = State::default();
        state.apply(Action::Subscribe(request("a/#")));
        state.apply(Action::Subscribe(request("b")));
        state.apply(Action::SubscriptionResults(vec![
            ("a/#".into(), Ok(QoS::AtMostOnce)),
            (
                "b".into(),
                Err(Text::new(Key::ReasonNotAuthorizedToSubscribe)),
            ),
        ]));
        assert_eq!(
            state.subscriptions[0].status,
            SubscriptionStatus::Active {
                granted: QoS::AtMostOnce
            }
        );
        assert_eq!(
            state.subscriptions[1].status,
            SubscriptionStatus::Failed(Text::new(Key::ReasonNotAuthorizedToSubscribe))
        );
        state.apply(Action::Subscribe(request("a/#")));
        assert_eq!(state.subscriptions.len(), 2);
        assert_eq!(state.subscriptions[0].status, SubscriptionStatus::Pending);
        assert_ne!(
            state.subscriptions[0].color(),
            state.subscriptions[1].color()
        );
    }

    #[test]
    fn search_looks_at_topic_and_payload_and_removing_the_filtered_subscription_clears_the_filter()
    {
        let message = message(1, "a/X", "Hello World");
        assert!(message_contains(&message, "world"));
        assert!(message_contains(&message, "a/x"));
        assert!(!message_contains(&message, "nothing"));
        let mut state = State::default();
        state.apply(Action::Subscribe(request("a/#")));
        state.apply(Action::FilterBy(Some(1)));
        state.apply(Action::Unsubscribe(1));
        assert_eq!(state.filter, None);
    }

    #[test]
    fn an_unsubscribe_while_connected_waits_for_the_server_and_a_refusal_stays_listed() {
        let mut state = State::default();
        state.apply(Action::Connection(ConnectionState::Connecting));
        for filter in ["a", "b", "c"] {
            state.apply(Action::Subscribe(request(filter)));
        }
        state.apply(Action::FilterBy(Some(1)));
        for id in [1, 2, 3] {
            state.apply(Action::Unsubscribe(id));
        }
        assert!(state
            .subscriptions
            .iter()
            .all(|s| s.status == SubscriptionStatus::Unsubscribing));
        state.apply(Action::UnsubscribeResults(vec![
            ("a".into(), Ok(())),
            (
                "b".into(),
                Err(Text::new(Key::ReasonNotAuthorizedToUnsubscribe)),
            ),
        ]));
        let listed: Vec<(&str, &SubscriptionStatus)> = state
            .subscriptions
            .iter()
            .map(|s| (s.filter(), &s.status))
            .collect();
        assert_eq!(
            listed,
            [
                (
                    "b",
                    &SubscriptionStatus::UnsubscribeRefused(Text::new(
                        Key::ReasonNotAuthorizedToUnsubscribe
                    ))
                ),
                ("c", &SubscriptionStatus::Unsubscribing)
            ]
        );
        assert_eq!(state.filter, None, "the filter went with its subscription");
        // Disconnected: no server is left to confirm "c", so it goes; "b" stays.
        state.apply(Action::Connection(ConnectionState::Disconnected {
            reason: None,
        }));
        assert_eq!(state.subscriptions.len(), 1);
        assert_eq!(state.subscriptions[0].filter(), "b");
        state.apply(Action::Unsubscribe(2));
        assert!(
            state.subscriptions.is_empty(),
            "gone at once with no connection"
        );
    }

    #[test]
    fn clear_empties_the_list_and_resets_counts() {
        let mut state = State::default();
        state.apply(Action::Subscribe(request("#")));
        state.apply(Action::Received(vec![message(1, "t", "a")]));
        let before = state.messages.clone();
        state.apply(Action::Clear);
        assert!(state.messages.is_empty());
        assert_eq!(state.subscriptions[0].count, 0);
        assert_ne!(state.messages, before);
    }

    #[test]
    fn the_topic_index_follows_received_messages_and_starts_afresh_on_clear_and_connect() {
        let mut state = State::default();
        state.apply(Action::SetPaused(true));
        state.apply(Action::Received(vec![
            message(1, "a/b", "1"),
            message(2, "a/c", "2"),
        ]));
        assert_eq!(
            state.topics.read().topic_count(),
            2,
            "live while the list is paused"
        );
        let node = state.topics.read().find("a/b").expect("a/b");
        state.apply(Action::Select(Some(1)));
        let before = state.clone();
        state.apply(Action::SelectTopic(Some(node)));
        assert_eq!((state.selected, state.selected_topic), (None, Some(node)));
        let a = state.topics.read().find("a").expect("a");
        state.apply(Action::ExpandTopic(a, true));
        assert_ne!(state, before, "a change to the index changes the state");
        assert_eq!(state.topics.read().rows().len(), 3);
        state.apply(Action::Clear);
        assert_eq!(state.topics.read().topic_count(), 0);
        assert_eq!(state.selected_topic, None);
        state.apply(Action::Received(vec![message(3, "x", "3")]));
        let x = state.topics.read().find("x");
        state.apply(Action::SelectTopic(x));
        state.apply(Action::Connect(ProtocolVersion::V311));
        assert_eq!(state.topics.read().topic_count(), 0);
        assert_eq!(
            (state.version, state.selected_topic),
            (ProtocolVersion::V311, None)
        );
    }

    #[test]
    fn publish_results_update_the_sent_history() {
        let mut state = State::default();
        for id in 1..=2 {
            let message = OutgoingMessage {
                topic: "t".into(),
                payload: Bytes::new(),
                qos: QoS::AtLeastOnce,
                retain: false,
                properties: PublishProperties::default(),
            };
            state.apply(Action::Sent(SentMessage::pending(id, message, 0)));
        }
        state.apply(Action::PublishResult {
            id: 1,
            result: Err(Text::new(Key::ReasonQuotaExceeded)),
        });
        assert_eq!(state.sent[0].outcome, SentOutcome::Pending);
        assert_eq!(
            state.sent[1].outcome,
            SentOutcome::Failed(Text::new(Key::ReasonQuotaExceeded))
        );
    }
}
