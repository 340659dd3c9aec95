// The cases, in the order a run runs them: `--cases` (BENCH_CASES) picks some by id, and
// `node bench/run.mjs --list` prints this table. Each case's `run` gets the run's `bench`
// ({ context, base, source, plan, profileDir, tmp, results }) and puts what it measured in
// `bench.results`: a throughput case under `results.cases[id]` ({ label, runs }), `load`,
// `heap` and `explorer` under their own names, as the report reads them.

import fs from 'node:fs';
import path from 'node:path';

import { BATCHED_1K_SHARE } from './config.mjs';
import { mosquittoFeed, retainedFeed, syntheticFeed, writeLines } from './feeds.mjs';
import { runApp, runClientPage } from './browser.mjs';
import { enginesCase } from './engines.mjs';
import { runExplorer } from './explorer.mjs';
import { fmt1, fmtFrame, fmtInt, log, mb } from './format.mjs';
import { describeRun, guarded, runCase } from './plan.mjs';
import { CURVES } from './curves.mjs';
import { droppedLines, loadRetained, plantTopics, startBroker, stopBroker, stream } from './retained.mjs';

const CLIENT_PAGES = ['raw', 'rawWorker', 'mqttjs', 'mqtt5', 'ours'];

export const CASES = [
  {
    id: 'load',
    description: 'page load to CONNACK of the raw page, our driver + core and the full app, synthetic source (run first, on a fresh browser)',
    run: loadCase,
  },
  ...[[1, 64], [1, 1024], [32, 64], [32, 1024]].map(([batch, size]) => ({
    id: `synthetic-${batch}-${size}`,
    description: `every client page on the synthetic source, ${batch} packet${batch > 1 ? 's' : ''} per frame, ${size} B payloads${batch > 1 ? ', and the full app' : ''}`,
    run: (bench) => syntheticCase(bench, batch, size),
  })),
  {
    id: 'mosquitto-qos0',
    description: 'every client page and the full app through Mosquitto, QoS 0, 64 B',
    run: mosquittoQos0Case,
  },
  {
    id: 'mosquitto-qos1',
    description: 'every client page through Mosquitto, QoS 1, 64 B, no in-flight limit',
    run: (bench) => mosquittoQos1Case(bench, 'mosquitto-qos1', 'BROKER'),
  },
  {
    id: 'mosquitto-qos1-inflight20',
    description: "every client page through a second Mosquitto with its default in-flight limit (20), QoS 1, 64 B",
    run: (bench) => mosquittoQos1Case(bench, 'mosquitto-qos1-inflight20', 'BROKER_INFLIGHT20'),
  },
  {
    id: 'heap',
    description: 'the full app on a long synthetic flood: JS heap and wasm memory before and after',
    run: heapCase,
  },
  ...CURVES.map((curve) => ({
    id: curve.id,
    description: `the full app on the synthetic source against ${curve.against} (${curve.points.map(curve.show).join(', ')})`,
    run: (bench) => curveCase(bench, curve),
  })),
  {
    id: 'engines',
    description: 'Firefox ESR and WebKitGTK through WebDriver: the raw page, MQTT.js, our driver + core and the full app on the synthetic source (32 packets per frame, 64 B), frames, and page load to CONNACK',
    run: enginesCase,
  },
  {
    id: 'explorer-100k',
    description: "the topic tree on a Mosquitto of its own holding 100,000 retained topics (10,000 with --quick), beside the raw pages: receive time, frames, a deep topic found, a 1,000 msg/s stream, memory",
    run: explorerCase,
  },
];

/// The cases named in `list` (comma-separated ids), all if it is empty, in the table's order.
export function selectCases(list) {
  if (!list) return CASES;
  const ids = list.split(',');
  for (const id of ids) {
    if (!CASES.some((c) => c.id === id)) throw new Error(`unknown case ${id}; the cases are ${CASES.map((c) => c.id).join(', ')}`);
  }
  return CASES.filter((c) => ids.includes(c.id));
}

// First, while nothing has run yet: a page load right after a flood would also time the flood's
// leftovers (the last page's teardown, the brokers' queues, the load they leave).
async function loadCase({ context, base, source, plan, results }) {
  const label = 'load: page load to CONNACK, synthetic source';
  log(label);
  const count = 320; // ten frames: enough to see the subscription work, not a flood
  const load = (name) => guarded(() => (name === 'app'
    ? runApp(context, base, syntheticFeed(source.port, count, 32, 64), count)
    : runClientPage(context, base, name, syntheticFeed(source.port, count, 32, 64), count)));
  // A freshly started browser is slow for every page at first (its first loads ran 50 to
  // 100 ms behind the later ones): one round to warm it, not counted.
  await runCase(`${label} (warm-up, not counted)`, ['raw', 'ours', 'app'], 1, load);
  results.load = await runCase(label, ['raw', 'ours', 'app'], plan.loadRounds, load);
}

// Decode-bound (32 packets per frame), the full app runs too: its frames show whether the views
// keep up where the driver is fastest.
async function syntheticCase({ context, base, source, plan, profileDir, results }, batch, size) {
  const id = `synthetic-${batch}-${size}`;
  const { counts } = plan;
  const count = batch === 1 ? counts.perFrame : size > 64 ? counts.batched / BATCHED_1K_SHARE : counts.batched;
  const label = `synthetic, ${batch} packet${batch > 1 ? 's' : ''}/frame, ${size === 64 ? '64 B' : '1 KiB'}, ${fmtInt(count)} msgs`;
  log(label);
  const names = batch > 1 ? [...CLIENT_PAGES, 'app'] : CLIENT_PAGES;
  const runs = await runCase(label, names, plan.rounds.synthetic, (name, round) => {
    const feed = syntheticFeed(source.port, count, batch, size);
    const profile = profileDir && round === 0 && ['raw', 'ours', 'app'].includes(name) ? `${id}-${name}` : undefined;
    return guarded(() => (name === 'app'
      ? runApp(context, base, feed, count, { frames: true, profile })
      : runClientPage(context, base, name, feed, count, { profile })));
  });
  results.cases[id] = { label, runs };
}

async function curveCase({ context, base, source, plan, results }, curve) {
  const label = `full app against ${curve.against}`;
  log(label);
  const points = [];
  for (const x of curve.points) {
    // Twice the batched cases' count: the app counts once per frame, and a curve's point
    // should span enough frames for its rate.
    const { feed, count, others } = curve.feed(source.port, 2 * plan.counts.batched, x);
    const pointLabel = `${label}: ${curve.show(x)}, ${fmtInt(count)} msgs`;
    const { app: runs } = await runCase(pointLabel, ['app'], plan.rounds.curves, () =>
      guarded(() => runApp(context, base, feed, count, { frames: true, others })));
    points.push({ x, count, runs });
  }
  results.curves ??= {};
  results.curves[curve.id] = { label, points };
}

/// The file mosquitto_pub reads for `count` messages of 64 B, written once per run.
function linesFile(tmp, count) {
  const file = path.join(tmp, `lines-${count}.txt`);
  if (!fs.existsSync(file)) writeLines(file, count, 64);
  return file;
}

async function mosquittoQos0Case({ context, base, plan, profileDir, tmp, results }) {
  const count = plan.counts.mosquittoQos0;
  const lines = linesFile(tmp, count);
  const label = `Mosquitto, QoS 0, 64 B, ${fmtInt(count)} msgs`;
  log(label);
  results.cases['mosquitto-qos0'] = {
    label,
    runs: await runCase(label, [...CLIENT_PAGES, 'app'], plan.rounds.mosquitto, (name, round) => {
      const feed = mosquittoFeed(count, 0, lines);
      const profile = profileDir && round === 0 && ['raw', 'ours', 'app'].includes(name) ? `mosquitto-qos0-${name}` : undefined;
      return guarded(() => (name === 'app'
        ? runApp(context, base, feed, count, { frames: true, heap: true, profile })
        : runClientPage(context, base, name, feed, count, { profile })));
    }),
  };
}

/// `broker`: the environment's prefix for the ports of the Mosquitto to go through.
async function mosquittoQos1Case({ context, base, plan, tmp, results }, id, broker) {
  const count = plan.counts.mosquittoQos1;
  const lines = linesFile(tmp, count);
  const label = broker === 'BROKER'
    ? `Mosquitto, QoS 1, 64 B, ${fmtInt(count)} msgs`
    : `Mosquitto, QoS 1, 64 B, default in-flight limit (20), ${fmtInt(count)} msgs`;
  log(label);
  results.cases[id] = {
    label,
    runs: await runCase(label, CLIENT_PAGES, plan.rounds.mosquitto, (name) =>
      guarded(() => runClientPage(context, base, name, mosquittoFeed(count, 1, lines, broker), count))),
  };
}

async function heapCase({ context, base, source, plan, results }) {
  const count = plan.counts.heap;
  log(`heap: the full app, ${fmtInt(count)} messages`);
  results.heap = await guarded(() =>
    runApp(context, base, syntheticFeed(source.port, count, 32, 64), count, { heap: true }));
  log(`  heap: ${describeRun(results.heap)}`);
}

// A broker of its own, started for the case and stopped after it, which takes its retained
// topics with it (persistence is off). Every page gets the same retained burst each round: the
// two raw pages (the app's driver reads its socket in a Worker, so the faster of them is the
// ceiling, as for the throughput targets) and the app.
async function explorerCase({ context, base, plan, profileDir, results }) {
  const { topics: count, streamRate, streamSeconds } = plan.explorer;
  const label = `topic explorer, ${fmtInt(count)} retained topics, then ${fmtInt(streamRate)} msg/s for ${streamSeconds} s`;
  log(label);
  const broker = await startBroker();
  try {
    const topics = plantTopics(count);
    const loadMs = await loadRetained(broker, topics);
    log(`  ${fmtInt(count)} retained topics published (QoS 1, every one acknowledged) in ${fmt1(loadMs)} ms`);
    const live = { messages: streamRate * streamSeconds, run: () => stream(broker, topics, streamRate, streamSeconds) };
    const runs = await runCase(label, ['raw', 'rawWorker', 'app'], plan.rounds.mosquitto, (name, round) => {
      const profile = profileDir && round === 0 && name !== 'rawWorker' ? `explorer-100k-${name}` : undefined;
      return guarded(() => (name === 'app'
        ? runExplorer(context, base, broker, topics, live, { profile })
        : rawReceive(context, base, name, broker, count, profile)));
    }, describeExplorerRun);
    results.explorer = { label, count, loadMs, runs, dropped: droppedLines(broker) };
  } finally {
    await stopBroker(broker);
  }
}

/// A raw page (`name`: raw or rawWorker) on the retained burst: its receive time is from
/// SUBSCRIBE, which it sends in the same task as it takes CONNACK in (raw-mqtt.js), to the last
/// message.
async function rawReceive(context, base, name, broker, count, profile) {
  const run = await runClientPage(context, base, name, retainedFeed(broker.wsUrl), count, { profile });
  return { ...run, receiveMs: run.lastAt - run.connackAt };
}

function describeExplorerRun(run) {
  if (run.error) return `failed: ${run.error}`;
  let text = `${run.complete ? '' : 'INCOMPLETE: '}${fmtInt(run.count)} of ${fmtInt(run.expected)} in ${fmt1(run.receiveMs)} ms`;
  if (run.load) {
    const heap = (h) => mb(h.js + h.wasm);
    text += `, frames p95 ${fmtFrame(run.load.frames.frameP95)} ms loading, ${fmtFrame(run.stream.frames.frameP95)} ms streaming`;
    text += `, found in ${fmt1(run.findMs)} ms, stream ${fmtInt(run.stream.counts.messages - run.load.counts.messages)} of ${fmtInt(run.stream.expected)} counted`;
    text += `, JS heap + wasm ${heap(run.heapAfterLoad)} loaded, ${heap(run.heapAfterStream)} streamed`;
  } else {
    text += `, frames p95 ${fmtFrame(run.frameP95)} ms`;
  }
  return text;
}
