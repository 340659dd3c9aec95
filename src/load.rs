//! The publish load tool's logic, pure and natively tested: the payload template (`{n}` the
//! message's number, `{ts}` the wall-clock time in ms), the pacing of N messages at R per second
//! on the driver's ticker, the counts, and the acknowledgement latencies in a bounded histogram.
//! `components/load_test.rs` drives it with the clock and the driver.

use std::collections::HashMap;

use mqtt_core::{PublishId, QoS};

/// The ticker's shortest interval: browsers clamp nested timers to about 4 ms, so a high rate
/// publishes several messages per tick instead of ticking faster.
pub const MIN_TICK_MS: u32 = 10;
/// The longest, so that a slow rate still starts and stops promptly.
pub const MAX_TICK_MS: u32 = 100;
/// At most this many of a run's messages wait for their outcome at once. A broker slower than
/// the rate (Mosquitto's receive maximum of 20 paces its acknowledgements) then holds the run
/// back instead of filling the core's queue (1,000 by default) until it refuses, and a tick
/// that came late (a busy page, a hidden tab) cannot block the page with a burst. The run
/// falls behind its rate, which the achieved rate shows.
pub const MAX_IN_FLIGHT: u64 = 500;

/// A payload with `{n}` and `{ts}` in it, cut once into parts so that each message costs one
/// string build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Number,
    Timestamp,
}

impl Template {
    pub fn parse(text: &str) -> Template {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            literal.push_str(&rest[..open]);
            let after = &rest[open..];
            let placeholder = if after.starts_with("{n}") {
                Some((Part::Number, 3))
            } else if after.starts_with("{ts}") {
                Some((Part::Timestamp, 4))
            } else {
                None
            };
            match placeholder {
                Some((part, length)) => {
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(part);
                    rest = &after[length..];
                }
                None => {
                    literal.push('{');
                    rest = &after[1..];
                }
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Template { parts }
    }

    /// The payload of message `number`, sent at `timestamp` (ms since the Unix epoch).
    pub fn fill(&self, number: u64, timestamp: u64) -> Vec<u8> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Number => push_decimal(&mut out, number),
                Part::Timestamp => push_decimal(&mut out, timestamp),
            }
        }
        out.into_bytes()
    }
}

/// Integer formatting without `format!`'s machinery, as the template fills thousands a second.
fn push_decimal(out: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|d| char::from(*d)));
}

/// How often the ticker should call for `rate` messages a second.
pub fn tick_interval_ms(rate: u32) -> u32 {
    (1000 / rate.max(1)).clamp(MIN_TICK_MS, MAX_TICK_MS)
}

/// How many of `count` messages at `rate` a second are due `elapsed_ms` after the start: the
/// first at once, message k (from 1) at (k - 1) / rate seconds.
pub fn due(count: u64, rate: u32, elapsed_ms: f64) -> u64 {
    let elapsed = elapsed_ms.max(0.0);
    let due = (elapsed * f64::from(rate) / 1000.0).floor() as u64 + 1;
    due.min(count)
}

/// Sub-buckets per power of two (2^4): a latency is kept to within 1/32 of its value.
const SUB_BITS: u32 = 4;
const SUB: usize = 1 << SUB_BITS;
/// Enough buckets for any `u32` of microseconds (over an hour).
const BUCKETS: usize = (32 - SUB_BITS as usize + 1) * SUB;

/// Latencies in microseconds, counted in log-linear buckets: recording is O(1), the memory
/// fixed (464 counters), whatever the number of messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Histogram {
    counts: Vec<u32>,
    total: u64,
    min: u32,
    max: u32,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; BUCKETS],
            total: 0,
            min: u32::MAX,
            max: 0,
        }
    }
}

fn bucket(micros: u32) -> usize {
    if micros < (2 * SUB) as u32 {
        return micros as usize;
    }
    let exponent = 31 - micros.leading_zeros();
    let sub = (micros >> (exponent - SUB_BITS)) as usize & (SUB - 1);
    (exponent - SUB_BITS + 1) as usize * SUB + sub
}

/// The lowest value in bucket `index` and the bucket's width.
fn bucket_range(index: usize) -> (u64, u64) {
    if index < 2 * SUB {
        return (index as u64, 1);
    }
    let exponent = (index / SUB) as u32 + SUB_BITS - 1;
    let width = 1u64 << (exponent - SUB_BITS);
    (((SUB + index % SUB) as u64) << (exponent - SUB_BITS), width)
}

impl Histogram {
    pub fn record(&mut self, millis: f64) {
        let micros = (millis.max(0.0) * 1000.0).round().min(f64::from(u32::MAX)) as u32;
        self.counts[bucket(micros)] += 1;
        self.total += 1;
        self.min = self.min.min(micros);
        self.max = self.max.max(micros);
    }

    pub fn len(&self) -> u64 {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The `percent`th percentile (nearest rank) in ms: the middle of its bucket, within the
    /// smallest and largest value seen (which are exact); `None` before any value.
    pub fn percentile(&self, percent: u32) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let rank = (self.total * u64::from(percent.min(100)))
            .div_ceil(100)
            .max(1);
        // The ends are known exactly.
        if rank == self.total {
            return Some(f64::from(self.max) / 1000.0);
        }
        if rank == 1 {
            return Some(f64::from(self.min) / 1000.0);
        }
        let mut seen = 0;
        for (index, count) in self.counts.iter().enumerate() {
            seen += u64::from(*count);
            if seen >= rank {
                let (low, width) = bucket_range(index);
                let middle = (low + width / 2).clamp(u64::from(self.min), u64::from(self.max));
                return Some(middle as f64 / 1000.0);
            }
        }
        None
    }
}

/// What the user asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadPlan {
    pub count: u64,
    pub rate: u32,
    pub qos: QoS,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Publishing at the rate.
    Running,
    /// No more publishes (all sent, stopped, or refused); acknowledgements still count.
    Finished,
}

/// One run: its counts and latencies. Times are ms on a monotonic clock.
#[derive(Clone, Debug)]
pub struct LoadRun {
    plan: LoadPlan,
    phase: Phase,
    started_at: f64,
    last_sent_at: f64,
    sent: u64,
    acknowledged: u64,
    failed: u64,
    /// Each message waiting for its outcome, by id, with the time it was published.
    in_flight: HashMap<PublishId, f64>,
    latencies: Histogram,
}

/// A run's figures as the view shows them.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadFigures {
    pub qos: QoS,
    pub count: u64,
    pub running: bool,
    pub sent: u64,
    pub acknowledged: u64,
    pub failed: u64,
    pub in_flight: u64,
    /// Messages per second from the first publish to the last.
    pub rate: Option<f64>,
    /// p50, p95 and p99 in ms; `None` before the first acknowledgement (and always at QoS 0,
    /// which has none).
    pub latency: Option<[f64; 3]>,
}

impl LoadRun {
    pub fn new(plan: LoadPlan, now: f64) -> LoadRun {
        LoadRun {
            plan,
            phase: Phase::Running,
            started_at: now,
            last_sent_at: now,
            sent: 0,
            acknowledged: 0,
            failed: 0,
            in_flight: HashMap::new(),
            latencies: Histogram::default(),
        }
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The numbers (from 1) of the messages to publish now; none once finished.
    pub fn due_now(&self, now: f64) -> std::ops::RangeInclusive<u64> {
        let last = match self.phase {
            Phase::Running => due(self.plan.count, self.plan.rate, now - self.started_at)
                .min(self.sent + MAX_IN_FLIGHT.saturating_sub(self.in_flight.len() as u64)),
            Phase::Finished => self.sent,
        };
        self.sent + 1..=last
    }

    /// The next message went to the core as `id`.
    pub fn published(&mut self, id: PublishId, now: f64) {
        self.sent += 1;
        self.last_sent_at = now;
        self.in_flight.insert(id, now);
        if self.sent >= self.plan.count {
            self.phase = Phase::Finished;
        }
    }

    /// The core refused a message at once: it counts as sent and failed, and the run stops.
    pub fn refused(&mut self, now: f64) {
        self.sent += 1;
        self.failed += 1;
        self.last_sent_at = now;
        self.phase = Phase::Finished;
    }

    /// No more publishes; the ones in flight still count when their outcome comes.
    pub fn stop(&mut self) {
        self.phase = Phase::Finished;
    }

    /// The outcome of publish `id`, if it is one of this run's.
    pub fn outcome(&mut self, id: PublishId, ok: bool, now: f64) {
        let Some(sent_at) = self.in_flight.remove(&id) else {
            return;
        };
        if !ok {
            self.failed += 1;
            return;
        }
        self.acknowledged += 1;
        // QoS 0 has no acknowledgement: its outcome is only that it was written.
        if self.plan.qos != QoS::AtMostOnce {
            self.latencies.record(now - sent_at);
        }
    }

    /// Finished, and nothing left in flight.
    pub fn is_settled(&self) -> bool {
        self.phase == Phase::Finished && self.in_flight.is_empty()
    }

    pub fn figures(&self) -> LoadFigures {
        let span = self.last_sent_at - self.started_at;
        let rate = (self.sent >= 2 && span > 0.0).then(|| (self.sent - 1) as f64 * 1000.0 / span);
        let latency = [50, 95, 99].map(|p| self.latencies.percentile(p));
        LoadFigures {
            qos: self.plan.qos,
            count: self.plan.count,
            running: self.phase == Phase::Running,
            sent: self.sent,
            acknowledged: self.acknowledged,
            failed: self.failed,
            in_flight: self.in_flight.len() as u64,
            rate,
            latency: match latency {
                [Some(p50), Some(p95), Some(p99)] => Some([p50, p95, p99]),
                _ => None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(count: u64, rate: u32, qos: QoS) -> LoadPlan {
        LoadPlan { count, rate, qos }
    }

    #[test]
    fn the_template_fills_number_and_timestamp_and_keeps_other_braces() {
        let template = Template::parse("{\"n\":{n},\"ts\":{ts},\"x\":\"{nope}{\"}");
        assert_eq!(
            String::from_utf8(template.fill(42, 1_700_000_000_123)).unwrap(),
            "{\"n\":42,\"ts\":1700000000123,\"x\":\"{nope}{\"}"
        );
        assert_eq!(Template::parse("").fill(1, 2), b"");
        assert_eq!(Template::parse("{n}{n}").fill(0, 2), b"00");
        assert_eq!(Template::parse("plain").fill(7, 8), b"plain");
        assert_eq!(
            Template::parse("{ts}").fill(1, u64::MAX),
            u64::MAX.to_string().into_bytes()
        );
    }

    #[test]
    fn pacing_spreads_the_messages_over_count_over_rate_seconds() {
        // 2,000 at 500/s: one at once, 5 more every 10 ms, the last at 3,998 ms.
        assert_eq!(due(2000, 500, 0.0), 1);
        assert_eq!(due(2000, 500, 9.9), 5);
        assert_eq!(due(2000, 500, 10.0), 6);
        assert_eq!(due(2000, 500, 1000.0), 501);
        assert_eq!(due(2000, 500, 3997.9), 1999);
        assert_eq!(due(2000, 500, 3998.0), 2000);
        assert_eq!(due(2000, 500, 1e9), 2000);
        assert_eq!(due(5, 1, -3.0), 1);
        // A slow rate: one a second.
        assert_eq!(due(10, 1, 2500.0), 3);
    }

    #[test]
    fn the_tick_is_between_its_bounds() {
        assert_eq!(tick_interval_ms(500), MIN_TICK_MS);
        assert_eq!(tick_interval_ms(100_000), MIN_TICK_MS);
        assert_eq!(tick_interval_ms(50), 20);
        assert_eq!(tick_interval_ms(1), MAX_TICK_MS);
        assert_eq!(tick_interval_ms(0), MAX_TICK_MS);
    }

    #[test]
    fn a_run_publishes_what_is_due_at_each_tick_and_finishes_at_the_count() {
        let mut run = LoadRun::new(plan(2000, 500, QoS::AtLeastOnce), 1000.0);
        let mut id = 0;
        let mut now = 1000.0;
        let mut per_tick = Vec::new();
        while run.phase() == Phase::Running {
            let due = run.due_now(now);
            per_tick.push(due.clone().count());
            for _ in due {
                id += 1;
                run.published(id, now);
                run.outcome(id, true, now);
            }
            now += 10.0;
        }
        assert_eq!(run.figures().sent, 2000);
        // One at once, five a tick, and the last four at 4,000 ms rather than 3,998: a tick's
        // granularity.
        assert_eq!((per_tick[0], per_tick.len()), (1, 401));
        assert!(per_tick[1..400].iter().all(|n| *n == 5), "{per_tick:?}");
        assert_eq!(per_tick[400], 4);
        let rate = run.figures().rate.unwrap();
        assert!((rate - 1999.0 / 4.0).abs() < 1e-9, "{rate}");
        assert!(run.due_now(now + 1e6).is_empty());
    }

    #[test]
    fn a_late_tick_or_a_slow_broker_holds_the_run_back() {
        let mut run = LoadRun::new(plan(1_000_000, 100_000, QoS::AtLeastOnce), 0.0);
        let burst: Vec<u64> = run.due_now(5_000.0).collect();
        assert_eq!(burst.len() as u64, MAX_IN_FLIGHT);
        for id in burst {
            run.published(id, 0.0);
        }
        // Nothing more until outcomes come back, then as many as came back.
        assert!(run.due_now(6_000.0).is_empty());
        for id in 1..=30 {
            run.outcome(id, true, 6_000.0);
        }
        assert_eq!(run.due_now(6_000.0).count(), 30);
        assert_eq!(run.phase(), Phase::Running);
    }

    #[test]
    fn stopping_publishes_no_more_but_counts_what_was_in_flight() {
        let mut run = LoadRun::new(plan(100, 1000, QoS::ExactlyOnce), 0.0);
        for id in run.due_now(9.5) {
            run.published(id, 0.0);
        }
        assert_eq!(run.figures().in_flight, 10);
        run.stop();
        assert!(run.due_now(50.0).is_empty());
        assert!(!run.is_settled());
        for id in 1..=7 {
            run.outcome(id, true, 4.0);
        }
        run.outcome(8, false, 5.0);
        // Not this run's, or already counted: ignored.
        run.outcome(8, true, 5.0);
        run.outcome(99, true, 5.0);
        let figures = run.figures();
        assert_eq!(
            (
                figures.sent,
                figures.acknowledged,
                figures.failed,
                figures.in_flight
            ),
            (10, 7, 1, 2)
        );
        assert!(!figures.running);
        assert_eq!(figures.latency, Some([4.0, 4.0, 4.0]));
        run.outcome(9, true, 6.0);
        run.outcome(10, true, 6.0);
        assert!(run.is_settled());
        let figures = run.figures();
        assert_eq!(
            figures.sent,
            figures.acknowledged + figures.failed + figures.in_flight
        );
    }

    #[test]
    fn a_refusal_counts_as_failed_and_ends_the_run() {
        let mut run = LoadRun::new(plan(100, 10, QoS::AtLeastOnce), 0.0);
        run.published(1, 0.0);
        run.refused(100.0);
        assert!(run.due_now(1000.0).is_empty());
        let figures = run.figures();
        assert_eq!((figures.sent, figures.failed, figures.in_flight), (2, 1, 1));
    }

    #[test]
    fn qos_0_counts_outcomes_without_latencies() {
        let mut run = LoadRun::new(plan(3, 1000, QoS::AtMostOnce), 0.0);
        for id in run.due_now(10.0) {
            run.published(id, 0.0);
        }
        for id in 1..=3 {
            run.outcome(id, true, 1.0);
        }
        let figures = run.figures();
        assert_eq!((figures.acknowledged, figures.latency), (3, None));
        assert!(run.is_settled());
    }

    #[test]
    fn buckets_cover_every_value_in_order() {
        let mut last = 0;
        for micros in (0..100_000).chain([u32::MAX / 2, u32::MAX - 1, u32::MAX]) {
            let index = bucket(micros);
            assert!(index < BUCKETS);
            assert!(index >= last);
            last = index;
            let (low, width) = bucket_range(index);
            assert!(
                low <= u64::from(micros) && u64::from(micros) < low + width,
                "{micros} in {index}: {low}+{width}"
            );
        }
        assert_eq!(bucket(u32::MAX), BUCKETS - 1);
    }

    #[test]
    fn percentiles_are_exact_for_small_values_and_close_for_large_ones() {
        let mut small = Histogram::default();
        assert_eq!(small.percentile(50), None);
        for micros in 1..=20u32 {
            small.record(f64::from(micros) / 1000.0);
        }
        assert_eq!(small.percentile(50), Some(0.010));
        assert_eq!(small.percentile(95), Some(0.019));
        assert_eq!(small.percentile(100), Some(0.020));

        // Values spread from 0.1 ms to 5 s in a scrambled order, against the exact ranks.
        let mut values: Vec<f64> = Vec::new();
        let mut seed: u64 = 12345;
        let mut histogram = Histogram::default();
        for _ in 0..50_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let unit = (seed >> 11) as f64 / (1u64 << 53) as f64;
            let millis = 0.1 * (50_000.0f64).powf(unit);
            values.push(millis);
            histogram.record(millis);
        }
        values.sort_by(f64::total_cmp);
        assert_eq!(histogram.len(), 50_000);
        for percent in [1, 50, 95, 99, 100] {
            let rank = (values.len() * percent as usize).div_ceil(100);
            let exact = values[rank - 1];
            let estimate = histogram.percentile(percent).unwrap();
            assert!(
                (estimate - exact).abs() <= exact / 32.0 + 0.001,
                "p{percent}: {estimate} vs {exact}"
            );
        }
    }

    #[test]
    fn odd_latencies_are_clamped_not_panicking() {
        let mut histogram = Histogram::default();
        histogram.record(-5.0);
        histogram.record(f64::NAN);
        histogram.record(1e12);
        assert_eq!(histogram.percentile(0), Some(0.0));
        assert_eq!(
            histogram.percentile(100),
            Some(f64::from(u32::MAX) / 1000.0)
        );
    }
}
