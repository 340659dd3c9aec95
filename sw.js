// Offline support: every same-origin GET goes to the network first (so a running server
// always serves the current build) and falls back to the copy cached on the last visit.
const CACHE = "mqtt-web-client-v1";

self.addEventListener("install", () => self.skipWaiting());
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
      .catch(() =>
        caches.match(request, { ignoreSearch: true }).then(
          // The page itself for any navigation, wherever the app is deployed.
          (cached) =>
            cached ||
            caches
              .match(new URL("index.html", self.registration.scope).href)
              .then((page) => page || Response.error()),
        ),
      ),
  );
});
