// The report's part for the engines case (engines.mjs): Firefox ESR and WebKitGTK beside
// Chromium, and issue 17's "every engine" target.

import { PAGES } from './config.mjs';
import { fmt1, fmtFrame, median, ratio, times, verdict } from './format.mjs';
import { describeSummary, summary } from './plan.mjs';

const TITLES = { firefox: 'Firefox ESR', webkit: 'WebKitGTK' };
const NAMES = ['raw', 'mqttjs', 'ours', 'app'];

const p95Of = (runs) => {
  const complete = runs.filter((run) => run.complete && run.frames > 0);
  return complete.length ? median(complete.map((run) => run.frameP95)) : NaN;
};
const loadOf = (name, runs) =>
  median(runs.map((run) => (name === 'app' ? run.loadToConnack : run.connackAt)).filter((t) => t > 0));

/// Per engine: the full app's rate against MQTT.js's and the driver's, and the load ratio.
function figures(engine) {
  const rate = (name) => summary(engine.runs[name] ?? []).rate;
  const raw = loadOf('raw', engine.load.raw ?? []);
  const app = loadOf('app', engine.load.app ?? []);
  return { rate, load: { raw, app, ratio: ratio(app, raw) } };
}

export function enginesSection(engines) {
  if (!engines) return [];
  const lines = ['## Other engines (Firefox ESR and WebKitGTK, through WebDriver)', '',
    'The synthetic source, 32 packets per frame, 64 B, in each engine driven through its own WebDriver (geckodriver; WebKitWebDriver under Xvfb), the same pages and in-page counters as in Chromium; the frame recorder is injected once a page has loaded (WebDriver has no init scripts). Page load to CONNACK: the raw page times it itself; the full app is its first contentful paint (its first render) plus the Connect click to the connected status, a little later than Chromium\'s Connect-button time, so compare the ratio within an engine. Not measured in these engines: heap (`performance.memory` and the DevTools protocol are Chromium\'s) and CPU profiles.', '',
    `| engine | ${NAMES.map((n) => PAGES[n].title).join(' | ')} | full app p95 frame | page load to CONNACK: raw page, full app |`,
    `|---|${NAMES.map(() => '---:').join('|')}|---:|---|`];
  for (const [name, engine] of Object.entries(engines)) {
    if (engine.error) {
      lines.push(`| ${TITLES[name]} | failed: ${engine.error} |`);
      continue;
    }
    const { load } = figures(engine);
    const cells = NAMES.map((page) => describeSummary(summary(engine.runs[page] ?? [])));
    lines.push(`| ${TITLES[name]}${engine.isolated ? '' : ' (not cross-origin isolated: coarse timers)'} | ${cells.join(' | ')} | ${fmtFrame(p95Of(engine.runs.app ?? []))} ms | ${fmt1(load.raw)} ms, ${fmt1(load.app)} ms (${times(load.ratio)}) |`);
  }
  lines.push('');
  return lines;
}

export function enginesTarget(engines) {
  const target = 'every engine: throughput, frame and load cases in Firefox ESR and WebKitGTK beside Chromium, MQTT.js measured in each';
  if (!engines) return [target, verdict(null, 'the engines case did not run')];
  const parts = [];
  let all = true;
  for (const [name, engine] of Object.entries(engines)) {
    if (engine.error) {
      all = false;
      parts.push(`${TITLES[name]} failed: ${engine.error}`);
      continue;
    }
    const { rate, load } = figures(engine);
    const measured = NAMES.every((page) => Number.isFinite(rate(page))) && Number.isFinite(load.ratio);
    all &&= measured;
    parts.push(`${TITLES[name]}: full app ${times(ratio(rate('app'), rate('mqttjs')))} MQTT.js and ${times(ratio(rate('app'), rate('ours')))} driver+core, p95 frame ${fmtFrame(p95Of(engine.runs.app ?? []))} ms, load ${times(load.ratio)} the raw page`);
  }
  parts.push('no heap figures or CPU profiles outside Chromium');
  return [target, verdict(all, parts.join('; '))];
}
