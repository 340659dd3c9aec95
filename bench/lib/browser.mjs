// The browser: one headless Chromium (Debian's, never a downloaded one, driven by
// playwright-core), the script injected into every page, and the two ways a run drives a page:
// a benchmark page (runClientPage) or the full app through its labelled controls (runApp; the
// topic explorer's run, explorer.mjs, starts the app the same way, with openApp).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { CHROMIUM, CHROMIUM_FLAGS, PAGES, TOPIC } from './config.mjs';
import { log, percentile } from './format.mjs';

/// Injected before any page script: records requestAnimationFrame intervals while asked to,
/// keeps a handle on the page's wasm memory, and times the app's way to CONNACK.
export const PAGE_INSTRUMENTS = () => {
  const frames = { recording: false, intervals: [], last: 0 };
  window.__bench = { frames, wasmMemory: null, connectedAt: 0, clickAt: 0, readyAt: 0 };
  const tick = (t) => {
    if (frames.recording) {
      if (frames.last) frames.intervals.push(t - frames.last);
      frames.last = t;
    } else {
      frames.last = 0;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  // The page's wasm memory, whoever instantiates it: the heap check reads its size.
  const remember = (promise) =>
    promise.then((result) => {
      const memory = (result.instance ?? result).exports?.memory;
      if (memory instanceof WebAssembly.Memory) window.__bench.wasmMemory = memory;
      return result;
    });
  const { instantiate, instantiateStreaming } = WebAssembly;
  WebAssembly.instantiate = (...args) => remember(instantiate.apply(WebAssembly, args));
  WebAssembly.instantiateStreaming = (...args) => remember(instantiateStreaming.apply(WebAssembly, args));
  // Page load to CONNACK for the app: when its Connect button exists, when it was clicked, and
  // when the status says connected.
  addEventListener('click', (event) => {
    if (!window.__bench.clickAt && event.target.closest?.('button')?.textContent.trim() === 'Connect') {
      window.__bench.clickAt = performance.now();
    }
  }, true);
  new MutationObserver(() => {
    const bench = window.__bench;
    if (!bench.readyAt && [...document.querySelectorAll('button')].some((b) => b.textContent.trim() === 'Connect')) {
      bench.readyAt = performance.now();
    }
    if (!bench.connectedAt && document.querySelector('[data-status="connected"]')) {
      bench.connectedAt = performance.now();
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
};

export async function launchBrowser() {
  // Imported here, so that rendering a report needs no browser packages.
  const { chromium } = await import('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    // Exactly these flags, plus the debugging pipe Playwright talks through.
    ignoreDefaultArgs: true,
    args: [...CHROMIUM_FLAGS, `--user-data-dir=${userDataDir}`, '--remote-debugging-pipe', 'about:blank'],
    viewport: { width: 1280, height: 900 },
  });
  await context.addInitScript(PAGE_INSTRUMENTS);
  return { context, userDataDir };
}

export async function heapBytes(cdp, page) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const wasm = await page.evaluate(() => window.__bench.wasmMemory?.buffer.byteLength ?? 0);
  const { metrics } = await cdp.send('Performance.getMetrics');
  const nodes = metrics.find((m) => m.name === 'Nodes')?.value ?? 0;
  return { js: usedSize, wasm, nodes };
}

export async function startProfile(cdp) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
}

export async function stopProfile(cdp, name) {
  const { profile } = await cdp.send('Profiler.stop');
  const file = path.join(process.env.BENCH_PROFILE_DIR, `${name}.cpuprofile`);
  fs.writeFileSync(file, JSON.stringify(profile));
  log(`    CPU profile: ${file}`);
}

/// Rejects when the page throws, fails to load a file, or logs an error.
function pageBroken(page) {
  const broken = new Promise((_, reject) => {
    page.on('pageerror', (error) => reject(error));
    page.on('response', (response) => {
      if (response.status() >= 400) reject(new Error(`${response.status()} for ${response.url()}`));
    });
    page.on('console', (message) => {
      if (message.type() === 'error') reject(new Error(`console: ${message.text()}`));
    });
  });
  broken.catch(() => {});
  return broken;
}

/// Runs one benchmark page (raw, mqttjs, mqtt5, ours) on one feed, subscribed to its `topic`
/// (a filter; the benchmark's TOPIC if it has none).
export async function runClientPage(context, base, name, feed, expected, { profile } = {}) {
  const page = await context.newPage();
  const broken = pageBroken(page);
  try {
    await page.exposeBinding('benchSubscribed', () => feed.start());
    await gotoIsolated(page, base + PAGES[name].path);
    await Promise.race([page.waitForFunction(() => window.benchReady === true), broken]);
    const cdp = profile ? await context.newCDPSession(page) : null;
    if (cdp) await startProfile(cdp);
    const result = await Promise.race([
      page.evaluate((config) => window.runBench(config), { url: feed.url, topic: feed.topic ?? TOPIC, expected, qos: feed.qos }),
      broken,
    ]);
    if (cdp) await stopProfile(cdp, profile);
    if (feed.error) throw new Error(feed.error);
    return { ...measured(result, expected), ...frameStats(await page.evaluate(() => window.__bench.frames.intervals)) };
  } finally {
    await page.close();
  }
}

/// Every page must be cross-origin isolated, or its frame intervals are only good to 0.1 ms.
export async function gotoIsolated(page, url) {
  await page.goto(url);
  if (!(await page.evaluate(() => self.crossOriginIsolated))) {
    throw new Error(`${url} is not cross-origin isolated: its timestamps would be coarsened`);
  }
}

export function frameStats(intervals) {
  return { frameP50: percentile(intervals, 50), frameP95: percentile(intervals, 95), frames: intervals.length };
}

/// `result.firstCount`: the messages counted when the clock started (the app's first frame that
/// shows any), else the first message alone.
export function measured(result, expected) {
  const seconds = (result.lastAt - result.firstAt) / 1000;
  const after = result.count - (result.firstCount ?? 1);
  return {
    ...result,
    expected,
    complete: result.count === expected,
    // What started the clock is not counted in the rate.
    rate: after > 0 && seconds > 0 ? after / seconds : NaN,
  };
}

/// A new page with the full app, connected to `url` through its labelled controls, and a CDP
/// session on it (performance metrics on, for heapBytes). The caller closes the page.
/// `filters`: subscriptions the app starts with, from a shared link (`#config=…`), as a user
/// who opens one has them; it subscribes them on CONNACK.
export async function openApp(context, base, url, filters = []) {
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const shared = { settings: { url }, subscriptions: filters.map((filter) => ({ filter })) };
    const link = filters.length ? `#config=${encodeURIComponent(JSON.stringify(shared))}` : '';
    await gotoIsolated(page, base + PAGES.app.path + link);
    // Exact: "Backup broker URLs" has the words too.
    await page.getByLabel('Broker URL', { exact: true }).fill(url);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.locator('[data-status="connected"]').waitFor({ timeout: 10_000 });
    const timing = await page.evaluate(() => ({ ...window.__bench, frames: undefined, wasmMemory: undefined }));
    return {
      page,
      cdp,
      loadToConnack: timing.readyAt + (timing.connectedAt - timing.clickAt),
      loadToReady: timing.readyAt,
    };
  } catch (error) {
    await page.close();
    throw error;
  }
}

/// Runs in the app's page: counts what the subscription to `filter` shows, once per frame, from
/// before SUBSCRIBE (a feed may flood as soon as it is subscribed: the synthetic source does),
/// recording frame intervals meanwhile. The first frame that shows messages starts the clock;
/// the messages it shows are not in the rate. Resolves when `expected` are counted or the
/// count stalled.
export const COUNT_APP_MESSAGES = ({ expected, filter }) =>
  new Promise((resolve) => {
    const STALL_MS = 5000;
    window.__bench.frames.recording = true;
    const row = () => [...document.querySelectorAll('.subscription')]
      .find((element) => element.querySelector('.sub-name')?.textContent === filter);
    let counter = null;
    let count = 0;
    let firstCount = 0;
    let firstAt = 0;
    let lastAt = 0;
    let changedAt = performance.now();
    const check = () => {
      const now = performance.now();
      counter ??= row()?.querySelector('.sub-count');
      const shown = counter ? Number(counter.textContent) : 0;
      if (shown !== count) {
        if (count === 0) {
          firstAt = now;
          firstCount = shown;
        }
        count = shown;
        lastAt = now;
        changedAt = now;
      }
      if (count >= expected || now - changedAt > STALL_MS) {
        window.__bench.frames.recording = false;
        resolve({ count, firstCount, firstAt, lastAt });
      } else {
        requestAnimationFrame(check);
      }
    };
    requestAnimationFrame(check);
  });

/// Drives the full app through its labelled controls; counts what its subscription shows.
/// `others`: filters the app holds besides the feed's, none of which the feed matches.
export async function runApp(context, base, feed, expected, { frames = false, heap = false, profile, others = [] } = {}) {
  const { page, cdp, loadToConnack, loadToReady } = await openApp(context, base, feed.url, others);
  const filter = feed.topic ?? TOPIC;
  try {
    if (others.length) {
      await page.waitForFunction((count) => [...document.querySelectorAll('.subscription .sub-status')]
        .filter((status) => /^QoS \d$/.test(status.textContent)).length === count, others.length, { timeout: 60_000 });
    }
    // The subscription's filter, not the decoder rules' (the Connection section has one too).
    await page.getByRole('region', { name: 'Subscriptions' }).getByLabel('Topic filter').fill(filter);
    const before = heap ? await heapBytes(cdp, page) : null;
    if (profile) await startProfile(cdp);
    const counting = page.evaluate(COUNT_APP_MESSAGES, { expected, filter });
    await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
    // Granted once its row says so. The row is found once: a locator would query the whole list
    // on every poll, and beside 1,000 subscriptions that is most of what the page does meanwhile.
    await page.waitForFunction((filter) => {
      window.__benchRow ??= [...document.querySelectorAll('.subscription')]
        .find((element) => element.querySelector('.sub-name')?.textContent === filter);
      return /^QoS \d$/.test(window.__benchRow?.querySelector('.sub-status')?.textContent ?? '');
    }, filter, { timeout: 10_000, polling: 50 });
    await feed.start();
    const result = await counting;
    if (profile) await stopProfile(cdp, profile);
    if (feed.error) throw new Error(feed.error);
    const intervals = frames ? await page.evaluate(() => window.__bench.frames.intervals) : [];
    const after = heap ? await heapBytes(cdp, page) : null;
    return {
      ...measured(result, expected),
      loadToConnack,
      loadToReady,
      ...frameStats(intervals),
      heapBefore: before,
      heapAfter: after,
    };
  } finally {
    await page.close();
  }
}
