// The swipe feed: server-rendered first page, then pages from the API.
// This module wires the feed's parts together (static/js/feed/):
//   state.js        what the feed holds: positions, ids, data, cards in the DOM
//   cards.js        filling a card from a post's data (a clip's player: ../clips.js)
//   window.js       the cards around the current one (memory stays bounded)
//   loader.js       the next pages, and dropped cards fetched again
//   impressions.js  cards seen long enough, reported to the server
//   actions.js      the card's buttons and taps (like, save, follow, share,
//                   the comments sheet of comments.js, the viewer of viewer.js)
//   details.js      the details sheet
//   keys.js         moving between cards with the keyboard
//   restore.js      the place kept for back navigation
import { startClips } from "./clips.js";
import { startActions } from "./feed/actions.js";
import { watchImages } from "./feed/cards.js";
import { startImpressions } from "./feed/impressions.js";
import { startKeys } from "./feed/keys.js";
import { append, fetchMissing, loadMore, showEnd } from "./feed/loader.js";
import { keepPlaceOnLeaving, restorePlace } from "./feed/restore.js";
import { session } from "./feed/state.js";
import { adoptRenderedCards, connectWindow, showRestored, startWindow, watchEnd } from "./feed/window.js";

export { feedState } from "./feed/state.js";

connectWindow({ fetchMissing, loadMore });
startWindow();
startImpressions();
startActions();
startClips();
watchImages();
startKeys();
keepPlaceOnLeaving();

if (restorePlace()) {
  showRestored();
} else {
  JSON.parse(document.getElementById("feed-items").textContent).forEach(append);
  adoptRenderedCards();
}
watchEnd();
showEnd(session.nextCursor ? "loading" : "done");
