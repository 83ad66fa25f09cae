// Bootstrap's script (sheets, toasts, the MOTD modal, dismissible alerts),
// loaded off the first paint. Evaluating it holds a throttled phone's main
// thread for 200–300 ms, and no page needs it before someone taps: it loads
// when the page is idle after `load`, or at once when a module asks for it.
let loading = null;

function scriptUrl() {
  return document.body.dataset.bootstrapJs || null;
}

/** Resolves with `window.bootstrap`, loading Bootstrap's script first if needed. */
export function components() {
  if (window.bootstrap) return Promise.resolve(window.bootstrap);
  const src = scriptUrl();
  if (!src) return Promise.reject(new Error("This page has no Bootstrap components."));
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.addEventListener("load", () => resolve(window.bootstrap));
      script.addEventListener("error", () => {
        loading = null; // a later tap may try again (e.g. back online)
        script.remove();
        reject(new Error("Bootstrap's script could not be loaded."));
      });
      document.head.append(script);
    });
  }
  return loading;
}

/** On pages that name the script: load it once the page is idle after `load`. */
export function loadComponentsWhenIdle() {
  if (!scriptUrl()) return;
  const soon = () => {
    const idle = window.requestIdleCallback || ((callback) => setTimeout(callback, 200));
    idle(() => components().catch(() => {}), { timeout: 3000 });
  };
  if (document.readyState === "complete") soon();
  else window.addEventListener("load", soon, { once: true });
}
