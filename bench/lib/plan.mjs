// The plan: every case runs its pages in turn, in a different order each round; and how runs are
// summed up, in the log as they finish and in the report.

import { PAGES } from './config.mjs';
import { fmt1, fmtFrame, fmtInt, log, median } from './format.mjs';

/// `describe`: how the log sums up a run (describeRun, for a throughput run, if not given).
export async function runCase(label, names, rounds, runOne, describe = describeRun) {
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    // A B C, C B A, B C A, …: every page sees every position and neighbour.
    const shift = Math.floor(round / 2);
    const order = names.map((_, i) => names[(i + shift) % names.length]);
    if (round % 2) order.reverse();
    for (const name of order) {
      const result = await runOne(name, round);
      runs[name].push(result);
      log(`  ${label} · ${PAGES[name].title} · round ${round + 1}: ${describe(result)}`);
    }
  }
  return runs;
}

export function describeRun(run) {
  if (run.error) return `failed: ${run.error}`;
  if (!run.complete) return `LOST ${run.expected - run.count} of ${run.expected} messages`;
  let text = `${fmtInt(run.rate)} msg/s`;
  if (Number.isFinite(run.frameP95)) text += `, frames p50 ${fmtFrame(run.frameP50)} ms p95 ${fmtFrame(run.frameP95)} ms`;
  const connack = run.loadToConnack ?? run.connackAt;
  if (connack > 0) text += `, load to CONNACK ${fmt1(connack)} ms`;
  return text;
}

export async function guarded(run) {
  try {
    return await run();
  } catch (error) {
    return { error: String(error.message ?? error).split('\n')[0], complete: false, rate: NaN };
  }
}

/// The median rate over the runs that received every message, or null if none did.
export function summary(runs) {
  const complete = runs.filter((run) => run.complete);
  return {
    rate: complete.length ? median(complete.map((run) => run.rate)) : NaN,
    complete: complete.length,
    total: runs.length,
    lost: runs.filter((run) => !run.complete && !run.error).map((run) => run.expected - run.count),
    errors: runs.filter((run) => run.error).map((run) => run.error),
  };
}

export function describeSummary(s) {
  if (s.complete === 0) {
    if (s.lost.length) return `lost messages in every run (${s.lost.map(fmtInt).join(', ')} missing)`;
    return `failed (${s.errors[0] ?? 'no run'})`;
  }
  let text = fmtInt(s.rate);
  if (s.complete < s.total) text += ` (${s.total - s.complete} of ${s.total} runs lost messages or failed)`;
  return text;
}

/// Page load to CONNACK of the runs that have one: the pages time it themselves, the app's is
/// taken through its controls (runApp).
export const connackTimes = (name, runs) => runs.map((r) => (name === 'app' ? r.loadToConnack : r.connackAt)).filter((t) => t > 0);
