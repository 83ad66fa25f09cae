// The hosting settings page (/settings/hosting). Without JavaScript its
// forms post to the server; with it, the "Other observers may host my
// channel" switch saves on change (PATCH /api/v1/me/hosting), and the add
// field suggests qualifying observers as an ARIA combobox with a listbox
// (arrow keys move, Enter picks, Escape closes).
import { apiFetch } from "./api.js";

const allowForm = document.querySelector('[data-role="hosting-allow"]');
if (allowForm) {
  const box = allowForm.querySelector('[data-role="allow-hosting"]');
  const status = allowForm.querySelector('[data-role="allow-status"]');
  allowForm.querySelector('[data-role="allow-save"]').hidden = true;
  box.addEventListener("change", async () => {
    const wanted = box.checked;
    status.textContent = " Saving…";
    try {
      const response = await apiFetch(allowForm.dataset.api, {
        method: "PATCH",
        json: { allow_hosting: wanted },
      });
      if (!response.ok) throw new Error(String(response.status));
      const { allow_hosting: saved } = await response.json();
      box.checked = saved;
      status.textContent = saved ? " Saved: others may host you." : " Saved: nobody may host you.";
    } catch {
      box.checked = !wanted;
      status.textContent = " Not saved: try again.";
    }
  });
}

const addForm = document.querySelector('[data-role="hosting-add"]');
if (addForm) {
  const input = addForm.querySelector('[data-role="hosting-handle"]');
  const list = addForm.querySelector('[data-role="hosting-suggestions"]');
  let options = [];
  let active = -1;
  let timer;
  let asked = "";

  const close = () => {
    list.hidden = true;
    list.replaceChildren();
    options = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  };

  const highlight = (index) => {
    active = index;
    options.forEach((option, i) => {
      option.setAttribute("aria-selected", String(i === index));
      option.classList.toggle("active", i === index);
    });
    if (index >= 0) input.setAttribute("aria-activedescendant", options[index].id);
    else input.removeAttribute("aria-activedescendant");
  };

  const pick = (index) => {
    input.value = options[index].dataset.handle;
    close();
    input.focus();
  };

  const show = (items) => {
    if (!items.length) {
      close();
      return;
    }
    options = items.map((user, i) => {
      const option = document.createElement("li");
      option.id = `hosting-suggestion-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.className = "list-group-item list-group-item-action";
      option.dataset.handle = user.handle;
      const name = document.createElement("span");
      name.textContent = user.display_name;
      name.dir = "auto";
      const handle = document.createElement("span");
      handle.className = "text-body-secondary ms-2";
      handle.textContent = `@${user.handle}`;
      option.append(name, handle);
      // mousedown, not click: the field keeps its focus.
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        pick(i);
      });
      return option;
    });
    list.replaceChildren(...options);
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(-1);
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim().replace(/^@/, "");
    if (!query) {
      asked = "";
      close();
      return;
    }
    timer = setTimeout(async () => {
      asked = query;
      try {
        const url = `${addForm.dataset.suggest}?q=${encodeURIComponent(query)}`;
        const response = await apiFetch(url);
        if (!response.ok || asked !== query) return;
        show((await response.json()).items);
      } catch {
        close(); // offline: the field still takes a handle typed in full
      }
    }, 150);
  });

  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight((active + 1) % options.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);
}
