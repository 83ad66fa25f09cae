// A channel page (/live/<handle>): the newest frame, the strip, the elapsed
// time and the viewer count follow the session through Server-Sent Events;
// where EventSource is missing or keeps failing, the page polls the frames
// listing instead. The browser itself sends Last-Event-ID when it
// reconnects; the first connection names the event the page was made at.
import { apiFetch } from "./api.js";
import { attachObjectSuggestions } from "./suggest.js";

const POLL_MS = 5000;
const FAILURES_BEFORE_POLLING = 3;

function formatElapsed(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n) => String(n).padStart(2, "0");
  return `${Math.floor(s / 3600)}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

class Channel {
  constructor(root) {
    this.root = root;
    this.frame = root.querySelector("[data-role='live-frame']");
    this.empty = root.querySelector("[data-role='live-empty']");
    this.strip = root.querySelector("[data-role='live-strip']");
    this.viewers = root.querySelector("[data-role='live-viewers']");
    this.status = root.querySelector("[data-role='live-status']");
    this.elapsed = root.querySelector("[data-role='live-elapsed']");
    this.lastFrameId = Number(root.dataset.lastFrameId || 0);
    this.startedAt = Date.parse(root.dataset.startedAt || "");
    this.failures = 0;
  }

  start() {
    if (this.root.dataset.status !== "live") return;
    this.tick = setInterval(() => this.showElapsed(), 1000);
    if (typeof window.EventSource === "function") {
      this.listen();
    } else {
      this.poll();
    }
  }

  showElapsed() {
    if (this.elapsed && !Number.isNaN(this.startedAt)) {
      this.elapsed.textContent = formatElapsed((Date.now() - this.startedAt) / 1000);
    }
  }

  listen() {
    const url = new URL(this.root.dataset.eventsUrl, window.location.href);
    url.searchParams.set("last_event_id", this.root.dataset.lastEventId || "0");
    const source = new EventSource(url);
    this.source = source;
    source.addEventListener("open", () => {
      this.failures = 0;
    });
    source.addEventListener("frame", (event) => this.onFrame(JSON.parse(event.data)));
    source.addEventListener("viewers", (event) => this.showViewers(JSON.parse(event.data).count));
    source.addEventListener("status", (event) => this.onStatus(JSON.parse(event.data)));
    source.addEventListener("error", () => {
      // EventSource reconnects by itself (with Last-Event-ID); a stream
      // that keeps failing (a proxy that buffers, a server refusing with
      // 503) makes the page poll instead. CLOSED: the server said 204.
      this.failures += 1;
      if (source.readyState === EventSource.CLOSED || this.failures >= FAILURES_BEFORE_POLLING) {
        source.close();
        if (this.root.dataset.status === "live") this.poll();
      }
    });
  }

  async poll() {
    if (this.polling) return;
    this.polling = true;
    while (this.root.dataset.status === "live") {
      try {
        const url = new URL(this.root.dataset.framesUrl, window.location.href);
        if (this.lastFrameId) url.searchParams.set("after", String(this.lastFrameId));
        const response = await apiFetch(url);
        if (response.ok) {
          const page = await response.json();
          page.items.forEach((frame) => this.onFrame(frame));
          this.showViewers(page.viewer_count);
          if (page.status !== "live") this.onStatus({ status: page.status });
        }
      } catch {
        // offline for a moment: try again at the next turn
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  onFrame(frame) {
    if (frame.removed) {
      // Taken down by staff: out of the strip, and off the stage if it is shown.
      this.strip?.querySelector(`[data-frame-id="${frame.removed}"]`)?.remove();
      if (this.frame.dataset.frameId === String(frame.removed)) {
        this.frame.hidden = true;
        this.frame.removeAttribute("src");
        if (this.empty) this.empty.hidden = false;
      }
      return;
    }
    if (frame.id <= this.lastFrameId) return;
    this.lastFrameId = frame.id;
    this.root.dataset.lastFrameId = String(frame.id);
    const display = frame.display.find((r) => r.content_type === "image/jpeg") || frame.display[0];
    this.frame.src = display.url;
    this.frame.width = frame.width;
    this.frame.height = frame.height;
    this.frame.hidden = false;
    this.frame.dataset.frameId = String(frame.id);
    if (this.empty) this.empty.hidden = true;
    if (this.strip) {
      const item = document.createElement("li");
      item.dataset.frameId = String(frame.id);
      const thumb = document.createElement("img");
      const small = frame.thumb.find((r) => r.content_type === "image/jpeg") || frame.thumb[0];
      thumb.src = small.url;
      thumb.width = 80;
      thumb.height = Math.round((80 * frame.height) / frame.width);
      thumb.alt = `Frame ${this.strip.children.length + 1}`;
      item.append(thumb);
      this.strip.append(item);
      item.scrollIntoView({ block: "nearest", inline: "end" });
    }
  }

  showViewers(count) {
    if (this.viewers && Number.isFinite(count)) this.viewers.textContent = String(count);
  }

  onStatus(data) {
    if (data.status !== "ended") return;
    this.root.dataset.status = "offline";
    this.root.classList.remove("is-live");
    clearInterval(this.tick);
    this.source?.close();
    if (this.status) {
      this.status.textContent = "Offline";
      this.status.className = "badge text-bg-secondary";
    }
  }
}

function wireOwnerForms(root) {
  const goLive = root.querySelector("[data-role='go-live']");
  if (goLive) {
    const objectInput = goLive.querySelector("[data-suggest='catalogue']");
    if (objectInput) attachObjectSuggestions(objectInput, goLive.dataset.suggestUrl);
    goLive.addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = goLive.querySelector("[data-role='go-live-error']");
      const body = { title: goLive.elements.title.value };
      if (goLive.elements.object.value.trim()) body.object = goLive.elements.object.value;
      const response = await apiFetch(goLive.dataset.apiUrl, { method: "POST", json: body });
      if (response.ok) {
        window.location.reload();
        return;
      }
      const problem = (await response.json().catch(() => ({}))).error || {};
      error.textContent = Object.values(problem.fields || {})[0] || problem.message || "Try again.";
      error.hidden = false;
    });
  }
  const end = root.querySelector("[data-role='end-live']");
  if (end) {
    end.addEventListener("submit", async (event) => {
      event.preventDefault();
      const response = await apiFetch(end.dataset.apiUrl, { method: "POST" });
      if (response.ok) window.location.reload();
    });
  }
}

function start() {
  const root = document.querySelector("[data-role='live-channel']");
  if (!root) return;
  wireOwnerForms(root);
  new Channel(root).start();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
