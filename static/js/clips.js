// Clips (posts of kind "video", templates/partials/clip.html) in the feed and
// on post pages; the rules are in docs/clip-playback.md.
//
//   - A clip plays, muted unless the viewer chose sound, while at least half
//     of it is on screen (the one most on screen, if two are), and pauses when
//     it leaves. Never while it is under a warning-label cover (a flashing
//     clip!), when the browser asks to save data, or when the viewer turned
//     autoplay off (a setting of this device, on /settings): then the play
//     button starts it.
//   - Only the clip on screen and the next one load media: every <video>
//     starts with preload="none", and only those two get preload="auto"
//     (none at all before a tap while the browser asks to save data).
//   - A tap on the clip (or its labelled sound button, or the M key) turns
//     the sound on or off; the choice and the volume are kept in
//     localStorage for every clip and later visits.
//   - A clip that has played PLAYED_AFTER_S seconds, or to its end when it is
//     shorter (its loop starting again), sends the DOM event
//     "skyframe:clip-played" (bubbling from its <video>, detail {postId,
//     seconds}) once per post per page: what the view counter listens for.
//
// attachClips(root) takes in the clips under root (a card, the post page);
// releaseClips(root) lets them go (a card leaving the DOM); fillClip fills
// the empty player of a feed card from a post's JSON.
const SOUND_KEY = "skyframe.clip-sound"; // {"muted": bool, "volume": 0..1}
const AUTOPLAY_KEY = "skyframe.clip-autoplay"; // "on" | "off"; unset: on, unless reduced motion
const PLAYED_AFTER_S = 2;
export const PLAYED_EVENT = "skyframe:clip-played";

const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

function read(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage refused: the defaults
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // private mode with storage off: the choice holds for this page only
  }
}

let sessionSound = null; // this page's latest choice (storage may refuse it)

/** The remembered sound choice: {muted, volume}; muted at first. */
export function soundChoice() {
  if (sessionSound) return sessionSound;
  try {
    const saved = JSON.parse(read(SOUND_KEY) || "null");
    if (saved && typeof saved.muted === "boolean") {
      const volume = Number(saved.volume);
      return { muted: saved.muted, volume: Number.isFinite(volume) ? Math.min(1, Math.max(0, volume)) : 1 };
    }
  } catch {
    // spoiled: the default
  }
  return { muted: true, volume: 1 };
}

function chooseSound(choice) {
  sessionSound = choice;
  write(SOUND_KEY, JSON.stringify(choice));
}

/** The autoplay setting of this device: "on", "off" or "" (not chosen). */
export function autoplaySetting() {
  const value = read(AUTOPLAY_KEY);
  return value === "on" || value === "off" ? value : "";
}

export function setAutoplay(on) {
  write(AUTOPLAY_KEY, on ? "on" : "off");
}

/** What the viewer wants here: their setting, else on unless the device asks for reduced motion. */
export function autoplayWanted() {
  const setting = autoplaySetting();
  return setting ? setting === "on" : !reducedMotion.matches;
}

/** Whether clips may start by themselves here, and if not, why not ("" when they may). */
export function autoplayBlocker() {
  if (navigator.connection && navigator.connection.saveData) return "save-data";
  if (autoplayWanted()) return "";
  return autoplaySetting() ? "setting" : "reduced-motion";
}

// The clips taken in: video → its state, {box, video, onScreen (the part on
// screen), current, played (seconds), last (the time at the last step),
// started (by the viewer), stopped (paused by the viewer), applied (the sound
// set by this script), soundWaiting (muted until the page's first tap)}.
const clips = new Map();
const sentPosts = new Set(); // posts whose play was reported on this page
let activated = false; // the page has had a tap or a key (the browser's rule for sound)
let restoredAt = -Infinity; // when that first tap gave the waiting clips their sound

const observer = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      const state = clips.get(entry.target);
      if (state) state.onScreen = entry.isIntersecting ? entry.intersectionRatio : 0;
    }
    settle();
  },
  { threshold: [0, 0.5, 0.75, 1] },
);

function covered(box) {
  const toggle = box.parentElement && box.parentElement.querySelector(':scope > [data-role="cover-toggle"]');
  return Boolean(toggle && !toggle.hidden && !toggle.checked);
}

/** Sets a video's sound, remembering what was set so volumechange can tell the viewer's changes. */
function applySound(state, muted) {
  const { video } = state;
  const { volume } = soundChoice();
  state.applied = { muted, volume };
  // The muted attribute too: Chromium sets muted from it again when the media starts loading.
  video.defaultMuted = muted;
  video.muted = muted;
  video.volume = volume;
  showSound(state);
}

function showSound(state) {
  const button = state.box.querySelector('[data-role="clip-sound"]');
  if (button) button.setAttribute("aria-pressed", String(!state.video.muted));
}

function showPlaying(state) {
  const { box, video } = state;
  const playing = !video.paused;
  box.classList.toggle("is-playing", playing);
  // The play button shows while the clip waits for the viewer (autoplay off
  // here, paused, covered); playing, it is there for the keyboard only.
  const starting = !playing && state.current && !autoplayBlocker() && !state.stopped && !covered(box);
  box.classList.toggle("is-starting", starting);
  const label = box.querySelector('[data-role="clip-play-label"]');
  if (label) label.textContent = playing ? "Pause the clip" : "Play the clip";
}

async function play(state) {
  const { video } = state;
  if (!video.paused) return;
  video.preload = "auto";
  applySound(state, soundChoice().muted);
  try {
    await video.play();
  } catch (error) {
    if (error && error.name === "NotAllowedError" && !video.muted) {
      // The browser lets a page play sound only after a tap or a key: muted
      // until then (the remembered choice stays as it is).
      applySound(state, true);
      state.soundWaiting = true;
      video.play().catch(() => showPlaying(state));
    } else {
      showPlaying(state); // aborted (paused or released meanwhile), or no media
    }
  }
}

function pause(state) {
  if (state.video.paused) return;
  state.pausing = true; // ours, not the viewer's (see the "pause" listener)
  state.video.pause();
}

/** The clips in document order. */
function ordered() {
  return [...clips.values()].sort((a, b) =>
    a.box.compareDocumentPosition(b.box) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1,
  );
}

/** Plays the clip on screen, pauses the others, and lets only it and the next one load. */
function settle() {
  const all = ordered();
  let current = null;
  for (const state of all) {
    if (state.onScreen >= 0.5 && (!current || state.onScreen > current.onScreen)) current = state;
  }
  let next = null;
  if (current) {
    next = all[all.indexOf(current) + 1] || null;
  } else {
    // No clip on screen: the next one below the screen's top.
    next = all.find((state) => state.box.getBoundingClientRect().top >= 0) || null;
  }
  const blocked = autoplayBlocker();
  for (const state of all) {
    const wasCurrent = state.current;
    state.current = state === current;
    if (!state.current && wasCurrent) {
      // Back on screen later, it plays again (by itself only where autoplay is on).
      state.stopped = false;
      state.started = false;
    }
    // Saving data, a clip loads only when the viewer starts it.
    if ((state === current || state === next) && blocked !== "save-data") state.video.preload = "auto";
    else if (state.video.paused && state.video.readyState === 0) state.video.preload = "none";
    const mayPlay = state.current && !covered(state.box) && document.visibilityState === "visible";
    if (mayPlay && (state.started || (!blocked && !state.stopped))) play(state);
    else if (!mayPlay) pause(state);
    showPlaying(state);
  }
}

function durationOf(state) {
  const { video } = state;
  if (Number.isFinite(video.duration) && video.duration > 0) return video.duration;
  return Number(state.box.dataset.duration) || 0;
}

function onProgress(state) {
  const { video } = state;
  const duration = durationOf(state);
  const bar = state.box.querySelector('[data-role="clip-progress"]');
  if (bar && duration) bar.style.transform = `scaleX(${Math.min(1, video.currentTime / duration)})`;
  // Played time: forward steps while playing (a seek is not playing).
  const step = video.currentTime - state.last;
  state.last = video.currentTime;
  if (state.seeked) {
    state.seeked = false;
    return;
  }
  if (video.paused || video.seeking) return;
  if (step > 0 && step < 1.5) state.played += step;
  if (state.played >= Math.min(PLAYED_AFTER_S, duration || PLAYED_AFTER_S)) reportPlayed(state);
}

function reportPlayed(state) {
  const postId = Number(state.box.dataset.postId);
  if (!postId || sentPosts.has(postId)) return;
  sentPosts.add(postId);
  const detail = { postId, seconds: Math.round(state.played * 10) / 10 };
  state.video.dispatchEvent(new CustomEvent(PLAYED_EVENT, { bubbles: true, detail }));
}

function take(box) {
  const video = box.querySelector('[data-role="clip-video"]');
  if (!video || clips.has(video)) return;
  const state = { box, video, onScreen: 0, current: false, played: 0, last: 0, started: false, stopped: false };
  state.applied = { muted: video.muted, volume: video.volume };
  clips.set(video, state);
  video.addEventListener("timeupdate", () => onProgress(state));
  video.addEventListener("seeking", () => {
    // The loop starting again is a seek from the end to the start: the clip played to its end.
    const duration = durationOf(state);
    const fromTheEnd = duration && state.last >= duration - 0.5;
    if (video.loop && video.currentTime < 0.5 && state.played > 0 && fromTheEnd) reportPlayed(state);
    state.seeked = true;
  });
  video.addEventListener("play", () => showPlaying(state));
  video.addEventListener("ended", () => {
    reportPlayed(state);
    state.stopped = true;
    state.started = false;
    showPlaying(state);
  });
  video.addEventListener("volumechange", () => {
    const { applied } = state;
    showSound(state);
    if (applied && applied.muted === video.muted && applied.volume === video.volume) return; // ours
    // The viewer's (the browser's own controls on the post page): kept for every clip.
    state.applied = { muted: video.muted, volume: video.volume };
    chooseSound({ muted: video.muted, volume: video.volume });
    for (const other of clips.values()) {
      if (other !== state) applySound(other, video.muted || Boolean(other.soundWaiting));
    }
  });
  video.addEventListener("pause", () => {
    if (state.pausing) {
      state.pausing = false;
    } else if (state.current && !video.ended) {
      // Paused by the viewer (the browser's own controls) while on screen: it stays paused.
      state.stopped = true;
      state.started = false;
    }
    showPlaying(state);
  });
  showSound(state);
  observer.observe(video);
}

/** Takes in the clips under ``root``. */
export function attachClips(root = document) {
  root.querySelectorAll('[data-role="clip"]').forEach(take);
}

/** Lets the clips under ``root`` go: paused, unobserved, their media freed. */
export function releaseClips(root) {
  root.querySelectorAll('[data-role="clip-video"]').forEach((video) => {
    if (!clips.has(video)) return;
    clips.delete(video);
    observer.unobserve(video);
    video.pause();
    video.removeAttribute("src");
    video.load(); // drops the buffered media and the decoder
  });
}

/** Fills the empty player under ``root`` (a feed card) for ``item``, a post's JSON. */
export function fillClip(root, item) {
  const box = root.querySelector('[data-role="clip"]');
  const clip = item.video || {};
  const video = box.querySelector('[data-role="clip-video"]');
  box.dataset.postId = String(item.id);
  box.dataset.duration = clip.duration_s ? String(clip.duration_s) : "";
  box.dataset.hasAudio = String(clip.has_audio !== false);
  video.preload = "none";
  if (clip.width && clip.height) {
    video.width = clip.width;
    video.height = clip.height;
  }
  video.poster = clip.poster_url || "";
  video.src = clip.url || "";
  video.setAttribute("aria-label", item.title);
  const sound = box.querySelector('[data-role="clip-sound"]');
  if (sound) sound.hidden = clip.has_audio === false;
}

/** A tap on a clip: starts it when it waits for the viewer, else turns the sound on or off. */
export function tapClip(box) {
  const state = clips.get(box.querySelector('[data-role="clip-video"]'));
  if (!state) return;
  if (state.video.paused) {
    state.started = true;
    state.stopped = false;
    play(state);
  } else {
    toggleSound(state);
  }
}

function stop(state) {
  state.stopped = true;
  state.started = false;
  showPlaying(state);
}

function toggleSound(state) {
  // The tap that just gave the clip its remembered sound is not also a toggle.
  if (performance.now() - restoredAt < 600) return;
  const muted = !state.video.muted;
  chooseSound({ muted, volume: soundChoice().volume });
  // A tap: from now on the browser lets this page play sound.
  for (const other of clips.values()) {
    other.soundWaiting = false;
    applySound(other, muted);
  }
}

function onFirstActivation() {
  if (activated) return;
  activated = true;
  // The remembered "sound on" waited for this first tap or key: the clips
  // playing muted until now get their sound.
  if (soundChoice().muted) return;
  for (const state of clips.values()) {
    if (state.soundWaiting) {
      state.soundWaiting = false;
      applySound(state, false);
      restoredAt = performance.now();
    }
  }
}

/** Listens once per page: the clips' buttons, covers lifted, the page hidden, other tabs' choices. */
export function startClips() {
  document.addEventListener(
    "click",
    (event) => {
      const button = event.target.closest && event.target.closest('[data-action^="clip-"]');
      const box = button && button.closest('[data-role="clip"]');
      const state = box && clips.get(box.querySelector('[data-role="clip-video"]'));
      if (!state) return;
      event.stopPropagation(); // not a tap on the card's media (the feed's double tap)
      if (button.dataset.action === "clip-sound") {
        toggleSound(state);
      } else if (state.video.paused) {
        tapClip(state.box);
      } else {
        stop(state);
        state.video.pause();
      }
    },
    true,
  );
  document.addEventListener("change", (event) => {
    if (event.target.matches && event.target.matches('[data-role="cover-toggle"]')) settle();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "m" && event.key !== "M") return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable], dialog")) return;
    const current = [...clips.values()].find((state) => state.current && !state.video.controls);
    if (!current) return;
    event.preventDefault();
    toggleSound(current);
  });
  document.addEventListener("visibilitychange", settle);
  for (const type of ["pointerup", "keydown"]) document.addEventListener(type, onFirstActivation, { capture: true });
  window.addEventListener("storage", (event) => {
    if (event.key === AUTOPLAY_KEY) settle();
  });
  if (navigator.connection && navigator.connection.addEventListener) {
    navigator.connection.addEventListener("change", settle);
  }
}
