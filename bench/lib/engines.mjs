// The `engines` case: the throughput, frame and load measurements in Firefox ESR and WebKitGTK,
// which Playwright cannot drive, through their WebDriver (webdriver.mjs). In each engine, on the
// synthetic source at 32 packets per frame of 64 B: the raw page, MQTT.js, our driver + core
// and the full app, each counting every message as in Chromium (the same pages and the same
// in-page counter), with the injected frame recorder (injected once the page has loaded, not
// before its scripts: WebDriver classic has no init scripts); then page load to CONNACK of the
// raw page and of the full app. The app's part of that is its first contentful paint (its
// first render: the page is empty before) plus the time from the Connect click to the
// connected status; in Chromium it is from the Connect button's appearance, a little earlier,
// so compare the ratio within an engine. What these engines lack: `performance.memory` and the
// DevTools protocol, so no heap figures and no CPU profiles.

import { PAGES } from './config.mjs';
import { syntheticFeed } from './feeds.mjs';
import { COUNT_APP_MESSAGES, PAGE_INSTRUMENTS, frameStats, measured } from './browser.mjs';
import { fmtInt, log } from './format.mjs';
import { describeRun, guarded, runCase } from './plan.mjs';
import { Session, startDriver, until } from './webdriver.mjs';

export const OTHER_ENGINES = ['firefox', 'webkit'];
const PAGE_NAMES = ['raw', 'mqttjs', 'ours', 'app'];
/// The longest a run may take in the page (MQTT.js at a few thousand messages per second).
const RUN_MS = 120_000;

const crossOriginIsolated = () => self.crossOriginIsolated;

/// One benchmark page (raw, mqttjs, ours) on `feed`: what its runBench measured.
async function clientPage(session, base, name, feed, expected) {
  await session.navigate(base + PAGES[name].path);
  await session.run(PAGE_INSTRUMENTS);
  await until(`${name}'s page to be ready`, () => session.run(() => window.benchReady === true));
  const result = await session.runAsync(
    (config) => window.runBench(config),
    { url: feed.url, topic: feed.topic ?? 'bench/flood', expected, qos: feed.qos },
  );
  if (result.error) throw new Error(result.error);
  const intervals = await session.run(() => window.__bench.frames.intervals);
  return { ...measured(result, expected), ...frameStats(intervals) };
}

/// The full app, connected to `feed` through its form and subscribed through its
/// Subscriptions section; counted by the same in-page counter as in Chromium.
async function fullApp(session, base, feed, expected) {
  await session.navigate(`${base}${PAGES.app.path}`);
  await session.run(PAGE_INSTRUMENTS);
  await session.element('the Connect button', "//button[normalize-space()='Connect']");
  await session.type('Connection', 'Broker URL', feed.url);
  await session.click('Connection', 'Connect');
  await until('connected', () => session.run(() => Boolean(document.querySelector('[data-status="connected"]'))));
  const timing = await session.run(() => ({
    paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0,
    clickAt: window.__bench.clickAt,
    connectedAt: window.__bench.connectedAt,
  }));
  const filter = feed.topic ?? 'bench/flood';
  await session.type('Subscriptions', 'Topic filter', filter);
  await session.run(`(config) => { window.__benchCounting = (${COUNT_APP_MESSAGES})(config); }`, { expected, filter });
  await session.click('Subscriptions', 'Subscribe');
  const result = await session.runAsync(() => window.__benchCounting);
  const intervals = await session.run(() => window.__bench.frames.intervals);
  const loadToConnack = timing.paint > 0 && timing.connectedAt > timing.clickAt ? timing.paint + (timing.connectedAt - timing.clickAt) : 0;
  return { ...measured(result, expected), ...frameStats(intervals), loadToConnack };
}

async function inEngine(name, body) {
  const driver = await startDriver(name);
  try {
    const session = await Session.open(driver.url, name, {}, { scriptMs: RUN_MS });
    try {
      return await body(session);
    } finally {
      await session.close();
    }
  } finally {
    driver.stop();
  }
}

export async function enginesCase({ base, source, plan, results }) {
  const count = plan.counts.batched;
  results.engines = {};
  for (const engine of OTHER_ENGINES) {
    const label = `${engine}: synthetic, 32 packets/frame, 64 B, ${fmtInt(count)} msgs`;
    log(label);
    results.engines[engine] = await guarded(() => inEngine(engine, async (session) => {
      await session.navigate(`${base}${PAGES.raw.path}`);
      const isolated = await session.run(crossOriginIsolated);
      const feed = () => syntheticFeed(source.port, count, 32, 64);
      const runs = await runCase(label, PAGE_NAMES, plan.rounds.synthetic, (name) =>
        guarded(() => (name === 'app' ? fullApp(session, base, feed(), count) : clientPage(session, base, name, feed(), count))));
      const loadLabel = `${engine}: load, page load to CONNACK`;
      log(loadLabel);
      const small = () => syntheticFeed(source.port, 320, 32, 64);
      const load = await runCase(loadLabel, ['raw', 'app'], plan.loadRounds, (name) =>
        guarded(() => (name === 'app' ? fullApp(session, base, small(), 320) : clientPage(session, base, name, small(), 320))),
      describeRun);
      return { isolated, runs, load };
    }));
  }
}
