// The swipe feed: server-rendered first page, then pages from the API.
//
// Memory stays bounded however long the session: only the cards around the
// current one exist in the DOM (spacers of whole card heights stand for the
// others, so snapping and the scroll position stay right), only the data of
// nearby cards is kept (a card further back is fetched again by its id when
// it comes back), and only the last HISTORY ids are remembered: older cards
// are let go, and their space is removed when scrolling stops.
import { apiFetch } from "./api.js";
import { paintPlaceholder } from "./blurhash.js";
import { openComments } from "./comments.js";
import { openViewer } from "./viewer.js";
import { problemOf, reducedMotion, toast, withId } from "./ui.js";

const feed = document.getElementById("feed");
const MOUNT_BEHIND = 2; // cards in the DOM behind the current one
const MOUNT_AHEAD = 3; // and ahead of it (their images load early)
const DATA_BEHIND = 8; // cards behind the current one whose data is kept
const DATA_AHEAD = 60; // more than a page beyond LOAD_AHEAD: loaded cards are not dropped
const HISTORY = Number(feed.dataset.history) || 200; // cards one can go back to
const REMEMBERED = 1000; // ids remembered to skip repeats in later pages, and seen reports
const LOAD_AHEAD = 4; // cards left before the end when the next page is fetched
const MAX_EMPTY_PAGES = 3; // pages in a row with nothing new before the feed ends
const SEEN_AFTER_MS = 1000;
const SEEN_FLUSH_MS = 5000;
const DOUBLE_TAP_MS = 300;

const template = document.getElementById("feed-card-template");
const endSection = document.getElementById("feed-end");
const topSpacer = document.getElementById("feed-spacer-top");
const bottomSpacer = document.getElementById("feed-spacer-bottom");
const links = JSON.parse(feed.dataset.links);
const signedIn = document.body.dataset.signedIn === "true";
const myHandle = document.body.dataset.handle || "";

// Positions count cards from the start of the session. The scroll area starts
// at position `base`; ids are known from position `first` (>= base) on.
let base = 0;
let first = 0;
const ids = []; // ids[p - first]: the post at position p
const data = new Map(); // position → the post's data, near the current card only
const live = new Map(); // position → its <article>, around the current card only
const refetching = new Set(); // positions whose data is being fetched again
const known = new Set(); // ids already in this session (the latest REMEMBERED)
let nextCursor = feed.dataset.nextCursor || null;
const FRESH_PASS = "fresh-pass"; // nextCursor's value when the next page is a fresh first page
const REFUSED_CURSOR = new Set([400, 422]);
let loading = false;
let emptyPages = 0; // pages in a row that brought nothing new
let current = 0;

const end = () => first + ids.length; // the position after the last card

function remember(set, id) {
  set.delete(id);
  set.add(id);
  if (set.size > REMEMBERED) set.delete(set.values().next().value); // the oldest
}

/** Sizes of what the feed holds (for tests and the memory benchmark). */
export function feedState() {
  return { base, first, end: end(), current, ids: ids.length, data: data.size, live: live.size, known: known.size };
}

const likeUrl = (id) => withId(feed.dataset.likeUrl, id);
const favoriteUrl = (id) => withId(feed.dataset.favoriteUrl, id);
const followUrl = (handle) => feed.dataset.followUrl.replace("__HANDLE__", encodeURIComponent(handle));

// Filling cards ----------------------------------------------------------------

function rendition(list, type) {
  return (list || []).find((r) => r.content_type === type) || null;
}

function setText(root, role, text) {
  const element = root.querySelector(`[data-role="${role}"]`);
  element.textContent = text;
  return element;
}

function fill(article, item, index) {
  const q = (role) => article.querySelector(`[data-role="${role}"]`);
  article.dataset.index = String(index);
  article.dataset.postId = String(item.id);
  article.setAttribute("aria-labelledby", `card-title-${index}`);
  const media = item.media || {};
  const webp = rendition(media.display, "image/webp");
  const jpeg = rendition(media.display, "image/jpeg");
  const mediaBox = q("media");
  mediaBox.dataset.blurhash = (media.placeholder && media.placeholder.blurhash) || "";
  mediaBox.dataset.color = (media.placeholder && media.placeholder.color) || "";
  q("webp").srcset = webp ? webp.url : "";
  const image = q("image");
  if (jpeg) {
    image.width = jpeg.width;
    image.height = jpeg.height;
    image.src = jpeg.url;
  }
  image.alt = item.title;
  image.loading = "eager"; // only cards near the viewport are filled
  q("title-heading").id = `card-title-${index}`;
  const title = setText(article, "title", item.title);
  title.href = item.url;
  const object = item.object && item.object.name ? item.object : null;
  const objectHref = object && object.id && links.object ? links.object.replace("__ID__", object.id) : "";
  const objectLink = q("object");
  objectLink.hidden = !objectHref;
  objectLink.href = objectHref || "#";
  objectLink.textContent = objectHref ? object.name : "";
  const objectText = setText(article, "object-text", object && !objectHref ? object.name : "");
  objectText.hidden = !object || Boolean(objectHref);
  const observer = q("observer");
  const observerText = q("observer-text");
  if (links.observer) {
    observer.href = links.observer.replace("__Q__", encodeURIComponent(item.owner.handle));
    observer.textContent = item.observer;
  } else {
    observerText.textContent = item.observer;
  }
  const date = q("date");
  date.hidden = !item.observed_at;
  date.dateTime = item.observed_at || "";
  date.textContent = item.observed_at ? item.observed_at.slice(0, 10) : "";
  q("owner").href = links.profile.replace("__HANDLE__", item.owner.handle);
  q("avatar").src = item.owner.avatar_url || "";
  setText(article, "handle", `@${item.owner.handle}`);
  setText(article, "follow-label", `Follow @${item.owner.handle}`);
  const download = article.querySelector("[data-action=download]");
  download.hidden = !item.download_url;
  download.href = item.download_url || "#";
  showState(article, item);
}

function showState(article, item) {
  const button = (action) => article.querySelector(`[data-action="${action}"]`);
  button("like").setAttribute("aria-pressed", String(Boolean(item.liked)));
  button("favorite").setAttribute("aria-pressed", String(Boolean(item.favorited)));
  const follow = button("follow");
  follow.setAttribute("aria-pressed", String(Boolean(item.following)));
  follow.hidden = Boolean(myHandle) && item.owner.handle === myHandle;
  setText(article, "like-count", String(item.like_count));
  setText(article, "favorite-count", String(item.favorite_count));
  setText(article, "comment-count", String(item.comment_count));
}

function prepareMedia(article) {
  const box = article.querySelector(".feed-card__media");
  if (!box) return;
  paintPlaceholder(box);
  const image = box.querySelector("img");
  if (image.complete && image.naturalWidth) box.classList.add("is-loaded");
}

function showGone(article) {
  const note = document.createElement("p");
  note.className = "feed-card__gone";
  note.textContent = "This post is no longer available.";
  article.replaceChildren(note);
  article.removeAttribute("aria-busy");
}

function render(article, position) {
  const item = data.get(position);
  if (!item) {
    article.setAttribute("aria-busy", "true");
    refetch(position);
    return;
  }
  const fresh = template.content.firstElementChild.cloneNode(true);
  fill(fresh, item, position);
  article.replaceChildren(...fresh.childNodes);
  article.setAttribute("aria-labelledby", `card-title-${position}`);
  article.removeAttribute("aria-busy");
  prepareMedia(article);
}

/** Data of a card that was dropped: fetched again by its id. */
async function refetch(position) {
  if (refetching.has(position)) return;
  refetching.add(position);
  const id = ids[position - first];
  let response = null;
  try {
    response = await apiFetch(withId(feed.dataset.postUrl, id));
  } catch {
    response = null;
  }
  refetching.delete(position);
  if (ids[position - first] !== id) return; // forgotten meanwhile
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

function mount(position) {
  const article = template.content.firstElementChild.cloneNode(false);
  article.dataset.index = String(position);
  article.dataset.postId = String(ids[position - first]);
  render(article, position);
  // Mounted from the highest position down, so the next card is already in place.
  (live.get(position + 1) || bottomSpacer).before(article);
  live.set(position, article);
  inReach(article, position);
  observeCard(article);
}

function unmount(position) {
  const article = live.get(position);
  live.delete(position);
  unobserveCard(article);
  if (article.contains(document.activeElement)) feed.focus({ preventScroll: true });
  clearTimeout(article.burstTimer);
  article.remove(); // with its <img>: the decoded bitmap can be freed
}

function setSpacer(spacer, cards) {
  spacer.style.setProperty("--cards", String(Math.max(0, cards)));
}

function updateWindow() {
  // Forget the oldest cards beyond HISTORY (in steps, not at every swipe).
  if (current - first > HISTORY + 20) {
    const drop = current - HISTORY - first;
    ids.splice(0, drop);
    first += drop;
  }
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
  if (first <= base) return;
  const height = feed.clientHeight;
  const onScreen = base + Math.round(feed.scrollTop / height); // read before the layout changes
  base = first;
  setSpacer(topSpacer, Math.max(first, current - MOUNT_BEHIND) - base);
  feed.scrollTop = (onScreen - base) * height;
}
// One swipe moves one card. scroll-snap-stop: always asks for that, but when
// the finger has already dragged most of a card, Chromium's fling can still
// land a card further on; so while a swipe lasts only the cards next to the
// one it started from are snap points.
let swipeFrom = null; // that card's position, like `current`
function inReach(element, position) {
  element.classList.toggle("is-out-of-reach", swipeFrom !== null && Math.abs(position - swipeFrom) > 1);
}
function reachFrom(position) {
  swipeFrom = position;
  for (const [at, article] of live) inReach(article, at);
  inReach(endSection, end());
}
let scrolledSinceTouch = false;
feed.addEventListener(
  "touchstart",
  () => {
    scrolledSinceTouch = false;
    reachFrom(base + Math.round(feed.scrollTop / feed.clientHeight));
  },
  { passive: true },
);
feed.addEventListener("scroll", () => (scrolledSinceTouch = true), { passive: true });
// A tap scrolls nothing, so no scroll end comes to put the snap points back.
feed.addEventListener("touchend", () => scrolledSinceTouch || reachFrom(null), { passive: true });
function scrollStopped() {
  reachFrom(null);
  compact();
}

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

// Loading pages ----------------------------------------------------------------

function append(item) {
  remember(known, item.id);
  data.set(end(), item);
  ids.push(item.id);
}

function showEnd(state) {
  endSection.querySelector(".feed-end__skeleton").hidden = state !== "loading";
  endSection.querySelector(".feed-end__message").hidden = state !== "done";
  endSection.querySelector(".feed-end__error").hidden = state !== "error";
}

async function loadMore() {
  if (loading || !nextCursor) return;
  loading = true;
  showEnd("loading");
  let response = null;
  let page;
  const restarting = nextCursor === FRESH_PASS;
  try {
    const url = new URL(feed.dataset.sourceUrl, window.location.href);
    if (!restarting) url.searchParams.set("cursor", nextCursor);
    response = await apiFetch(url);
    if (!response.ok) throw new Error(String(response.status));
    page = await response.json();
  } catch {
    loading = false;
    if (response && REFUSED_CURSOR.has(response.status) && !restarting) {
      // A cursor the server no longer takes (a deploy, a secret rotated, an
      // old saved session): carry on from a fresh pass; cards already shown
      // are skipped below, so the viewer just sees more posts.
      nextCursor = FRESH_PASS;
      loadMore();
      return;
    }
    if (response && REFUSED_CURSOR.has(response.status)) nextCursor = null;
    showEnd(nextCursor ? "error" : "done");
    return;
  }
  loading = false;
  const fresh = page.items.filter((item) => !known.has(item.id));
  // A page with nothing new (posts deleted meanwhile) is not the end, but a
  // run of them is: never loop on a server that repeats itself.
  emptyPages = fresh.length ? 0 : emptyPages + 1;
  nextCursor = page.has_more && emptyPages < MAX_EMPTY_PAGES ? page.next_cursor : null;
  const waited = end(); // the end section is on screen when one swiped faster than the page came
  const waiting = current >= waited;
  fresh.forEach(append);
  showEnd(nextCursor ? "loading" : "done");
  updateWindow();
  if (waiting && live.has(waited)) live.get(waited).scrollIntoView({ block: "start", behavior: "instant" });
  if (!fresh.length && nextCursor) loadMore();
}

// Which card is on screen; impressions -------------------------------------------

const seenPending = new Set();
const seenSent = new Set();
const seenTimers = new Map();

const currentObserver = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting && entry.intersectionRatio >= 0.6) {
        current = entry.target === endSection ? end() : Number(entry.target.dataset.index);
        updateWindow();
      }
    }
  },
  { root: feed, threshold: [0.6] },
);

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

function observeCard(article) {
  currentObserver.observe(article);
  if (seenObserver) seenObserver.observe(article);
}

function unobserveCard(article) {
  currentObserver.unobserve(article);
  if (!seenObserver) return;
  seenObserver.unobserve(article);
  const id = Number(article.dataset.postId);
  clearTimeout(seenTimers.get(id));
  seenTimers.delete(id);
}

function flushSeen() {
  if (!seenPending.size) return;
  const ids = [...seenPending].slice(0, 100);
  ids.forEach((id) => seenPending.delete(id));
  apiFetch(feed.dataset.seenUrl, { method: "POST", json: { post_ids: ids }, keepalive: true }).catch(
    () => ids.forEach((id) => seenPending.add(id)),
  );
}

if (seenObserver) {
  setInterval(flushSeen, SEEN_FLUSH_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flushSeen();
  });
  window.addEventListener("pagehide", flushSeen);
}

// Actions ----------------------------------------------------------------------

function itemOf(element) {
  const article = element.closest(".feed-card");
  return article ? { article, item: data.get(Number(article.dataset.index)) } : {};
}

function requireSignIn() {
  if (signedIn) return false;
  window.location.assign(feed.dataset.loginUrl);
  return true;
}

function refreshCards(predicate) {
  for (const [position, article] of live) {
    const item = data.get(position);
    if (item && predicate(item) && !article.hasAttribute("aria-busy")) showState(article, item);
  }
}

async function toggle(item, { flag, count, url }) {
  const before = { [flag]: item[flag], [count]: item[count] };
  const on = !item[flag];
  item[flag] = on;
  item[count] += on ? 1 : -1;
  refreshCards((other) => other.id === item.id);
  let response = null;
  try {
    response = await apiFetch(url, { method: on ? "POST" : "DELETE" });
  } catch {
    response = null;
  }
  if (response && response.ok) {
    const state = await response.json();
    item[flag] = state[flag];
    item[count] = state[count];
  } else {
    Object.assign(item, before);
    toast(await problemOf(response));
  }
  refreshCards((other) => other.id === item.id);
}

const like = (item) => toggle(item, { flag: "liked", count: "like_count", url: likeUrl(item.id) });
const save = (item) =>
  toggle(item, { flag: "favorited", count: "favorite_count", url: favoriteUrl(item.id) });

async function follow(item) {
  const handle = item.owner.handle;
  const on = !item.following;
  const sameOwner = (other) => other.owner.handle === handle;
  [...data.values()].filter(sameOwner).forEach((other) => (other.following = on));
  refreshCards(sameOwner);
  let response = null;
  try {
    response = await apiFetch(followUrl(handle), { method: on ? "POST" : "DELETE" });
  } catch {
    response = null;
  }
  if (!response || !response.ok) {
    [...data.values()].filter(sameOwner).forEach((other) => (other.following = !on));
    refreshCards(sameOwner);
    toast(await problemOf(response));
  } else {
    toast(on ? `Following @${handle}` : `Unfollowed @${handle}`);
  }
}

async function share(item) {
  const url = new URL(item.url, window.location.href).href;
  if (navigator.share) {
    try {
      await navigator.share({ title: item.title, text: `${item.title} on SkyFrame`, url });
      return;
    } catch (error) {
      if (error && error.name === "AbortError") return;
    }
  }
  try {
    await navigator.clipboard.writeText(url);
    toast("Link copied.");
  } catch {
    toast(url);
  }
}

function row(list, label, value) {
  if (value === null || value === undefined || value === "") return;
  const term = document.createElement("dt");
  term.className = "col-5";
  term.textContent = label;
  const detail = document.createElement("dd");
  detail.className = "col-7";
  detail.dir = "auto"; // equipment and gain are user text
  detail.textContent = value;
  list.append(term, detail);
}

function showInfo(item) {
  const sheet = document.getElementById("info-sheet");
  const q = (role) => sheet.querySelector(`[data-role="${role}"]`);
  sheet.querySelector("#info-sheet-title").textContent = item.title;
  const object = item.object || {};
  q("info-subtitle").textContent = [object.name, object.common_name !== object.name ? object.common_name : null, `by ${item.observer}`]
    .filter(Boolean)
    .join(" · ");
  const list = q("info-list");
  list.replaceChildren();
  const { equipment: eq, exposure: ex } = item;
  row(list, "Object type", object.type);
  row(list, "Constellation", object.constellation);
  row(list, "Captured", item.observed_at ? `${item.observed_at.slice(0, 16).replace("T", " ")} UTC` : null);
  row(list, "Telescope", eq.telescope);
  row(list, "Camera", eq.camera);
  row(list, "Mount", eq.mount);
  row(list, "Filters", eq.filters);
  if (ex.sub_seconds) row(list, "Sub-exposure", `${ex.sub_seconds} s${ex.count ? ` × ${ex.count}` : ""}`);
  if (ex.integration_seconds) row(list, "Integration", `${(ex.integration_seconds / 3600).toFixed(1)} h`);
  row(list, "Gain / ISO", ex.gain);
  row(list, "Bortle", ex.bortle);
  if (item.media && item.media.width) row(list, "Size", `${item.media.width} × ${item.media.height} px`);
  if (!list.children.length) row(list, "Details", "None recorded");
  q("info-notes").textContent = item.notes || "";
  const tags = q("info-tags");
  tags.replaceChildren(
    ...item.tags.map((tag) => {
      const chip = document.createElement(links.tag ? "a" : "span");
      chip.className = "badge rounded-pill text-bg-dark me-1";
      chip.textContent = `#${tag}`;
      if (links.tag) chip.href = links.tag.replace("__TAG__", encodeURIComponent(tag));
      return chip;
    }),
  );
  q("info-link").href = item.url;
  window.bootstrap.Offcanvas.getOrCreateInstance(sheet).show();
}

function burst(article, event) {
  const heart = article.querySelector(".feed-card__heart");
  const box = article.querySelector(".feed-card__media").getBoundingClientRect();
  heart.style.setProperty("--x", `${event.clientX - box.left}px`);
  heart.style.setProperty("--y", `${event.clientY - box.top}px`);
  article.classList.remove("is-liked-burst");
  void heart.offsetWidth; // restart the animation
  article.classList.add("is-liked-burst");
  clearTimeout(article.burstTimer);
  article.burstTimer = setTimeout(() => article.classList.remove("is-liked-burst"), 900);
}

let lastTap = { time: 0, index: -1 };
let singleTapTimer = null;

feed.addEventListener("click", (event) => {
  const target = event.target;
  const action = target.closest("[data-action]");
  if (action && feed.contains(action)) {
    const name = action.dataset.action;
    if (name === "retry") {
      loadMore();
      return;
    }
    const { item } = itemOf(action);
    if (!item || name === "download") return;
    if (["like", "favorite", "follow"].includes(name) && requireSignIn()) return;
    if (name === "like") like(item);
    else if (name === "favorite") save(item);
    else if (name === "follow") follow(item);
    else if (name === "share") share(item);
    else if (name === "info") showInfo(item);
    else if (name === "comments")
      openComments(item, (count) => {
        item.comment_count = count;
        refreshCards((other) => other.id === item.id);
      });
    return;
  }
  const media = target.closest(".feed-card__media");
  if (!media) return;
  const { article, item } = itemOf(media);
  if (!item) return;
  const now = performance.now();
  if (now - lastTap.time < DOUBLE_TAP_MS && lastTap.index === item.id) {
    clearTimeout(singleTapTimer);
    lastTap = { time: 0, index: -1 };
    if (requireSignIn()) return;
    burst(article, event);
    if (!item.liked) like(item);
    return;
  }
  lastTap = { time: now, index: item.id };
  clearTimeout(singleTapTimer);
  singleTapTimer = setTimeout(() => openViewer(item), DOUBLE_TAP_MS);
});

feed.addEventListener(
  "load",
  (event) => {
    if (event.target.matches && event.target.matches(".feed-card__image")) {
      event.target.closest(".feed-card__media").classList.add("is-loaded");
    }
  },
  true,
);

// Keyboard: J/K and the arrow keys move between cards -------------------------------

function go(position) {
  // The end section says when there is no more.
  const target = position >= end() ? endSection : live.get(Math.max(first, position));
  if (!target) return;
  target.scrollIntoView({ behavior: reducedMotion.matches ? "auto" : "smooth", block: "start" });
  target.tabIndex = -1;
  target.focus({ preventScroll: true });
}

feed.addEventListener("keydown", (event) => {
  // The image is a button: Enter or Space opens the viewer (double-tap's twin is the Like button).
  const media = event.target.closest && event.target.closest(".feed-card__media");
  if (!media || (event.key !== "Enter" && event.key !== " ")) return;
  event.preventDefault();
  const { item } = itemOf(media);
  if (item) openViewer(item);
});

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
  const target = event.target;
  if (target.closest("input, textarea, select, [contenteditable], .offcanvas, dialog, .modal")) return;
  if (document.querySelector(".offcanvas.show, dialog[open], .modal.show")) return;
  const forward = ["j", "J", "ArrowDown", "PageDown"].includes(event.key);
  const back = ["k", "K", "ArrowUp", "PageUp"].includes(event.key);
  if (!forward && !back) return;
  event.preventDefault();
  go(current + (forward ? 1 : -1));
});

// Back navigation ----------------------------------------------------------------
// Where one was is kept in sessionStorage when leaving the page, so coming back
// (when the browser did not keep the page alive) shows the same card again.

const SAVED = `skyframe-feed:${feed.dataset.kind}`;

function saveSession() {
  const near = {};
  for (const position of live.keys()) if (data.has(position)) near[position] = data.get(position);
  try {
    sessionStorage.setItem(SAVED, JSON.stringify({ first, ids, current, nextCursor, data: near }));
  } catch {
    // storage full or turned off: coming back shows a fresh feed
  }
}

function restoreSession() {
  const [navigation] = performance.getEntriesByType("navigation");
  if (!navigation || navigation.type !== "back_forward") return false;
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(SAVED));
  } catch {
    saved = null;
  }
  if (!saved || !Array.isArray(saved.ids) || !saved.ids.length) return false;
  base = first = saved.first;
  saved.ids.forEach((id) => {
    ids.push(id);
    remember(known, id);
  });
  for (const [position, item] of Object.entries(saved.data || {})) data.set(Number(position), item);
  nextCursor = saved.nextCursor || null;
  current = Math.max(first, Math.min(saved.current, end()));
  return true;
}

window.addEventListener("pagehide", saveSession);

// Start --------------------------------------------------------------------------

if (restoreSession()) {
  feed.querySelectorAll(".feed-card").forEach((article) => article.remove());
  updateWindow();
  feed.scrollTop = (current - base) * feed.clientHeight;
} else {
  JSON.parse(document.getElementById("feed-items").textContent).forEach(append);
  feed.querySelectorAll(".feed-card").forEach((article) => {
    const position = Number(article.dataset.index);
    live.set(position, article);
    prepareMedia(article);
    observeCard(article);
  });
  updateWindow();
}
currentObserver.observe(endSection);
showEnd(nextCursor ? "loading" : "done");
