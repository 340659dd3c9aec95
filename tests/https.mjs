// The release build served over https, as it is deployed (not cross-origin isolated), in
// Chromium trusting scripts/test-ca's CA through its NSS database: an unencrypted ws:// broker
// URL is refused in the form as mixed content (Connect disabled), but for a loopback host; a
// wss:// broker connects under the page's Content-Security-Policy; and a wss:// connection that
// fails gets its hint, which needs the CSP to let the driver's probe fetch the broker's https
// origin: the TLS proxy at a wrong path, and a listener whose CA the browser does not trust.
// axe-core's WCAG 2.0/2.1 A and AA rules (as tests/a11y.mjs runs them) in the three states,
// the last in the dark theme too.
//
//   node tests/https.mjs [dist]
//
// Needs scripts/test's wss peers: MQTT_TEST_CA_FILE (its directory holds the server
// certificate and key, and the NSS database's home is two levels up, as scripts/test-ca
// writes them), MQTT_TEST_WSS_URL, MQTT_TEST_WSS_PROXY_URL, MQTT_TEST_UNTRUSTED_WSS_URL.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

import { BENCH_DIR, CHROMIUM, CHROMIUM_FLAGS } from '../bench/lib/config.mjs';
import { ROOT, fail, runTest, step } from './browser.mjs';

const DIST = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist'));
const env = (name) => process.env[name] || fail(`${name} is not set: run scripts/test`);

/// axe-core's WCAG A and AA rules on the page as it is; fails naming each violation.
async function accessible(page, state) {
  step(`running axe-core: ${state}`);
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(fs.readFileSync(createRequire(path.join(ROOT, 'tools', 'package.json')).resolve('axe-core/axe.min.js'), 'utf8'));
  }
  const violations = await page.evaluate(async () => {
    const options = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] };
    const { violations } = await window.axe.run(document, options);
    return violations.map((v) => `${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  if (violations.length) fail(`${state}: ${violations.join('; ')}`);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json', '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml', '.png': 'image/png',
};

/// dist/ over https with the trusted test certificate, on a free port of 127.0.0.1.
function httpsServer(tlsDir) {
  const server = https.createServer({
    cert: fs.readFileSync(path.join(tlsDir, 'server.pem')),
    key: fs.readFileSync(path.join(tlsDir, 'server.key')),
  }, (request, response) => {
    let file = path.join(DIST, decodeURIComponent(new URL(request.url, 'https://x').pathname));
    if (file.endsWith('/')) file = path.join(file, 'index.html');
    if (!file.startsWith(DIST) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) fail(`${DIST}/index.html is missing: run scripts/build first`);
  const caFile = env('MQTT_TEST_CA_FILE');
  const tlsDir = path.dirname(caFile);
  const home = path.join(path.dirname(tlsDir), 'home');
  if (!fs.existsSync(path.join(home, '.pki/nssdb'))) fail(`no NSS database in ${home}: made by scripts/test-ca`);
  const { chromium } = createRequire(path.join(BENCH_DIR, 'package.json'))('playwright-core');
  const server = await httpsServer(tlsDir);
  const base = `https://127.0.0.1:${server.address().port}/`;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'https-test-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      ignoreDefaultArgs: true,
      args: [...CHROMIUM_FLAGS, `--user-data-dir=${userDataDir}`, '--remote-debugging-pipe', 'about:blank'],
      // Chromium's NSS database is $HOME/.pki/nssdb: the one that trusts the test CA.
      env: { ...process.env, HOME: home },
      viewport: { width: 1280, height: 720 },
    });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const violations = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await run(page, base);
    if (violations.length) fail(`the page's CSP refused: ${violations.join(' | ')}`);
  } finally {
    await context?.close();
    server.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

async function run(page, base) {
  step(`loading the app from ${base}`);
  await page.goto(base);
  const form = page.locator('.connection-view:not([hidden]) form.connection-form');
  const url = form.getByLabel('Broker URL', { exact: true });
  const connect = form.getByRole('button', { name: 'Connect', exact: true });
  await connect.waitFor();
  const protocol = await page.evaluate(() => location.protocol);
  if (protocol !== 'https:') fail(`the page is on ${protocol}, not https:`);

  step('typing an unencrypted ws:// URL');
  await url.fill('ws://broker.example:9001');
  const error = form.locator('.field .error');
  await error.waitFor();
  const words = await error.textContent();
  if (!/mixed content/.test(words) || !words.includes('broker.example')) fail(`the URL's error is ${JSON.stringify(words)}, not the mixed-content refusal`);
  if (await connect.isEnabled()) fail('Connect is enabled for a ws:// URL on an https page');
  await accessible(page, 'the mixed-content refusal');

  step('typing a loopback ws:// URL, which browsers allow');
  await url.fill('ws://127.0.0.1:9001');
  if (await error.count()) fail(`a loopback ws:// URL is refused: ${await error.first().textContent()}`);

  const status = page.locator('.connection-view:not([hidden]) [data-status]');
  const hint = page.locator('.connection-view:not([hidden]) .secure-hint');
  const attempt = async (target) => {
    await url.fill(target);
    await connect.click();
  };

  step(`connecting over ${env('MQTT_TEST_WSS_URL')}`);
  await attempt(env('MQTT_TEST_WSS_URL'));
  await page.locator('.connection-view:not([hidden]) [data-status="connected"]').waitFor();
  await page.locator('.connection-view:not([hidden])').getByRole('button', { name: 'Disconnect', exact: true }).first().click();
  await page.locator('.connection-view:not([hidden]) [data-status="disconnected"]').waitFor();

  step('connecting to the TLS proxy at a wrong path');
  await attempt(`${env('MQTT_TEST_WSS_PROXY_URL')}/`);
  await hint.waitFor();
  const pathHint = await hint.textContent();
  if (!pathHint.includes('answers over https') || await hint.locator('a').count()) {
    fail(`the wrong path's hint is ${JSON.stringify(pathHint)}`);
  }
  if ((await status.getAttribute('data-status')) === 'connected') fail('connected at a wrong path');
  await accessible(page, "the wrong path's hint");

  step('connecting to the listener whose CA the browser does not trust');
  await attempt(env('MQTT_TEST_UNTRUSTED_WSS_URL'));
  await hint.locator('a').waitFor();
  const origin = env('MQTT_TEST_UNTRUSTED_WSS_URL').replace('wss://', 'https://') + '/';
  const href = await hint.locator('a').getAttribute('href');
  const certHint = await hint.textContent();
  if (href !== origin || !certHint.includes('certificate')) fail(`the untrusted listener's hint is ${JSON.stringify(certHint)} linking ${href}`);
  await accessible(page, "the certificate's hint");
  // The theme follows the system's by default.
  await page.emulateMedia({ colorScheme: 'dark' });
  await accessible(page, "the certificate's hint, dark");
  console.log('https: the mixed-content refusal, a wss connection and both hints on the https page, 0 axe violations');
}

runTest('https', 120_000, main);
