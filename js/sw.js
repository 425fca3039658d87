// techbasics service worker. The build fills in VERSION, BASE and FILES. It precaches the
// whole site for one version; every response comes from that one version's cache, so a
// reader never mixes old HTML with new wasm. A new version installs in the background and
// takes over only when the reader accepts the page's "reload" offer (or all tabs close).
const VERSION = "__VERSION__";
const BASE = "__BASE__";
const FILES = __FILES__;
const CACHE = "techbasics-" + VERSION;

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)));
});

self.addEventListener("activate", (e) => {
  e.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("techbasics-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (e) => {
  if (e.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith(BASE)) return;
  e.respondWith(
    caches.open(CACHE).then(async (c) => {
      const path = url.pathname;
      const hit = (await c.match(path.endsWith("/") ? path + "index.html" : path)) || (await c.match(path + "/index.html"));
      if (hit) return hit;
      try {
        return await fetch(e.request);
      } catch (err) {
        return (await c.match(BASE + "404.html")) || Response.error();
      }
    }),
  );
});
