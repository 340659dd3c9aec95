// Small helpers: medians, percentiles, the report's number formats and its verdicts.

export const median = (values) => percentile(values, 50);
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}
export const log = (text) => process.stderr.write(`${text}\n`);
export const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
export const fmt1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
/// Frame intervals, to the precision the isolated pages measure them with.
export const fmtFrame = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
export const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
export const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;
/// Decimal megabytes, as the memory goals are written.
export const mb = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 1e6).toFixed(1)} MB` : 'n/a');
export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
export const pct = (r) => (Number.isFinite(r) ? `${(r * 100).toFixed(1)} %` : 'n/a');
export const times = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a');
/// A target's result: met (true), not met (false) or not measured (null), with its figures.
export function verdict(met, detail) {
  if (met === null) return `not measured${detail ? `: ${detail}` : ''}`;
  return `${met ? '**met**' : '**not met**'}${detail ? ` (${detail})` : ''}`;
}
