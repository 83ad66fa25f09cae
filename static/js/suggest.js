// Object typeahead: fills the field's <datalist> from the catalogue API.
export function attachObjectSuggestions(input, url) {
  const list = document.getElementById(input.getAttribute("list"));
  if (!list || !url) return;
  let timer;
  let lastQuery = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length < 2 || query === lastQuery) return;
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
            option.value = item.name;
            option.label = [item.common_name, item.type, item.constellation].filter(Boolean).join(" · ");
            return option;
          }),
        );
      } catch {
        // offline: the field still takes free text
      }
    }, 200);
  });
}
