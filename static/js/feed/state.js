// What the feed holds, shared by its modules: the session's positions, the
// ids and data of its cards, the cards in the DOM, and the page's elements.
//
// Positions count cards from the start of the session. The scroll area starts
// at position `session.base`; ids are known from position `session.first`
// (>= base) on.
export const feed = document.getElementById("feed");
export const endSection = document.getElementById("feed-end");
export const links = JSON.parse(feed.dataset.links);

const REMEMBERED = 1000; // ids remembered to skip repeats in later pages, and seen reports

export const session = {
  base: 0,
  first: 0,
  current: 0, // the card on screen
  nextCursor: feed.dataset.nextCursor || null,
};
export const ids = []; // ids[p - session.first]: the post at position p
export const data = new Map(); // position → the post's data, near the current card only
export const live = new Map(); // position → its <article>, around the current card only
export const known = new Set(); // ids already in this session (the latest REMEMBERED)

export const end = () => session.first + ids.length; // the position after the last card

/** Adds `id` to `set` as its newest member, keeping the latest REMEMBERED. */
export function remember(set, id) {
  set.delete(id);
  set.add(id);
  if (set.size > REMEMBERED) set.delete(set.values().next().value); // the oldest
}

/** The card around `element` and the data of its post (if still kept). */
export function itemOf(element) {
  const article = element.closest(".feed-card");
  return article ? { article, item: data.get(Number(article.dataset.index)) } : {};
}

/** Sizes of what the feed holds (for tests and the memory benchmark). */
export function feedState() {
  const { base, first, current } = session;
  return { base, first, end: end(), current, ids: ids.length, data: data.size, live: live.size, known: known.size };
}
