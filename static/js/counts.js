// Counts as cards show them: 950, 1.2k, 12k, 3.4M, rounded down (the same as
// skyframe/viewcounts/display.py writes on the server).
const UNITS = [
  [1e9, "B"],
  [1e6, "M"],
  [1e3, "k"],
];

export function compactCount(value) {
  const n = Math.max(0, Math.floor(Number(value) || 0));
  for (const [size, unit] of UNITS) {
    if (n >= size) {
      const tenths = Math.floor((n * 10) / size);
      if (tenths >= 100) return `${Math.floor(tenths / 10)}${unit}`;
      const whole = Math.floor(tenths / 10);
      const tenth = tenths % 10;
      return tenth ? `${whole}.${tenth}${unit}` : `${whole}${unit}`;
    }
  }
  return String(n);
}
