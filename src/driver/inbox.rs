//! Incoming messages on their way to the reducer: numbered, held until the next animation
//! frame (the driver schedules it), and counted per second for the rate meter. Plain data,
//! tested natively.

use mqtt_core::Publish;

use crate::state::{Message, DEFAULT_HISTORY_LIMIT};

/// How long the page's own work on one frame's messages may take: decoding the worker's batches
/// they came in, the reducer and the render. A frame takes at most as many as fit in that (its
/// room), and once that many wait, the page asks the worker for no more until a frame has taken
/// them: a burst (a broker's retained messages under `#`) then waits in the worker instead of
/// making one long task the page cannot paint through. The room follows what a frame was
/// measured to take: shrunk in proportion when it took too long, doubled when a full frame took
/// under half, so it fits what the open views cost per message. The rest of a 16.7 ms frame is
/// the browser's: style, layout, paint, garbage collection.
const FRAME_BUDGET_MS: f64 = 10.0;
/// The room a connection starts with, and the least it shrinks to.
const FIRST_ROOM: usize = 1_000;
const LEAST_ROOM: usize = 100;

pub(super) struct Inbox {
    pending: Vec<Message>,
    /// More than this within one frame is handed over at once: as many as the history keeps.
    limit: usize,
    next_seq: u64,
    /// Arrivals since the rate meter last looked.
    arrivals: u32,
    last_rate: u32,
    /// How many messages the next frame takes before the worker's next batch waits for it.
    room: usize,
    /// Whether the last batch taken filled its room (so a quick one says the room could grow).
    took_full: bool,
    /// Time spent decoding the worker's batches since messages were last taken, and what of it
    /// the last batch taken cost: part of its frame's cost, with the reducing and rendering.
    decoding_ms: f64,
    taken_decoding_ms: f64,
    /// What a message has cost of the worker's batches, in bytes, on average lately (none
    /// before the first batch), and the first message of the batch under way.
    bytes_per_message: Option<f64>,
    batch_first_seq: u64,
}

impl Default for Inbox {
    fn default() -> Self {
        Inbox {
            pending: Vec::new(),
            limit: DEFAULT_HISTORY_LIMIT,
            next_seq: 1,
            arrivals: 0,
            last_rate: 0,
            room: FIRST_ROOM,
            took_full: false,
            decoding_ms: 0.0,
            taken_decoding_ms: 0.0,
            bytes_per_message: None,
            batch_first_seq: 1,
        }
    }
}

impl Inbox {
    pub(super) fn set_limit(&mut self, limit: usize) {
        self.limit = limit.max(1);
    }

    /// Holds one message received at `received_at` (the wall clock); true when as many wait
    /// as the history keeps, so they must go now: what waits stays bounded and the reducer
    /// still counts every message.
    pub(super) fn receive(&mut self, publish: Publish, received_at: u64) -> bool {
        self.pending.push(Message {
            seq: self.next_seq,
            topic: publish.topic,
            payload: publish.payload,
            qos: publish.delivery.qos(),
            retain: publish.retain,
            dup: publish.dup,
            received_at,
            properties: publish.properties,
            subscription: None,
        });
        self.next_seq += 1;
        self.arrivals = self.arrivals.saturating_add(1);
        self.pending.len() >= self.limit
    }

    /// Whether the next animation frame can take another batch of the worker's.
    pub(super) fn has_room(&self) -> bool {
        self.pending.len() < self.room
    }

    /// Whether any message waits.
    pub(super) fn is_waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    /// What waits, oldest first, if anything does.
    pub(super) fn take(&mut self) -> Option<Vec<Message>> {
        self.took_full = self.pending.len() >= self.room;
        self.taken_decoding_ms = std::mem::take(&mut self.decoding_ms);
        (!self.pending.is_empty()).then(|| std::mem::take(&mut self.pending))
    }

    /// The oldest of what waits, as many as fit in a frame's room.
    pub(super) fn take_frame(&mut self) -> Option<Vec<Message>> {
        if self.pending.len() <= self.room {
            return self.take();
        }
        self.took_full = true;
        self.taken_decoding_ms = std::mem::take(&mut self.decoding_ms);
        let rest = self.pending.split_off(self.room);
        Some(std::mem::replace(&mut self.pending, rest))
    }

    /// A batch of the worker's, `bytes` long, was decoded in `millis`: part of the cost of the
    /// next frame that takes messages, and of what a message costs in bytes.
    pub(super) fn batch_decoded(&mut self, bytes: usize, millis: f64) {
        self.decoding_ms += millis;
        let messages = self.next_seq - self.batch_first_seq;
        self.batch_first_seq = self.next_seq;
        if messages > 0 {
            let size = bytes as f64 / messages as f64;
            self.bytes_per_message = Some(match self.bytes_per_message {
                Some(average) => (average * 3.0 + size) / 4.0,
                None => size,
            });
        }
    }

    /// About how many bytes the worker's next batch may hold: what the frame's room has left, at
    /// the bytes a message has cost (before any batch, as many as the worker sends at most), so
    /// that one task decodes no more than the next frame takes.
    pub(super) fn wanted_bytes(&self) -> f64 {
        let left = self.room.saturating_sub(self.pending.len()).max(1);
        self.bytes_per_message
            .map_or(f64::INFINITY, |size| (left as f64 * size).max(1.0))
    }

    /// The frame that took the last batch spent `millis` on it, reducing and rendering (its
    /// decoding counted apart): the room follows.
    pub(super) fn frame_took(&mut self, millis: f64) {
        let millis = millis + self.taken_decoding_ms;
        if millis > FRAME_BUDGET_MS {
            let fits = self.room as f64 * FRAME_BUDGET_MS / millis;
            self.room = (fits as usize).max(LEAST_ROOM);
        } else if self.took_full && millis < FRAME_BUDGET_MS / 2.0 {
            // More than the history keeps goes at once anyway (`receive`).
            self.room = (self.room * 2).min(self.limit.max(LEAST_ROOM));
        }
    }

    /// The rate meter's second is over: the new rate if it changed, and whether to keep
    /// measuring (not while nothing arrives).
    pub(super) fn rate_tick(&mut self) -> (Option<u32>, bool) {
        let rate = std::mem::take(&mut self.arrivals);
        let changed = (rate != self.last_rate).then_some(rate);
        self.last_rate = rate;
        (changed, rate > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqtt_core::{Bytes, Delivery, PublishProperties, QoS};

    fn publish(topic: &str) -> Publish {
        Publish {
            dup: false,
            delivery: Delivery::AtMostOnce,
            retain: true,
            topic: topic.into(),
            payload: Bytes::from_static(b"p"),
            properties: PublishProperties::default(),
        }
    }

    #[test]
    fn messages_are_numbered_in_arrival_order_and_handed_over_once() {
        let mut inbox = Inbox::default();
        assert!(inbox.take().is_none());
        assert!(!inbox.receive(publish("a"), 10));
        assert!(!inbox.receive(publish("b"), 11));
        let batch = inbox.take().unwrap();
        assert_eq!(
            batch
                .iter()
                .map(|m| (m.seq, m.topic.as_str(), m.received_at))
                .collect::<Vec<_>>(),
            [(1, "a", 10), (2, "b", 11)]
        );
        assert!(batch[0].retain && batch[0].qos == QoS::AtMostOnce);
        assert!(inbox.take().is_none());
        inbox.receive(publish("c"), 12);
        assert_eq!(
            inbox.take().unwrap()[0].seq,
            3,
            "numbers go on across batches"
        );
    }

    #[test]
    fn a_history_worth_within_one_frame_goes_at_once() {
        let mut inbox = Inbox::default();
        inbox.set_limit(3);
        assert!(!inbox.receive(publish("a"), 0));
        assert!(!inbox.receive(publish("a"), 0));
        assert!(inbox.receive(publish("a"), 0));
        assert_eq!(inbox.take().unwrap().len(), 3);
        inbox.set_limit(0);
        assert!(inbox.receive(publish("a"), 0), "a limit of 0 counts as 1");
    }

    fn fill(inbox: &mut Inbox, count: usize) {
        for _ in 0..count {
            inbox.receive(publish("a"), 0);
        }
    }

    #[test]
    fn a_frame_has_room_for_what_it_takes_within_its_budget() {
        let mut inbox = Inbox::default();
        fill(&mut inbox, FIRST_ROOM - 1);
        assert!(inbox.has_room());
        fill(&mut inbox, 1);
        assert!(!inbox.has_room(), "a frame's worth waits");
        assert_eq!(inbox.take().map(|batch| batch.len()), Some(FIRST_ROOM));
        assert!(inbox.has_room(), "the frame took them");

        // Twice the budget: half the room.
        inbox.frame_took(FRAME_BUDGET_MS * 2.0);
        fill(&mut inbox, FIRST_ROOM / 2);
        assert!(!inbox.has_room());
        inbox.take();
        // However slow, some room stays.
        inbox.frame_took(FRAME_BUDGET_MS * 1000.0);
        fill(&mut inbox, LEAST_ROOM);
        assert!(!inbox.has_room());
        inbox.take();

        // A full frame done in under half the budget: twice the room.
        inbox.frame_took(FRAME_BUDGET_MS / 4.0);
        fill(&mut inbox, LEAST_ROOM * 2 - 1);
        assert!(inbox.has_room());
        fill(&mut inbox, 1);
        assert!(!inbox.has_room());
    }

    #[test]
    fn decoding_the_worker_s_batches_counts_into_the_frame_that_takes_them() {
        let mut inbox = Inbox::default();
        inbox.batch_decoded(0, FRAME_BUDGET_MS / 2.0);
        fill(&mut inbox, FIRST_ROOM);
        inbox.batch_decoded(0, FRAME_BUDGET_MS / 2.0);
        inbox.take_frame();
        // What came after the take is the next frame's.
        inbox.batch_decoded(0, FRAME_BUDGET_MS * 100.0);
        // Decoding the budget and rendering as long: half the room.
        inbox.frame_took(FRAME_BUDGET_MS);
        fill(&mut inbox, FIRST_ROOM / 2 - 1);
        assert!(inbox.has_room());
        fill(&mut inbox, 1);
        assert!(!inbox.has_room());
        inbox.take_frame();
        inbox.frame_took(0.0);
        assert_eq!(inbox.room, LEAST_ROOM, "the later decoding counted in full");
    }

    #[test]
    fn the_worker_is_asked_for_what_the_room_has_left_at_the_bytes_a_message_costs() {
        let mut inbox = Inbox::default();
        assert_eq!(inbox.wanted_bytes(), f64::INFINITY, "nothing known yet");
        fill(&mut inbox, 100);
        inbox.batch_decoded(8_000, 1.0);
        assert_eq!(inbox.wanted_bytes(), (FIRST_ROOM - 100) as f64 * 80.0);
        fill(&mut inbox, 100);
        // 160 B each: the average moves a quarter of the way.
        inbox.batch_decoded(16_000, 1.0);
        assert_eq!(
            inbox.wanted_bytes(),
            (FIRST_ROOM - 200) as f64 * 100.0,
            "a recent average"
        );
        fill(&mut inbox, FIRST_ROOM);
        inbox.batch_decoded(0, 1.0);
        assert!(!inbox.has_room());
        assert!(
            inbox.wanted_bytes() >= 1.0,
            "a full room still lets one frame through"
        );
    }

    #[test]
    fn a_frame_takes_the_oldest_that_fit_in_its_room() {
        let mut inbox = Inbox::default();
        fill(&mut inbox, FIRST_ROOM + 5);
        let first = inbox.take_frame().expect("a frame's worth");
        assert_eq!(first.len(), FIRST_ROOM);
        assert_eq!(first[0].seq, 1);
        assert!(inbox.is_waiting());
        let rest = inbox.take_frame().expect("the rest");
        assert_eq!(
            rest.iter().map(|m| m.seq).collect::<Vec<_>>(),
            (FIRST_ROOM as u64 + 1..=FIRST_ROOM as u64 + 5).collect::<Vec<_>>()
        );
        assert!(!inbox.is_waiting() && inbox.take_frame().is_none());
    }

    #[test]
    fn the_room_grows_only_after_full_frames_and_up_to_the_history() {
        let mut inbox = Inbox::default();
        inbox.set_limit(3_000);
        fill(&mut inbox, 10);
        inbox.take();
        inbox.frame_took(0.1);
        fill(&mut inbox, FIRST_ROOM);
        assert!(
            !inbox.has_room(),
            "a frame under its room says nothing of more"
        );
        for _ in 0..5 {
            inbox.take();
            inbox.frame_took(0.1);
            fill(&mut inbox, 3_000);
        }
        assert!(!inbox.has_room(), "never past the history's bound");
        inbox.take();
        fill(&mut inbox, 2_999);
        assert!(inbox.has_room());
    }

    #[test]
    fn the_rate_is_reported_when_it_changes_and_measured_while_messages_arrive() {
        let mut inbox = Inbox::default();
        for _ in 0..5 {
            inbox.receive(publish("a"), 0);
        }
        assert_eq!(inbox.rate_tick(), (Some(5), true));
        for _ in 0..5 {
            inbox.receive(publish("a"), 0);
        }
        assert_eq!(inbox.rate_tick(), (None, true), "unchanged");
        assert_eq!(inbox.rate_tick(), (Some(0), false), "quiet: stop measuring");
    }
}
