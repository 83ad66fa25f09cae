// Tap-to-zoom viewer: the full-resolution image in a dialog, with pinch,
// double-tap, wheel and keyboard zoom, and panning while zoomed.
const dialog = document.getElementById("zoom-viewer");
const stage = dialog.querySelector("[data-role=stage]");
const image = dialog.querySelector("[data-role=zoom-image]");
const MAX_SCALE = 8;
const pointers = new Map();
let view = { scale: 1, x: 0, y: 0 };
let gesture = null;
let lastTap = 0;

function apply() {
  image.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
  dialog.classList.toggle("is-zoomed", view.scale > 1.01);
}

function zoomAt(scale, clientX, clientY) {
  const next = Math.max(1, Math.min(MAX_SCALE, scale));
  const box = stage.getBoundingClientRect();
  // Keep the point under the finger (or cursor) where it is.
  const px = clientX - box.left - box.width / 2;
  const py = clientY - box.top - box.height / 2;
  const ratio = next / view.scale;
  view = next === 1 ? { scale: 1, x: 0, y: 0 } : { scale: next, x: px - (px - view.x) * ratio, y: py - (py - view.y) * ratio };
  apply();
}

function distance() {
  const [a, b] = [...pointers.values()];
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function centre() {
  const [a, b] = [...pointers.values()];
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

stage.addEventListener("pointerdown", (event) => {
  stage.setPointerCapture(event.pointerId);
  pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
  if (pointers.size === 2) gesture = { kind: "pinch", distance: distance(), scale: view.scale };
  else if (pointers.size === 1) gesture = { kind: "pan", x: event.clientX - view.x, y: event.clientY - view.y, moved: false };
});

stage.addEventListener("pointermove", (event) => {
  if (!pointers.has(event.pointerId)) return;
  pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
  if (gesture && gesture.kind === "pinch" && pointers.size === 2) {
    const middle = centre();
    zoomAt((gesture.scale * distance()) / gesture.distance, middle.x, middle.y);
  } else if (gesture && gesture.kind === "pan" && view.scale > 1) {
    view.x = event.clientX - gesture.x;
    view.y = event.clientY - gesture.y;
    gesture.moved = true;
    apply();
  }
});

function release(event) {
  pointers.delete(event.pointerId);
  if (pointers.size === 0) {
    const tap = gesture && gesture.kind === "pan" && !gesture.moved && event.type === "pointerup";
    gesture = null;
    if (tap) {
      const now = performance.now();
      if (now - lastTap < 300) {
        zoomAt(view.scale > 1 ? 1 : 2.5, event.clientX, event.clientY);
        lastTap = 0;
      } else {
        lastTap = now;
      }
    }
  } else if (pointers.size === 1) {
    const [only] = [...pointers.values()];
    gesture = { kind: "pan", x: only.x - view.x, y: only.y - view.y, moved: true };
  }
}
stage.addEventListener("pointerup", release);
stage.addEventListener("pointercancel", release);

stage.addEventListener(
  "wheel",
  (event) => {
    event.preventDefault();
    zoomAt(view.scale * (event.deltaY < 0 ? 1.2 : 1 / 1.2), event.clientX, event.clientY);
  },
  { passive: false },
);

dialog.addEventListener("keydown", (event) => {
  const box = stage.getBoundingClientRect();
  const [cx, cy] = [box.left + box.width / 2, box.top + box.height / 2];
  if (event.key === "+" || event.key === "=") zoomAt(view.scale * 1.5, cx, cy);
  else if (event.key === "-") zoomAt(view.scale / 1.5, cx, cy);
  else if (event.key === "0") zoomAt(1, cx, cy);
});

dialog.querySelector("[data-action=close-viewer]").addEventListener("click", () => dialog.close());
dialog.addEventListener("close", () => {
  image.removeAttribute("src"); // frees the full-size bitmap
  view = { scale: 1, x: 0, y: 0 };
  apply();
});

/** Shows the post's largest rendition. */
export function openViewer(item) {
  const media = item.media;
  if (!media) return;
  const display = (media.display || []).find((r) => r.content_type === "image/jpeg") || media.display[0];
  const best = media.original || display;
  if (!best) return;
  view = { scale: 1, x: 0, y: 0 };
  apply();
  image.alt = item.title;
  image.width = best.width;
  image.height = best.height;
  image.src = best.url;
  dialog.showModal();
}
