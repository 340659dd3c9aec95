// The app installs and starts offline, checked in Chromium on the release build
// (`scripts/build` → dist/): Chromium reads the web app manifest without errors and finds the
// page installable (the DevTools protocol's Page.getAppManifest and
// Page.getInstallabilityErrors), the manifest says what an installed app needs, and each icon
// it lists is an image of the size it says. Then, once the service worker controls the page, a
// reload fetches the page and its unhashed files from the server but none of trunk's hashed
// files (the worker's cache has them), and an older build's hashed file leaves the cache; then
// the server stops and a reload still starts the app (its Connect button is there), with the
// manifest, every icon and the Chinese translation table (never fetched by the page before)
// served from the worker's cache.
//
//   node tests/install.mjs [dist]
//
// scripts/test runs it after the release build; it needs no broker.

import path from 'node:path';

import { ROOT, fail, runTest, step, withApp } from './browser.mjs';

const DIST = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist'));

async function main() {
  await withApp(DIST, { viewport: { width: 1280, height: 720 } }, run);
}

async function run({ page, context, base, server }) {
  const connect = page.getByRole('button', { name: 'Connect', exact: true });
  step('loading the app');
  await page.goto(base);
  await connect.waitFor();

  step("reading the manifest as Chromium's installer does");
  const cdp = await context.newCDPSession(page);
  const manifest = await cdp.send('Page.getAppManifest');
  if (!manifest.url) fail('the page links no web app manifest (no <link rel="manifest">)');
  if (manifest.errors.length) {
    fail(`the manifest ${manifest.url} has errors: ${manifest.errors.map((e) => `${e.message} (line ${e.line})`).join('; ')}`);
  }
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  if (installabilityErrors.length) {
    const why = installabilityErrors.map((e) => [e.errorId, ...e.errorArguments.map((a) => `${a.name}=${a.value}`)].join(' '));
    fail(`Chromium does not find the app installable: ${why.join('; ')}`);
  }

  step('checking what the manifest says');
  const data = JSON.parse(manifest.data);
  const expect = { name: 'MQTT Web Client', display: 'standalone', start_url: '.', scope: '.' };
  for (const [member, value] of Object.entries(expect)) {
    if (data[member] !== value) fail(`the manifest's ${member} is ${JSON.stringify(data[member])}, not ${JSON.stringify(value)}`);
  }
  for (const member of ['short_name', 'description', 'theme_color', 'background_color']) {
    if (!data[member]) fail(`the manifest has no ${member}`);
  }
  const icons = data.icons.map((icon) => ({ ...icon, url: new URL(icon.src, manifest.url).href }));
  const wanted = [
    ['a 192×192 PNG', (i) => i.type === 'image/png' && i.sizes === '192x192' && !i.purpose],
    ['a 512×512 PNG', (i) => i.type === 'image/png' && i.sizes === '512x512' && !i.purpose],
    ['a maskable 512×512 PNG', (i) => i.type === 'image/png' && i.sizes === '512x512' && i.purpose === 'maskable'],
    ['an SVG', (i) => i.type === 'image/svg+xml' && i.sizes === 'any'],
  ];
  for (const [what, is] of wanted) if (!icons.some(is)) fail(`the manifest lists no icon that is ${what}`);
  /// Each icon's natural size as the page loads it, or why it did not load.
  const iconSizes = () =>
    page.evaluate(
      (urls) =>
        Promise.all(
          urls.map(async (url) => {
            const image = new Image();
            image.src = url;
            try {
              await image.decode();
              return `${image.naturalWidth}x${image.naturalHeight}`;
            } catch {
              return 'not an image it could load';
            }
          }),
        ),
      icons.map((i) => i.url),
    );
  const checkIcons = async (when) => {
    const sizes = await iconSizes();
    icons.forEach((icon, n) => {
      const size = sizes[n];
      const ok = icon.sizes === 'any' ? /^\d+x\d+$/.test(size) : size === icon.sizes;
      if (!ok) fail(`${when}: the icon ${icon.src} (manifest: ${icon.sizes}) is ${size}`);
    });
  };
  await checkIcons('online');

  step('waiting for the service worker to control the page');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });

  step('reloading online: the hashed files from the cache, an older build\'s removed');
  const HASHED = /-[0-9a-f]{16}(?:_bg)?\.(?:js|wasm|css)$/;
  const older = new URL('mqtt-web-client-0123456789abcdef_bg.wasm', base).href;
  const cached = () => page.evaluate(async () => {
    const names = await caches.keys();
    const urls = [];
    for (const name of names) urls.push(...(await (await caches.open(name)).keys()).map((r) => r.url));
    return urls;
  });
  await page.evaluate(async (url) => {
    const [name] = await caches.keys();
    await (await caches.open(name)).put(url, new Response('an older build'));
  }, older);
  const requested = [];
  const record = (request) => requested.push(new URL(request.url, base).pathname);
  server.on('request', record);
  await page.reload();
  await connect.waitFor();
  server.off('request', record);
  const hashedAsked = requested.filter((p) => HASHED.test(p));
  if (hashedAsked.length) fail(`reloaded under the service worker, the page fetched hashed files from the server: ${hashedAsked.join(', ')}`);
  for (const expected of ['/', '/boot.js']) {
    if (!requested.includes(expected)) fail(`reloaded online, ${expected} was not asked of the server (network first); asked: ${requested.join(', ')}`);
  }
  const named = await page.evaluate(() => {
    const { js, wasm } = document.getElementById('boot').dataset;
    return [js, wasm].map((file) => new URL(file, location.href).href);
  });
  const removedBy = Date.now() + 5000;
  let urls = await cached();
  while (urls.includes(older) && Date.now() < removedBy) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    urls = await cached();
  }
  if (urls.includes(older)) fail(`an older build's hashed file is still cached after a reload: ${older}`);
  for (const file of named) if (!urls.includes(file)) fail(`the build's own ${file} left the cache: ${urls.join(', ')}`);

  step('stopping the server');
  await new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  });
  const stillServed = await fetch(base).then(
    () => true,
    () => false,
  );
  if (stillServed) fail(`${base} still answers after the server stopped`);

  step('reloading the app offline');
  await page.reload();
  await connect.waitFor().catch(() => fail('offline, the reloaded page does not show the app (no Connect button): the service worker did not serve it'));
  const linked = await page.evaluate(() => document.querySelector('link[rel="manifest"]')?.href);
  if (linked !== manifest.url) fail(`offline, the page links the manifest ${linked}, not ${manifest.url}`);
  const offlineManifest = await page.evaluate((url) => fetch(url).then((r) => (r.ok ? r.text() : `HTTP ${r.status}`), (e) => String(e)), manifest.url);
  if (offlineManifest !== manifest.data) fail(`offline, the manifest is not served from the cache: ${offlineManifest.slice(0, 200)}`);
  await checkIcons('offline');
  // Chinese's table was never fetched by the page: the worker cached it when it installed.
  await page.selectOption('header select.language', 'zh-CN');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN', null, { timeout: 10_000 })
    .catch(() => fail('offline, choosing 简体中文 does not show the page in Chinese: its table is not in the worker\'s cache'));
  console.log(`install: ok (manifest without errors, installable, ${icons.length} icons of their stated sizes; a reload under the service worker asks the server for ${requested.length} files, none hashed, and drops an older build's; offline the service worker starts the app and serves the manifest, the icons and the Chinese table)`);
}

runTest('install', 90_000, main);
