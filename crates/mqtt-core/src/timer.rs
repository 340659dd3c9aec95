//! Every deadline the client keeps, in one table that both `Client::handle_timeout` and
//! `Client::poll_timeout` read (quinn-proto's `TimerTable`).

use crate::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Timer {
    /// The next reconnect attempt opens the transport.
    Reconnect = 0,
    /// CONNECT was sent; CONNACK must have come.
    ConnAck = 1,
    /// PINGREQ was sent; PINGRESP must have come.
    PingResp = 2,
    /// Nothing was sent for the keep alive interval: send PINGREQ.
    PingDue = 3,
}

impl Timer {
    /// In the order `handle_timeout` fires them when several are due at once.
    const ALL: [Timer; 4] = [
        Timer::Reconnect,
        Timer::ConnAck,
        Timer::PingResp,
        Timer::PingDue,
    ];

    /// The timers that die with a connection.
    pub(crate) const CONNECTION: [Timer; 3] = [Timer::ConnAck, Timer::PingResp, Timer::PingDue];
}

#[derive(Default)]
pub(crate) struct TimerTable {
    deadlines: [Option<Instant>; Timer::ALL.len()],
}

impl TimerTable {
    pub(crate) fn set(&mut self, timer: Timer, at: Instant) {
        self.deadlines[timer as usize] = Some(at);
    }

    pub(crate) fn stop(&mut self, timer: Timer) {
        self.deadlines[timer as usize] = None;
    }

    pub(crate) fn get(&self, timer: Timer) -> Option<Instant> {
        self.deadlines[timer as usize]
    }

    pub(crate) fn is_set(&self, timer: Timer) -> bool {
        self.get(timer).is_some()
    }

    /// The earliest deadline of all.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.deadlines.iter().flatten().min().copied()
    }

    /// The first timer due at `now`, stopped as it is returned.
    pub(crate) fn take_expired(&mut self, now: Instant) -> Option<Timer> {
        let timer = Timer::ALL
            .into_iter()
            .find(|timer| self.get(*timer).is_some_and(|at| at <= now))?;
        self.stop(timer);
        Some(timer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_the_earliest_and_expired_timers_come_out_once_in_order() {
        let mut table = TimerTable::default();
        assert_eq!(table.next(), None);
        table.set(Timer::PingDue, Instant::from_millis(30));
        table.set(Timer::ConnAck, Instant::from_millis(30));
        table.set(Timer::Reconnect, Instant::from_millis(50));
        assert_eq!(table.next(), Some(Instant::from_millis(30)));
        assert_eq!(table.take_expired(Instant::from_millis(29)), None);
        let now = Instant::from_millis(30);
        assert_eq!(table.take_expired(now), Some(Timer::ConnAck));
        assert_eq!(table.take_expired(now), Some(Timer::PingDue));
        assert_eq!(table.take_expired(now), None);
        assert_eq!(table.next(), Some(Instant::from_millis(50)));
        table.stop(Timer::Reconnect);
        assert!(!table.is_set(Timer::Reconnect));
        assert_eq!(table.next(), None);
    }
}
