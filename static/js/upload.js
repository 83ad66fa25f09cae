// Upload page: preview, catalogue typeahead, and an XHR upload with a real
// progress bar. Without JavaScript the form posts to /upload as usual.
import { csrfToken } from "./api.js";
import { attachObjectSuggestions } from "./suggest.js";

const form = document.getElementById("upload-form") || document.getElementById("edit-form");
const PREVIEWABLE = ["image/jpeg", "image/png", "image/webp"];

function formatBytes(bytes) {
  return bytes > 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

function showPreview(file) {
  const figure = form.querySelector(".upload-preview");
  const image = document.getElementById("upload-preview-image");
  const caption = document.getElementById("upload-preview-caption");
  if (!figure) return;
  if (image.src) URL.revokeObjectURL(image.src);
  if (!file) {
    figure.hidden = true;
    return;
  }
  caption.textContent = `${file.name} · ${formatBytes(file.size)}`;
  image.hidden = !PREVIEWABLE.includes(file.type);
  if (!image.hidden) image.src = URL.createObjectURL(file);
  figure.hidden = false;
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
    status.textContent = percent < 100 ? `Uploading… ${percent}%` : "Processing your image…";
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
