// The offline visit form's service worker (care/views.py service_worker), scope /care/.
// It keeps the form page and the static files it runs on, nothing else: recipients and queued
// visits live in the page's IndexedDB (static/guanai/offline.js); the API and every other page
// go to the network and are never kept. Logging out deletes it all (accounts LogoutView).
const CONFIG = {{ config_json|safe }};
const CACHE = 'guanai-offline-' + CONFIG.version;

async function keepPage(response) {
  // Only the page itself: a redirect to the login page or an error page is not kept.
  if (response.ok && !response.redirected && response.type === 'basic') {
    const cache = await caches.open(CACHE);
    await cache.put(CONFIG.offlineUrl, response.clone());
  }
  return response;
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(CONFIG.assets);
    try {
      await keepPage(await fetch(CONFIG.offlineUrl, { credentials: 'same-origin' }));
    } catch (error) { /* kept at the next visit of the page */ }
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('guanai-offline-') && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

async function navigate(request, url) {
  try {
    const response = await fetch(request);
    return url.pathname === CONFIG.offlineUrl ? keepPage(response) : response;
  } catch (error) {
    // No connection: the offline form answers for every care page (the visit form above all).
    const cached = await caches.match(CONFIG.offlineUrl, { cacheName: CACHE });
    if (cached) return cached;
    throw error;
  }
}

async function staticFile(event, url) {
  // The kept copy at once, refreshed from the network behind it when there is one.
  const cache = await caches.open(CACHE);
  const hit = await cache.match(url.pathname);
  const refresh = fetch(event.request).then(async (response) => {
    if (response.ok && response.type === 'basic') await cache.put(url.pathname, response.clone());
    return response;
  });
  if (hit) {
    event.waitUntil(refresh.catch(() => null));
    return hit;
  }
  return refresh;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request, url));
  } else if (url.pathname.startsWith(CONFIG.staticUrl)) {
    // The site's own code and styles (no personal data), so the page runs without a connection.
    event.respondWith(staticFile(event, url));
  }
});
