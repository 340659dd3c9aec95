// What makes a wasm file big: code bytes by crate and the biggest functions, read from the
// file's name section (so build it unstripped, e.g. CARGO_PROFILE_RELEASE_STRIP=false, and run wasm-bindgen). Data segments are
// counted apart. Usage: node bench/wasm-sizes.mjs FILE.wasm [how many functions]

import fs from 'node:fs';

const [file, rows = '30'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/wasm-sizes.mjs FILE.wasm [rows]');
  process.exit(2);
}
const bytes = fs.readFileSync(file);
let offset = 8; // magic and version

function leb() {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[offset++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return result;
  }
}

let importedFunctions = 0;
const bodySizes = [];
const names = new Map();
let dataBytes = 0;
const sectionBytes = new Map();
while (offset < bytes.length) {
  const id = bytes[offset++];
  const size = leb();
  const start = offset;
  const end = start + size;
  if (id === 2) {
    // Imports: count the functions, whose indices come first.
    const count = leb();
    for (let i = 0; i < count; i++) {
      // Module and field names; `offset += leb()` would read offset before leb() moves it.
      for (let field = 0; field < 2; field++) {
        const length = leb();
        offset += length;
      }
      const kind = bytes[offset++];
      if (kind === 0) {
        leb();
        importedFunctions++;
      } else if (kind === 1) {
        offset++;
        const flags = leb();
        leb();
        if (flags & 1) leb();
      } else if (kind === 2) {
        const flags = leb();
        leb();
        if (flags & 1) leb();
      } else if (kind === 3) {
        offset += 2;
      } else {
        leb();
        leb();
      }
    }
  } else if (id === 10) {
    const count = leb();
    for (let i = 0; i < count; i++) {
      const bodySize = leb();
      bodySizes.push(bodySize);
      offset += bodySize;
    }
  } else if (id === 11) {
    dataBytes += size;
  } else if (id === 0) {
    const nameLength = leb();
    const name = bytes.toString('utf8', offset, offset + nameLength);
    offset += nameLength;
    if (name === 'name') {
      while (offset < end) {
        const sub = bytes[offset++];
        const subSize = leb();
        const subEnd = offset + subSize;
        if (sub === 1) {
          const count = leb();
          for (let i = 0; i < count; i++) {
            const index = leb();
            const length = leb();
            names.set(index, bytes.toString('utf8', offset, offset + length));
            offset += length;
          }
        }
        offset = subEnd;
      }
    }
    sectionBytes.set(`custom "${name}"`, (sectionBytes.get(`custom "${name}"`) ?? 0) + size);
  }
  if (id !== 0) sectionBytes.set(`section ${id}`, size);
  offset = end;
}

// Rust symbol to its crate: the first path segment, generics and trait impls unwrapped.
function crateOf(name) {
  const trimmed = name.replace(/^[<&*\s]+(mut\s+)?(dyn\s+)?/, '');
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?::/.exec(trimmed);
  return match ? match[1] : name.startsWith('__') || !name.includes('::') ? '(glue, no crate)' : '(other)';
}

const byCrate = new Map();
const functions = bodySizes.map((size, i) => {
  const name = names.get(importedFunctions + i) ?? `function ${importedFunctions + i}`;
  const crate = crateOf(name);
  byCrate.set(crate, (byCrate.get(crate) ?? 0) + size);
  return { name, size };
});
const codeBytes = bodySizes.reduce((a, b) => a + b, 0);
const kib = (n) => `${(n / 1024).toFixed(1).padStart(7)} KiB`;
console.log(`${file}: ${kib(bytes.length)} in all, ${kib(codeBytes)} code in ${bodySizes.length} functions, ${kib(dataBytes)} data`);
console.log(`names for ${names.size} functions${names.size ? '' : ' (stripped: build with names)'}\n\ncode by crate`);
for (const [crate, size] of [...byCrate].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`${kib(size)} ${((100 * size) / codeBytes).toFixed(1).padStart(5)} %  ${crate}`);
}
console.log(`\nbiggest functions (top ${rows})`);
for (const { name, size } of functions.sort((a, b) => b.size - a.size).slice(0, Number(rows))) {
  console.log(`${kib(size)}  ${name.slice(0, 150)}`);
}
