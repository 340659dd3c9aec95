// Sizes: what the browser downloads, gzip-compressed file by file. The payload decoders' Worker
// (decoder-worker*, src/decoder_module.rs) is fetched only on the first decode, and a translation
// table (*.txt beside the page, src/i18n/fetched.rs) only when its language is first shown: each
// is counted apart from the first download.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

import { BENCH_DIR, env } from './config.mjs';

function gzipSize(file) {
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
}

function treeFiles(directory) {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? treeFiles(full) : [full];
  });
}

export function sizes() {
  const dist = env('BENCH_DIST_FOR_SIZES');
  const distFiles = treeFiles(dist).map((file) => ({
    file: path.relative(dist, file),
    raw: fs.statSync(file).size,
    gzip: gzipSize(file),
  }));
  const mqttjs = path.join(BENCH_DIR, 'node_modules/mqtt/dist/mqtt.min.js');
  const mqtt5 = env('BENCH_MQTT5_PKG');
  const mqtt5Files = ['mqtt5_wasm_page_bg.wasm', 'mqtt5_wasm_page.js'].map((name) => path.join(mqtt5, name));
  const decoder = (f) => path.basename(f.file).startsWith('decoder-worker');
  const table = (f) => !f.file.includes(path.sep) && f.file.endsWith('.txt');
  const total = (files) => files.reduce((sum, f) => sum + f.gzip, 0);
  return {
    dist: distFiles,
    distGzip: total(distFiles.filter((f) => !decoder(f) && !table(f))),
    decoderGzip: total(distFiles.filter(decoder)),
    tables: distFiles.filter(table),
    mqttjsGzip: gzipSize(mqttjs),
    mqtt5Gzip: mqtt5Files.reduce((sum, file) => sum + gzipSize(file), 0),
  };
}
