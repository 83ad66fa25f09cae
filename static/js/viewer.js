// Tap-to-zoom viewer: the full-resolution image in a dialog, with pinch,
// double-tap, wheel and keyboard zoom, and panning while zoomed.
const dialog = document.getElementById("zoom-viewer");
const stage = dialog.querySelector("[data-role=stage]");
const image = dialog.querySelector("[data-role=zoom-image]");
const MAX_SCALE = 8;
const TAP_SLOP = 10; // px a finger may wander and still tap
const DOUBLE_TAP_MS = 300;
const DOUBLE_TAP_SLOP = 40; // px between the two taps of a double tap
const pointers = new Map();
let view = { scale: 1, x: 0, y: 0 };
let gesture = null;
let lastTap = null; // {time, x, y}

function apply() {
  image.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
  dialog.classList.toggle("is-zoomed", view.scale > 1.01);
}

// Points on the stage are offsets from its centre, where the unzoomed image
// sits; a spot on the image is an offset from the image's centre, unscaled.
function onStage(clientX, clientY) {
  const box = stage.getBoundingClientRect();
  return { x: clientX - box.left - box.width / 2, y: clientY - box.top - box.height / 2 };
}

function spotUnder(point) {
  return { x: (point.x - view.x) / view.scale, y: (point.y - view.y) / view.scale };
}

// How far the zoomed image may move each way from the centre: its edges stop
// at the stage's edges, and a side narrower than the stage stays centred.
function reach(scale) {
  return {
    x: Math.max(0, (image.offsetWidth * scale - stage.clientWidth) / 2),
    y: Math.max(0, (image.offsetHeight * scale - stage.clientHeight) / 2),
  };
}

function withinReach() {
  const { x, y } = reach(view.scale);
  view.x = Math.max(-x, Math.min(x, view.x));
  view.y = Math.max(-y, Math.min(y, view.y));
}

/** Draws the image at `scale` (clamped) with its `spot` under the stage
 * `point`, kept on the stage unless `free` (mid-pinch, the fingers lead). */
function show(scale, spot, point, free = false) {
  const next = Math.max(1, Math.min(MAX_SCALE, scale));
  view = next === 1 ? { scale: 1, x: 0, y: 0 } : { scale: next, x: point.x - spot.x * next, y: point.y - spot.y * next };
  if (!free) withinReach();
  apply();
}

function zoomAt(scale, clientX, clientY) {
  // Keep the point under the finger (or cursor) where it is.
  const point = onStage(clientX, clientY);
  show(scale, spotUnder(point), point);
}

function distance() {
  const [a, b] = [...pointers.values()];
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function centre() {
  const [a, b] = [...pointers.values()];
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

// A finger down at (clientX, clientY) drags the image point under it.
function panFrom(clientX, clientY, moved) {
  return { kind: "pan", x: clientX - view.x, y: clientY - view.y, downX: clientX, downY: clientY, moved };
}

stage.addEventListener("pointerdown", (event) => {
  stage.setPointerCapture(event.pointerId);
  pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
  if (pointers.size === 2) {
    // The spot between the fingers when they land stays between them as they
    // spread, close or move together. (Zooming step by step about the midpoint
    // of the moment let the image drift away: each finger's move arrives on
    // its own, so that midpoint wobbles.)
    const middle = centre();
    const spot = spotUnder(onStage(middle.x, middle.y));
    gesture = { kind: "pinch", distance: distance(), scale: view.scale, spot };
  } else if (pointers.size === 1) {
    gesture = panFrom(event.clientX, event.clientY, false);
  }
});

stage.addEventListener("pointermove", (event) => {
  if (!pointers.has(event.pointerId)) return;
  pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
  if (gesture && gesture.kind === "pinch" && pointers.size === 2) {
    const middle = centre();
    show((gesture.scale * distance()) / gesture.distance, gesture.spot, onStage(middle.x, middle.y), true);
  } else if (gesture && gesture.kind === "pan") {
    gesture.moved ||= Math.hypot(event.clientX - gesture.downX, event.clientY - gesture.downY) > TAP_SLOP;
    if (view.scale > 1 && gesture.moved) {
      view.x = event.clientX - gesture.x;
      view.y = event.clientY - gesture.y;
      withinReach();
      apply();
    }
  }
});

function isSecondTap(event) {
  const first = lastTap;
  lastTap = { time: performance.now(), x: event.clientX, y: event.clientY };
  if (!first || lastTap.time - first.time >= DOUBLE_TAP_MS) return false;
  lastTap = null;
  return Math.hypot(event.clientX - first.x, event.clientY - first.y) <= DOUBLE_TAP_SLOP;
}

function release(event) {
  pointers.delete(event.pointerId);
  if (gesture && gesture.kind === "pinch") {
    // The fingers may have led the image off the stage; it comes back on.
    withinReach();
    apply();
  }
  if (pointers.size === 0) {
    const tap = gesture && gesture.kind === "pan" && !gesture.moved && event.type === "pointerup";
    gesture = null;
    if (!tap) lastTap = null;
    else if (isSecondTap(event)) zoomAt(view.scale > 1 ? 1 : 2.5, event.clientX, event.clientY);
  } else if (pointers.size === 1) {
    const [only] = [...pointers.values()];
    gesture = panFrom(only.x, only.y, true);
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

/** The full-size image: the post's own original, else (listings carry no
 * original's URL) the post's download route, which serves the same file. */
function fullSize(item, media) {
  if (media.original) return media.original;
  if (!item.download_url || !media.width || !media.height) return null;
  return { url: `${item.download_url}?size=original`, width: media.width, height: media.height };
}

/** Shows the post's largest rendition. */
export function openViewer(item) {
  const media = item.media;
  if (!media) return;
  const display = (media.display || []).find((r) => r.content_type === "image/jpeg") || media.display[0];
  const best = fullSize(item, media) || display;
  if (!best) return;
  view = { scale: 1, x: 0, y: 0 };
  apply();
  image.alt = item.title;
  image.width = best.width;
  image.height = best.height;
  image.src = best.url;
  dialog.showModal();
}
