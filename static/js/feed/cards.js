// Filling a card's elements from a post's data (the same elements the server
// renders in templates/feed/_card.html, found by their data-role).
import { paintPlaceholder } from "../blurhash.js";
import { attachClips, fillClip, releaseClips } from "../clips.js";
import { compactCount } from "../counts.js";
import { showCover } from "../covers.js";
import { data, feed, links, live } from "./state.js";

const template = document.getElementById("feed-card-template");
const myHandle = document.body.dataset.handle || "";

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
  if (item.kind === "video" && item.video) {
    // A clip: its player instead of the picture, and a tap is the clip's (clips.js).
    q("picture").remove();
    ["role", "tabindex", "aria-label"].forEach((name) => mediaBox.removeAttribute(name));
    mediaBox.classList.add("is-clip");
    fillClip(mediaBox, item);
  } else {
    q("clip").remove();
    fillImage(q, item, webp, jpeg);
  }
  showCover(article, item, `card-${index}`);
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

function fillImage(q, item, webp, jpeg) {
  q("webp").srcset = webp ? webp.url : "";
  const image = q("image");
  if (jpeg) {
    image.width = jpeg.width;
    image.height = jpeg.height;
    image.src = jpeg.url;
  }
  image.alt = item.title;
  image.loading = "eager"; // only cards near the viewport are filled
}

/** The viewer's state on the card's buttons: liked, saved, following, and the counts. */
function showState(article, item) {
  const button = (action) => article.querySelector(`[data-action="${action}"]`);
  button("like").setAttribute("aria-pressed", String(Boolean(item.liked)));
  button("save").setAttribute("aria-pressed", String(Boolean(item.favorited)));
  const follow = button("follow");
  follow.setAttribute("aria-pressed", String(Boolean(item.following)));
  follow.hidden = Boolean(myHandle) && item.owner.handle === myHandle;
  setText(article, "like-count", String(item.like_count));
  setText(article, "save-count", String(item.favorite_count));
  setText(article, "comment-count", String(item.comment_count));
  setText(article, "view-count", compactCount(item.view_count || 0));
  setText(article, "view-word", item.view_count === 1 ? "view" : "views");
}

/** Shows the state again on the cards in the DOM whose post matches `predicate`. */
export function refreshCards(predicate) {
  for (const [position, article] of live) {
    const item = data.get(position);
    if (item && predicate(item) && !article.hasAttribute("aria-busy")) showState(article, item);
  }
}

/** The placeholder under a card's image until the image has loaded; a clip's player started. */
export function prepareMedia(article) {
  const box = article.querySelector(".feed-card__media");
  if (!box) return;
  paintPlaceholder(box);
  attachClips(box);
  const image = box.querySelector("img");
  if (image && image.complete && image.naturalWidth) box.classList.add("is-loaded");
}

/** Lets a card's clip go before the card leaves the DOM or is filled again. */
export function releaseMedia(article) {
  releaseClips(article);
}

/** A card's outer <article>, empty: filled by paintCard once its data is there. */
export function emptyCard() {
  return template.content.firstElementChild.cloneNode(false);
}

/** Fills `article` (at `position`) with `item`. */
export function paintCard(article, item, position) {
  const fresh = template.content.firstElementChild.cloneNode(true);
  fill(fresh, item, position);
  releaseMedia(article);
  article.replaceChildren(...fresh.childNodes);
  article.setAttribute("aria-labelledby", `card-title-${position}`);
  article.removeAttribute("aria-busy");
  prepareMedia(article);
}

export function showGone(article) {
  releaseMedia(article);
  const note = document.createElement("p");
  note.className = "feed-card__gone";
  note.textContent = "This post is no longer available.";
  article.replaceChildren(note);
  article.removeAttribute("aria-busy");
}

/** Takes the placeholder away from each card whose image has loaded. */
export function watchImages() {
  feed.addEventListener(
    "load",
    (event) => {
      if (event.target.matches && event.target.matches(".feed-card__image")) {
        event.target.closest(".feed-card__media").classList.add("is-loaded");
      }
    },
    true,
  );
}
