// Page bootstrap: small modules wired to data- attributes (no inline scripts: the CSP forbids them).
import { loadComponentsWhenIdle } from "./components.js";
import { showPendingMotd } from "./motd.js";
import { startPwa } from "./pwa.js";

function start() {
  startPwa();
  loadComponentsWhenIdle();
  showPendingMotd(document.body.dataset.motdUrl);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
