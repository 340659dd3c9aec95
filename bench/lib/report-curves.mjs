// The report's part for the cost curves (results.curves, see curves.mjs): a target per
// curve the design expects flat, and a table per curve with its slope. Figures are medians over
// a point's runs that counted every message.

import { CURVES } from './curves.mjs';
import { fmtFrame, fmtInt, median, ratio, times, verdict } from './format.mjs';

/// A flat curve keeps this share of its first point's rate at its last (the runs' noise on a
/// shared machine is about this large).
const FLAT_SHARE = 0.8;

function pointFigures({ x, count, runs }) {
  const complete = runs.filter((run) => run.complete);
  return {
    x,
    count,
    rate: median(complete.map((run) => run.rate)),
    frameP95: median(complete.map((run) => run.frameP95)),
    complete: complete.length,
    total: runs.length,
    errors: runs.filter((run) => run.error).map((run) => run.error),
  };
}

/// The rate's change per tenfold step of x, from the first point to the last: 1× is flat.
function slopePerDecade(points) {
  const first = points[0];
  const last = points[points.length - 1];
  const decades = Math.log10(last.x / first.x);
  const r = ratio(last.rate, first.rate);
  return { whole: r, perDecade: Number.isFinite(r) && decades > 0 ? r ** (1 / decades) : NaN };
}

export function curveTargets(curves = {}) {
  return CURVES.filter((curve) => curve.flat).map((curve) => {
    const target = `cost curve against ${curve.against} (${curve.points.map(curve.show).join(', ')}): flat, msg/s at the last point ≥ ${FLAT_SHARE * 100} % of the first`;
    const measured = curves[curve.id];
    if (!measured) return [target, verdict(null, 'not run')];
    const points = measured.points.map(pointFigures);
    const everyRun = points.every((p) => p.complete === p.total && p.total > 0);
    const { whole, perDecade } = slopePerDecade(points);
    return [target, verdict(everyRun && Number.isFinite(whole) ? whole >= FLAT_SHARE : null,
      `${times(whole)} from ${curve.show(points[0].x)} to ${curve.show(points[points.length - 1].x)}, ${times(perDecade)} per tenfold${everyRun ? '' : '; some runs did not count every message'}`)];
  });
}

export function curveSection(curves) {
  if (!curves) return [];
  const lines = ['## Cost curves (the full app)', '',
    'The full app on the synthetic source, driven through its controls as above, one thing varied at a time (32 packets of 64 B per frame otherwise). Subscriptions beside the flood\'s come from a shared link (`#config=…`) and are acknowledged before the flood starts; none matches its topic. Distinct topics are taken in turn, each at least once. Payload sizes above 2 KiB have fewer packets per frame (at most 64 KiB of payload per frame, 64 MiB per run). The slope is the rate\'s change per tenfold step, from the first point to the last.', ''];
  for (const curve of CURVES) {
    const measured = curves[curve.id];
    if (!measured) continue;
    const points = measured.points.map(pointFigures);
    const payload = curve.id === 'curve-payload';
    lines.push(`### Against ${curve.against}`, '',
      `| ${curve.unit} | messages | msg/s | ${payload ? 'payload MB/s | ' : ''}frame p95 | runs counting every message |`,
      `|---:|---:|---:|${payload ? '---:|' : ''}---:|---:|`);
    for (const p of points) {
      const mbps = payload ? `${Number.isFinite(p.rate) ? ((p.rate * p.x) / 1e6).toFixed(1) : 'n/a'} | ` : '';
      lines.push(`| ${curve.show(p.x)} | ${fmtInt(p.count)} | ${fmtInt(p.rate)} | ${mbps}${fmtFrame(p.frameP95)} ms | ${p.complete} of ${p.total}${p.errors.length ? ` (${p.errors[0]})` : ''} |`);
    }
    const { whole, perDecade } = slopePerDecade(points);
    lines.push('', `Slope: msg/s ${times(perDecade)} per tenfold step of ${curve.unit} (${times(whole)} over the whole curve). ${curve.flat ? `The design expects it flat: ${curve.flat}.` : 'The design expects msg/s to fall as payloads grow (every byte is copied out of the frame and kept in the history), and bytes per second to level off.'}`, '');
  }
  return lines;
}
