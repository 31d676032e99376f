// The builders' service worker: their pages and everything those pages load
// keep working with no signal once visited. Pages are fetched from the
// network first (so they are never stale when there is signal) and kept;
// with no signal the kept copy is shown. Static files are served from the
// cache and refreshed in the background.
const VERSION = "{{ version }}";
const STATIC_CACHE = `abcd-static-${VERSION}`;
const PAGE_CACHE = "abcd-pages";
const STATIC_FILES = {{ static_files|safe }};
const BUILDER_PAGES = {{ builder_pages|safe }};
const OFFLINE_PAGE = "{{ outbox_page }}";
const NETWORK_TIMEOUT_MS = 5000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const statics = await caches.open(STATIC_CACHE);
      await statics.addAll(STATIC_FILES);
      const pages = await caches.open(PAGE_CACHE);
      await Promise.all(
        BUILDER_PAGES.map(async (url) => {
          try {
            const response = await fetch(url, { credentials: "same-origin" });
            if (response.ok && !response.redirected) await pages.put(url, response);
          } catch {
            // Kept the next time the page is visited.
          }
        }),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("abcd-static-") && name !== STATIC_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "signed-out") {
    event.waitUntil(caches.delete(PAGE_CACHE));
  }
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function page(request) {
  const cache = await caches.open(PAGE_CACHE);
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    if (response.ok && !response.redirected) await cache.put(request, response.clone());
    return response;
  } catch {
    const url = new URL(request.url);
    return (
      (await cache.match(request)) ||
      (await cache.match(url.pathname)) ||
      (await cache.match(OFFLINE_PAGE)) ||
      new Response("<h1>You are offline</h1><p>This page has not been opened on this phone before.</p>", {
        headers: { "Content-Type": "text/html; charset=utf-8" },
      })
    );
  }
}

async function staticFile(request) {
  const cache = await caches.open(STATIC_CACHE);
  const cached = await cache.match(request);
  const refresh = fetch(request)
    .then((response) => {
      if (response.ok) cache.put(request, response.clone());
      return response;
    })
    .catch(() => undefined);
  return cached || (await refresh) || Response.error();
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return; // the outbox's PUTs go straight out
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/communities/")) {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith("{{ static_url }}")) {
    event.respondWith(staticFile(request));
  }
});
