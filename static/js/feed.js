// The swipe feed: server-rendered first page, then pages from the API.
// Cards far from the viewport are emptied (recycled) and refilled from their
// data when they come back, so a long session keeps a handful of images alive.
import { apiFetch } from "./csrf.js";
import { paintPlaceholder } from "./blurhash.js";
import { openComments } from "./comments.js";
import { openViewer } from "./viewer.js";
import { problemOf, reducedMotion, toast, withId } from "./ui.js";

const MOUNT_BEHIND = 2;
const MOUNT_AHEAD = 3;
const LOAD_AHEAD = 4; // cards left before the end when the next page is fetched
const SEEN_AFTER_MS = 1000;
const SEEN_FLUSH_MS = 5000;
const DOUBLE_TAP_MS = 300;

const feed = document.getElementById("feed");
const template = document.getElementById("feed-card-template");
const endSection = document.getElementById("feed-end");
const links = JSON.parse(feed.dataset.links);
const signedIn = document.body.dataset.signedIn === "true";
const myHandle = document.body.dataset.handle || "";
const items = JSON.parse(document.getElementById("feed-items").textContent);
const cards = [...feed.querySelectorAll(".feed-card")];
const knownIds = new Set(items.map((item) => item.id));
let nextCursor = feed.dataset.nextCursor || null;
let loading = false;
let current = 0;

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

function newArticle(index) {
  const article = template.content.firstElementChild.cloneNode(false);
  article.classList.add("is-recycled");
  article.dataset.index = String(index);
  article.dataset.postId = String(items[index].id);
  return article;
}

function mount(index) {
  const article = cards[index];
  if (!article || !article.classList.contains("is-recycled")) return;
  const fresh = template.content.firstElementChild.cloneNode(true);
  fill(fresh, items[index], index);
  article.replaceChildren(...fresh.childNodes);
  article.setAttribute("aria-labelledby", `card-title-${index}`);
  article.classList.remove("is-recycled");
  prepareMedia(article);
}

function unmount(index) {
  const article = cards[index];
  if (!article || article.classList.contains("is-recycled")) return;
  if (article.contains(document.activeElement)) return;
  article.replaceChildren(); // drops the <img>: its decoded bitmap can be freed
  article.classList.remove("is-liked-burst");
  article.classList.add("is-recycled");
}

function updateWindow() {
  const low = current - MOUNT_BEHIND;
  const high = current + MOUNT_AHEAD;
  cards.forEach((_, index) => (index >= low && index <= high ? mount(index) : unmount(index)));
  if (cards.length - 1 - current < LOAD_AHEAD) loadMore();
}

// Loading pages ----------------------------------------------------------------

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
  try {
    const url = new URL(feed.dataset.sourceUrl, window.location.href);
    url.searchParams.set("cursor", nextCursor);
    response = await apiFetch(url);
    if (!response.ok) throw new Error(String(response.status));
    page = await response.json();
  } catch {
    loading = false;
    if (response && response.status === 400) nextCursor = null; // stale cursor: the end of this run
    showEnd(nextCursor ? "error" : "done");
    return;
  }
  loading = false;
  const fresh = page.items.filter((item) => !knownIds.has(item.id));
  nextCursor = fresh.length && page.has_more ? page.next_cursor : null;
  for (const item of fresh) {
    knownIds.add(item.id);
    items.push(item);
    const article = newArticle(items.length - 1);
    cards.push(article);
    endSection.before(article);
    observeCard(article);
  }
  showEnd(nextCursor ? "loading" : "done");
  updateWindow();
}

// Which card is on screen; impressions -------------------------------------------

const seenPending = new Set();
const seenSent = new Set();
const seenTimers = new Map();

const currentObserver = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting && entry.intersectionRatio >= 0.6) {
        current = entry.target === endSection ? cards.length : Number(entry.target.dataset.index);
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
                  seenSent.add(id);
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
  return article ? { article, item: items[Number(article.dataset.index)] } : {};
}

function requireSignIn() {
  if (signedIn) return false;
  window.location.assign(feed.dataset.loginUrl);
  return true;
}

function refreshCards(predicate) {
  cards.forEach((article, index) => {
    if (predicate(items[index]) && !article.classList.contains("is-recycled")) showState(article, items[index]);
  });
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
  items.filter(sameOwner).forEach((other) => (other.following = on));
  refreshCards(sameOwner);
  let response = null;
  try {
    response = await apiFetch(followUrl(handle), { method: on ? "POST" : "DELETE" });
  } catch {
    response = null;
  }
  if (!response || !response.ok) {
    items.filter(sameOwner).forEach((other) => (other.following = !on));
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

function go(index) {
  const stops = [...cards, endSection]; // the end says when there is no more
  const target = stops[Math.max(0, Math.min(stops.length - 1, index))];
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

// Start --------------------------------------------------------------------------

cards.forEach((article) => {
  prepareMedia(article);
  observeCard(article);
});
currentObserver.observe(endSection);
showEnd(nextCursor ? "loading" : items.length ? "done" : "done");
updateWindow();
