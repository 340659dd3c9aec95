// The full app's topic explorer at scale (the `explorer-100k` case): the "Topic tree" tab open
// before `#` is subscribed, timed until its toolbar counts every retained topic; a path opened
// level by level and a deep topic found through "Find topics"; then a live stream onto the
// topics. Frame intervals for the load and for the stream apart, and the memory after each.

import { frameStats, heapBytes, openApp, startProfile, stopProfile } from './browser.mjs';

/// Waits this long for the next change of the counts before it gives up on the rest.
const STALL_MS = 15_000;

/// In the page: resolves `window.__benchCounts` once the explorer's toolbar ("N topics · M
/// messages") shows at least `topics` and `messages`, or once it stalled; stops the frame
/// recording then. Watched by a MutationObserver, so the time is when the DOM said so, to the
/// microtask, not when a poll from outside looked.
const WATCH_COUNTS = ({ topics, messages, stallMs }) => {
  const read = () => {
    const text = document.querySelector('.topic-explorer .counts')?.textContent ?? '';
    // Counts are grouped as the page's locale writes them ("100,000").
    const count = (digits) => Number(digits.replaceAll(',', ''));
    const shown = /^([\d,]+) topics · ([\d,]+) messages/.exec(text);
    return shown ? { topics: count(shown[1]), messages: count(shown[2]) } : { topics: 0, messages: 0 };
  };
  window.__benchCounts = new Promise((resolve) => {
    let last = read();
    let changedAt = performance.now();
    let observer = null;
    let stall = null;
    const finish = (complete) => {
      observer.disconnect();
      clearInterval(stall);
      window.__bench.frames.recording = false;
      resolve({ ...last, at: changedAt, complete });
    };
    const check = () => {
      const now = read();
      if (now.topics !== last.topics || now.messages !== last.messages) {
        last = now;
        changedAt = performance.now();
      }
      if (last.topics >= topics && last.messages >= messages) finish(true);
    };
    observer = new MutationObserver(check);
    observer.observe(document.querySelector('.topic-explorer'), { subtree: true, childList: true, characterData: true });
    stall = setInterval(() => performance.now() - changedAt > stallMs && finish(false), 250);
    check();
  });
};

/// In the page: starts the frame recording afresh, then clicks Subscribe; returns when it did.
const CLICK_SUBSCRIBE = () => {
  const button = [...document.querySelectorAll('section[aria-label="Subscriptions"] button')]
    .find((b) => b.textContent.trim() === 'Subscribe');
  window.__bench.frames.intervals = [];
  window.__bench.frames.recording = true;
  const at = performance.now();
  button.click();
  return at;
};

/// In the page: types `path` into "Find topics" and resolves with the milliseconds until the
/// tree's rows are exactly that topic's levels, one per depth (null if they never are).
const FIND_TOPIC = ({ path, stallMs }) => new Promise((resolve) => {
  const levels = path.split('/');
  const tree = document.querySelector('.topic-explorer [role="tree"]');
  const found = () => {
    const rows = [...tree.querySelectorAll('[role="treeitem"]')];
    return rows.length === levels.length && levels.every((name, depth) => rows.some((row) =>
      row.getAttribute('aria-level') === String(depth + 1) && row.querySelector('.level')?.textContent === name));
  };
  const input = document.querySelector('.topic-explorer input[type="search"]');
  const started = performance.now();
  const observer = new MutationObserver(() => {
    if (found()) finish(performance.now() - started);
  });
  const timeout = setTimeout(() => finish(null), stallMs);
  const finish = (ms) => {
    observer.disconnect();
    clearTimeout(timeout);
    resolve(ms);
  };
  observer.observe(tree, { subtree: true, childList: true, characterData: true, attributes: true });
  input.value = path;
  input.dispatchEvent(new Event('input', { bubbles: true }));
});

/// The row of `name` at `depth` (1 for a first level).
const treeRow = (page, depth, name) => page.locator(`.topic-explorer [role="treeitem"][aria-level="${depth}"]`)
  .filter({ has: page.locator('.level').getByText(name, { exact: true }) });

/// Opens `path` level by level with the rows' toggles, as a user would; resolves once its last
/// level's row is shown.
async function openPath(page, path) {
  const levels = path.split('/');
  for (const [i, name] of levels.entries()) {
    const row = treeRow(page, i + 1, name);
    await row.waitFor({ timeout: 10_000 });
    if (i + 1 < levels.length && (await row.getAttribute('aria-expanded')) === 'false') {
      await row.locator('.toggle').click();
    }
  }
}

/// Until the counts reach what WATCH_COUNTS was set on; the frames recorded meanwhile.
async function countsReached(page) {
  const counts = await page.evaluate(() => window.__benchCounts);
  const intervals = await page.evaluate(() => window.__bench.frames.intervals);
  return { counts, frames: frameStats(intervals) };
}

/// One run of the app. `broker`: retained.mjs's; `topics`: the retained ones it holds;
/// `stream`: { messages, run() }, the live messages that `run` publishes onto them, resolving
/// with { sent, seconds }.
export async function runExplorer(context, base, broker, topics, stream, { profile } = {}) {
  const { page, cdp, loadToConnack } = await openApp(context, base, broker.wsUrl);
  try {
    await page.getByRole('tab', { name: 'Topic tree' }).click();
    await page.locator('.topic-explorer .counts').waitFor();
    const subscriptions = page.getByRole('region', { name: 'Subscriptions' });
    await subscriptions.getByLabel('Topic filter').fill('#');
    await subscriptions.getByLabel('QoS').selectOption('0');

    // The retained burst, the tree open.
    await page.evaluate(WATCH_COUNTS, { topics: topics.length, messages: topics.length, stallMs: STALL_MS });
    if (profile) await startProfile(cdp);
    const subscribeAt = await page.evaluate(CLICK_SUBSCRIBE);
    const load = await countsReached(page);
    if (profile) await stopProfile(cdp, `${profile}-load`);
    const heapAfterLoad = await heapBytes(cdp, page);

    // Reachable: a path opened by hand, and the very last topic found by its name.
    await openPath(page, topics[0]);
    const findMs = await page.evaluate(FIND_TOPIC, { path: topics.at(-1), stallMs: STALL_MS });
    await page.getByLabel('Find topics').fill('');
    const levels = topics[0].split('/');
    await treeRow(page, levels.length, levels.at(-1)).waitFor({ timeout: 10_000 });

    // The live stream onto those topics, the opened path still in view.
    const streamed = { topics: topics.length, messages: load.counts.messages + stream.messages };
    await page.evaluate(WATCH_COUNTS, { ...streamed, stallMs: STALL_MS });
    await page.evaluate(() => {
      window.__bench.frames.intervals = [];
      window.__bench.frames.recording = true;
    });
    if (profile) await startProfile(cdp);
    const sent = await stream.run();
    const live = await countsReached(page);
    if (profile) await stopProfile(cdp, `${profile}-stream`);
    const heapAfterStream = await heapBytes(cdp, page);

    return {
      expected: topics.length,
      count: load.counts.topics,
      complete: load.counts.complete && findMs !== null && live.counts.complete,
      receiveMs: load.counts.at - subscribeAt,
      load,
      findMs,
      stream: { ...sent, expected: stream.messages, ...live },
      heapAfterLoad,
      heapAfterStream,
      loadToConnack,
    };
  } finally {
    await page.close();
  }
}
