// What the Node tests on the release build share (tests/layout.mjs, install.mjs, a11y.mjs):
// Debian's Chromium driven by bench/'s playwright-core (`npm ci --prefix bench`) with bench/'s
// flags, in a fresh profile, on dist/ served from a free port; and how a test ends: its own
// checks fail with their message, anything else (a Playwright timeout) with the step it was
// taking, and a hung page fails at a deadline instead of hanging the run.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { BENCH_DIR, CHROMIUM, CHROMIUM_FLAGS } from '../bench/lib/config.mjs';
import { staticServer } from '../bench/lib/server.mjs';

export const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/// A check of the test failed; its message says what was expected and what was found.
class TestError extends Error {}
export const fail = (message) => {
  throw new TestError(message);
};

/// What the test is doing, for a failure that is not one of its own checks.
let doing = 'starting';
export const step = (what) => {
  doing = what;
};

/// A Playwright error in a few lines: its message and the distinct lines of its call log.
function briefly(error) {
  const text = String(error.message ?? error).replace(/\x1b\[[0-9;]*m/g, '');
  const [message, log = ''] = text.split('Call log:');
  const lines = [...new Set(log.split('\n').map((l) => l.trim().replace(/^- /, '')).filter((l) => l && !/^\d+ × |^waiting \d+ms|retrying/.test(l)))];
  return [message.trim(), ...lines.slice(0, 8)].join('\n  ');
}

function loadPlaywright() {
  try {
    return createRequire(path.join(BENCH_DIR, 'package.json'))('playwright-core');
  } catch {
    fail("playwright-core is missing: run 'PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix bench'");
  }
}

/// Serves `dist` on a free port and opens Chromium on a fresh profile with one blank page, then
/// runs `body({ page, context, base, server })`; closes both however it ends.
export async function withApp(dist, { viewport, timeoutMs = 10_000 }, body) {
  if (!fs.existsSync(path.join(dist, 'index.html'))) fail(`${dist}/index.html is missing: run scripts/build first`);
  const { chromium } = loadPlaywright();
  const server = await staticServer([['/', dist]]);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'release-test-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      // Exactly bench/'s flags (root needs --no-sandbox), plus Playwright's debugging pipe.
      ignoreDefaultArgs: true,
      args: [...CHROMIUM_FLAGS, `--user-data-dir=${userDataDir}`, '--remote-debugging-pipe', 'about:blank'],
      viewport,
    });
    context.setDefaultTimeout(timeoutMs);
    const page = await context.newPage();
    await body({ page, context, base, server });
  } finally {
    await context?.close();
    server.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

/// Runs `main` as the whole test `name`: exits 0 when it resolves, 1 with why when it fails or
/// is not done after `deadlineMs`.
export function runTest(name, deadlineMs, main) {
  const deadline = setTimeout(() => {
    console.error(`${name}: FAILED: not done after ${deadlineMs / 1000} s, while ${doing}`);
    process.exit(1);
  }, deadlineMs);
  deadline.unref();
  main().then(
    () => process.exit(0),
    (error) => {
      const why = error instanceof TestError ? error.message : `while ${doing}: ${briefly(error)}`;
      console.error(`${name}: FAILED: ${why}`);
      process.exit(1);
    },
  );
}
