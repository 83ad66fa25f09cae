// The search page: live results as filters change (the form still works
// without JavaScript), and typeahead for observer handles and objects.
import { openRemembered } from "./covers.js";
import { attachHandleSuggestions, attachObjectSuggestions } from "./suggest.js";

const form = document.querySelector('[data-role="search-form"]');
const results = document.querySelector('[data-role="search-results"]');

function queryOf(formElement) {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(formElement)) {
    if (typeof value === "string" && value.trim()) params.set(name, value.trim());
  }
  return params;
}

function liveResults() {
  let timer;
  let inFlight;
  const refresh = async () => {
    const params = queryOf(form);
    const address = `${form.action}?${params}`;
    inFlight?.abort();
    inFlight = new AbortController();
    params.set("partial", "1");
    try {
      const response = await fetch(`${form.action}?${params}`, {
        signal: inFlight.signal,
        headers: { Accept: "text/html" },
      });
      // 422 carries the form's messages; anything else (429, offline) keeps what is shown.
      if (!response.ok && response.status !== 422) return;
      results.innerHTML = await response.text();
      openRemembered(results);
      history.replaceState(null, "", address);
    } catch (error) {
      if (error.name !== "AbortError") console.warn("live search failed", error);
    }
  };
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  };
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
}

if (form && results) {
  liveResults();
  const observer = form.querySelector('input[name="observer"]');
  const object = form.querySelector('input[name="object"]');
  if (observer) attachHandleSuggestions(observer, form.dataset.usersSuggestUrl);
  if (object) attachObjectSuggestions(object, form.dataset.objectsSuggestUrl);
}
