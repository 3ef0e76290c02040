// How the lab writes figures: rates, shares, durations, simulated time.

export function fmtRate(v) {
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

export function fmtPct(v) {
  if (v <= 0) return '0%';
  if (v < 0.001) return '<0.1%';
  return (v * 100).toFixed(v < 0.1 ? 1 : 0) + '%';
}

export function fmtMS(v) {
  if (v >= 1000) return (v / 1000).toFixed(v >= 10000 ? 0 : 1) + ' s';
  if (v >= 10) return v.toFixed(0) + ' ms';
  return v.toFixed(1) + ' ms';
}

export function fmtSec(ms) {
  return (ms / 1000).toFixed(1) + ' s';
}

// arrow writes an edge id the way people read it: orders→payment.
export const arrow = (id) => id.replaceAll('>', '→');

// safeID is an edge id as the page's element ids spell it: orders--payment.
export const safeID = (id) => id.replaceAll('>', '--');

// letter names a prediction option: 0 → A.
export const letter = (i) => String.fromCharCode(65 + i);
