// Typeahead for text fields: fills the field's <datalist> from a JSON API
// answering {items: [...]} for ?q=.
export function attachSuggestions(input, url, toOption, minLength = 2) {
  const list = document.getElementById(input.getAttribute("list"));
  if (!list || !url) return;
  let timer;
  let lastQuery = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length < minLength || query === lastQuery) return;
    timer = setTimeout(async () => {
      lastQuery = query;
      try {
        const response = await fetch(`${url}?q=${encodeURIComponent(query)}`, {
          headers: { Accept: "application/json" },
        });
        if (!response.ok) return;
        const { items } = await response.json();
        list.replaceChildren(
          ...items.map((item) => {
            const option = document.createElement("option");
            Object.assign(option, toOption(item));
            return option;
          }),
        );
      } catch {
        // offline: the field still takes free text
      }
    }, 200);
  });
}

// Object typeahead: designations and common names from the catalogue.
export function attachObjectSuggestions(input, url) {
  attachSuggestions(input, url, (item) => ({
    value: item.name,
    label: [item.common_name, item.type, item.constellation].filter(Boolean).join(" · "),
  }));
}

// Handle typeahead: active users whose handle starts with what was typed.
export function attachHandleSuggestions(input, url) {
  attachSuggestions(
    input,
    url,
    (user) => ({ value: `@${user.handle}`, label: user.display_name }),
    1,
  );
}
