// Contrast of every visible text in the page (tests/browser/a11y.py): for each
// visible element with text of its own, the text colour (with its alpha and
// the opacity of its ancestors) over the backgrounds behind it, composited up
// the tree to the first opaque one. Text whose backdrop is an image or a
// gradient cannot be measured from styles: it is returned apart, with whether
// it has a text shadow (the feed's text over photos relies on one).
(() => {
  const parse = (value) => {
    const m = value.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const channel = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const ratio = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) return false; // visually hidden
    const style = getComputedStyle(el);
    if (style.visibility !== "visible" || style.clipPath.includes("inset(50%)")) return false;
    for (let node = el; node; node = node.parentElement) {
      const s = getComputedStyle(node);
      if (s.display === "none" || s.opacity === "0") return false;
      if (s.clip === "rect(0px, 0px, 0px, 0px)") return false;
    }
    return true;
  };
  const results = [];
  const seen = new Set();
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const placeholder = el.matches("input, textarea") && el.placeholder && !el.value ? el.placeholder : "";
    if ((!own && !placeholder) || !visible(el)) continue;
    if (el.closest("[disabled], [aria-disabled=true], .disabled")) continue; // inactive: exempt
    const style = getComputedStyle(el);
    const targets = [];
    if (own) targets.push({ text: el.textContent.trim().slice(0, 40), colour: style.color });
    if (placeholder) {
      const colour = getComputedStyle(el, "::placeholder").color;
      targets.push({ text: `placeholder: ${placeholder.slice(0, 30)}`, colour });
    }
    let opacity = 1;
    const layers = [];
    let image = false;
    for (let node = el; node; node = node.parentElement) {
      const s = getComputedStyle(node);
      opacity *= Number(s.opacity);
      if (s.backgroundImage !== "none") { image = true; break; }
      const bg = parse(s.backgroundColor);
      if (bg && bg.a > 0) { layers.push(bg); if (bg.a >= 1) break; }
    }
    if (!image && el.closest(".feed-card__media, .post-image, picture, .zoom-viewer__stage")) image = true;
    let backdrop = { r: 255, g: 255, b: 255, a: 1 };
    for (const layer of layers.reverse()) backdrop = over(layer, backdrop);
    const size = parseFloat(style.fontSize);
    const bold = Number(style.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    for (const target of targets) {
      const key = `${target.text}|${target.colour}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const colour = parse(target.colour);
      colour.a *= opacity;
      const result = {
        text: target.text,
        tag: [el.tagName.toLowerCase(), ...(typeof el.className === "string" ? el.className.split(/\s+/) : [])]
          .filter(Boolean)
          .join("."),
        large,
        needed: large ? 3 : 4.5,
      };
      if (image) {
        result.overImage = true;
        result.shadow = style.textShadow !== "none";
      } else {
        result.ratio = ratio(over(colour, backdrop), backdrop);
      }
      results.push(result);
    }
  }
  return results;
})
