// The benchmark: one headless Chromium (Debian's, never a downloaded one) runs every client on
// the same message floods, page after page, round after round, and docs/BENCHMARKS.md gets the
// medians, the ratios and the targets. scripts/bench builds what this needs and sets the
// environment below; run that, not this.
//
//   BENCH_DIST         the app's release build (trunk's dist/) that the browser loads
//   BENCH_DIST_FOR_SIZES  the same, as shipped, for the download sizes
//   BENCH_MQTT5_PKG    mqtt5-wasm built by wasm-bindgen --target web
//   BENCH_OURS_PKG     the app's driver + core built with the `bench` feature (wasm-bindgen --target web)
//   BROKER_TCP_PORT    a Mosquitto started for the benchmark (QoS 0 floods must not be dropped),
//   BROKER_WS_PORT     with no limit on QoS 1 messages in flight
//   BROKER_INFLIGHT20_TCP_PORT  another, with Mosquitto's default in-flight limit (20)
//   BROKER_INFLIGHT20_WS_PORT
//   BROKER_LOGS        their logs (space-separated), checked for dropped messages
//   BENCH_CODEC        optional: bench/codec-vs-mqtt-packet.sh's results (--out)
//   BENCH_OUT          where the report goes
//   BENCH_QUICK=1      fewer messages, one round
//   BENCH_PROFILE_DIR  if set, also records Chrome CPU profiles of our pages (and the raw one) there
//   BENCH_CASES        if set, only these cases (comma-separated ids, see CASE_IDS)

import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run scripts/bench`);
  return value;
};

const QUICK = process.env.BENCH_QUICK === '1';
/// Rounds per case: the long Mosquitto floods run twice (A B, then B A), the synthetic ones thrice.
const ROUNDS = QUICK ? { synthetic: 1, mosquitto: 1 } : { synthetic: 3, mosquitto: 2 };
const TOPIC = 'bench/flood';
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/// Messages per run. One packet per frame is frame-bound (~20k msg/s raw), 32 per frame is
/// decode-bound, so the counts keep every run at a few seconds for the slowest client.
const COUNTS = QUICK
  ? { perFrame: 10_000, batched: 32_000, mosquittoQos0: 50_000, mosquittoQos1: 10_000, heap: 200_000 }
  : { perFrame: 50_000, batched: 128_000, mosquittoQos0: 200_000, mosquittoQos1: 50_000, heap: 1_000_000 };
/// MQTT.js decodes 1 KiB packets batched in frames at a few thousand per second: fewer of them.
const BATCHED_1K_SHARE = 2;

const CASE_IDS = [
  'synthetic-1-64', 'synthetic-1-1024', 'synthetic-32-64', 'synthetic-32-1024',
  'mosquitto-qos0', 'mosquitto-qos1', 'mosquitto-qos1-inflight20', 'heap', 'load',
];
/// Page loads per page in the `load` case, which times page load to CONNACK on its own.
const LOAD_ROUNDS = QUICK ? 2 : 7;
const SELECTED = new Set(process.env.BENCH_CASES ? process.env.BENCH_CASES.split(',') : CASE_IDS);
for (const id of SELECTED) {
  if (!CASE_IDS.includes(id)) throw new Error(`unknown case ${id}; the cases are ${CASE_IDS.join(', ')}`);
}

const PAGES = {
  raw: { title: 'raw WebSocket (ceiling)', path: '/_bench/pages/raw.html' },
  rawWorker: { title: 'raw WebSocket in a Worker (ceiling)', path: '/_bench/pages/raw-worker.html' },
  mqttjs: { title: 'MQTT.js 5.16', path: '/_bench/pages/mqttjs.html' },
  mqtt5: { title: 'mqtt5-wasm 2.1.9', path: '/_bench/pages/mqtt5.html' },
  ours: { title: 'our driver + core', path: '/_bench/pages/ours.html' },
  app: { title: 'our full app', path: '/' },
};

// ---------------------------------------------------------------------------------------------
// Small helpers

const median = (values) => percentile(values, 50);
function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}
const log = (text) => process.stderr.write(`${text}\n`);
const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fmt1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
/// Frame intervals, to the precision the isolated pages measure them with.
const fmtFrame = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

// ---------------------------------------------------------------------------------------------
// What the browser loads: the app's dist/ at /, the benchmark's pages and the other clients
// under /_bench/.

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

function staticServer(mounts) {
  const server = http.createServer((request, response) => {
    const urlPath = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    if (urlPath === '/favicon.ico' && !fs.existsSync(path.join(mounts.at(-1)[1], 'favicon.ico'))) {
      response.writeHead(204).end(); // the browser asks on its own; not a broken page
      return;
    }
    const mount = mounts.find(([prefix]) => urlPath.startsWith(prefix));
    let file = mount && path.join(mount[1], urlPath.slice(mount[0].length));
    if (file && !file.startsWith(mount[1])) file = null;
    if (file && fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!file || !fs.existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      // Cross-origin isolation: otherwise Chromium coarsens every timestamp, rAF's included, to
      // 100 µs with random jitter, and an idle page's frame intervals read 16.6 to 16.8 ms.
      // Isolated, they are exact to 5 µs.
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    fs.createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function startSource() {
  const child = spawn(process.execPath, [path.join(here, 'source.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  for await (const line of lines) {
    const match = /^listening (\d+)$/.exec(line);
    if (match) return { child, port: Number(match[1]) };
  }
  throw new Error('the synthetic source exited before listening');
}

// ---------------------------------------------------------------------------------------------
// Feeds: what happens once a page says it is subscribed.

/// The synthetic source floods on SUBSCRIBE by itself.
const syntheticFeed = (port, count, batch, size) => ({
  url: `ws://127.0.0.1:${port}/flood/${count}/${batch}/${size}`,
  qos: 0,
  error: null,
  start: async () => {},
});

/// Mosquitto, fed by its own native publisher reading one message per line. `broker` is the
/// environment's prefix for its ports: BROKER or BROKER_INFLIGHT20.
function mosquittoFeed(count, qos, linesFile, broker = 'BROKER') {
  const feed = {
    url: `ws://127.0.0.1:${env(`${broker}_WS_PORT`)}`,
    qos,
    /// Why the publisher failed, if it did: the run is then reported as failed, not as lost.
    error: null,
    start: () => {
      const input = fs.openSync(linesFile, 'r');
      const publisher = spawn(
        'mosquitto_pub',
        ['-h', '127.0.0.1', '-p', env(`${broker}_TCP_PORT`), '-t', TOPIC, '-q', String(qos), '-M', '1000', '-l'],
        { stdio: [input, 'ignore', 'inherit'] },
      );
      fs.closeSync(input);
      publishers.add(publisher);
      publisher.on('error', (error) => {
        feed.error = `mosquitto_pub: ${error.message}`;
      });
      publisher.on('exit', (code) => {
        publishers.delete(publisher);
        if (code) feed.error ??= `mosquitto_pub exited with status ${code}`;
      });
    },
  };
  return feed;
}
const publishers = new Set();

function writeLines(file, count, size) {
  const line = `${'m'.repeat(size)}\n`;
  fs.writeFileSync(file, line.repeat(count));
}

// ---------------------------------------------------------------------------------------------
// The browser

/// Injected before any page script: records requestAnimationFrame intervals while asked to,
/// keeps a handle on the page's wasm memory, and times the app's way to CONNACK.
const PAGE_INSTRUMENTS = () => {
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

async function launchBrowser() {
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

async function heapBytes(cdp, page) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const wasm = await page.evaluate(() => window.__bench.wasmMemory?.buffer.byteLength ?? 0);
  const { metrics } = await cdp.send('Performance.getMetrics');
  const nodes = metrics.find((m) => m.name === 'Nodes')?.value ?? 0;
  return { js: usedSize, wasm, nodes };
}

async function startProfile(cdp) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
}

async function stopProfile(cdp, name) {
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

/// Runs one benchmark page (raw, mqttjs, mqtt5, ours) on one feed.
async function runClientPage(context, base, name, feed, expected, { profile } = {}) {
  const page = await context.newPage();
  const broken = pageBroken(page);
  try {
    await page.exposeBinding('benchSubscribed', () => feed.start());
    await gotoIsolated(page, base + PAGES[name].path);
    await Promise.race([page.waitForFunction(() => window.benchReady === true), broken]);
    const cdp = profile ? await context.newCDPSession(page) : null;
    if (cdp) await startProfile(cdp);
    const result = await Promise.race([
      page.evaluate((config) => window.runBench(config), { url: feed.url, topic: TOPIC, expected, qos: feed.qos }),
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
async function gotoIsolated(page, url) {
  await page.goto(url);
  if (!(await page.evaluate(() => self.crossOriginIsolated))) {
    throw new Error(`${url} is not cross-origin isolated: its timestamps would be coarsened`);
  }
}

/// Page load to CONNACK of the runs that have one: the pages time it themselves, the app's is
/// taken through its controls (runApp).
const connackTimes = (name, runs) => runs.map((r) => (name === 'app' ? r.loadToConnack : r.connackAt)).filter((t) => t > 0);

function frameStats(intervals) {
  return { frameP50: percentile(intervals, 50), frameP95: percentile(intervals, 95), frames: intervals.length };
}

function measured(result, expected) {
  const seconds = (result.lastAt - result.firstAt) / 1000;
  return {
    ...result,
    expected,
    complete: result.count === expected,
    // The first message starts the clock, so it is not counted in the rate.
    rate: result.count > 1 && seconds > 0 ? (result.count - 1) / seconds : NaN,
  };
}

/// Drives the full app through its labelled controls; counts what its subscription shows.
async function runApp(context, base, feed, expected, { frames = false, heap = false, profile } = {}) {
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await gotoIsolated(page, base + PAGES.app.path);
    await page.getByLabel('Broker URL').fill(feed.url);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.locator('[data-status="connected"]').waitFor({ timeout: 10_000 });
    const timing = await page.evaluate(() => ({ ...window.__bench, frames: undefined, wasmMemory: undefined }));
    const loadToConnack = timing.readyAt + (timing.connectedAt - timing.clickAt);
    const loadToReady = timing.readyAt;
    await page.getByLabel('Topic filter').fill(TOPIC);
    const before = heap ? await heapBytes(cdp, page) : null;
    if (profile) await startProfile(cdp);
    await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
    const subscription = page.locator('.subscription', { hasText: TOPIC });
    await subscription.locator('.sub-status', { hasText: /^QoS \d$/ }).waitFor({ timeout: 10_000 });
    await page.evaluate(() => { window.__bench.frames.recording = true; });
    await feed.start();
    // Counted in the page once per frame, where the count is rendered.
    const result = await page.evaluate(
      ({ expected }) =>
        new Promise((resolve) => {
          const STALL_MS = 5000;
          const counter = document.querySelector('.subscription .sub-count');
          let count = 0;
          let firstAt = 0;
          let lastAt = 0;
          let changedAt = performance.now();
          const check = () => {
            const now = performance.now();
            const shown = Number(counter.textContent);
            if (shown !== count) {
              if (count === 0) firstAt = now;
              count = shown;
              lastAt = now;
              changedAt = now;
            }
            if (count >= expected || now - changedAt > STALL_MS) {
              window.__bench.frames.recording = false;
              resolve({ count, firstAt, lastAt });
            } else {
              requestAnimationFrame(check);
            }
          };
          requestAnimationFrame(check);
        }),
      { expected },
    );
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

// ---------------------------------------------------------------------------------------------
// The plan: every case runs its pages in turn, in a different order each round.

async function runCase(label, names, rounds, runOne) {
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    // A B C, C B A, B C A, …: every page sees every position and neighbour.
    const shift = Math.floor(round / 2);
    const order = names.map((_, i) => names[(i + shift) % names.length]);
    if (round % 2) order.reverse();
    for (const name of order) {
      const result = await runOne(name, round);
      runs[name].push(result);
      log(`  ${label} · ${PAGES[name].title} · round ${round + 1}: ${describeRun(result)}`);
    }
  }
  return runs;
}

function describeRun(run) {
  if (run.error) return `failed: ${run.error}`;
  if (!run.complete) return `LOST ${run.expected - run.count} of ${run.expected} messages`;
  let text = `${fmtInt(run.rate)} msg/s`;
  if (Number.isFinite(run.frameP95)) text += `, frames p50 ${fmtFrame(run.frameP50)} ms p95 ${fmtFrame(run.frameP95)} ms`;
  const connack = run.loadToConnack ?? run.connackAt;
  if (connack > 0) text += `, load to CONNACK ${fmt1(connack)} ms`;
  return text;
}

async function guarded(run) {
  try {
    return await run();
  } catch (error) {
    return { error: String(error.message ?? error).split('\n')[0], complete: false, rate: NaN };
  }
}

/// The median rate over the runs that received every message, or null if none did.
function summary(runs) {
  const complete = runs.filter((run) => run.complete);
  return {
    rate: complete.length ? median(complete.map((run) => run.rate)) : NaN,
    complete: complete.length,
    total: runs.length,
    lost: runs.filter((run) => !run.complete && !run.error).map((run) => run.expected - run.count),
    errors: runs.filter((run) => run.error).map((run) => run.error),
  };
}

function describeSummary(s) {
  if (s.complete === 0) {
    if (s.lost.length) return `lost messages in every run (${s.lost.map(fmtInt).join(', ')} missing)`;
    return `failed (${s.errors[0] ?? 'no run'})`;
  }
  let text = fmtInt(s.rate);
  if (s.complete < s.total) text += ` (${s.total - s.complete} of ${s.total} runs lost messages or failed)`;
  return text;
}

// ---------------------------------------------------------------------------------------------
// Sizes: what the browser downloads, gzip-compressed file by file.

function gzipSize(file) {
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
}

function treeFiles(directory) {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? treeFiles(full) : [full];
  });
}

function sizes() {
  const dist = env('BENCH_DIST_FOR_SIZES');
  const distFiles = treeFiles(dist).map((file) => ({
    file: path.relative(dist, file),
    raw: fs.statSync(file).size,
    gzip: gzipSize(file),
  }));
  const mqttjs = path.join(here, 'node_modules/mqtt/dist/mqtt.min.js');
  const mqtt5 = env('BENCH_MQTT5_PKG');
  const mqtt5Files = ['mqtt5_wasm_page_bg.wasm', 'mqtt5_wasm_page.js'].map((name) => path.join(mqtt5, name));
  return {
    dist: distFiles,
    distGzip: distFiles.reduce((sum, f) => sum + f.gzip, 0),
    mqttjsGzip: gzipSize(mqttjs),
    mqtt5Gzip: mqtt5Files.reduce((sum, file) => sum + gzipSize(file), 0),
  };
}

// ---------------------------------------------------------------------------------------------
// The report

function machine(chromiumVersion) {
  return {
    loadAtStart: os.loadavg()[0].toFixed(2),
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()}`,
    chromium: chromiumVersion,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

function verdict(met, detail) {
  if (met === null) return `not measured${detail ? `: ${detail}` : ''}`;
  return `${met ? '**met**' : '**not met**'}${detail ? ` (${detail})` : ''}`;
}

const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
const pct = (r) => (Number.isFinite(r) ? `${(r * 100).toFixed(1)} %` : 'n/a');
const times = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a');

function report({ host, results, sizeInfo, codec, broker }) {
  const lines = [];
  const push = (...text) => lines.push(...text);
  push(
    '# Benchmarks',
    '',
    'Written by `scripts/bench`; every figure below was measured by the run described here. Do not',
    'edit by hand: run `scripts/bench` (about 10 minutes; `scripts/bench --quick` for a smoke run).',
    '',
    '## Machine',
    '',
    `- ${host.cores} cores (${host.cpu}), ${host.memory} memory, ${host.os}`,
    `- Chromium ${host.chromium}, headless (${CHROMIUM_FLAGS.join(' ')}), fresh profile`,
    '- every page is served cross-origin isolated (COOP same-origin, COEP require-corp), so its timestamps are exact to 5 µs; otherwise Chromium coarsens them to 0.1 ms with jitter, and an idle page\'s frame intervals read 16.6 to 16.8 ms',
    `- Node ${host.node}; run at ${host.date}${QUICK ? ' with `--quick` (fewer messages, one round)' : ''}`,
    `- load average (1 min) ${host.loadAtStart} when the pages started, ${os.loadavg()[0].toFixed(2)} when they ended: anything else running on the ${host.cores} cores slows every page, so compare the ratios within this run rather than the absolute figures across runs`,
    `- each case runs its pages in turn, the order changing each round (A B C, C B A, B C A): ${ROUNDS.synthetic} round(s) on the synthetic source, ${ROUNDS.mosquitto} through Mosquitto; figures are medians`,
    '',
    'Throughput is messages per second from the first message to the last, as counted by the page.',
    'A run that did not count every message is reported as lost, never as a figure.',
    '',
  );

  push('## Throughput (messages per second)', '');
  const caseIds = Object.keys(results.cases);
  const names = ['raw', 'rawWorker', 'mqttjs', 'mqtt5', 'ours', 'app'];
  push(`| case | ${names.map((n) => PAGES[n].title).join(' | ')} |`, `|---|${names.map(() => '---:').join('|')}|`);
  for (const id of caseIds) {
    const c = results.cases[id];
    const cells = names.map((name) => (c.runs[name] ? describeSummary(summary(c.runs[name])) : '—'));
    push(`| ${c.label} | ${cells.join(' | ')} |`);
  }
  push('');

  push('## Frame intervals while the flood runs (p95, ms)', '',
    'requestAnimationFrame intervals from SUBACK to the last message, p95 per run, median over the complete runs: how long the page could not paint.', '',
    `| case | ${names.map((n) => PAGES[n].title).join(' | ')} |`, `|---|${names.map(() => '---:').join('|')}|`);
  for (const id of caseIds) {
    const c = results.cases[id];
    const cells = names.map((name) => {
      const complete = (c.runs[name] ?? []).filter((run) => run.complete && run.frames > 0);
      return complete.length ? fmtFrame(median(complete.map((run) => run.frameP95))) : '—';
    });
    push(`| ${c.label} | ${cells.join(' | ')} |`);
  }
  push('');

  const rate = (id, name) => (results.cases[id]?.runs[name] ? summary(results.cases[id].runs[name]).rate : NaN);
  const targets = [];

  // Our driver reads the socket in a Worker, so the ceiling is the faster of the two raw pages.
  const ceiling = (id) => Math.max(rate(id, 'raw') || 0, rate(id, 'rawWorker') || 0) || NaN;
  const frameBound = (id, where) => {
    const r = ratio(rate(id, 'ours'), ceiling(id));
    targets.push([
      `one packet per frame, ${where}: driver+core ≥ 95 % of the raw ceiling (the faster raw page)`,
      verdict(Number.isFinite(r) ? r >= 0.95 : null,
        `${pct(r)} of the faster; ${pct(ratio(rate(id, 'ours'), rate(id, 'raw')))} of raw on the page's thread, ${pct(ratio(rate(id, 'ours'), rate(id, 'rawWorker')))} of raw in a Worker`),
    ]);
  };
  frameBound('synthetic-1-64', 'synthetic source, 64 B');
  frameBound('synthetic-1-1024', 'synthetic source, 1 KiB');
  frameBound('mosquitto-qos0', 'through Mosquitto, QoS 0');
  for (const id of ['synthetic-32-64', 'synthetic-32-1024']) {
    const vsMqttjs = ratio(rate(id, 'ours'), rate(id, 'mqttjs'));
    const vsMqtt5 = ratio(rate(id, 'ours'), rate(id, 'mqtt5'));
    const both = Number.isFinite(vsMqttjs) && Number.isFinite(vsMqtt5);
    targets.push([
      `32 packets per frame, ${id.endsWith('-64') ? '64 B' : '1 KiB'}: driver+core ≥ 5× MQTT.js and ahead of mqtt5-wasm`,
      verdict(both ? vsMqttjs >= 5 && vsMqtt5 > 1 : null, `${times(vsMqttjs)} MQTT.js, ${times(vsMqtt5)} mqtt5-wasm`),
    ]);
  }

  const appRuns = results.cases['mosquitto-qos0']?.runs.app ?? [];
  const appComplete = appRuns.filter((r) => r.complete);
  const p95 = median(appComplete.map((r) => r.frameP95));
  const p50 = median(appComplete.map((r) => r.frameP50));
  targets.push([
    'full app at the Mosquitto ceiling: p95 frame ≤ 16.7 ms while the flood runs, every message counted',
    verdict(
      appRuns.length ? appComplete.length === appRuns.length && p95 <= 16.7 : null,
      `p50 ${fmtFrame(p50)} ms, p95 ${fmtFrame(p95)} ms; ${appComplete.length} of ${appRuns.length} runs counted every message`,
    ),
  ]);

  const heap = results.heap;
  if (heap && !heap.error) {
    const growth = heap.heapAfter.js - heap.heapBefore.js + (heap.heapAfter.wasm - heap.heapBefore.wasm);
    targets.push([
      `heap growth ≤ 50 MB over ${fmtInt(heap.expected)} messages, default history bound`,
      verdict(heap.complete ? growth <= 50e6 : false,
        `${(growth / 1e6).toFixed(1)} MB (JS heap ${mib(heap.heapBefore.js)} → ${mib(heap.heapAfter.js)}, wasm memory ${mib(heap.heapBefore.wasm)} → ${mib(heap.heapAfter.wasm)})${heap.complete ? '' : `; LOST ${fmtInt(heap.expected - heap.count)} messages`}`),
    ]);
  } else {
    targets.push(['heap growth ≤ 50 MB over 1,000,000 messages', verdict(null, heap?.error ?? 'not run')]);
  }

  targets.push([
    'everything the browser downloads ≤ 150 KB gzip',
    verdict(sizeInfo.distGzip <= 150_000, `${(sizeInfo.distGzip / 1000).toFixed(1)} KB`),
  ]);

  if (codec?.length) {
    const slowest = codec.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    targets.push([
      'native codec ≥ 5× mqtt-packet, same packets, same run (every packet, decode and encode)',
      verdict(slowest.ratio >= 5, `lowest ${times(slowest.ratio)}, ${slowest.bench}`),
    ]);
  } else {
    targets.push(['native codec ≥ 5× mqtt-packet, same packets, same run', verdict(null, 'the codec comparison (crates/mqtt-core/benches + bench/mqtt-packet) is not wired in yet')]);
  }

  // On the synthetic source: Mosquitto 2.0's WebSocket listener answers the upgrade request
  // about 200 ms late whoever asks (see the table of the other pages), which is not the page's.
  // Timed by the `load` case's own page loads when it ran, else by the memory run's one.
  const appLoads = connackTimes('app', results.load?.app ?? (heap ? [heap] : []));
  const syntheticLoad = median(appLoads);
  const mosquittoLoad = median(connackTimes('app', appRuns));
  targets.push([
    'page load to CONNACK on loopback ≤ 150 ms (full app, synthetic source)',
    verdict(Number.isFinite(syntheticLoad) ? syntheticLoad <= 150 : null,
      `${fmt1(syntheticLoad)} ms, median of ${appLoads.length} load${appLoads.length === 1 ? '' : 's'}; through Mosquitto ${fmt1(mosquittoLoad)} ms, its WebSocket handshake included`),
  ]);

  push('## Targets', '', '| target | result |', '|---|---|', ...targets.map(([t, v]) => `| ${t} | ${v} |`), '');

  push('## Ratios', '', '| case | driver+core / raw | driver+core / raw in a Worker | driver+core / MQTT.js | driver+core / mqtt5-wasm | full app / raw | full app / raw in a Worker |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const id of caseIds) {
    const ours = rate(id, 'ours');
    const app = rate(id, 'app');
    push(`| ${results.cases[id].label} | ${pct(ratio(ours, rate(id, 'raw')))} | ${pct(ratio(ours, rate(id, 'rawWorker')))} | ${times(ratio(ours, rate(id, 'mqttjs')))} | ${times(ratio(ours, rate(id, 'mqtt5')))} | ${pct(ratio(app, rate(id, 'raw')))} | ${pct(ratio(app, rate(id, 'rawWorker')))} |`);
  }
  push('');

  push('## The full app under the Mosquitto flood', '');
  if (appRuns.length) {
    const heapCell = (r) => (r.heapBefore && r.heapAfter
      ? `${mib(r.heapBefore.js)} → ${mib(r.heapAfter.js)} | ${mib(r.heapBefore.wasm)} → ${mib(r.heapAfter.wasm)}`
      : '— | —');
    push('| round | msg/s | counted | frame p50 | frame p95 | frames | JS heap | wasm memory | page load to CONNACK | of which: load to Connect button |', '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    appRuns.forEach((r, i) => push(`| ${i + 1} | ${r.complete ? fmtInt(r.rate) : 'LOST'} | ${fmtInt(r.count)} of ${fmtInt(r.expected)} | ${fmtFrame(r.frameP50)} ms | ${fmtFrame(r.frameP95)} ms | ${fmtInt(r.frames)} | ${heapCell(r)} | ${fmt1(r.loadToConnack)} ms | ${fmt1(r.loadToReady)} ms |`));
    push('', 'Frame times are requestAnimationFrame intervals recorded by an injected script from SUBACK to the last message. Heaps are measured after a forced garbage collection, before SUBSCRIBE and after the last message. Page load to CONNACK is the time from navigation to the Connect button existing, plus the time from the click to the status turning connected (the robot\'s typing in between is not counted).', '');
  } else {
    push('Not run.', '');
  }

  push('## Page load to CONNACK of every page', '', `Navigation start to CONNACK, median of every run, from the synthetic source (which answers at once) and through Mosquitto. The benchmark pages time it themselves; the full app is timed as above. On the synthetic source, the load case adds ${LOAD_ROUNDS} loads each of the raw page, our driver + core and the full app, in turn, with a 320-message subscription, after one uncounted round that warms the freshly started browser. The difference between the columns is mostly Mosquitto 2.0's WebSocket listener, which answers the upgrade request about 200 ms after it arrives, whichever client asks.`, '');
  const connacks = {};
  for (const id of caseIds) {
    const source = id.startsWith('synthetic') ? 'synthetic' : 'mosquitto';
    for (const [name, runs] of Object.entries(results.cases[id].runs)) {
      const times = connackTimes(name, runs);
      connacks[name] ??= { synthetic: [], mosquitto: [] };
      connacks[name][source].push(...times);
    }
  }
  for (const [name, runs] of Object.entries(results.load ?? {})) {
    connacks[name] ??= { synthetic: [], mosquitto: [] };
    connacks[name].synthetic.push(...connackTimes(name, runs));
  }
  if (!results.load && appLoads.length) {
    connacks.app ??= { synthetic: [], mosquitto: [] };
    connacks.app.synthetic.push(...appLoads);
  }
  push('| page | synthetic source, ms | through Mosquitto, ms |', '|---|---:|---:|',
    ...Object.entries(connacks).map(([n, v]) => `| ${PAGES[n].title} | ${fmt1(median(v.synthetic))} | ${fmt1(median(v.mosquitto))} |`), '');

  if (heap && !heap.error) {
    push('## Memory', '', `The full app, default history bound, ${fmtInt(heap.expected)} messages from the synthetic source (32 per frame, 64 B); heaps after a forced garbage collection.`, '',
      '| | before | after |', '|---|---:|---:|',
      `| JS heap used | ${mib(heap.heapBefore.js)} | ${mib(heap.heapAfter.js)} |`,
      `| wasm linear memory | ${mib(heap.heapBefore.wasm)} | ${mib(heap.heapAfter.wasm)} |`,
      `| DOM nodes | ${fmtInt(heap.heapBefore.nodes)} | ${fmtInt(heap.heapAfter.nodes)} |`,
      '', `Messages counted: ${fmtInt(heap.count)} of ${fmtInt(heap.expected)}${heap.complete ? '' : ' (LOST)'}; ${fmtInt(heap.rate)} msg/s.`, '');
  }

  push('## Download size (gzip -9, file by file)', '', '| what | gzip |', '|---|---:|',
    `| our app: everything in the release \`dist/\` | ${kib(sizeInfo.distGzip)} |`,
    ...sizeInfo.dist.map((f) => `| &nbsp;&nbsp;${f.file} (${kib(f.raw)} raw) | ${kib(f.gzip)} |`),
    `| MQTT.js 5.16 \`dist/mqtt.min.js\` alone | ${kib(sizeInfo.mqttjsGzip)} |`,
    `| mqtt5-wasm 2.1.9: wasm + JS glue (cargo release, wasm-bindgen; no wasm-opt) | ${kib(sizeInfo.mqtt5Gzip)} |`, '');

  push('## Native codec beside mqtt-packet', '');
  if (codec?.length) {
    push(`\`bench/codec-vs-mqtt-packet.sh\` ran \`crates/mqtt-core/benches/codec.rs\` (criterion, native, cargo's bench profile: opt-level 3, where the app's wasm is built for size) and \`bench/mqtt-packet/bench.js\` (mqtt-packet 9.0.2) in turn, ${codec[0].rounds} round(s), on the same packet bytes, which the Rust bench wrote. Both count packets per second of CPU time (the measuring thread's for Rust, the whole process's for Node), not of wall time, so that other work on the machine does not decide the ratio; figures are medians over the rounds. Decoding feeds 1,000 packets at once.`, '',
      `| measurement | mqtt-core packets/s | mqtt-packet packets/s (Node ${process.version}) | ratio |`, '|---|---:|---:|---:|',
      ...codec.map((row) => `| ${row.bench} | ${fmtInt(row.ours)} | ${fmtInt(row.mqttPacket)} | ${times(row.ratio)} |`), '');
  } else {
    push('Not measured in this run: see the target above.', '');
  }

  push('## How the sources work', '',
    '- **Synthetic source** (`bench/source.mjs`, Node `ws`): answers CONNECT with CONNACK in the version asked for and SUBSCRIBE with SUBACK, then sends pre-encoded QoS 0 PUBLISH packets, 1 or 32 per WebSocket frame, as fast as the page reads them (it keeps at most 1 MiB unwritten).',
    `- **Mosquitto** ${broker.version}, started for the run with \`max_queued_messages 0\` and \`max_inflight_messages 0\` so that nothing is dropped, fed over TCP by \`mosquitto_pub -l\` (one message per line, 64 B payloads, \`-M 1000\` in flight at QoS 1); for the "default in-flight limit" case, a second one that keeps Mosquitto's default of 20 unacknowledged QoS 1 messages per client, so that the client's acknowledgement latency bounds the rate. ${broker.dropped ? `**Their logs reported dropped messages:** ${broker.dropped}` : 'Their logs reported no dropped messages.'}`,
    '- **Pages**: the raw pages only cut frames into packets and count PUBLISH (answering PUBACK at QoS 1), one with the WebSocket on the page\'s thread, one with it in a Worker that posts its counts to the page (our driver reads its socket in a Worker too, so the former is no longer the ceiling); MQTT.js and mqtt5-wasm count their message callbacks; our driver + core counts the messages the real driver hands over (`bench` feature); the full app is driven through its labelled controls and its subscription\'s message counter is read once per frame.',
    '');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

/// bench/codec-vs-mqtt-packet.sh's rows: medians of mqtt-core and mqtt-packet per measurement.
function codecResults() {
  const file = process.env.BENCH_CODEC;
  if (!file || !fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function brokerCheck() {
  const text = (process.env.BROKER_LOGS ?? '').split(' ').filter((file) => fs.existsSync(file))
    .map((file) => fs.readFileSync(file, 'utf8')).join('\n');
  const dropped = text.split('\n').filter((line) => /dropp/i.test(line));
  let version = '';
  try {
    version = execFileSync('/usr/sbin/mosquitto', ['-h'], { encoding: 'utf8' }).split('\n')[0];
  } catch (error) {
    version = String(error.stdout ?? '').split('\n')[0];
  }
  return { version: version.replace(/^mosquitto version /, ''), dropped: dropped.length ? `${dropped.length} lines, e.g. "${dropped[0].trim()}"` : '' };
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const server = await staticServer([
    ['/_bench/pages/', path.join(here, 'pages')],
    ['/_bench/vendor/', path.join(here, 'node_modules/mqtt/dist')],
    ['/_bench/mqtt5/', env('BENCH_MQTT5_PKG')],
    ['/_bench/ours/', env('BENCH_OURS_PKG')],
    ['/', env('BENCH_DIST')],
  ]);
  const base = `http://127.0.0.1:${server.address().port}`;
  const source = await startSource();
  let browser;
  const cleanUp = () => {
    source.child.kill();
    for (const publisher of publishers) publisher.kill();
    server.close();
  };
  process.on('exit', cleanUp);
  try {
    browser = await launchBrowser();
    const { context } = browser;
    const versionPage = await context.newPage();
    const { product } = await (await context.newCDPSession(versionPage)).send('Browser.getVersion');
    await versionPage.close();
    const host = machine(product.replace(/^(Headless)?Chrome\//, ''));
    log(`Chromium ${host.chromium}, ${host.cores} cores${QUICK ? ', quick' : ''}`);

    const results = { cases: {} };
    const clientPages = ['raw', 'rawWorker', 'mqttjs', 'mqtt5', 'ours'];
    const profileDir = process.env.BENCH_PROFILE_DIR;
    // First, while nothing has run yet: a page load right after a flood would also time the
    // flood's leftovers (the last page's teardown, the brokers' queues, the load they leave).
    if (SELECTED.has('load')) {
      const label = 'load: page load to CONNACK, synthetic source';
      log(label);
      const count = 320; // ten frames: enough to see the subscription work, not a flood
      const load = (name) => guarded(() => (name === 'app'
        ? runApp(browser.context, base, syntheticFeed(source.port, count, 32, 64), count)
        : runClientPage(browser.context, base, name, syntheticFeed(source.port, count, 32, 64), count)));
      // A freshly started browser is slow for every page at first (its first loads ran 50 to
      // 100 ms behind the later ones): one round to warm it, not counted.
      await runCase(`${label} (warm-up, not counted)`, ['raw', 'ours', 'app'], 1, load);
      results.load = await runCase(label, ['raw', 'ours', 'app'], LOAD_ROUNDS, load);
    }

    for (const [batch, size] of [[1, 64], [1, 1024], [32, 64], [32, 1024]]) {
      const id = `synthetic-${batch}-${size}`;
      if (!SELECTED.has(id)) continue;
      const count = batch === 1 ? COUNTS.perFrame : size > 64 ? COUNTS.batched / BATCHED_1K_SHARE : COUNTS.batched;
      const label = `synthetic, ${batch} packet${batch > 1 ? 's' : ''}/frame, ${size === 64 ? '64 B' : '1 KiB'}, ${fmtInt(count)} msgs`;
      log(label);
      const runs = await runCase(label, clientPages, ROUNDS.synthetic, (name, round) =>
        guarded(() => runClientPage(browser.context, base, name, syntheticFeed(source.port, count, batch, size), count, {
          profile: profileDir && round === 0 && (name === 'ours' || name === 'raw') ? `${id}-${name}` : undefined,
        })));
      results.cases[id] = { label, runs };
    }

    const qos0Lines = path.join(tmp, 'qos0.txt');
    writeLines(qos0Lines, COUNTS.mosquittoQos0, 64);
    const qos0Label = `Mosquitto, QoS 0, 64 B, ${fmtInt(COUNTS.mosquittoQos0)} msgs`;
    if (SELECTED.has('mosquitto-qos0')) log(qos0Label);
    if (SELECTED.has('mosquitto-qos0')) results.cases['mosquitto-qos0'] = {
      label: qos0Label,
      runs: await runCase(qos0Label, [...clientPages, 'app'], ROUNDS.mosquitto, (name, round) => {
        const feed = mosquittoFeed(COUNTS.mosquittoQos0, 0, qos0Lines);
        const profile = profileDir && round === 0 && ['raw', 'ours', 'app'].includes(name) ? `mosquitto-qos0-${name}` : undefined;
        return guarded(() => (name === 'app'
          ? runApp(browser.context, base, feed, COUNTS.mosquittoQos0, { frames: true, heap: true, profile })
          : runClientPage(browser.context, base, name, feed, COUNTS.mosquittoQos0, { profile })));
      }),
    };

    const qos1Lines = path.join(tmp, 'qos1.txt');
    writeLines(qos1Lines, COUNTS.mosquittoQos1, 64);
    const qos1Label = `Mosquitto, QoS 1, 64 B, ${fmtInt(COUNTS.mosquittoQos1)} msgs`;
    if (SELECTED.has('mosquitto-qos1')) log(qos1Label);
    if (SELECTED.has('mosquitto-qos1')) results.cases['mosquitto-qos1'] = {
      label: qos1Label,
      runs: await runCase(qos1Label, clientPages, ROUNDS.mosquitto, (name) =>
        guarded(() => runClientPage(browser.context, base, name, mosquittoFeed(COUNTS.mosquittoQos1, 1, qos1Lines), COUNTS.mosquittoQos1))),
    };
    const inflightLabel = `Mosquitto, QoS 1, 64 B, default in-flight limit (20), ${fmtInt(COUNTS.mosquittoQos1)} msgs`;
    if (SELECTED.has('mosquitto-qos1-inflight20')) log(inflightLabel);
    if (SELECTED.has('mosquitto-qos1-inflight20')) results.cases['mosquitto-qos1-inflight20'] = {
      label: inflightLabel,
      runs: await runCase(inflightLabel, clientPages, ROUNDS.mosquitto, (name) =>
        guarded(() => runClientPage(browser.context, base, name,
          mosquittoFeed(COUNTS.mosquittoQos1, 1, qos1Lines, 'BROKER_INFLIGHT20'), COUNTS.mosquittoQos1))),
    };

    if (SELECTED.has('heap')) {
      log(`heap: the full app, ${fmtInt(COUNTS.heap)} messages`);
      results.heap = await guarded(() =>
        runApp(browser.context, base, syntheticFeed(source.port, COUNTS.heap, 32, 64), COUNTS.heap, { heap: true }));
      log(`  heap: ${describeRun(results.heap)}`);
    }

    const text = report({ host, results, sizeInfo: sizes(), codec: codecResults(), broker: brokerCheck() });
    fs.mkdirSync(path.dirname(env('BENCH_OUT')), { recursive: true });
    fs.writeFileSync(env('BENCH_OUT'), `${text}\n`);
    fs.writeFileSync(path.join(tmp, 'results.json'), JSON.stringify(results, null, 1));
    log(`wrote ${env('BENCH_OUT')} (raw results: ${path.join(tmp, 'results.json')})`);
  } finally {
    if (browser) {
      await browser.context.close();
      fs.rmSync(browser.userDataDir, { recursive: true, force: true });
    }
    cleanUp();
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
await main();
