// The offline page: retry, and the images this device still holds.
const recent = document.querySelector("[data-role=recent]");
const list = document.querySelector("[data-role=recent-list]");
const MAX = 12;

document.querySelector("[data-action=retry]").addEventListener("click", (event) => {
  event.preventDefault();
  window.location.reload();
});

async function showCachedImages() {
  if (!("caches" in window)) return;
  const names = (await caches.keys()).filter((name) => name.startsWith("skyframe-images"));
  const urls = [];
  for (const name of names) {
    const cache = await caches.open(name);
    for (const request of (await cache.keys()).reverse()) {
      if (new URL(request.url).pathname.startsWith("/media/")) urls.push(request.url);
    }
  }
  list.replaceChildren(
    ...urls.slice(0, MAX).map((url) => {
      const item = document.createElement("li");
      item.className = "post-grid__item";
      const frame = document.createElement("span");
      frame.className = "post-grid__link";
      const image = document.createElement("img");
      image.src = url;
      image.alt = "";
      image.dataset.role = "cached-image";
      frame.append(image);
      item.append(frame);
      return item;
    }),
  );
  recent.hidden = urls.length === 0;
}

showCachedImages();
window.addEventListener("online", () => window.location.reload());
