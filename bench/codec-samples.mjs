// Helper of bench/codec-vs-mqtt-packet.sh; each mode prints or writes JSON:
//   criterion <criterion dir> <bytes dir>  one line per measurement of the last `cargo bench`
//   mqtt-packet                            bench/mqtt-packet/bench.js's lines (stdin), tagged
//   summary <samples.jsonl> [out.json]     medians per side and their ratio: a table on stdout,
//                                          the rows as JSON in out.json
import fs from 'node:fs';
import path from 'node:path';

// Packets per decode iteration in crates/mqtt-core/benches/codec.rs (BATCH); encode does one.
const DECODE_BATCH = 1000;
const [mode, ...args] = process.argv.slice(2);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

if (mode === 'criterion') {
  const [criterion, bytesDir] = args;
  // The measurements are the packet files the bench wrote, each decoded and encoded.
  for (const file of fs.readdirSync(bytesDir).filter((name) => name.endsWith('.bin')).sort()) {
    for (const kind of ['decode', 'encode']) {
      const bench = `${kind}/${file.slice(0, -'.bin'.length)}`;
      const estimates = JSON.parse(fs.readFileSync(path.join(criterion, bench, 'new', 'estimates.json'), 'utf8'));
      const perIteration = kind === 'decode' ? DECODE_BATCH : 1;
      const packetsPerSecond = perIteration / (estimates.mean.point_estimate / 1e9);
      console.log(JSON.stringify({ side: 'mqtt-core', bench, packets_per_second: packetsPerSecond }));
    }
  }
} else if (mode === 'mqtt-packet') {
  for (const line of fs.readFileSync(0, 'utf8').trim().split('\n')) {
    console.log(JSON.stringify({ side: 'mqtt-packet', ...JSON.parse(line) }));
  }
} else if (mode === 'summary') {
  const [samplesFile, outFile] = args;
  const samples = fs.readFileSync(samplesFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  const benches = [...new Set(samples.map((s) => s.bench))].sort();
  const rows = benches.map((bench) => {
    const side = (name) => samples.filter((s) => s.bench === bench && s.side === name).map((s) => s.packets_per_second);
    const ours = side('mqtt-core');
    const mqttPacket = side('mqtt-packet');
    if (!ours.length || ours.length !== mqttPacket.length) {
      throw new Error(`${bench}: ${ours.length} mqtt-core and ${mqttPacket.length} mqtt-packet samples`);
    }
    const row = { bench, rounds: ours.length, ours: median(ours), mqttPacket: median(mqttPacket) };
    return { ...row, ratio: row.ours / row.mqttPacket };
  });
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  console.log('bench'.padEnd(32) + 'mqtt-core pkt/s'.padStart(16) + 'mqtt-packet pkt/s'.padStart(19) + 'ratio'.padStart(8));
  for (const row of rows) {
    console.log(row.bench.padEnd(32) + fmt(row.ours).padStart(16) + fmt(row.mqttPacket).padStart(19) + `${row.ratio.toFixed(1)}x`.padStart(8));
  }
  if (outFile) fs.writeFileSync(outFile, JSON.stringify(rows, null, 2));
} else {
  console.error('usage: codec-samples.mjs criterion <dir> <bytes> | mqtt-packet | summary <samples> [out]');
  process.exit(2);
}
