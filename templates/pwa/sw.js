// SkyFrame's service worker (rendered by skyframe/main/pwa.py; served at /sw.js
// so its scope is the whole site).
//   - precaches the app shell and the offline page, versioned: a deploy that
//     changes any of them installs new caches and deletes the old ones;
//   - cache-first for static assets;
//   - stale-while-revalidate for images people viewed (public, immutable media
//     and avatars only), the newest kept up to IMAGE_CAP entries and
//     IMAGE_BYTES in all;
//   - network only for /api/*, every non-GET request and every page (pages are
//     user-specific), with the offline page when the network is gone;
//   - never touches clips: a <video>'s or <audio>'s requests, any request for
//     a byte range and any video or audio file pass straight to the network
//     (a clip is megabytes, fetched in ranges: a cache would hold a part of it,
//     evict every image, and answer a range with the whole file).
const VERSION = {{ version|tojson }};
const SHELL_CACHE = `skyframe-shell-${VERSION}`;
// Media URLs never change their bytes, so viewed images outlive deploys.
const IMAGE_CACHE = "skyframe-images-1";
const SHELL = {{ shell|tojson }};
const OFFLINE_URL = {{ offline_url|tojson }};
const IMAGE_CAP = {{ image_cap|tojson }};
const IMAGE_BYTES = {{ image_bytes|tojson }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([SHELL_CACHE, IMAGE_CACHE]);
      const names = await caches.keys();
      await Promise.all(
        names.filter((name) => name.startsWith("skyframe-") && !keep.has(name)).map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

function isStatic(url) {
  return url.pathname.startsWith("/static/") || url.pathname.startsWith("/bootstrap/");
}

const MEDIA_FILE = /\.(mp4|m4v|mov|webm|mkv|m4a|aac|mp3|ogg|opus)$/i;

function isClip(request, url) {
  return (
    request.destination === "video" ||
    request.destination === "audio" ||
    request.headers.has("range") ||
    MEDIA_FILE.test(url.pathname)
  );
}

function isImage(url) {
  return url.pathname.startsWith("/media/") || /^\/u\/[^/]+\/avatar$/.test(url.pathname);
}

// Only responses every visitor would get may be kept: a processing post's
// files are served privately to their owner (no public caching).
function shareable(response) {
  const control = response.headers.get("Cache-Control") || "";
  const type = response.headers.get("Content-Type") || "";
  return (
    response.status === 200 &&
    response.type === "basic" &&
    /\bpublic\b/.test(control) &&
    !/^(video|audio)\//i.test(type) // a clip reached by another way is not kept either
  );
}

async function sizeOf(response) {
  const length = Number(response.headers.get("Content-Length"));
  return Number.isFinite(length) && length > 0 ? length : (await response.clone().blob()).size;
}

// Keeps the newest images while both caps hold; drops everything older.
async function trim(cache) {
  const newestFirst = (await cache.keys()).reverse(); // keys() keeps insertion order
  let kept = 0;
  let bytes = 0;
  let full = false;
  for (const request of newestFirst) {
    const response = await cache.match(request);
    const size = response ? await sizeOf(response) : 0;
    full = full || kept + 1 > IMAGE_CAP || bytes + size > IMAGE_BYTES;
    if (full) {
      await cache.delete(request);
    } else {
      kept += 1;
      bytes += size;
    }
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    const cache = await caches.open(SHELL_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

async function staleWhileRevalidate(event) {
  const cache = await caches.open(IMAGE_CACHE);
  const cached = await cache.match(event.request);
  const refresh = fetch(event.request)
    .then(async (response) => {
      if (shareable(response)) {
        await cache.delete(event.request); // re-added at the end: most recent
        await cache.put(event.request, response.clone());
        await trim(cache);
      }
      return response;
    })
    .catch(() => null);
  if (cached) {
    event.waitUntil(refresh);
    return cached;
  }
  const response = await refresh;
  return response || Response.error();
}

async function pageOrOffline(request) {
  try {
    return await fetch(request);
  } catch {
    const offline = await caches.match(OFFLINE_URL);
    return offline || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return; // writes always go to the network
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return; // never cached: live and per user
  if (isClip(request, url)) return; // clips stream from the network, never cached
  if (request.mode === "navigate") {
    event.respondWith(pageOrOffline(request));
  } else if (isStatic(url)) {
    event.respondWith(cacheFirst(request));
  } else if (isImage(url)) {
    event.respondWith(staleWhileRevalidate(event));
  }
});
