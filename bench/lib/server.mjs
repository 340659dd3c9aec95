// What the browser loads: the app's dist/ at /, the benchmark's pages and the other clients
// under /_bench/; and the synthetic WebSocket source (bench/source.mjs) the pages connect to.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';

import { BENCH_DIR } from './config.mjs';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export function staticServer(mounts) {
  const server = http.createServer((request, response) => {
    const urlPath = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    if (urlPath === '/favicon.ico' && !fs.existsSync(path.join(mounts.at(-1)[1], 'favicon.ico'))) {
      response.writeHead(204).end(); // the browser asks on its own; not a broken page
      return;
    }
    const mount = mounts.find(([prefix]) => urlPath.startsWith(prefix));
    let file = mount && path.join(mount[1], urlPath.slice(mount[0].length));
    if (file && !file.startsWith(mount[1])) file = null;
    if (file && fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!file || !fs.existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      // Cross-origin isolation: otherwise Chromium coarsens every timestamp, rAF's included, to
      // 100 µs with random jitter, and an idle page's frame intervals read 16.6 to 16.8 ms.
      // Isolated, they are exact to 5 µs.
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    fs.createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function startSource() {
  const child = spawn(process.execPath, [path.join(BENCH_DIR, 'source.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  for await (const line of lines) {
    const match = /^listening (\d+)$/.exec(line);
    if (match) return { child, port: Number(match[1]) };
  }
  throw new Error('the synthetic source exited before listening');
}
