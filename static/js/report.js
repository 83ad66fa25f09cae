// The report sheet (templates/partials/report_sheet.html): any element with
// data-report="post|comment|user" and data-report-id opens it; the report is
// sent to POST /api/v1/reports. Report buttons start hidden (reporting needs
// this script) and are shown here.
import { apiFetch } from "./api.js";
import { problemOf } from "./ui.js";

const sheet = document.getElementById("report-sheet");
const SUBJECTS = { post: "this post", comment: "this comment", user: "this account" };

function q(role) {
  return sheet.querySelector(`[data-role="${role}"]`);
}

let target = null;

function showError(text) {
  const error = q("report-error");
  error.textContent = text || "";
  error.hidden = !text;
}

async function messageFor(response) {
  if (response && response.status === 429) {
    return "You have sent many reports in a short time. Please try again later.";
  }
  if (response && response.status === 404) return "This is no longer available.";
  return problemOf(response); // 422: the API's own message (e.g. your own post)
}

function closeOtherSheets() {
  // A Bootstrap sheet keeps the focus inside itself: close it first.
  if (!window.bootstrap) return; // not loaded yet: no sheet can be open
  document.querySelectorAll(".offcanvas.show").forEach((open) => {
    window.bootstrap.Offcanvas.getInstance(open)?.hide();
  });
}

/** Opens the sheet for a post, comment or user (``type``) with ``id``. */
export function openReport(type, id, subject) {
  target = { type, id: Number(id) };
  const form = q("report-form");
  form.reset();
  showError("");
  q("report-fields").hidden = false;
  q("report-done").hidden = true;
  q("report-submit").disabled = false;
  q("report-subject").textContent = subject || SUBJECTS[type] || "this";
  closeOtherSheets();
  sheet.showModal();
  form.querySelector('input[name="reason"]').focus();
}

async function send(event) {
  event.preventDefault();
  const form = q("report-form");
  const reason = form.querySelector('input[name="reason"]:checked');
  if (!reason) {
    showError("Choose what is wrong with it.");
    return;
  }
  const details = form.elements.details.value.trim();
  const body = { target_type: target.type, target_id: target.id, reason: reason.value };
  if (details) body.details = details;
  const submit = q("report-submit");
  submit.disabled = true;
  showError("");
  let response = null;
  try {
    response = await apiFetch(sheet.dataset.url, { method: "POST", json: body });
  } catch {
    response = null;
  }
  submit.disabled = false;
  if (response && response.ok) {
    q("report-fields").hidden = true;
    q("report-done").hidden = false;
    sheet.querySelector('[data-role="report-done"] [data-action="close-report"]').focus();
    return;
  }
  showError(await messageFor(response));
}

if (sheet) {
  // Buttons a script fills (the feed's details sheet) show themselves.
  document.querySelectorAll("[data-report][hidden]:not([data-report-later])").forEach((button) => {
    button.hidden = false;
  });
  document.addEventListener("click", (event) => {
    const trigger = event.target.closest("[data-report]");
    if (trigger && trigger.dataset.reportId) {
      event.preventDefault();
      openReport(trigger.dataset.report, trigger.dataset.reportId, trigger.dataset.reportSubject);
    }
  });
  q("report-form").addEventListener("submit", send);
  sheet.addEventListener("click", (event) => {
    if (event.target.closest('[data-action="close-report"]') || event.target === sheet) sheet.close();
  });
}
