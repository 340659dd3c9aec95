//! Incoming messages on their way to the reducer: numbered, held until the next animation
//! frame (the driver schedules it), and counted per second for the rate meter. Plain data,
//! tested natively.

use mqtt_core::Publish;

use crate::state::{Message, DEFAULT_HISTORY_LIMIT};

/// How long the reducer may take over one frame's messages. A frame takes at most as many as
/// fit in that (its room), and once that many wait, the page asks the worker for no more until
/// a frame has taken them: a burst (a broker's retained messages under `#`) then waits in the
/// worker instead of making one long task the page cannot paint through. The room follows what
/// the reducer was measured to take: shrunk in proportion when a frame took too long, doubled
/// when a full frame took under half, so it fits what the open views cost per message.
const FRAME_BUDGET_MS: f64 = 8.0;
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
        (!self.pending.is_empty()).then(|| std::mem::take(&mut self.pending))
    }

    /// The oldest of what waits, as many as fit in a frame's room.
    pub(super) fn take_frame(&mut self) -> Option<Vec<Message>> {
        if self.pending.len() <= self.room {
            return self.take();
        }
        self.took_full = true;
        let rest = self.pending.split_off(self.room);
        Some(std::mem::replace(&mut self.pending, rest))
    }

    /// The reducer took `millis` over the batch last taken: the room follows.
    pub(super) fn reduced_in(&mut self, millis: f64) {
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
    fn a_frame_has_room_for_what_the_reducer_takes_within_its_budget() {
        let mut inbox = Inbox::default();
        fill(&mut inbox, FIRST_ROOM - 1);
        assert!(inbox.has_room());
        fill(&mut inbox, 1);
        assert!(!inbox.has_room(), "a frame's worth waits");
        assert_eq!(inbox.take().map(|batch| batch.len()), Some(FIRST_ROOM));
        assert!(inbox.has_room(), "the frame took them");

        // Four times the budget: a quarter of the room.
        inbox.reduced_in(FRAME_BUDGET_MS * 4.0);
        fill(&mut inbox, FIRST_ROOM / 4);
        assert!(!inbox.has_room());
        inbox.take();
        // However slow, some room stays.
        inbox.reduced_in(FRAME_BUDGET_MS * 1000.0);
        fill(&mut inbox, LEAST_ROOM);
        assert!(!inbox.has_room());
        inbox.take();

        // A full frame reduced in under half the budget: twice the room.
        inbox.reduced_in(FRAME_BUDGET_MS / 4.0);
        fill(&mut inbox, LEAST_ROOM * 2 - 1);
        assert!(inbox.has_room());
        fill(&mut inbox, 1);
        assert!(!inbox.has_room());
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
        inbox.reduced_in(0.1);
        fill(&mut inbox, FIRST_ROOM);
        assert!(
            !inbox.has_room(),
            "a frame under its room says nothing of more"
        );
        for _ in 0..5 {
            inbox.take();
            inbox.reduced_in(0.1);
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
