// BlurHash placeholders: decodes a hash (https://blurha.sh, the algorithm is
// public) into a tiny image painted behind a card until its photo loads.
const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";
const cache = new Map(); // hash → data: URL, the latest CACHED only (long feed sessions)
const CACHED = 24;

function base83(text) {
  let value = 0;
  for (const char of text) {
    const digit = DIGITS.indexOf(char);
    if (digit < 0) throw new Error("not a blurhash");
    value = value * 83 + digit;
  }
  return value;
}

function toLinear(value) {
  const v = value / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

function toSrgb(value) {
  const v = Math.max(0, Math.min(1, value));
  return Math.round(v <= 0.0031308 ? v * 12.92 * 255 : (1.055 * v ** (1 / 2.4) - 0.055) * 255);
}

function signedPow(value, exponent) {
  return Math.sign(value) * Math.abs(value) ** exponent;
}

/** RGBA pixels of ``hash`` at width × height, or null for an invalid hash. */
export function decode(hash, width = 32, height = 32) {
  if (!hash || hash.length < 6) return null;
  try {
    const size = base83(hash[0]);
    const nx = (size % 9) + 1;
    const ny = Math.floor(size / 9) + 1;
    if (hash.length !== 4 + 2 * nx * ny) return null;
    const maximum = (base83(hash[1]) + 1) / 166;
    const colours = [];
    const dc = base83(hash.slice(2, 6));
    colours.push([toLinear(dc >> 16), toLinear((dc >> 8) & 255), toLinear(dc & 255)]);
    for (let i = 1; i < nx * ny; i += 1) {
      const ac = base83(hash.slice(4 + i * 2, 6 + i * 2));
      colours.push([
        signedPow((Math.floor(ac / 361) - 9) / 9, 2) * maximum,
        signedPow(((Math.floor(ac / 19) % 19) - 9) / 9, 2) * maximum,
        signedPow(((ac % 19) - 9) / 9, 2) * maximum,
      ]);
    }
    const pixels = new Uint8ClampedArray(width * height * 4);
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let j = 0; j < ny; j += 1) {
          for (let i = 0; i < nx; i += 1) {
            const basis = Math.cos((Math.PI * x * i) / width) * Math.cos((Math.PI * y * j) / height);
            const colour = colours[i + j * nx];
            r += colour[0] * basis;
            g += colour[1] * basis;
            b += colour[2] * basis;
          }
        }
        const at = 4 * (x + y * width);
        pixels[at] = toSrgb(r);
        pixels[at + 1] = toSrgb(g);
        pixels[at + 2] = toSrgb(b);
        pixels[at + 3] = 255;
      }
    }
    return pixels;
  } catch {
    return null;
  }
}

/** A data: URL of the hash's image (cached), or null. */
export function placeholderUrl(hash) {
  if (!hash) return null;
  if (cache.has(hash)) return cache.get(hash);
  const pixels = decode(hash);
  let url = null;
  if (pixels) {
    const canvas = document.createElement("canvas");
    canvas.width = 32;
    canvas.height = 32;
    canvas.getContext("2d").putImageData(new ImageData(pixels, 32, 32), 0, 0);
    url = canvas.toDataURL();
  }
  cache.set(hash, url);
  if (cache.size > CACHED) cache.delete(cache.keys().next().value); // the oldest
  return url;
}

/** Paints an element's data-blurhash / data-color as its background. */
export function paintPlaceholder(element) {
  const { color, blurhash } = element.dataset;
  if (color) element.style.backgroundColor = color;
  const url = placeholderUrl(blurhash);
  if (url) element.style.backgroundImage = `url("${url}")`;
}
