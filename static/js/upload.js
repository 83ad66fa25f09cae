// Upload page: preview (a clip's poster frame and duration too), catalogue
// typeahead, and an XHR upload with a real progress bar. Without JavaScript
// the form posts to /upload as usual.
import { csrfToken } from "./api.js";
import { attachObjectSuggestions } from "./suggest.js";

const form = document.getElementById("upload-form") || document.getElementById("edit-form");
const PREVIEWABLE = ["image/jpeg", "image/png", "image/webp"];
const CLIP_TYPES = ["video/mp4", "video/quicktime", "video/webm", "video/x-matroska"];
const CLIP_EXTENSIONS = /\.(mp4|m4v|mov|qt|webm|mkv)$/i;
// What the chosen clip turned out to be (null: not a clip, or not readable here).
let chosenClip = null;

function isClip(file) {
  return CLIP_TYPES.includes(file.type) || CLIP_EXTENSIONS.test(file.name);
}

function formatDuration(seconds) {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

function formatBytes(bytes) {
  return bytes > 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

function showPreview(file) {
  const figure = form.querySelector(".upload-preview");
  const image = document.getElementById("upload-preview-image");
  const video = document.getElementById("upload-preview-video");
  const caption = document.getElementById("upload-preview-caption");
  if (!figure) return;
  if (image.src) URL.revokeObjectURL(image.src);
  if (video.src) URL.revokeObjectURL(video.src);
  image.removeAttribute("src");
  video.removeAttribute("src");
  chosenClip = null;
  if (!file) {
    figure.hidden = true;
    return;
  }
  const label = `${file.name} · ${formatBytes(file.size)}`;
  caption.textContent = label;
  image.hidden = !PREVIEWABLE.includes(file.type);
  video.hidden = true;
  if (!image.hidden) image.src = URL.createObjectURL(file);
  if (isClip(file)) showClipPreview(file, video, caption, label);
  figure.hidden = false;
}

// The browser decodes the clip itself: its duration, and a frame a tenth of
// the way in as the poster (a fade-in's first frame is black). Clips the
// browser cannot play (MKV, HEVC) are still sent: the server decides.
function showClipPreview(file, video, caption, label) {
  video.addEventListener(
    "loadedmetadata",
    () => {
      if (!Number.isFinite(video.duration)) return;
      chosenClip = { duration: video.duration };
      caption.textContent = `${label} · ${formatDuration(video.duration)}`;
      video.currentTime = Math.min(video.duration / 10, 2);
    },
    { once: true },
  );
  video.addEventListener("seeked", () => (video.hidden = false), { once: true });
  video.addEventListener("error", () => (video.hidden = true), { once: true });
  video.src = URL.createObjectURL(file);
}

function clipProblem(file) {
  if (!isClip(file)) return null;
  const maxBytes = Number(form.dataset.videoMaxBytes);
  const maxSeconds = Number(form.dataset.videoMaxSeconds);
  if (maxBytes && file.size > maxBytes) {
    return `That clip is ${formatBytes(file.size)}; clips may be at most ${formatBytes(maxBytes)}.`;
  }
  if (chosenClip && maxSeconds && chosenClip.duration > maxSeconds + 0.5) {
    return `That clip is ${formatDuration(chosenClip.duration)} long; clips may be at most ${formatDuration(maxSeconds)}.`;
  }
  return null;
}

function clearErrors() {
  form.querySelectorAll(".is-invalid").forEach((el) => el.classList.remove("is-invalid"));
  form.querySelectorAll("[data-js-error]").forEach((el) => el.remove());
  document.getElementById("upload-errors").replaceChildren();
}

function showError(message, fields = {}) {
  const general = [];
  for (const [name, text] of Object.entries(fields)) {
    const input = form.elements.namedItem(name);
    if (input && input.classList) {
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      const feedback = document.createElement("div");
      feedback.className = "invalid-feedback";
      feedback.dataset.jsError = "";
      feedback.textContent = text;
      input.after(feedback);
    } else {
      general.push(text);
    }
  }
  const alert = document.createElement("div");
  alert.className = "alert alert-danger";
  alert.textContent = [message, ...general].join(" ");
  document.getElementById("upload-errors").replaceChildren(alert);
  const firstInvalid = form.querySelector(".is-invalid");
  (firstInvalid || alert).scrollIntoView({ block: "center" });
}

function upload(event) {
  event.preventDefault();
  clearErrors();
  const file = form.elements.file.files[0];
  const maxBytes = Number(form.dataset.maxBytes);
  if (file && maxBytes && file.size > maxBytes) {
    showError(`That file is ${formatBytes(file.size)}; the limit is ${formatBytes(maxBytes)}.`);
    return;
  }
  const problem = file && clipProblem(file);
  if (problem) {
    showError(problem);
    return;
  }
  const processing = file && isClip(file) ? "Sending your clip to be processed…" : "Processing your image…";
  const progress = document.getElementById("upload-progress");
  const bar = document.getElementById("upload-progress-bar");
  const status = document.getElementById("upload-status");
  const submit = document.getElementById("upload-submit");
  const data = new FormData(form);
  data.delete("csrf_token");

  const request = new XMLHttpRequest();
  request.open("POST", form.dataset.apiUrl);
  request.setRequestHeader("X-CSRFToken", csrfToken());
  request.setRequestHeader("Accept", "application/json");
  request.responseType = "json";
  request.upload.addEventListener("progress", (e) => {
    if (!e.lengthComputable) return;
    const percent = Math.round((e.loaded / e.total) * 100);
    bar.style.width = `${percent}%`;
    progress.setAttribute("aria-valuenow", String(percent));
    status.textContent = percent < 100 ? `Uploading… ${percent}%` : processing;
  });
  request.addEventListener("load", () => {
    const body = request.response || {};
    if (request.status === 201 || request.status === 202) {
      status.textContent = "Done.";
      window.location.assign(body.url);
      return;
    }
    progress.hidden = true;
    submit.disabled = false;
    status.textContent = "";
    const error = body.error || {};
    if (request.status === 413) {
      showError("That file is larger than SkyFrame accepts.");
    } else {
      showError(error.message || "The upload failed. Please try again.", error.fields || {});
    }
  });
  request.addEventListener("error", () => {
    progress.hidden = true;
    submit.disabled = false;
    showError("The connection was lost. Check your network and try again.");
  });
  progress.hidden = false;
  bar.style.width = "0%";
  submit.disabled = true;
  request.send(data);
}

if (form) {
  const objectInput = form.querySelector("[data-suggest='catalogue']");
  if (objectInput) attachObjectSuggestions(objectInput, form.dataset.suggestUrl);
  if (form.id === "upload-form") {
    form.elements.file.addEventListener("change", () => showPreview(form.elements.file.files[0]));
    form.addEventListener("submit", upload);
  }
}
