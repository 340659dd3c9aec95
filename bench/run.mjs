// The benchmark: one headless Chromium (Debian's, never a downloaded one) runs every client on
// the same message floods, page after page, round after round, and docs/BENCHMARKS.md gets the
// medians, the ratios and the targets, with the run's raw results beside it
// (docs/BENCHMARKS.json). scripts/bench builds what this needs and sets the environment below;
// run that, not this. The parts are in bench/lib/: config (the plan of a run), server (what the
// browser loads, the synthetic source), feeds, browser (driving the pages), plan (rounds and
// summaries), cases (the table of cases), curves (the cost curves' cases), sizes, report (with
// report-explorer and report-curves), format.
//
//   node bench/run.mjs                      a run, as scripts/bench starts it
//   node bench/run.mjs --list               the cases, for --cases
//   node bench/run.mjs --render FILE.json   the report again from a run's raw results, written
//                                           beside them (FILE.md); nothing runs
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
//   BROKER_VERSION     Mosquitto's version line (`test-mosquitto --version`)
//   BENCH_TEST_MOSQUITTO  crates/test-peers' launcher, for the brokers a case starts of its own
//   BENCH_CODEC        optional: bench/codec-vs-mqtt-packet.sh's results (--out)
//   BENCH_OUT          where the report goes; the raw results go beside it (.json)
//   BENCH_QUICK=1      fewer messages, one round
//   BENCH_PROFILE_DIR  if set, also records Chrome CPU profiles of our pages (and the raw one) there
//   BENCH_CASES        if set, only these cases (comma-separated ids, see --list)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { launchBrowser } from './lib/browser.mjs';
import { CASES, selectCases } from './lib/cases.mjs';
import { BENCH_DIR, env, runPlan } from './lib/config.mjs';
import { stopPublishers } from './lib/feeds.mjs';
import { log } from './lib/format.mjs';
import { stopBrokers } from './lib/retained.mjs';
import { brokerCheck, codecResults, loadRun, machine, report, saveRun } from './lib/report.mjs';
import { startSource, staticServer } from './lib/server.mjs';
import { sizes } from './lib/sizes.mjs';

/// The raw results beside a report: docs/BENCHMARKS.md → docs/BENCHMARKS.json.
const resultsFile = (reportFile) => reportFile.replace(/(\.md)?$/, '.json');

function writeReport(file, run) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${report(run)}\n`);
}

async function main() {
  const plan = runPlan(process.env.BENCH_QUICK === '1');
  const cases = selectCases(process.env.BENCH_CASES);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const server = await staticServer([
    ['/_bench/pages/', path.join(BENCH_DIR, 'pages')],
    ['/_bench/vendor/', path.join(BENCH_DIR, 'node_modules/mqtt/dist')],
    ['/_bench/mqtt5/', env('BENCH_MQTT5_PKG')],
    ['/_bench/ours/', env('BENCH_OURS_PKG')],
    ['/', env('BENCH_DIST')],
  ]);
  const base = `http://127.0.0.1:${server.address().port}`;
  const source = await startSource();
  let browser;
  const cleanUp = () => {
    source.child.kill();
    stopPublishers();
    stopBrokers();
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
    log(`Chromium ${host.chromium}, ${host.cores} cores${plan.quick ? ', quick' : ''}`);

    const results = { cases: {} };
    const bench = { context, base, source, plan, profileDir: process.env.BENCH_PROFILE_DIR, tmp, results };
    for (const benchCase of cases) await benchCase.run(bench);

    host.loadAtEnd = os.loadavg()[0].toFixed(2);
    const run = { host, plan, results, sizeInfo: sizes(), codec: codecResults(), broker: brokerCheck() };
    const out = env('BENCH_OUT');
    writeReport(out, run);
    saveRun(resultsFile(out), run);
    log(`wrote ${out} (raw results: ${resultsFile(out)})`);
  } finally {
    if (browser) {
      await browser.context.close();
      fs.rmSync(browser.userDataDir, { recursive: true, force: true });
    }
    cleanUp();
  }
}

const [command, file] = process.argv.slice(2);
if (command === '--list') {
  for (const { id, description } of CASES) console.log(`${id.padEnd(27)} ${description}`);
} else if (command === '--render') {
  if (!file) throw new Error('usage: node bench/run.mjs --render FILE.json');
  const out = file.replace(/\.json$/, '') + '.md';
  writeReport(out, loadRun(file));
  log(`wrote ${out} from ${file}`);
} else if (command) {
  throw new Error(`unknown argument ${command}: none for a run, --list, or --render FILE.json`);
} else {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
  await main();
}
