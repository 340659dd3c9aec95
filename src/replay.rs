//! Replaying a recording: its messages published again on the driver's ticker, on their
//! recorded schedule (at 1× or N×) or as fast as the broker acknowledges them, topics
//! rewritten, with pause, loop and the count of what was sent, acknowledged and failed.
//! `Replay` is the plan and its schedule (plain data, tested natively); `use_replay` runs it.

use std::collections::HashSet;
use std::rc::Rc;

use mqtt_core::{OutgoingMessage, PublishId};
use yew::prelude::*;

use crate::clock::{log_now, monotonic_millis};
use crate::driver::{Driver, Outcomes};
use crate::i18n::{Key, Text};
use crate::recording::{Record, Rewrite};
use crate::state::{Action, LogLevel, ReplayProgress, State};

/// The ticker's interval while replaying: the schedule is kept to about this.
pub const TICK_MS: u32 = 4;
/// As fast as the broker takes them: at most this many unacknowledged at once.
pub const WINDOW: usize = 256;
/// Progress goes to the reducer at most this often (and at the end).
const REPORT_MS: f64 = 100.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speed {
    /// The recorded gaps divided by this (1 is as recorded).
    Times(u32),
    /// Each message as soon as fewer than `WINDOW` wait for their acknowledgement.
    Fastest,
}

/// What the user asked to replay.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayPlan {
    pub records: Rc<Vec<Record>>,
    pub rewrite: Rewrite,
    pub speed: Speed,
    pub looping: bool,
}

/// A replay's schedule and counts. Times are the page's monotonic milliseconds.
pub struct Replay {
    plan: ReplayPlan,
    next: usize,
    /// When the current pass started (moved on by pauses).
    pass_started: f64,
    paused_at: Option<f64>,
    pub passes: u32,
    pub sent: u64,
    pub acknowledged: u64,
    pub failed: u64,
    /// Sent and not yet acknowledged.
    outstanding: HashSet<PublishId>,
    pub stopped: bool,
}

impl Replay {
    pub fn new(plan: ReplayPlan, now: f64) -> Replay {
        Replay {
            plan,
            next: 0,
            pass_started: now,
            paused_at: None,
            passes: 0,
            sent: 0,
            acknowledged: 0,
            failed: 0,
            outstanding: HashSet::new(),
            stopped: false,
        }
    }

    fn records(&self) -> &[Record] {
        &self.plan.records
    }

    /// A record's time in its pass, on the replay's clock (divided by the speed).
    fn due_at(&self, index: usize) -> f64 {
        let records = self.records();
        let first = records.first().map_or(0, |r| r.offset_ms);
        let offset = records[index].offset_ms.saturating_sub(first) as f64;
        match self.plan.speed {
            Speed::Times(times) => offset / f64::from(times.max(1)),
            Speed::Fastest => 0.0,
        }
    }

    fn pass_length(&self) -> f64 {
        match self.records().len() {
            0 => 0.0,
            n => self.due_at(n - 1),
        }
    }

    pub fn pause(&mut self, now: f64) {
        if self.paused_at.is_none() {
            self.paused_at = Some(now);
        }
    }

    pub fn resume(&mut self, now: f64) {
        if let Some(at) = self.paused_at.take() {
            self.pass_started += now - at;
        }
    }

    pub fn is_paused(&self) -> bool {
        self.paused_at.is_some()
    }

    /// Every message due by `now` (the indices into the records, with their rewritten
    /// messages), in order; a loop starts its next pass where the last one ended.
    pub fn due(&mut self, now: f64) -> Vec<(usize, OutgoingMessage)> {
        let mut due = Vec::new();
        if self.stopped || self.paused_at.is_some() || self.records().is_empty() {
            return due;
        }
        loop {
            while self.next < self.records().len() {
                let ready = match self.plan.speed {
                    Speed::Times(_) => self.pass_started + self.due_at(self.next) <= now,
                    Speed::Fastest => self.outstanding.len() + due.len() < WINDOW,
                };
                if !ready {
                    return due;
                }
                let record = &self.plan.records[self.next];
                let topic = self.plan.rewrite.topic(&record.topic);
                due.push((self.next, record.to_outgoing(topic)));
                self.next += 1;
            }
            if !self.plan.looping {
                return due;
            }
            self.passes += 1;
            self.next = 0;
            self.pass_started += match self.plan.speed {
                // The gap between passes is the mean gap of the recording.
                Speed::Times(_) => {
                    self.pass_length() + self.pass_length() / self.records().len() as f64
                }
                Speed::Fastest => 0.0,
            };
            if matches!(self.plan.speed, Speed::Fastest) || self.pass_started > now {
                return due;
            }
        }
    }

    /// The core took a message (`Some(id)`) or refused it.
    pub fn published(&mut self, id: Option<PublishId>) {
        match id {
            Some(id) => {
                self.sent += 1;
                self.outstanding.insert(id);
            }
            None => self.failed += 1,
        }
    }

    /// The outcome of a publish, if it is one of this replay's.
    pub fn outcome(&mut self, id: PublishId, ok: bool) -> bool {
        if !self.outstanding.remove(&id) {
            return false;
        }
        if ok {
            self.acknowledged += 1;
        } else {
            self.failed += 1;
        }
        true
    }

    /// Everything sent (this is not a loop) or stopped, and every outcome in.
    pub fn is_finished(&self) -> bool {
        (self.stopped || (!self.plan.looping && self.next >= self.records().len()))
            && self.outstanding.is_empty()
    }

    fn sending_done(&self) -> bool {
        self.stopped || (!self.plan.looping && self.next >= self.records().len())
    }

    /// Milliseconds left of this pass, if it can be told.
    pub fn left_ms(&self, now: f64) -> Option<u64> {
        if self.sending_done() {
            return Some(0);
        }
        let now = self.paused_at.unwrap_or(now);
        let elapsed = now - self.pass_started;
        let left = match self.plan.speed {
            Speed::Times(_) => self.pass_length() - elapsed,
            Speed::Fastest if self.next > 0 => {
                elapsed / self.next as f64 * (self.records().len() - self.next) as f64
            }
            Speed::Fastest => return None,
        };
        Some(left.max(0.0) as u64)
    }

    pub fn progress(&self, now: f64) -> ReplayProgress {
        ReplayProgress {
            position: self.next as u64,
            total: self.records().len() as u64,
            passes: self.passes,
            sent: self.sent,
            acknowledged: self.acknowledged,
            failed: self.failed,
            left_ms: self.left_ms(now),
            paused: self.is_paused(),
            finished: self.is_finished(),
        }
    }
}

/// Start, pause (true) or resume (false), and stop, for the replay form.
pub struct ReplayControls {
    pub start: Callback<ReplayPlan>,
    pub pause: Callback<bool>,
    pub stop: Callback<()>,
}

struct Running {
    replay: Replay,
    last_report: f64,
}

/// Runs one replay at a time; its progress goes to the reducer (`Action::Replay`). It stops
/// when the connection goes down, and takes the driver's ticker while it runs.
#[hook]
pub fn use_replay(
    driver: &Driver,
    dispatcher: UseReducerDispatcher<State>,
    connected: bool,
) -> ReplayControls {
    let running = use_mut_ref(|| None::<Running>);
    let report = {
        let dispatcher = dispatcher.clone();
        Rc::new(move |running: &mut Running, force: bool| {
            let now = monotonic_millis();
            if force || now - running.last_report >= REPORT_MS {
                running.last_report = now;
                dispatcher.dispatch(Action::Replay(Some(running.replay.progress(now))));
            }
        })
    };
    let stop = {
        let driver = driver.clone();
        let running = running.clone();
        let report = report.clone();
        Callback::from(move |()| {
            let mut slot = running.borrow_mut();
            if let Some(run) = slot.as_mut().filter(|run| !run.replay.stopped) {
                run.replay.stopped = true;
                driver.stop_ticker();
                report(run, true);
            }
        })
    };
    {
        let stop = stop.clone();
        use_effect_with(connected, move |connected| {
            if !*connected {
                stop.emit(());
            }
        });
    }
    let pause = {
        let running = running.clone();
        let report = report.clone();
        Callback::from(move |pause: bool| {
            if let Some(run) = running.borrow_mut().as_mut() {
                if pause {
                    run.replay.pause(monotonic_millis());
                } else {
                    run.replay.resume(monotonic_millis());
                }
                report(run, true);
            }
        })
    };
    let start = {
        let driver = driver.clone();
        let running = running.clone();
        Callback::from(move |plan: ReplayPlan| {
            let now = monotonic_millis();
            let mut run = Running {
                replay: Replay::new(plan, now),
                last_report: now,
            };
            report(&mut run, true);
            *running.borrow_mut() = Some(run);
            let on_outcome = {
                let running = running.clone();
                let report = report.clone();
                Callback::from(move |outcomes: Outcomes| {
                    if let Some(run) = running.borrow_mut().as_mut() {
                        let mut changed = false;
                        for (id, result) in outcomes {
                            changed |= run.replay.outcome(id, result.is_ok());
                        }
                        if changed {
                            let finished = run.replay.is_finished();
                            report(run, finished);
                        }
                    }
                })
            };
            driver.watch_publishes(Some(on_outcome));
            let on_tick = {
                let driver = driver.clone();
                let running = running.clone();
                let report = report.clone();
                let dispatcher = dispatcher.clone();
                Callback::from(move |()| {
                    let mut slot = running.borrow_mut();
                    let Some(run) = slot.as_mut() else {
                        return;
                    };
                    let due = run.replay.due(monotonic_millis());
                    let mut refused = None;
                    for (_, message) in due {
                        match driver.publish_watched(message) {
                            Ok(id) => run.replay.published(Some(id)),
                            Err(words) => {
                                run.replay.published(None);
                                refused.get_or_insert(words);
                            }
                        }
                    }
                    if let Some(words) = refused {
                        dispatcher.dispatch(log_now(
                            LogLevel::Error,
                            Text::new(Key::ReplayPublishFailed).with("reason", words),
                        ));
                    }
                    let sending_done = run.replay.sending_done();
                    if sending_done {
                        run.replay.stopped = true;
                        driver.stop_ticker();
                    }
                    let finished = run.replay.is_finished();
                    report(run, sending_done || finished);
                })
            };
            driver.start_ticker(TICK_MS, on_tick);
        })
    };
    ReplayControls { start, pause, stop }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::Direction;
    use mqtt_core::{Bytes, PublishProperties, QoS};

    fn records(offsets: &[u64]) -> Rc<Vec<Record>> {
        Rc::new(
            offsets
                .iter()
                .enumerate()
                .map(|(i, &offset_ms)| Record {
                    offset_ms,
                    direction: Direction::Received,
                    topic: format!("a/{i}"),
                    qos: QoS::AtLeastOnce,
                    retain: false,
                    payload: Bytes::from(i.to_string()),
                    properties: PublishProperties::default(),
                })
                .collect(),
        )
    }

    fn plan(offsets: &[u64], speed: Speed, looping: bool) -> ReplayPlan {
        ReplayPlan {
            records: records(offsets),
            rewrite: Rewrite::ReplacePrefix {
                from: "a/".into(),
                to: "b/".into(),
            },
            speed,
            looping,
        }
    }

    fn indices(due: Vec<(usize, OutgoingMessage)>) -> Vec<usize> {
        due.into_iter().map(|(i, _)| i).collect()
    }

    #[test]
    fn at_one_times_messages_are_due_at_their_recorded_offsets_from_the_first() {
        let mut replay = Replay::new(
            plan(&[1000, 1000, 1100, 1500], Speed::Times(1), false),
            50.0,
        );
        let first = replay.due(50.0);
        assert_eq!(first[0].1.topic, "b/0", "rewritten");
        assert_eq!(indices(first), [0, 1]);
        assert_eq!(indices(replay.due(149.0)), Vec::<usize>::new());
        assert_eq!(replay.left_ms(149.0), Some(401));
        assert_eq!(indices(replay.due(150.0)), [2]);
        // Late ticks send everything that is due, in order: no drift accumulates.
        assert_eq!(indices(replay.due(900.0)), [3]);
        assert!(replay.sending_done());
    }

    #[test]
    fn at_n_times_the_gaps_shrink_and_a_pause_shifts_what_is_left() {
        let mut replay = Replay::new(plan(&[0, 100, 200], Speed::Times(4), false), 0.0);
        assert_eq!(indices(replay.due(0.0)), [0]);
        assert_eq!(indices(replay.due(25.0)), [1]);
        replay.pause(30.0);
        assert!(replay.due(100.0).is_empty(), "nothing while paused");
        assert_eq!(replay.left_ms(100.0), Some(20), "the clock stops too");
        replay.resume(100.0);
        assert!(replay.due(119.0).is_empty());
        assert_eq!(indices(replay.due(120.0)), [2]);
    }

    #[test]
    fn fastest_keeps_a_window_unacknowledged() {
        let offsets: Vec<u64> = (0..(WINDOW as u64 + 10)).map(|i| i * 1000).collect();
        let mut replay = Replay::new(plan(&offsets, Speed::Fastest, false), 0.0);
        let due = replay.due(0.0);
        assert_eq!(due.len(), WINDOW);
        for (i, _) in &due {
            replay.published(Some(*i as u64 + 1));
        }
        assert!(replay.due(0.0).is_empty(), "the window is full");
        assert!(replay.outcome(1, true) && replay.outcome(2, false));
        assert!(!replay.outcome(1, true), "counted once");
        assert!(!replay.outcome(9999, true), "not this replay's");
        assert_eq!(indices(replay.due(0.0)), [WINDOW, WINDOW + 1]);
        assert_eq!(
            (replay.sent, replay.acknowledged, replay.failed),
            (WINDOW as u64, 1, 1)
        );
    }

    #[test]
    fn the_counts_end_exact_and_finished_waits_for_every_outcome() {
        let mut replay = Replay::new(plan(&[0, 0, 0], Speed::Times(1), false), 0.0);
        let due = replay.due(0.0);
        replay.published(Some(1));
        replay.published(None);
        replay.published(Some(3));
        assert_eq!(due.len(), 3);
        assert!(!replay.is_finished());
        replay.outcome(1, true);
        replay.outcome(3, false);
        assert!(replay.is_finished());
        let p = replay.progress(0.0);
        assert_eq!(
            (p.sent, p.acknowledged, p.failed, p.finished),
            (2, 1, 2, true)
        );
    }

    #[test]
    fn a_loop_starts_again_after_a_mean_gap() {
        let mut replay = Replay::new(plan(&[0, 100, 200], Speed::Times(1), true), 0.0);
        assert_eq!(indices(replay.due(200.0)), [0, 1, 2]);
        assert_eq!(replay.passes, 1);
        assert!(replay.due(266.0).is_empty());
        assert_eq!(indices(replay.due(267.0)), [0]);
        assert!(!replay.sending_done());
        replay.stopped = true;
        assert!(replay.due(10_000.0).is_empty() && replay.sending_done());
    }
}
