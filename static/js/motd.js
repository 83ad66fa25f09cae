// Shows each pending message of the day once; dismissing it acknowledges it server-side.
import { apiFetch } from "./api.js";
import { components } from "./components.js";

export async function showPendingMotd(url) {
  const element = document.getElementById("motd-modal");
  if (!url || !element) return;
  let items;
  try {
    const response = await apiFetch(url);
    if (!response.ok) return;
    ({ items } = await response.json());
  } catch {
    return; // offline: try again on the next page
  }
  if (!items.length) return;
  let bootstrap;
  try {
    bootstrap = await components();
  } catch {
    return; // shown on a later page
  }
  const modal = bootstrap.Modal.getOrCreateInstance(element);
  const showNext = () => {
    const message = items.shift();
    if (!message) return;
    element.querySelector("#motd-title").textContent = message.title;
    element.querySelector("#motd-body").textContent = message.body;
    element.dataset.motdId = String(message.id);
    modal.show();
  };
  element.addEventListener("hidden.bs.modal", async () => {
    const id = element.dataset.motdId;
    if (id) {
      await apiFetch(`${url}/${encodeURIComponent(id)}/ack`, { method: "POST" }).catch(() => {});
    }
    showNext();
  });
  showNext();
}
