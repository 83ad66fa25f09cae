// The details sheet: a post's acquisition data (object, equipment, exposure),
// notes and tags.
import { showSheet } from "../ui.js";
import { links } from "./state.js";

const myHandle = document.body.dataset.handle || "";

function row(list, label, value) {
  if (value === null || value === undefined || value === "") return;
  const term = document.createElement("dt");
  term.className = "col-5";
  term.textContent = label;
  const detail = document.createElement("dd");
  detail.className = "col-7";
  detail.dir = "auto"; // equipment and gain are user text
  detail.textContent = value;
  list.append(term, detail);
}

export function showInfo(item) {
  const sheet = document.getElementById("info-sheet");
  const q = (role) => sheet.querySelector(`[data-role="${role}"]`);
  sheet.querySelector("#info-sheet-title").textContent = item.title;
  const object = item.object || {};
  q("info-subtitle").textContent = [object.name, object.common_name !== object.name ? object.common_name : null, `by ${item.observer}`]
    .filter(Boolean)
    .join(" · ");
  const list = q("info-list");
  list.replaceChildren();
  const { equipment: eq, exposure: ex } = item;
  row(list, "Object type", object.type);
  row(list, "Constellation", object.constellation);
  row(list, "Captured", item.observed_at ? `${item.observed_at.slice(0, 16).replace("T", " ")} UTC` : null);
  row(list, "Telescope", eq.telescope);
  row(list, "Camera", eq.camera);
  row(list, "Mount", eq.mount);
  row(list, "Filters", eq.filters);
  if (ex.sub_seconds) row(list, "Sub-exposure", `${ex.sub_seconds} s${ex.count ? ` × ${ex.count}` : ""}`);
  if (ex.integration_seconds) row(list, "Integration", `${(ex.integration_seconds / 3600).toFixed(1)} h`);
  row(list, "Gain / ISO", ex.gain);
  row(list, "Bortle", ex.bortle);
  if (item.media && item.media.width) row(list, "Size", `${item.media.width} × ${item.media.height} px`);
  if (item.kind === "video" && item.video) {
    const seconds = Math.round(item.video.duration_s);
    row(list, "Length", `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`);
    if (!item.video.has_audio) row(list, "Sound", "None");
  }
  if (!list.children.length) row(list, "Details", "None recorded");
  q("info-notes").textContent = item.notes || "";
  const tags = q("info-tags");
  tags.replaceChildren(
    ...item.tags.map((tag) => {
      const chip = document.createElement(links.tag ? "a" : "span");
      chip.className = "badge rounded-pill text-bg-dark me-1";
      chip.textContent = `#${tag}`;
      if (links.tag) chip.href = links.tag.replace("__TAG__", encodeURIComponent(tag));
      return chip;
    }),
  );
  q("info-link").href = item.url;
  const report = q("info-report"); // signed in only (templates/feed/_sheets.html)
  if (report) {
    report.dataset.reportId = String(item.id);
    report.hidden = item.owner.handle === myHandle;
  }
  showSheet(sheet);
}
