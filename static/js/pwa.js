// Installability: the service worker, an install button where the browser
// offers one (beforeinstallprompt), and short instructions on iOS.
export function startPwa() {
  const swUrl = document.body.dataset.swUrl;
  if (swUrl && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(swUrl, { scope: "/" }).catch(() => {
      // no worker (private mode, old browser): the site still works online
    });
  }

  const button = document.getElementById("install-button");
  let deferred = null;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    deferred = event;
    if (button) button.hidden = false;
  });
  window.addEventListener("appinstalled", () => {
    deferred = null;
    if (button) button.hidden = true;
  });
  if (button) {
    button.addEventListener("click", async () => {
      if (!deferred) return;
      deferred.prompt();
      await deferred.userChoice.catch(() => null);
      deferred = null;
      button.hidden = true;
    });
  }

  const hint = document.getElementById("ios-install-hint");
  const ios = /iphone|ipad|ipod/i.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  const standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  if (hint && ios && !standalone && localStorage.getItem("skyframe-ios-hint") !== "dismissed") {
    hint.hidden = false;
    hint.querySelector("[data-action=dismiss-hint]").addEventListener("click", () => {
      localStorage.setItem("skyframe-ios-hint", "dismissed");
      hint.hidden = true;
    });
  }
}
