// The window of cards around the current one.
//
// Memory stays bounded however long the session: only the cards around the
// current one exist in the DOM (spacers of whole card heights stand for the
// others, so snapping and the scroll position stay right), only the data of
// nearby cards is kept (a card further back is fetched again by its id when
// it comes back), and only the last HISTORY ids are remembered: older cards
// are let go, and their space is removed when scrolling stops.
import { emptyCard, paintCard, prepareMedia, releaseMedia } from "./cards.js";
import { unwatchSeen, watchSeen } from "./impressions.js";
import { data, end, endSection, feed, ids, live, session } from "./state.js";

const MOUNT_BEHIND = 2; // cards in the DOM behind the current one
const MOUNT_AHEAD = 3; // and ahead of it (their images load early)
const DATA_BEHIND = 8; // cards behind the current one whose data is kept
const DATA_AHEAD = 60; // more than a page beyond LOAD_AHEAD: loaded cards are not dropped
const HISTORY = Number(feed.dataset.history) || 200; // cards one can go back to
const LOAD_AHEAD = 4; // cards left before the end when the next page is fetched

const topSpacer = document.getElementById("feed-spacer-top");
const bottomSpacer = document.getElementById("feed-spacer-bottom");

// What the window asks of the loader (connected by feed.js).
let fetchMissing = () => {}; // fetchMissing(position): a mounted card's data was dropped
let loadMore = () => {}; // fewer than LOAD_AHEAD cards are left

export function connectWindow(loader) {
  fetchMissing = loader.fetchMissing;
  loadMore = loader.loadMore;
}

/** Fills a mounted card from its data, or asks for the data again. */
export function render(article, position) {
  const item = data.get(position);
  if (!item) {
    article.setAttribute("aria-busy", "true");
    fetchMissing(position);
    return;
  }
  paintCard(article, item, position);
}

// Which card is on screen.
const currentObserver = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting && entry.intersectionRatio >= 0.6) {
        session.current = entry.target === endSection ? end() : Number(entry.target.dataset.index);
        updateWindow();
      }
    }
  },
  { root: feed, threshold: [0.6] },
);

function watchCard(article) {
  currentObserver.observe(article);
  watchSeen(article);
}

function unwatchCard(article) {
  currentObserver.unobserve(article);
  unwatchSeen(article);
}

function mount(position) {
  const article = emptyCard();
  article.dataset.index = String(position);
  article.dataset.postId = String(ids[position - session.first]);
  render(article, position);
  // Mounted from the highest position down, so the next card is already in place.
  (live.get(position + 1) || bottomSpacer).before(article);
  live.set(position, article);
  inReach(article, position);
  watchCard(article);
}

function unmount(position) {
  const article = live.get(position);
  live.delete(position);
  unwatchCard(article);
  if (article.contains(document.activeElement)) feed.focus({ preventScroll: true });
  clearTimeout(article.burstTimer);
  releaseMedia(article); // a clip's buffered media and decoder too
  article.remove(); // with its <img>: the decoded bitmap can be freed
}

function setSpacer(spacer, cards) {
  spacer.style.setProperty("--cards", String(Math.max(0, cards)));
}

/** Mounts and unmounts cards, drops data and forgets ids around the current card. */
export function updateWindow() {
  const { current } = session;
  // Forget the oldest cards beyond HISTORY (in steps, not at every swipe).
  if (current - session.first > HISTORY + 20) {
    const drop = current - HISTORY - session.first;
    ids.splice(0, drop);
    session.first += drop;
  }
  const { base, first } = session;
  const low = Math.max(first, current - MOUNT_BEHIND);
  const high = Math.min(end() - 1, current + MOUNT_AHEAD);
  for (const position of [...live.keys()]) if (position < low || position > high) unmount(position);
  for (const position of data.keys()) {
    if (position < current - DATA_BEHIND || position > current + DATA_AHEAD || position < first) data.delete(position);
  }
  for (let position = high; position >= low; position -= 1) if (!live.has(position)) mount(position);
  setSpacer(topSpacer, low - base);
  setSpacer(bottomSpacer, end() - 1 - high);
  inReach(endSection, end());
  if (end() - 1 - current < LOAD_AHEAD) loadMore();
}

// The space of forgotten cards is removed once scrolling has stopped (moving
// the scroll position mid-gesture would stop the finger's scroll).
function compact() {
  const { first } = session;
  if (first <= session.base) return;
  const height = feed.clientHeight;
  const onScreen = session.base + Math.round(feed.scrollTop / height); // read before the layout changes
  session.base = first;
  setSpacer(topSpacer, Math.max(first, session.current - MOUNT_BEHIND) - first);
  feed.scrollTop = (onScreen - first) * height;
}

// One swipe moves one card. scroll-snap-stop: always asks for that, but when
// the finger has already dragged most of a card, Chromium's fling can still
// land a card further on; so while a swipe lasts only the cards next to the
// one it started from are snap points.
let swipeFrom = null; // that card's position, like `session.current`
function inReach(element, position) {
  element.classList.toggle("is-out-of-reach", swipeFrom !== null && Math.abs(position - swipeFrom) > 1);
}
function reachFrom(position) {
  swipeFrom = position;
  for (const [at, article] of live) inReach(article, at);
  inReach(endSection, end());
}
function scrollStopped() {
  reachFrom(null);
  compact();
}

/** Listens to the swipes: snap points while a swipe lasts, compacting after it. */
export function startWindow() {
  let scrolledSinceTouch = false;
  feed.addEventListener(
    "touchstart",
    () => {
      scrolledSinceTouch = false;
      reachFrom(session.base + Math.round(feed.scrollTop / feed.clientHeight));
    },
    { passive: true },
  );
  feed.addEventListener("scroll", () => (scrolledSinceTouch = true), { passive: true });
  // A tap scrolls nothing, so no scroll end comes to put the snap points back.
  feed.addEventListener("touchend", () => scrolledSinceTouch || reachFrom(null), { passive: true });

  if ("onscrollend" in window) {
    feed.addEventListener("scrollend", scrollStopped);
  } else {
    // No scrollend (older Safari): once scrolling has been still for a moment, finger up.
    let touching = false;
    let idle = null;
    const later = () => {
      clearTimeout(idle);
      idle = setTimeout(() => !touching && scrollStopped(), 250);
    };
    feed.addEventListener("touchstart", () => (touching = true), { passive: true });
    feed.addEventListener("touchend", () => ((touching = false), later()), { passive: true });
    feed.addEventListener("scroll", later, { passive: true });
  }
}

/** Takes the server-rendered cards into the window. */
export function adoptRenderedCards() {
  feed.querySelectorAll(".feed-card").forEach((article) => {
    const position = Number(article.dataset.index);
    live.set(position, article);
    prepareMedia(article);
    watchCard(article);
  });
  updateWindow();
}

/** Shows a restored session: its own cards instead of the server-rendered ones, at its card. */
export function showRestored() {
  feed.querySelectorAll(".feed-card").forEach((article) => article.remove());
  updateWindow();
  feed.scrollTop = (session.current - session.base) * feed.clientHeight;
}

/** From now on, the end section counts as the card after the last. */
export function watchEnd() {
  currentObserver.observe(endSection);
}
