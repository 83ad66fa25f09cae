// View reports (POST /api/v1/views, see docs/views.md): an image at least half
// on screen for VIEW_AFTER_MS, or a clip played for 2 s or to its end (the
// playback module dispatches "skyframe:clip-played" with {postId, seconds}),
// is reported once per page load, in batches: every FLUSH_MS, with the feed's
// seen reports, and when the page is hidden or left (keepalive, so the last
// batch is not lost). The server counts each viewer once per post per day.
import { apiFetch } from "./api.js";

const VIEW_AFTER_MS = 2000;
const MIN_SECONDS = 2;
const FLUSH_MS = 5000;
const MAX_BATCH = 100;
const REMEMBERED = 1000;

const source = document.querySelector("[data-views-url]");
const url = source ? source.dataset.viewsUrl : "";
const pending = new Map(); // post id → seconds
const sent = new Set(); // reported in this page load (the latest REMEMBERED)
const timers = new Map(); // element → timeout

/** Adds a view of `postId` that lasted `seconds` to the next batch. */
export function addView(postId, seconds) {
  const id = Number(postId);
  if (!url || !Number.isInteger(id) || id < 1 || sent.has(id)) return;
  pending.set(id, Math.max(pending.get(id) || 0, seconds));
}

function remember(id) {
  sent.add(id);
  if (sent.size > REMEMBERED) sent.delete(sent.values().next().value);
}

// A clip's own element plays it: its views come from the playback module.
const isClip = (element) => Boolean(element.querySelector("video:not([hidden])"));

const observer =
  url && "IntersectionObserver" in window
    ? new IntersectionObserver(
        (entries) => {
          for (const entry of entries) {
            const element = entry.target;
            if (entry.intersectionRatio >= 0.5) {
              if (!timers.has(element)) {
                const started = performance.now();
                timers.set(
                  element,
                  setTimeout(() => {
                    timers.delete(element);
                    if (!isClip(element)) addView(element.dataset.postId, (performance.now() - started) / 1000);
                  }, VIEW_AFTER_MS),
                );
              }
            } else {
              clearTimeout(timers.get(element));
              timers.delete(element);
            }
          }
        },
        { threshold: [0, 0.5] },
      )
    : null;

/** Counts `element` (with data-post-id) as viewed after VIEW_AFTER_MS half on screen. */
export function watchView(element) {
  if (observer) observer.observe(element);
}

export function unwatchView(element) {
  if (!observer) return;
  observer.unobserve(element);
  clearTimeout(timers.get(element));
  timers.delete(element);
}

/** Sends the pending views (up to MAX_BATCH); a failed send keeps them for the next. */
export function flushViews() {
  if (!pending.size) return;
  const batch = [...pending].slice(0, MAX_BATCH);
  batch.forEach(([id]) => {
    pending.delete(id);
    remember(id);
  });
  const views = batch.map(([postId, seconds]) => ({ post_id: postId, seconds: Math.round(seconds * 10) / 10 }));
  const retry = () =>
    batch.forEach(([id, seconds]) => {
      sent.delete(id);
      addView(id, seconds);
    });
  apiFetch(url, { method: "POST", json: { views }, keepalive: true })
    .then((response) => {
      if (response.status === 429 || response.status >= 500) retry();
    })
    .catch(retry);
}

let started = false;

export function startViews() {
  if (!url || started) return;
  started = true;
  document.addEventListener("skyframe:clip-played", (event) => {
    const detail = event.detail || {};
    // Dispatched once a clip played 2 s, or to its end when shorter: a view.
    if (Number(detail.seconds) >= 0) addView(detail.postId, Math.max(MIN_SECONDS, Number(detail.seconds)));
  });
  setInterval(flushViews, FLUSH_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flushViews();
  });
  window.addEventListener("pagehide", flushViews);
}
