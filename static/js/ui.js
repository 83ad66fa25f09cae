// Small shared pieces: a status toast and the reduced-motion preference.
import { components } from "./components.js";

export const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

export function toast(text) {
  const element = document.getElementById("feed-toast");
  if (!element) return;
  element.querySelector("[data-role=toast-text]").textContent = text;
  components()
    .then((bootstrap) => bootstrap.Toast.getOrCreateInstance(element).show())
    .catch(() => {});
}

/** Shows a Bootstrap sheet (offcanvas), loading Bootstrap's script first if needed. */
export async function showSheet(sheet) {
  const bootstrap = await components();
  bootstrap.Offcanvas.getOrCreateInstance(sheet).show();
}

/** A readable message for a failed API answer (JSON error shape) or a lost connection. */
export async function problemOf(response) {
  if (!response) return "You seem to be offline. Try again when you are connected.";
  if (response.status === 429) return "Slow down a little and try again in a moment.";
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch {
    // not JSON
  }
  return "Something went wrong. Please try again.";
}

/** A URL built by url_for with the id 0, for another id: /posts/0/like → /posts/7/like. */
export function withId(pattern, id) {
  return pattern.replace(/\/0(\/|$)/, `/${id}$1`);
}
