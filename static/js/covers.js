// Warning-label covers (templates/partials/label_cover.html): a post with
// labels is shown behind a cover naming them, tapped through with a checkbox
// so pages work without this script. Here: the choice is remembered per post
// for the session (sessionStorage), and covers of cards made from a post's
// JSON ("labels": [...]) are filled.
const KEY = "skyframe.uncovered";
const KEPT = 500; // post ids remembered, the latest

function remembered() {
  try {
    const ids = JSON.parse(sessionStorage.getItem(KEY) || "[]");
    return Array.isArray(ids) ? ids : [];
  } catch {
    return []; // storage refused or spoiled: covers stay until tapped
  }
}

function remember(postId) {
  const ids = remembered().filter((id) => id !== postId);
  ids.push(postId);
  try {
    sessionStorage.setItem(KEY, JSON.stringify(ids.slice(-KEPT)));
  } catch {
    // private mode with storage off: it is uncovered for this page only
  }
}

/** Opens the covers under ``root`` of posts uncovered earlier this session. */
export function openRemembered(root = document) {
  const ids = new Set(remembered());
  root.querySelectorAll('[data-role="cover-toggle"]').forEach((toggle) => {
    if (ids.has(toggle.dataset.postId)) toggle.checked = true;
  });
}

/** Fills the cover of a card (``root``) for ``item``, a post's JSON. */
export function showCover(root, item, key) {
  const toggle = root.querySelector('[data-role="cover-toggle"]');
  const cover = root.querySelector('[data-role="cover"]');
  if (!toggle || !cover) return;
  const names = JSON.parse(cover.dataset.names || "{}");
  const labels = (item.labels || []).filter((label) => names[label]);
  toggle.id = `uncover-${key}`;
  cover.htmlFor = toggle.id;
  toggle.dataset.postId = String(item.id);
  toggle.checked = labels.length === 0 || remembered().includes(String(item.id));
  toggle.hidden = labels.length === 0; // nothing to show it: out of the focus order too
  cover.hidden = labels.length === 0;
  cover.querySelector('[data-role="cover-names"]').textContent = labels.map((label) => names[label]).join(" · ");
}

document.addEventListener("change", (event) => {
  const toggle = event.target;
  if (toggle.matches && toggle.matches('[data-role="cover-toggle"]') && toggle.checked) {
    remember(toggle.dataset.postId);
  }
});
openRemembered();
