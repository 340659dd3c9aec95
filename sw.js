// Offline support and quick repeat visits. The page, and every file whose name does not say
// its content, goes to the network first (so a running server always serves the current
// build) and falls back to the copy cached on the last visit; the navigation's request starts
// while this worker does (navigation preload). A file trunk names after its content (its hash
// in the name: the app's script, wasm and styles) never changes under that name, so it comes
// from the cache without asking the network; each new page says which of them to keep.
//
// Installing caches the whole app at once: the page loaded before this worker controlled it,
// so without that a first visit would leave nothing to start offline from. What it caches is
// read from the build itself, never listed here: the page, every file the page names (trunk's
// hashed script and wasm, the styles, boot.js, the manifest and the icons, the translation
// tables), and the manifest's icons, which the browser fetches for an installed app's launcher
// and splash screen.
//
// The payload decoders' Worker (decoder-worker.js and decoder-worker_bg.wasm, which the page does
// not name) is not part of that: it loads on the first decode, and the fetch handler below
// keeps it then like any other file, so it decodes offline from then on.
const CACHE = "mqtt-web-client-v1";

/// The page's own address (the scope, wherever the app is deployed).
const PAGE = self.registration.scope;

/// Trunk's names for what it builds from content: `name-<16 hex digits>` (`_bg` for the wasm).
const HASHED = /-[0-9a-f]{16}(?:_bg)?\.(?:js|wasm|css)$/;
const isHashed = (url) => HASHED.test(new URL(url).pathname);

/// Same-origin URLs in the attributes of a page or the members of a manifest that name files.
function sameOrigin(urls, base) {
  return urls
    .map((url) => new URL(url, base))
    .filter((url) => url.origin === self.location.origin)
    .map((url) => url.href);
}

/// The same-origin files a page names: in its attributes, and the translation tables it lists
/// (`<meta name="translation-tables">`: the app fetches one when its language is shown, and a
/// first visit's fetch comes before this worker controls the page, so they are cached here).
function namedBy(html) {
  const tables = html.match(/<meta name="translation-tables" content="([^"]*)"/)?.[1] ?? "";
  return sameOrigin(
    [
      ...[...html.matchAll(/\s(?:href|src|data-js|data-wasm)="([^"]+)"/g)].map((m) => m[1]),
      ...tables.split(/\s+/).filter(Boolean),
    ],
    PAGE,
  );
}

async function cacheTheApp() {
  const cache = await caches.open(CACHE);
  const page = await fetch(PAGE, { cache: "no-cache" });
  if (!page.ok) throw new Error(`the page answered ${page.status}`);
  const named = namedBy(await page.clone().text());
  const icons = [];
  for (const manifest of named.filter((url) => new URL(url).pathname.endsWith(".webmanifest"))) {
    const response = await fetch(manifest, { cache: "no-cache" });
    if (!response.ok) throw new Error(`${manifest} answered ${response.status}`);
    const { icons: listed = [] } = await response.json();
    icons.push(...sameOrigin(listed.map((icon) => icon.src), manifest));
  }
  await cache.put(PAGE, page);
  await cache.addAll([...new Set([...named, ...icons])]);
}

self.addEventListener("install", (event) => {
  self.skipWaiting();
  event.waitUntil(cacheTheApp());
});
self.addEventListener("activate", (event) =>
  event.waitUntil(
    Promise.all([self.clients.claim(), self.registration.navigationPreload?.enable()]),
  ),
);

/// A fresh page of the app names the hashed files of its build: the others, an older build's,
/// go. A page that names none is not the app (another page in the scope), and changes nothing.
async function keepOnlyNamedBy(page) {
  const named = new Set(namedBy(await page.text()));
  if (![...named].some(isHashed)) return;
  const cache = await caches.open(CACHE);
  for (const request of await cache.keys()) {
    if (isHashed(request.url) && !named.has(request.url)) await cache.delete(request);
  }
}

/// Caches a copy of `response` and gives it back (both clones now: the page reads the response
/// itself).
function keep(event, request, response) {
  if (!response.ok) return response;
  const copy = response.clone();
  const page = request.mode === "navigate" && response.clone();
  const kept = caches.open(CACHE).then((cache) => cache.put(request, copy));
  event.waitUntil(page ? kept.then(() => keepOnlyNamedBy(page)) : kept);
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  if (isHashed(request.url)) {
    event.respondWith(
      caches.match(request).then(
        (cached) => cached || fetch(request).then((response) => keep(event, request, response)),
      ),
    );
    return;
  }
  event.respondWith(
    Promise.resolve(event.preloadResponse)
      .then((preloaded) => preloaded || fetch(request))
      .then((response) => keep(event, request, response))
      .catch(async () => {
        const cached = await caches.match(request, { ignoreSearch: true });
        if (cached) return cached;
        // The page itself for a navigation to any address in the scope (index.html, a query).
        const page = request.mode === "navigate" && (await caches.match(PAGE));
        return page || Response.error();
      }),
  );
});
