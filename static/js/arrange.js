// Arranging a collection (templates/collections/arrange.html): the up/down
// forms work without JavaScript; this does the same moves over the API
// without a reload, and on a desktop (a fine pointer) lets a post be dragged
// by its handle. Every move is one PATCH: "put this post just ahead of that
// one" (or at the end), whatever the collection's length.
import { apiFetch } from "./api.js";
import { problemOf, withId } from "./ui.js";

const list = document.getElementById("arrange-list");
const error = document.querySelector("[data-role=arrange-error]");

const idOf = (li) => (li ? Number(li.dataset.postId) : null);

function refreshButtons() {
  const items = [...list.children];
  items.forEach((li, index) => {
    li.querySelector("[data-move=up]").disabled = index === 0;
    li.querySelector("[data-move=down]").disabled = index === items.length - 1;
  });
}

/** Asks the server to put `li`'s post just ahead of `before` (an <li> or null: the end). */
async function save(li, before) {
  error.hidden = true;
  let response = null;
  try {
    response = await apiFetch(withId(list.dataset.moveUrl, idOf(li)), {
      method: "PATCH",
      json: { before: idOf(before) },
    });
  } catch {
    response = null;
  }
  if (response && response.ok) return true;
  error.textContent = `${await problemOf(response)} Reload the page to see the order kept.`;
  error.hidden = false;
  return false;
}

async function step(li, direction, button) {
  const before = direction === "up" ? li.previousElementSibling : li.nextElementSibling?.nextElementSibling || null;
  if (direction === "up" && !before) return;
  if (direction === "down" && !li.nextElementSibling) return;
  button.disabled = true;
  if (await save(li, before)) {
    list.insertBefore(li, before);
    li.classList.add("is-moved");
    setTimeout(() => li.classList.remove("is-moved"), 600);
  }
  refreshButtons();
  if (!button.disabled) button.focus();
  else li.querySelector(`[data-move=${direction === "up" ? "down" : "up"}]`).focus();
}

function startButtons() {
  list.addEventListener("submit", (event) => {
    const form = event.target.closest(".arrange-item__moves");
    if (!form) return;
    event.preventDefault();
    const button = event.submitter;
    if (button) step(form.closest("li"), button.value, button);
  });
}

function startDragging() {
  let dragged = null;
  let from = null; // the <li> that followed the dragged one when the drag started
  list.classList.add("is-draggable");
  for (const handle of list.querySelectorAll("[data-role=drag-handle]")) {
    handle.addEventListener("pointerdown", () => {
      handle.closest("li").draggable = true;
    });
  }
  list.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("li");
    from = dragged.nextElementSibling;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.postId);
    dragged.classList.add("is-dragging");
  });
  list.addEventListener("dragover", (event) => {
    if (!dragged) return;
    event.preventDefault();
    const over = event.target.closest("li");
    if (!over || over === dragged) return;
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? over.nextElementSibling : over);
  });
  list.addEventListener("drop", (event) => event.preventDefault());
  list.addEventListener("dragend", async () => {
    if (!dragged) return;
    const li = dragged;
    dragged = null;
    li.classList.remove("is-dragging");
    li.draggable = false;
    const before = li.nextElementSibling;
    if (before !== from && !(await save(li, before))) list.insertBefore(li, from);
    refreshButtons();
  });
}

if (list) {
  startButtons();
  if (window.matchMedia("(pointer: fine)").matches && list.children.length > 1) startDragging();
}
