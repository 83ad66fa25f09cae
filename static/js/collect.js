// The "Add to collection" sheet of a card: the viewer's collections, each a
// toggle for this post, and a new collection made with the post in it
// (templates/feed/_sheets.html). Without JavaScript: /p/<id>/collect.
import { apiFetch } from "./api.js";
import { problemOf, showSheet, toast, withId } from "./ui.js";

const sheet = document.getElementById("collect-sheet");
const q = (role) => sheet.querySelector(`[data-role="${role}"]`);
const LIST_LIMIT = 50;

let current = null; // the post the sheet is open for

const itemsUrl = (collectionId) => withId(sheet.dataset.itemsUrl, collectionId);

function row(collection, holds) {
  const li = document.createElement("li");
  li.className = "collect-list__item";
  const title = document.createElement("span");
  title.className = "collect-list__title";
  const name = document.createElement("strong");
  name.dir = "auto";
  name.textContent = collection.title;
  const meta = document.createElement("span");
  meta.className = "small text-body-secondary";
  meta.textContent = `${collection.item_count} ${collection.item_count === 1 ? "post" : "posts"}${collection.public ? "" : " · Private"}`;
  title.append(name, meta);
  const button = document.createElement("button");
  button.type = "button";
  button.dataset.collectionId = String(collection.id);
  button.dataset.role = "collect-toggle";
  show(button, holds, collection.title);
  li.append(title, button);
  return li;
}

function show(button, holds, title) {
  button.setAttribute("aria-pressed", holds ? "true" : "false");
  button.className = `btn btn-sm ${holds ? "btn-outline-light" : "btn-primary"}`;
  button.textContent = holds ? "Added" : "Add";
  button.setAttribute("aria-label", `${holds ? "Remove from" : "Add to"} ${title}`);
  button.dataset.title = title;
}

async function fill(post) {
  const url = new URL(sheet.dataset.listUrl, window.location.href);
  url.searchParams.set("post_id", String(post.id));
  url.searchParams.set("limit", String(LIST_LIMIT));
  const list = q("collect-list");
  list.replaceChildren();
  let response = null;
  try {
    response = await apiFetch(url);
  } catch {
    response = null;
  }
  if (!response || !response.ok) {
    toast(await problemOf(response));
    return;
  }
  const page = await response.json();
  if (current !== post) return; // opened for another post meanwhile
  const holds = new Set(page.holds || []);
  list.replaceChildren(...page.items.map((collection) => row(collection, holds.has(collection.id))));
  q("collect-empty").hidden = page.items.length > 0;
}

async function toggle(button) {
  const holds = button.getAttribute("aria-pressed") === "true";
  const id = Number(button.dataset.collectionId);
  button.disabled = true;
  let response = null;
  try {
    response = holds
      ? await apiFetch(`${itemsUrl(id)}/${current.id}`, { method: "DELETE" })
      : await apiFetch(itemsUrl(id), { method: "POST", json: { post_id: current.id } });
  } catch {
    response = null;
  }
  button.disabled = false;
  if (response && (response.ok || response.status === 409)) {
    show(button, !holds, button.dataset.title);
    toast(holds ? `Removed from ${button.dataset.title}` : `Added to ${button.dataset.title}`);
  } else {
    toast(await problemOf(response));
  }
}

async function create(form) {
  const error = q("collect-error");
  error.textContent = "";
  const title = form.elements.title.value;
  let response = null;
  try {
    response = await apiFetch(sheet.dataset.createUrl, {
      method: "POST",
      json: { title, public: !form.elements.private.checked },
    });
    if (response.ok) {
      const collection = await response.json();
      response = await apiFetch(itemsUrl(collection.id), { method: "POST", json: { post_id: current.id } });
      if (response.ok) {
        form.reset();
        toast(`Added to ${collection.title}`);
        fill(current);
        return;
      }
    }
  } catch {
    response = null;
  }
  const body = response ? await response.clone().json().catch(() => null) : null;
  const fields = body && body.error && body.error.fields;
  error.textContent = (fields && (fields.title || fields.post_id)) || (await problemOf(response));
}

if (sheet) {
  sheet.addEventListener("click", (event) => {
    const button = event.target.closest("[data-role=collect-toggle]");
    if (button && current) toggle(button);
  });
  q("collect-new").addEventListener("submit", (event) => {
    event.preventDefault();
    if (current) create(event.target);
  });
}

/** Opens the sheet for a post (signed-in viewers only: the sheet exists then). */
export function openCollect(post) {
  if (!sheet) return;
  current = post;
  q("collect-error").textContent = "";
  fill(post);
  showSheet(sheet);
}
