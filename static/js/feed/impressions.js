// Impressions: a card that stays at least half on screen for SEEN_AFTER_MS is
// reported as seen (in batches, and when the page is hidden or left), so later
// feed pages can skip it. Views (../views.js) are watched on the same cards
// and sent with the seen reports.
import { apiFetch } from "../api.js";
import { flushViews, startViews, unwatchView, watchView } from "../views.js";
import { feed, remember } from "./state.js";

const SEEN_AFTER_MS = 1000;
const SEEN_FLUSH_MS = 5000;

const seenPending = new Set();
const seenSent = new Set();
const seenTimers = new Map();

const seenObserver = feed.dataset.seenUrl
  ? new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const id = Number(entry.target.dataset.postId);
          if (entry.intersectionRatio >= 0.5) {
            if (!seenSent.has(id) && !seenTimers.has(id)) {
              seenTimers.set(
                id,
                setTimeout(() => {
                  seenTimers.delete(id);
                  remember(seenSent, id);
                  seenPending.add(id);
                }, SEEN_AFTER_MS),
              );
            }
          } else if (seenTimers.has(id)) {
            clearTimeout(seenTimers.get(id));
            seenTimers.delete(id);
          }
        }
      },
      { root: feed, threshold: [0, 0.5] },
    )
  : null;

export function watchSeen(article) {
  watchView(article);
  if (seenObserver) seenObserver.observe(article);
}

export function unwatchSeen(article) {
  unwatchView(article);
  if (!seenObserver) return;
  seenObserver.unobserve(article);
  const id = Number(article.dataset.postId);
  clearTimeout(seenTimers.get(id));
  seenTimers.delete(id);
}

function flushSeen() {
  flushViews();
  if (!seenPending.size) return;
  const ids = [...seenPending].slice(0, 100);
  ids.forEach((id) => seenPending.delete(id));
  apiFetch(feed.dataset.seenUrl, { method: "POST", json: { post_ids: ids }, keepalive: true }).catch(
    () => ids.forEach((id) => seenPending.add(id)),
  );
}

export function startImpressions() {
  startViews();
  if (!seenObserver) return;
  setInterval(flushSeen, SEEN_FLUSH_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flushSeen();
  });
  window.addEventListener("pagehide", flushSeen);
}
