// Profile and notifications pages: the forms work without JavaScript; this
// makes following and reading notifications happen in place.
import { apiFetch } from "./api.js";
import { problemOf } from "./ui.js";

const followForm = document.querySelector("[data-role=follow-form]");
if (followForm) {
  followForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = followForm.querySelector("button");
    const actionInput = followForm.elements.namedItem("action");
    const follow = actionInput.value === "follow";
    button.disabled = true;
    let response = null;
    try {
      response = await apiFetch(followForm.dataset.apiUrl, { method: follow ? "POST" : "DELETE" });
    } catch {
      response = null;
    }
    button.disabled = false;
    if (!response || !response.ok) {
      window.alert(await problemOf(response));
      return;
    }
    const state = await response.json();
    actionInput.value = state.following ? "unfollow" : "follow";
    button.textContent = state.following ? "Following" : "Follow";
    button.setAttribute("aria-pressed", String(state.following));
    button.classList.toggle("btn-primary", !state.following);
    button.classList.toggle("btn-outline-light", state.following);
    const followers = document.querySelector("[data-role=follower-count]");
    if (followers) followers.textContent = String(state.follower_count);
  });
}

function clearBadge(unread) {
  const badge = document.querySelector("[data-role=notify-badge]");
  const link = document.querySelector("[data-role=notify-link]");
  if (badge && !unread) badge.remove();
  else if (badge) badge.textContent = unread > 99 ? "99+" : String(unread);
  if (link) link.setAttribute("aria-label", unread ? `Notifications, ${unread} unread` : "Notifications");
}

// Notifications shown on this page count as read once the page has been seen.
const readAll = document.querySelector("[data-role=read-all]");
const unreadItems = [...document.querySelectorAll(".notification.is-unread")];
if (readAll && unreadItems.length) {
  const ids = unreadItems.map((item) => Number(item.dataset.notificationId));
  setTimeout(async () => {
    try {
      const response = await apiFetch(readAll.dataset.apiUrl, { method: "POST", json: { ids } });
      if (response.ok) {
        const { unread_count: unread } = await response.json();
        clearBadge(unread);
        if (!unread) readAll.hidden = true;
      }
    } catch {
      // offline: they stay unread
    }
  }, 1500);
  readAll.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await apiFetch(readAll.dataset.apiUrl, { method: "POST", json: {} }).catch(() => null);
    if (response && response.ok) {
      unreadItems.forEach((item) => item.classList.remove("is-unread"));
      clearBadge(0);
      readAll.hidden = true;
    }
  });
}
