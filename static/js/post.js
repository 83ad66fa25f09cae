// Post page: placeholder colour, waiting for processing, confirming deletes,
// a clip's playback (clips.js), and the view report (views.js) once the image
// was on screen long enough or the clip played long enough.
import { attachClips, startClips } from "./clips.js";
import { startViews, watchView } from "./views.js";

if (document.querySelector('[data-role="clip"]')) {
  startClips();
  attachClips(document);
}

const figure = document.querySelector(".post-image[data-placeholder-color]");
if (figure && figure.dataset.placeholderColor) {
  figure.style.backgroundColor = figure.dataset.placeholderColor;
}

if (document.querySelector(".post-image[data-views-url]")) {
  startViews(); // clips report themselves (skyframe:clip-played)
  const image = document.querySelector(".post-image:not(.post-clip)[data-views-url]");
  if (image) watchView(image);
}

const notice = document.getElementById("processing-notice");
const POLL_MS = 3000;
const GIVE_UP_AFTER_MS = 10 * 60 * 1000;
if (notice) {
  const started = Date.now();
  const poll = async () => {
    if (Date.now() - started > GIVE_UP_AFTER_MS) {
      notice.textContent = "This is taking longer than expected. Reload the page later to check.";
      return;
    }
    try {
      const response = await fetch(notice.dataset.postUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const post = await response.json();
        if (post.status !== "processing") {
          window.location.reload();
          return;
        }
      }
    } catch {
      // offline for a moment: keep waiting
    }
    setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, POLL_MS);
}

document.querySelectorAll("form[data-confirm]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});
