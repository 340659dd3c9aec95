//! Incoming messages on their way to the reducer: numbered, held until the next animation
//! frame (the driver schedules it), and counted per second for the rate meter. Plain data,
//! tested natively.

use mqtt_core::Publish;

use crate::state::{Message, DEFAULT_HISTORY_LIMIT};

/// Once this many wait for the next animation frame, the page asks the worker for no more
/// until that frame has taken them: one frame's reducer and render then handle about this many
/// plus one batch, and a burst (a broker's retained messages under `#`) waits in the worker
/// instead of making one long task that the page cannot paint through.
const FRAME_MESSAGES: usize = 1_000;

pub(super) struct Inbox {
    pending: Vec<Message>,
    /// More than this within one frame is handed over at once: as many as the history keeps.
    limit: usize,
    next_seq: u64,
    /// Arrivals since the rate meter last looked.
    arrivals: u32,
    last_rate: u32,
}

impl Default for Inbox {
    fn default() -> Self {
        Inbox {
            pending: Vec::new(),
            limit: DEFAULT_HISTORY_LIMIT,
            next_seq: 1,
            arrivals: 0,
            last_rate: 0,
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
        self.pending.len() < FRAME_MESSAGES
    }

    /// What waits, oldest first, if anything does.
    pub(super) fn take(&mut self) -> Option<Vec<Message>> {
        (!self.pending.is_empty()).then(|| std::mem::take(&mut self.pending))
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

    #[test]
    fn a_frame_takes_a_bounded_number_of_messages() {
        let mut inbox = Inbox::default();
        for _ in 1..FRAME_MESSAGES {
            inbox.receive(publish("a"), 0);
        }
        assert!(inbox.has_room());
        inbox.receive(publish("a"), 0);
        assert!(!inbox.has_room(), "a frame's worth waits");
        assert_eq!(inbox.take().map(|batch| batch.len()), Some(FRAME_MESSAGES));
        assert!(inbox.has_room(), "the frame took them");
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
