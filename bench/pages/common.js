// Shared by the benchmark pages: counts messages and says when the flood is over.

/// A run ends when every expected message is counted, or when none arrived for this long.
const STALL_MS = 5000;

/// `add(n)` counts n messages that arrived now, `add(n, firstAt, lastAt)` n that arrived over
/// that time (a worker counting for the page); `done` resolves with { count, firstAt, lastAt }
/// (performance.now() milliseconds) once `expected` messages are counted or the flood stalled
/// short of it.
export function messageCounter(expected) {
  let count = 0;
  let firstAt = 0;
  let lastAt = 0;
  let finish;
  const done = new Promise((resolve) => {
    finish = () => {
      clearInterval(watchdog);
      setFrameRecording(false);
      resolve({ count, firstAt, lastAt });
    };
  });
  let seen = 0;
  let quietSince = performance.now();
  const watchdog = setInterval(() => {
    const now = performance.now();
    if (count !== seen) {
      seen = count;
      quietSince = now;
    } else if (now - quietSince > STALL_MS) {
      finish();
    }
  }, 250);
  return {
    add(n, from = performance.now(), to = from) {
      if (count === 0) firstAt = from;
      count += n;
      lastAt = to;
      if (count >= expected) finish();
    },
    done,
  };
}

/// The benchmark's injected script records animation frame intervals while this is on.
function setFrameRecording(on) {
  if (window.__bench) window.__bench.frames.recording = on;
}

/// Tells the benchmark driver (a Playwright binding) that the subscription is in place.
export function subscribed() {
  setFrameRecording(true);
  if (window.benchSubscribed) window.benchSubscribed();
}

export { randomClientId } from './client-id.js';
