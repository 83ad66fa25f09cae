// Loading: the next pages of the feed from the API, and the data of a card
// that was dropped, fetched again by its id.
import { apiFetch } from "../api.js";
import { withId } from "../ui.js";
import { showGone } from "./cards.js";
import { data, end, endSection, feed, ids, known, live, remember, session } from "./state.js";
import { render, updateWindow } from "./window.js";

const MAX_EMPTY_PAGES = 3; // pages in a row with nothing new before the feed ends
const FRESH_PASS = "fresh-pass"; // session.nextCursor's value when the next page is a fresh first page
const REFUSED_CURSOR = new Set([400, 422]);

let loading = false;
let emptyPages = 0; // pages in a row that brought nothing new
const refetching = new Set(); // positions whose data is being fetched again

/** Adds a post after the last card. */
export function append(item) {
  remember(known, item.id);
  data.set(end(), item);
  ids.push(item.id);
}

/** The end section: "loading" (a skeleton), "done" or "error" (with a retry button). */
export function showEnd(state) {
  endSection.querySelector(".feed-end__skeleton").hidden = state !== "loading";
  endSection.querySelector(".feed-end__message").hidden = state !== "done";
  endSection.querySelector(".feed-end__error").hidden = state !== "error";
}

export async function loadMore() {
  if (loading || !session.nextCursor) return;
  loading = true;
  showEnd("loading");
  let response = null;
  let page;
  const restarting = session.nextCursor === FRESH_PASS;
  try {
    const url = new URL(feed.dataset.sourceUrl, window.location.href);
    if (!restarting) url.searchParams.set("cursor", session.nextCursor);
    response = await apiFetch(url);
    if (!response.ok) throw new Error(String(response.status));
    page = await response.json();
  } catch {
    loading = false;
    if (response && REFUSED_CURSOR.has(response.status) && !restarting) {
      // A cursor the server no longer takes (a deploy, a secret rotated, an
      // old stored session): carry on from a fresh pass; cards already shown
      // are skipped below, so the viewer just sees more posts.
      session.nextCursor = FRESH_PASS;
      loadMore();
      return;
    }
    if (response && REFUSED_CURSOR.has(response.status)) session.nextCursor = null;
    showEnd(session.nextCursor ? "error" : "done");
    return;
  }
  loading = false;
  const fresh = page.items.filter((item) => !known.has(item.id));
  // A page with nothing new (posts deleted meanwhile) is not the end, but a
  // run of them is: never loop on a server that repeats itself.
  emptyPages = fresh.length ? 0 : emptyPages + 1;
  session.nextCursor = page.has_more && emptyPages < MAX_EMPTY_PAGES ? page.next_cursor : null;
  const waited = end(); // the end section is on screen when one swiped faster than the page came
  const waiting = session.current >= waited;
  fresh.forEach(append);
  showEnd(session.nextCursor ? "loading" : "done");
  updateWindow();
  if (waiting && live.has(waited)) live.get(waited).scrollIntoView({ block: "start", behavior: "instant" });
  if (!fresh.length && session.nextCursor) loadMore();
}

/** Data of a card that was dropped: fetched again by its id. */
export async function fetchMissing(position) {
  if (refetching.has(position)) return;
  refetching.add(position);
  const id = ids[position - session.first];
  let response = null;
  try {
    response = await apiFetch(withId(feed.dataset.postUrl, id));
  } catch {
    response = null;
  }
  refetching.delete(position);
  if (ids[position - session.first] !== id) return; // forgotten meanwhile
  const item = response && response.ok ? await response.json() : null;
  const article = live.get(position);
  if (!article) return; // scrolled away meanwhile
  if (item) {
    data.set(position, item);
    render(article, position);
  } else if (response && response.status === 404) {
    showGone(article);
  } else {
    article.removeAttribute("aria-busy"); // offline or a server error: tried again when it comes back
  }
}
