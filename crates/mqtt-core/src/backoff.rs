//! The reconnect schedule: exponential backoff with a cap and jitter.
//!
//! Jitter spreads the reconnects of many browser tabs after a broker restart. The core has no
//! RNG, so a xorshift generator seeded by the caller provides it; the same seed gives the same
//! schedule, which keeps the tests deterministic.

use core::time::Duration;

use crate::options::ReconnectPolicy;

pub(crate) struct Backoff {
    /// Reconnect attempts since the last stable connection.
    attempts: u32,
    rng: u64,
}

impl Backoff {
    pub(crate) fn new(seed: u64) -> Self {
        // xorshift is stuck at zero forever; any fixed non-zero state will do instead.
        let rng = if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        };
        Backoff { attempts: 0, rng }
    }

    /// Forget earlier failures: the last connection was stable.
    pub(crate) fn reset(&mut self) {
        self.attempts = 0;
    }

    /// The 1-based number of the attempt that `next_delay` schedules.
    pub(crate) fn attempt(&self) -> u32 {
        self.attempts
    }

    /// The wait before the next attempt: `initial_delay * 2^failures`, capped at `max_delay`,
    /// then drawn uniformly from its upper half so the delay still grows but tabs spread out.
    pub(crate) fn next_delay(&mut self, policy: &ReconnectPolicy) -> Duration {
        let exponent = self.attempts.min(31);
        self.attempts = self.attempts.saturating_add(1);
        let initial = millis(policy.initial_delay);
        let cap = millis(policy.max_delay).max(initial);
        let full = initial.saturating_mul(1u64 << exponent).min(cap);
        let half = full / 2;
        let jitter = self.next_random() % (full - half + 1);
        Duration::from_millis(half + jitter)
    }

    /// xorshift64* (Vigna): good enough spread for jitter, no dependency.
    fn next_random(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ReconnectPolicy {
        ReconnectPolicy {
            enabled: true,
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            stable_after: Duration::from_secs(10),
        }
    }

    #[test]
    fn delays_grow_within_jitter_bounds_up_to_the_cap() {
        let mut backoff = Backoff::new(42);
        let policy = policy();
        let expected_full = [
            1_000u64, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
        ];
        for (index, full) in expected_full.iter().enumerate() {
            let delay = millis(backoff.next_delay(&policy));
            assert!(
                delay >= full / 2 && delay <= *full,
                "attempt {index}: {delay} ms not in [{}, {full}]",
                full / 2
            );
        }
        assert_eq!(backoff.attempt(), 8);
        backoff.reset();
        assert!(millis(backoff.next_delay(&policy)) <= 1_000);
    }

    #[test]
    fn same_seed_same_schedule_other_seed_other_schedule() {
        let policy = policy();
        let run = |seed| {
            let mut backoff = Backoff::new(seed);
            (0..6)
                .map(|_| backoff.next_delay(&policy))
                .collect::<alloc::vec::Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        assert_eq!(run(0).len(), 6);
    }
}
