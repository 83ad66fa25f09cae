// Back navigation: where one was is kept in sessionStorage when leaving the
// page, so coming back (when the browser did not keep the page alive) shows
// the same card again.
import { data, end, feed, ids, known, live, remember, session } from "./state.js";

const KEY = `skyframe-feed:${feed.dataset.kind}`;

function keepPlace() {
  const near = {};
  for (const position of live.keys()) if (data.has(position)) near[position] = data.get(position);
  const { first, current, nextCursor } = session;
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ first, ids, current, nextCursor, data: near }));
  } catch {
    // storage full or turned off: coming back shows a fresh feed
  }
}

/** Keeps the place each time the page is left. */
export function keepPlaceOnLeaving() {
  window.addEventListener("pagehide", keepPlace);
}

/** On a back or forward navigation, takes the kept place back; false when there is none. */
export function restorePlace() {
  const [navigation] = performance.getEntriesByType("navigation");
  if (!navigation || navigation.type !== "back_forward") return false;
  let kept = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    kept = null;
  }
  if (!kept || !Array.isArray(kept.ids) || !kept.ids.length) return false;
  session.base = session.first = kept.first;
  kept.ids.forEach((id) => {
    ids.push(id);
    remember(known, id);
  });
  for (const [position, item] of Object.entries(kept.data || {})) data.set(Number(position), item);
  session.nextCursor = kept.nextCursor || null;
  session.current = Math.max(session.first, Math.min(kept.current, end()));
  return true;
}
