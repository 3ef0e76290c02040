// The charts: the last 60 s of simulated time for the subject the reader
// picks (all requests at the gateway, or one edge's calls), drawn as
// polylines into the server-rendered SVGs.
import { $, text } from './dom.js';
import { fmtMS, fmtPct, fmtRate } from './format.js';

// polyline draws points ([t, v] pairs) into the 300×120 viewBox, t from
// t0 to t0+60 s across and v from 0 to max up.
function polyline(el, points, t0, max) {
  const pts = points.map(([t, v]) => ((t - t0) / 60 * 300).toFixed(1) + ',' + (118 - Math.min(v / max, 1) * 112).toFixed(1)).join(' ');
  if (el.getAttribute('points') !== pts) el.setAttribute('points', pts);
}

export function renderCharts(s) {
  const subject = $('chart-subject').value;
  const arr = s.history(subject);
  const t0 = s.at / 1000 - 60;
  const now = s.series(subject);
  const charts = [
    ['tp', ['tp'], Math.max(1, ...arr.map((p) => p.tp)) * 1.15, (m) => fmtRate(m) + '/s', fmtRate(now.tp) + ' req/s'],
    ['er', ['er'], Math.max(0.05, ...arr.map((p) => p.er)) * 1.15, fmtPct, fmtPct(now.er)],
    ['lat', ['p50', 'p99'], Math.max(1, ...arr.map((p) => p.p99)) * 1.15, fmtMS, 'p50 ' + fmtMS(now.p50) + ', p99 ' + fmtMS(now.p99)],
  ];
  for (const [id, fields, max, fmt, label] of charts) {
    const fig = $('chart-' + id);
    const lines = fig.querySelectorAll('polyline');
    fields.forEach((f, j) => polyline(lines[j], arr.map((p) => [p.t, p[f]]), t0, max));
    if (fields.length < 2) lines[1].setAttribute('points', '');
    text($('chart-' + id + '-max'), fmt(max));
    text($('chart-' + id + '-now'), label);
  }
}
