// The cases, in the order a run runs them: `--cases` (BENCH_CASES) picks some by id, and
// `node bench/run.mjs --list` prints this table. Each case's `run` gets the run's `bench`
// ({ context, base, source, plan, profileDir, tmp, results }) and puts what it measured in
// `bench.results`: a throughput case under `results.cases[id]` ({ label, runs }), `load` and
// `heap` under their own names, as the report reads them.

import fs from 'node:fs';
import path from 'node:path';

import { BATCHED_1K_SHARE } from './config.mjs';
import { mosquittoFeed, syntheticFeed, writeLines } from './feeds.mjs';
import { runApp, runClientPage } from './browser.mjs';
import { fmtInt, log } from './format.mjs';
import { describeRun, guarded, runCase } from './plan.mjs';

const CLIENT_PAGES = ['raw', 'rawWorker', 'mqttjs', 'mqtt5', 'ours'];

export const CASES = [
  {
    id: 'load',
    description: 'page load to CONNACK of the raw page, our driver + core and the full app, synthetic source (run first, on a fresh browser)',
    run: loadCase,
  },
  ...[[1, 64], [1, 1024], [32, 64], [32, 1024]].map(([batch, size]) => ({
    id: `synthetic-${batch}-${size}`,
    description: `every client page on the synthetic source, ${batch} packet${batch > 1 ? 's' : ''} per frame, ${size} B payloads`,
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

async function syntheticCase({ context, base, source, plan, profileDir, results }, batch, size) {
  const id = `synthetic-${batch}-${size}`;
  const { counts } = plan;
  const count = batch === 1 ? counts.perFrame : size > 64 ? counts.batched / BATCHED_1K_SHARE : counts.batched;
  const label = `synthetic, ${batch} packet${batch > 1 ? 's' : ''}/frame, ${size === 64 ? '64 B' : '1 KiB'}, ${fmtInt(count)} msgs`;
  log(label);
  const runs = await runCase(label, CLIENT_PAGES, plan.rounds.synthetic, (name, round) =>
    guarded(() => runClientPage(context, base, name, syntheticFeed(source.port, count, batch, size), count, {
      profile: profileDir && round === 0 && (name === 'ours' || name === 'raw') ? `${id}-${name}` : undefined,
    })));
  results.cases[id] = { label, runs };
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
