// Where the time went in a Chrome CPU profile that `scripts/bench --profile` saved: self time
// by kind (wasm, JS, garbage collection, the browser's own work, idle) and by function, then
// total time (callees included) by function. Usage: node bench/profile-summary.mjs FILE.cpuprofile [how many rows]

import fs from 'node:fs';

const [file, rows = '25'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [rows]');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));

// Each sample's time is the gap to the next sample.
const selfMicros = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i + 1] ?? 0;
  selfMicros.set(profile.samples[i], (selfMicros.get(profile.samples[i]) ?? 0) + delta);
}

const keyOf = (frame) => {
  const where = frame.url ? ` ${frame.url.split('/').pop()}:${frame.lineNumber + 1}` : '';
  return `${frame.functionName || '(anonymous)'}${where}`;
};

function kind(frame) {
  const { functionName: name, url } = frame;
  if (name === '(idle)') return 'idle';
  if (name === '(garbage collector)') return 'garbage collection';
  if (name === '(program)') return "browser's own work (program)";
  if (url.includes('wasm') || name.startsWith('$') || /wasm-function/.test(name)) return 'wasm';
  return 'JS';
}

const byFunction = new Map();
const byKind = new Map();
let total = 0;
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  if (!micros) continue;
  const frame = node.callFrame;
  const key = keyOf(frame);
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  const k = kind(frame);
  byKind.set(k, (byKind.get(k) ?? 0) + micros);
  total += micros;
}

// Total time: every sample counts once for each function on its stack.
const parent = new Map();
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const totalByFunction = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i + 1] ?? 0;
  const seen = new Set();
  for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
    const key = keyOf(byId.get(id).callFrame);
    if (seen.has(key)) continue;
    seen.add(key);
    totalByFunction.set(key, (totalByFunction.get(key) ?? 0) + delta);
  }
}

const line = (micros, label) =>
  `${(micros / 1000).toFixed(1).padStart(9)} ms ${((100 * micros) / total).toFixed(1).padStart(5)} %  ${label}`;
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
console.log('\nby kind');
for (const [k, micros] of [...byKind].sort((a, b) => b[1] - a[1])) console.log(line(micros, k));
console.log(`\nby function, self time (top ${rows})`);
for (const [name, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) {
  console.log(line(micros, name));
}
console.log(`\ntotal time, callees included (top ${rows}, without the idle and (root) entries)`);
for (const [name, micros] of [...totalByFunction]
  .filter(([name]) => !/^\((root|idle|program)\)/.test(name))
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(rows))) {
  console.log(line(micros, name));
}
