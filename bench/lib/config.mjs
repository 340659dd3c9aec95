// What every part of the benchmark shares: the browser, the pages, the topic, and the plan of a
// run (rounds and message counts, full or --quick).

import path from 'node:path';
import { fileURLToPath } from 'node:url';

/// bench/, where the pages, the synthetic source and the npm packages are.
export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/// The broker settings every command starts Mosquitto with (the explorer case's broker too).
export const MOSQUITTO_CONF = path.join(path.dirname(BENCH_DIR), 'mosquitto/mosquitto.conf');

export const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run scripts/bench`);
  return value;
};

export const TOPIC = 'bench/flood';
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/// MQTT.js decodes 1 KiB packets batched in frames at a few thousand per second: fewer of them.
export const BATCHED_1K_SHARE = 2;

export const PAGES = {
  raw: { title: 'raw WebSocket (ceiling)', path: '/_bench/pages/raw.html' },
  rawWorker: { title: 'raw WebSocket in a Worker (ceiling)', path: '/_bench/pages/raw-worker.html' },
  mqttjs: { title: 'MQTT.js 5.16', path: '/_bench/pages/mqttjs.html' },
  mqtt5: { title: 'mqtt5-wasm 2.1.9', path: '/_bench/pages/mqtt5.html' },
  ours: { title: 'our driver + core', path: '/_bench/pages/ours.html' },
  app: { title: 'our full app', path: '/' },
};

/// How much a run does; saved with its results, so that the report can be rendered again.
export function runPlan(quick) {
  return {
    quick,
    /// Rounds per case: the long Mosquitto floods run twice (A B, then B A), the synthetic ones thrice,
    /// and each point of a cost curve twice.
    rounds: quick ? { synthetic: 1, mosquitto: 1, curves: 1 } : { synthetic: 3, mosquitto: 2, curves: 2 },
    /// Messages per run. One packet per frame is frame-bound (~20k msg/s raw), 32 per frame is
    /// decode-bound, so the counts keep every run at a few seconds for the slowest client.
    counts: quick
      ? { perFrame: 10_000, batched: 32_000, mosquittoQos0: 50_000, mosquittoQos1: 10_000, heap: 200_000 }
      : { perFrame: 50_000, batched: 128_000, mosquittoQos0: 200_000, mosquittoQos1: 50_000, heap: 1_000_000 },
    /// Page loads per page in the `load` case, which times page load to CONNACK on its own.
    loadRounds: quick ? 2 : 7,
    /// The `explorer-100k` case: retained topics on its broker (a multiple of 1,000, see
    /// retained.mjs), then a stream onto them of `streamRate` msg/s for `streamSeconds`.
    explorer: quick
      ? { topics: 10_000, streamRate: 1_000, streamSeconds: 3 }
      : { topics: 100_000, streamRate: 1_000, streamSeconds: 10 },
    chromiumFlags: CHROMIUM_FLAGS,
  };
}
