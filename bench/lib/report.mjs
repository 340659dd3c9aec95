// The report: docs/BENCHMARKS.md from a run's raw results, which are saved beside it as JSON
// (the same name, .json), so that the report can be rendered again without running anything:
// `node bench/run.mjs --render docs/BENCHMARKS.json`.

import fs from 'node:fs';
import os from 'node:os';

import { PAGES } from './config.mjs';
import { fmt1, fmtFrame, fmtInt, kib, median, mib, pct, ratio, times, verdict } from './format.mjs';
import { curveSection, curveTargets } from './report-curves.mjs';
import { enginesSection, enginesTarget } from './report-engines.mjs';
import { explorerSection, explorerTargets } from './report-explorer.mjs';
import { connackTimes, describeSummary, summary } from './plan.mjs';

/// The machine, when the pages start (the run adds `loadAtEnd` when they end).
export function machine(chromiumVersion) {
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


/// The Markdown report of a run: what `run.mjs` saves (see `saveRun`).
export function report({ host, plan, results, sizeInfo, codec, broker }) {
  const lines = [];
  const push = (...text) => lines.push(...text);
  push(
    '# Benchmarks',
    '',
    'Written by `scripts/bench`; every figure below was measured by the run described here. Do not',
    'edit by hand: run `scripts/bench` (about 15 minutes; `scripts/bench --quick` for a smoke run).',
    '',
    '## Machine',
    '',
    `- ${host.cores} cores (${host.cpu}), ${host.memory} memory, ${host.os}`,
    `- Chromium ${host.chromium}, headless (${plan.chromiumFlags.join(' ')}), fresh profile`,
    '- every page is served cross-origin isolated (COOP same-origin, COEP require-corp), so its timestamps are exact to 5 µs; otherwise Chromium coarsens them to 0.1 ms with jitter, and an idle page\'s frame intervals read 16.6 to 16.8 ms',
    `- Node ${host.node}; run at ${host.date}${plan.quick ? ' with `--quick` (fewer messages, one round)' : ''}`,
    `- load average (1 min) ${host.loadAtStart} when the pages started, ${host.loadAtEnd} when they ended: anything else running on the ${host.cores} cores slows every page, so compare the ratios within this run rather than the absolute figures across runs`,
    `- each case runs its pages in turn, the order changing each round (A B C, C B A, B C A): ${plan.rounds.synthetic} round(s) on the synthetic source, ${plan.rounds.mosquitto} through Mosquitto; figures are medians`,
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
    'requestAnimationFrame intervals from SUBACK (the full app: from its SUBSCRIBE) to the last message, p95 per run, median over the complete runs: how long the page could not paint.', '',
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

  for (const id of ['synthetic-32-64', 'synthetic-32-1024']) {
    const runs = results.cases[id]?.runs.app ?? [];
    const complete = runs.filter((r) => r.complete);
    const p95 = median(complete.map((r) => r.frameP95));
    targets.push([
      `full app, 32 packets per frame, ${id.endsWith('-64') ? '64 B' : '1 KiB'} (decode-bound): p95 frame ≤ 16.7 ms, every message counted`,
      verdict(
        runs.length ? complete.length === runs.length && p95 <= 16.7 : null,
        runs.length
          ? `p95 ${fmtFrame(p95)} ms; ${complete.length} of ${runs.length} runs counted every message; ${fmtInt(rate(id, 'app'))} msg/s, ${pct(ratio(rate(id, 'app'), rate(id, 'ours')))} of driver+core, ${times(ratio(rate(id, 'app'), rate(id, 'mqttjs')))} MQTT.js, ${times(ratio(rate(id, 'app'), rate(id, 'mqtt5')))} mqtt5-wasm`
          : 'the full app did not run in this case',
      ),
    ]);
  }
  for (const [id, where] of [['mosquitto-qos1', 'no in-flight limit'], ['mosquitto-qos1-inflight20', "Mosquitto's default in-flight limit (20)"]]) {
    const r = ratio(rate(id, 'ours'), rate(id, 'mqttjs'));
    targets.push([
      `QoS 1 through Mosquitto, ${where}: driver+core ahead of MQTT.js`,
      verdict(Number.isFinite(r) ? r > 1 : null, `${times(r)} MQTT.js (${fmtInt(rate(id, 'ours'))} against ${fmtInt(rate(id, 'mqttjs'))} msg/s)`),
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

  targets.push(...explorerTargets(results.explorer));

  targets.push([
    'the first download (all of dist/ but the decoder module and the other languages\' tables) ≤ 150 KB gzip',
    verdict(sizeInfo.distGzip <= 150_000,
      `${(sizeInfo.distGzip / 1000).toFixed(1)} KB; with the decoder module, fetched on the first decode, ${((sizeInfo.distGzip + sizeInfo.decoderGzip) / 1000).toFixed(1)} KB in all`),
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

  const rawLoad = median(connackTimes('raw', results.load?.raw ?? []));
  const loadRatio = ratio(median(connackTimes('app', results.load?.app ?? [])), rawLoad);
  targets.push([
    'page load to CONNACK ≤ 1.10× the raw page (the `load` case, same run)',
    verdict(Number.isFinite(loadRatio) ? loadRatio <= 1.1 : null,
      results.load ? `${times(loadRatio)}: full app ${fmt1(median(connackTimes('app', results.load.app)))} ms, raw page ${fmt1(rawLoad)} ms` : 'the load case did not run'),
  ]);

  targets.push(...curveTargets(results.curves));
  targets.push(enginesTarget(results.engines));

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
    push('', 'Frame times are requestAnimationFrame intervals recorded by an injected script from the Subscribe click to the last message; the rate is timed from the first frame that shows a message, whose messages it leaves out. Heaps are measured after a forced garbage collection, before SUBSCRIBE and after the last message. Page load to CONNACK is the time from navigation to the Connect button existing, plus the time from the click to the status turning connected (the robot\'s typing in between is not counted).', '');
  } else {
    push('Not run.', '');
  }

  push('## Page load to CONNACK of every page', '', `Navigation start to CONNACK, median of every run, from the synthetic source (which answers at once) and through Mosquitto. The benchmark pages time it themselves; the full app is timed as above. On the synthetic source, the load case adds ${plan.loadRounds} loads each of the raw page, our driver + core and the full app, in turn, with a 320-message subscription, after one uncounted round that warms the freshly started browser. The difference between the columns is mostly Mosquitto 2.0's WebSocket listener, which answers the upgrade request about 200 ms after it arrives, whichever client asks.`, '');
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

  push(...explorerSection(results.explorer, plan));
  push(...curveSection(results.curves));
  push(...enginesSection(results.engines));

  push('## Download size (gzip -9, file by file)', '', '| what | gzip |', '|---|---:|',
    `| our app: the first download (the release \`dist/\` but the decoder module and the tables below) | ${kib(sizeInfo.distGzip)} |`,
    `| our app: the decoder module, fetched on the first decode (\`decoder-worker*\`) | ${kib(sizeInfo.decoderGzip)} |`,
    ...(sizeInfo.tables ?? []).map((f) => `| our app: \`${f.file}\`, fetched when its language is first shown | ${kib(f.gzip)} |`),
    ...sizeInfo.dist.map((f) => `| &nbsp;&nbsp;${f.file} (${kib(f.raw)} raw) | ${kib(f.gzip)} |`),
    `| MQTT.js 5.16 \`dist/mqtt.min.js\` alone | ${kib(sizeInfo.mqttjsGzip)} |`,
    `| mqtt5-wasm 2.1.9: wasm + JS glue (cargo release, wasm-bindgen; no wasm-opt) | ${kib(sizeInfo.mqtt5Gzip)} |`, '');

  push('## Native codec beside mqtt-packet', '');
  if (codec?.length) {
    push(`\`bench/codec-vs-mqtt-packet.sh\` ran \`crates/mqtt-core/benches/codec.rs\` (criterion, native, cargo's bench profile: opt-level 3, where the app's wasm is built for size) and \`bench/mqtt-packet/bench.js\` (mqtt-packet 9.0.2) in turn, ${codec[0].rounds} round(s), on the same packet bytes, which the Rust bench wrote. Both count packets per second of CPU time (the measuring thread's for Rust, the whole process's for Node), not of wall time, so that other work on the machine does not decide the ratio; figures are medians over the rounds. Decoding feeds 1,000 packets at once.`, '',
      `| measurement | mqtt-core packets/s | mqtt-packet packets/s (Node ${host.node}) | ratio |`, '|---|---:|---:|---:|',
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

/// bench/codec-vs-mqtt-packet.sh's rows: medians of mqtt-core and mqtt-packet per measurement.
export function codecResults() {
  const file = process.env.BENCH_CODEC;
  if (!file || !fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/// Mosquitto's version (BROKER_VERSION, from `test-mosquitto --version`) and what its logs
/// (BROKER_LOGS) say about dropped messages.
export function brokerCheck() {
  const text = (process.env.BROKER_LOGS ?? '').split(' ').filter((file) => fs.existsSync(file))
    .map((file) => fs.readFileSync(file, 'utf8')).join('\n');
  const dropped = text.split('\n').filter((line) => /dropp/i.test(line));
  const version = process.env.BROKER_VERSION ?? '';
  return { version: version.replace(/^mosquitto version /, ''), dropped: dropped.length ? `${dropped.length} lines, e.g. "${dropped[0].trim()}"` : '' };
}

// JSON has no NaN or Infinity (a run that failed has a NaN rate): they are saved as strings.
const NOT_FINITE = new Map([['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]]);

/// Saves a run's raw results: everything `report` reads.
export function saveRun(file, run) {
  const text = JSON.stringify(run, (_, value) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), 1);
  fs.writeFileSync(file, `${text}\n`);
}

export function loadRun(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'), (_, value) => (NOT_FINITE.has(value) ? NOT_FINITE.get(value) : value));
}
