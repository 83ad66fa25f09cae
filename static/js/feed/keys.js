// Keyboard: J/K, the arrow keys and Page Up/Down move between cards; Enter or
// Space on the image opens the viewer (double-tap's twin is the Like button).
import { reducedMotion } from "../ui.js";
import { openViewer } from "../viewer.js";
import { end, endSection, feed, itemOf, live, session } from "./state.js";

function go(position) {
  // The end section says when there is no more.
  const target = position >= end() ? endSection : live.get(Math.max(session.first, position));
  if (!target) return;
  target.scrollIntoView({ behavior: reducedMotion.matches ? "auto" : "smooth", block: "start" });
  target.tabIndex = -1;
  target.focus({ preventScroll: true });
}

export function startKeys() {
  feed.addEventListener("keydown", (event) => {
    const media = event.target.closest && event.target.closest(".feed-card__media:not(.is-clip)");
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
    go(session.current + (forward ? 1 : -1));
  });
}
