// The client of SkyFrame's JSON API: fetch() with same-origin cookies and the page's CSRF token.
const tokenMeta = document.querySelector('meta[name="csrf-token"]');

export function csrfToken() {
  return tokenMeta ? tokenMeta.content : "";
}

export async function apiFetch(url, options = {}) {
  const method = (options.method || "GET").toUpperCase();
  const headers = new Headers(options.headers || {});
  headers.set("Accept", "application/json");
  if (!["GET", "HEAD", "OPTIONS"].includes(method)) {
    headers.set("X-CSRFToken", csrfToken());
  }
  if (options.json !== undefined) {
    headers.set("Content-Type", "application/json");
    options = { ...options, body: JSON.stringify(options.json) };
  }
  return fetch(url, { ...options, method, headers, credentials: "same-origin" });
}
