// Offline support: every same-origin GET goes to the network first (so a running server
// always serves the current build) and falls back to the copy cached on the last visit.
//
// Installing caches the whole app at once: the page loaded before this worker controlled it,
// so without that a first visit would leave nothing to start offline from. What it caches is
// read from the build itself, never listed here: the page, every file the page names (trunk's
// hashed script and wasm, the styles, boot.js, the manifest and the icons), and the manifest's
// icons, which the browser fetches for an installed app's launcher and splash screen.
//
// The payload decoders' Worker (decoder-worker.js and decoder-worker_bg.wasm, which the page does
// not name) is not part of that: it loads on the first decode, and the fetch handler below
// keeps it then like any other file, so it decodes offline from then on.
const CACHE = "mqtt-web-client-v1";

/// The page's own address (the scope, wherever the app is deployed).
const PAGE = self.registration.scope;

/// Same-origin URLs in the attributes of a page or the members of a manifest that name files.
function sameOrigin(urls, base) {
  return urls
    .map((url) => new URL(url, base))
    .filter((url) => url.origin === self.location.origin)
    .map((url) => url.href);
}

async function cacheTheApp() {
  const cache = await caches.open(CACHE);
  const page = await fetch(PAGE, { cache: "no-cache" });
  if (!page.ok) throw new Error(`the page answered ${page.status}`);
  const html = await page.clone().text();
  const named = sameOrigin(
    [...html.matchAll(/\s(?:href|src|data-js|data-wasm)="([^"]+)"/g)].map((m) => m[1]),
    PAGE,
  );
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
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
        }
        return response;
      })
      .catch(async () => {
        const cached = await caches.match(request, { ignoreSearch: true });
        if (cached) return cached;
        // The page itself for a navigation to any address in the scope (index.html, a query).
        const page = request.mode === "navigate" && (await caches.match(PAGE));
        return page || Response.error();
      }),
  );
});
