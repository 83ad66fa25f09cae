// The settings page's "Play clips automatically" switch: a choice of this
// device, kept in localStorage by clips.js (the feed and post pages read it).
import { autoplayBlocker, autoplayWanted, setAutoplay } from "./clips.js";

const section = document.querySelector('[data-role="clip-settings"]');
if (section) {
  const box = section.querySelector('[data-role="clip-autoplay"]');
  const help = section.querySelector('[data-role="clip-autoplay-help"]');
  const base = help.textContent;
  const explain = () => {
    const blocker = autoplayBlocker();
    help.textContent =
      blocker === "save-data"
        ? `${base} Your browser asks to save data, so clips wait for a tap anyway.`
        : blocker === "reduced-motion"
          ? `${base} Off until you turn it on, as your device asks for reduced motion.`
          : base;
  };
  box.checked = autoplayWanted();
  box.addEventListener("change", () => {
    setAutoplay(box.checked);
    explain();
  });
  explain();
  section.hidden = false;
}
