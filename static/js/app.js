// Page bootstrap: small modules wired to data- attributes (no inline scripts: the CSP forbids them).
import { showPendingMotd } from "./motd.js";
import { startPwa } from "./pwa.js";

function start() {
  startPwa();
  showPendingMotd(document.body.dataset.motdUrl);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
