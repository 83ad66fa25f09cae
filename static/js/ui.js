// Small shared pieces: a status toast and the reduced-motion preference.
export const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

export function toast(text) {
  const element = document.getElementById("feed-toast");
  if (!element || !window.bootstrap) return;
  element.querySelector("[data-role=toast-text]").textContent = text;
  window.bootstrap.Toast.getOrCreateInstance(element).show();
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
