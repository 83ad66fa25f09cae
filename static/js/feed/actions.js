// What a card's buttons and taps do: like, save, follow, share, the details
// and comments sheets, and on the image a tap (the viewer) or a double tap
// (like, with a heart); on a clip a tap is the clip's (sound on or off, clips.js).
import { apiFetch } from "../api.js";
import { openCollect } from "../collect.js";
import { tapClip } from "../clips.js";
import { openComments } from "../comments.js";
import { problemOf, toast, withId } from "../ui.js";
import { openViewer } from "../viewer.js";
import { refreshCards } from "./cards.js";
import { showInfo } from "./details.js";
import { loadMore } from "./loader.js";
import { data, feed, itemOf } from "./state.js";

const DOUBLE_TAP_MS = 300;
const signedIn = document.body.dataset.signedIn === "true";

const likeUrl = (id) => withId(feed.dataset.likeUrl, id);
// The API calls saving a post "favorite": its path and fields are a contract.
const saveUrl = (id) => withId(feed.dataset.saveUrl, id);
const followUrl = (handle) => feed.dataset.followUrl.replace("__HANDLE__", encodeURIComponent(handle));

function requireSignIn() {
  if (signedIn) return false;
  window.location.assign(feed.dataset.loginUrl);
  return true;
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
const save = (item) => toggle(item, { flag: "favorited", count: "favorite_count", url: saveUrl(item.id) });

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

export function startActions() {
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
      if (["like", "save", "follow", "collect"].includes(name) && requireSignIn()) return;
      if (name === "like") like(item);
      else if (name === "save") save(item);
      else if (name === "follow") follow(item);
      else if (name === "share") share(item);
      else if (name === "info") showInfo(item);
      else if (name === "collect") openCollect(item);
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
    const clip = media.querySelector('[data-role="clip"]');
    singleTapTimer = setTimeout(() => (clip ? tapClip(clip) : openViewer(item)), DOUBLE_TAP_MS);
  });
}
