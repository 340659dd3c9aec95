// The report's part for the `explorer-100k` case (results.explorer, see cases.mjs): its four
// targets and its section. Figures are medians over the runs; a target is met only if every
// run of the app did what it measures in full.

import { PAGES } from './config.mjs';
import { fmt1, fmtFrame, fmtInt, mb, median, ratio, times, verdict } from './format.mjs';

/// The goals of issue 12, point 6.
const RECEIVE_RATIO = 1.5;
const FRAME_MS = 16.7;
const MEMORY_BYTES = 200e6;

/// A raw page's median receive time over the runs that counted every message (NaN if none did).
const rawReceiveMs = (runs = []) => median(runs.filter((run) => run.complete).map((run) => run.receiveMs));

const memory = (heap) => heap.js + heap.wasm;
/// The app's memory in a run: the more of after the load and after the stream.
const peakMemory = (run) => Math.max(memory(run.heapAfterLoad), memory(run.heapAfterStream));

/// The report's [target, verdict] rows.
export function explorerTargets(explorer) {
  const rows = (count) => [
    `topic explorer: all ${count} retained topics in the index and reachable in the tree within ${RECEIVE_RATIO}× the raw ceiling's receive time (the faster raw page, SUBSCRIBE to the last message)`,
    `topic explorer: p95 frame ≤ ${FRAME_MS} ms while the ${count} topics load, the tree open`,
    `topic explorer: p95 frame ≤ ${FRAME_MS} ms under the live stream onto those topics afterwards`,
    `topic explorer: JS heap + wasm memory ≤ ${MEMORY_BYTES / 1e6} MB with the ${count} topics (goal)`,
  ];
  if (!explorer) return rows('100,000').map((target) => [target, verdict(null, 'not run')]);
  const [receive, load, stream, heap] = rows(fmtInt(explorer.count));
  const app = explorer.runs.app.filter((run) => !run.error);
  const loaded = app.filter((run) => run.load.counts.complete && run.findMs !== null);
  const streamed = app.filter((run) => run.stream.counts.complete);
  const of = (done) => `${done.length} of ${explorer.runs.app.length} runs`;
  const appMs = median(loaded.map((run) => run.receiveMs));
  const rawMs = rawReceiveMs(explorer.runs.raw);
  const workerMs = rawReceiveMs(explorer.runs.rawWorker);
  // The faster of the raw pages that measured one (Infinity, so no ratio, if neither did).
  const ceilingMs = Math.min(...[rawMs, workerMs].filter(Number.isFinite));
  const r = ratio(appMs, ceilingMs);
  const allLoaded = loaded.length === explorer.runs.app.length;
  const loadP95 = median(app.map((run) => run.load.frames.frameP95));
  const streamP95 = median(app.map((run) => run.stream.frames.frameP95));
  const peak = median(app.map(peakMemory));
  const measured = (value, met) => (Number.isFinite(value) ? met : null);
  return [
    [receive, verdict(measured(r, allLoaded && r <= RECEIVE_RATIO),
      `${times(r)} the faster raw page: the app ${fmt1(appMs)} ms, the raw page ${fmt1(rawMs)} ms on its thread (${times(ratio(appMs, rawMs))}), ${fmt1(workerMs)} ms in a Worker (${times(ratio(appMs, workerMs))}); ${of(loaded)} counted every topic and found the last by its name`)],
    [load, verdict(measured(loadP95, loadP95 <= FRAME_MS), `${fmtFrame(loadP95)} ms`)],
    [stream, verdict(measured(streamP95, streamP95 <= FRAME_MS && streamed.length === explorer.runs.app.length),
      `${fmtFrame(streamP95)} ms; ${of(streamed)} counted every message of the stream`)],
    [heap, verdict(measured(peak, peak <= MEMORY_BYTES),
      `${mb(peak)}, the larger of after the load and after the stream`)],
  ];
}

const heapCell = (heap) => (heap ? `${mb(memory(heap))} (${mb(heap.js)} + ${mb(heap.wasm)})` : '—');
const frameCell = (stats) => `${fmtFrame(stats.frameP50)} / ${fmtFrame(stats.frameP95)} ms`;

function runRow(name, round, run) {
  if (run.error) return `| ${name} | ${round} | failed: ${run.error} | | | | | | | |`;
  if (!run.load) {
    return `| ${name} | ${round} | ${fmtInt(run.count)} | ${fmt1(run.receiveMs)} ms | ${frameCell(run)} | — | — | — | — | — |`;
  }
  const { stream } = run;
  const counted = stream.counts.messages - run.load.counts.messages;
  return `| ${name} | ${round} | ${fmtInt(run.count)} | ${fmt1(run.receiveMs)} ms | ${frameCell(run.load.frames)} | ${run.findMs === null ? 'not found' : `${fmt1(run.findMs)} ms`} | ${fmtInt(counted)} of ${fmtInt(stream.sent)} in ${fmt1(stream.seconds)} s | ${frameCell(stream.frames)} | ${heapCell(run.heapAfterLoad)} | ${heapCell(run.heapAfterStream)} |`;
}

/// The section's lines.
export function explorerSection(explorer, plan) {
  if (!explorer) return [];
  const { streamRate, streamSeconds } = plan.explorer;
  const lines = [
    '## The topic explorer at scale', '',
    `A Mosquitto of its own (\`mosquitto/mosquitto.conf\`, as \`scripts/serve\` starts it: up to 200,000 queued messages per client) holding ${fmtInt(explorer.count)} retained topics, \`plant/site-{1-4}/line-{01-25}/dev-{…}/{metric}\`, ten metrics per device (eight numbers, a small JSON status, a JSON configuration of about 200 bytes), published over TCP by MQTT.js at QoS 1, every one acknowledged, in ${fmt1(explorer.loadMs)} ms before the pages ran. Every page subscribes \`#\` at QoS 0 and gets the same retained burst.`, '',
    '- **raw pages**: the browser\'s WebSocket alone counting PUBLISH packets, on the page\'s thread and in a Worker (where the app\'s driver reads its socket); the receive time is from SUBSCRIBE (sent on CONNACK) to the last message, and the faster page\'s is the ceiling the app is held to.',
    `- **the full app**: connected, its "Topic tree" tab opened, then Subscribe clicked; its receive time is from the click to the tree's toolbar saying ${fmtInt(explorer.count)} topics (a MutationObserver in the page). Then the first topic's path is opened level by level with the rows' toggles, and the last topic is typed into "Find topics" (timed until the rows are its five levels, and only those); then, the filter cleared and the opened path in view, a live stream of ${fmtInt(streamRate)} msg/s (QoS 0, not retained) for ${streamSeconds} s spread over the topics, timed until the toolbar has counted every message of it.`,
    '- frame intervals are requestAnimationFrame\'s: while loading, from the click to the last topic counted; while streaming, from just before the publisher starts to the stream\'s last message counted. Memory is the JS heap (CDP `Runtime.getHeapUsage`) plus the wasm linear memory, after a forced garbage collection.',
    `- ${explorer.dropped.length ? `**The broker's log reported dropped messages:** ${explorer.dropped.length} lines, e.g. "${explorer.dropped[0].trim()}"` : "The broker's log reported no dropped messages."}`,
    '',
    '| page | round | topics counted | receive time | frame p50 / p95 loading | find the last topic | stream counted | frame p50 / p95 streaming | JS heap + wasm after the load | after the stream |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [name, runs] of Object.entries(explorer.runs)) {
    runs.forEach((run, i) => lines.push(runRow(PAGES[name].title, i + 1, run)));
  }
  lines.push('');
  return lines;
}
