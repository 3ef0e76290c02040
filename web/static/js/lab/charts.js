// The charts: the last 60 s of simulated time for the subject the reader
// picks (all requests at the gateway, or one edge's calls), drawn by uPlot
// with a time axis, y axes in their units, gridlines, a legend that follows
// the cursor, and a dashed, labelled line for each notable event: a
// command, an instance killed, an eviction, a breaker changing state.
// uPlot (vendor/uplot) is loaded once the first frame is drawn: the
// drawing and the figures come first, the plots a moment later.
import { $, text } from './dom.js';
import { arrow, fmtMS, fmtPct, fmtRate } from './format.js';

const WINDOW = 60; // seconds of simulated time shown

// What each chart shows: its series (fields of a history point), their
// legend labels, the y axis's formatter and the smallest top of its scale.
// Series take the page's colours in turn; dashed ones are dashed. The
// breaker's window is drawn for an edge with a breaker only: its failure
// and slow-call rates, each beside its threshold, dashed in its colour.
const CHARTS = [
  { id: 'tp', fields: ['tp'], labels: ['requests/s'], fmt: (v) => fmtRate(v) + '/s', floor: 1 },
  { id: 'er', fields: ['er'], labels: ['failing'], fmt: fmtPct, floor: 0.05 },
  { id: 'lat', fields: ['p50', 'p99'], labels: ['p50', 'p99'], dashed: [false, true], fmt: fmtMS, floor: 1 },
  {
    id: 'brk', fields: ['fr', 'sr', 'thr', 'slowthr'], labels: ['failures', 'slow calls', 'failure threshold', 'slow threshold'],
    colours: [0, 1, 0, 1], dashed: [false, false, true, true], fmt: fmtPct, floor: 1, max: 1, breaker: true,
  },
];

// Kinds of event worth a marker, and how to label one; the rest (a
// compensation, a redelivery, a 429…) happen too often to mark.
const MARKED = {
  command: (e) => e.message,
  kill: (e) => 'killed ' + e.subject,
  evict: (e) => 'evicted ' + e.subject,
  scale: (e) => e.message,
  burst: (e) => 'burst from ' + e.subject,
  breaker: (e) => arrow(e.subject) + ' ' + (e.message.match(/→ ?([A-Z_]+)/) || ['', 'changes'])[1],
  'registry-down': () => 'registry down',
  'registry-up': () => 'registry up',
  'broker-down': () => 'broker down',
  'broker-up': () => 'broker up',
};
const MAX_MARKERS = 60;
const markers = []; // {t (s), label, kind}, oldest first

export function addMarker(e) {
  const label = MARKED[e.kind];
  if (!label) return;
  const text = label(e);
  markers.push({ t: e.at / 1000, kind: e.kind, label: text.length > 30 ? text.slice(0, 29) + '…' : text });
  if (markers.length > MAX_MARKERS) markers.shift();
}

export function clearMarkers() {
  markers.length = 0;
}

// colour resolves a CSS colour (a variable holding light-dark(), say) to
// what the page shows now, which a canvas needs.
function colour(css) {
  const probe = document.createElement('span');
  probe.style.color = css;
  document.body.append(probe);
  const c = getComputedStyle(probe).color;
  probe.remove();
  return c;
}

const plots = Object.create(null); // chart id → uPlot
let view = { t0: -WINDOW };

function drawMarkers(u) {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const dpr = devicePixelRatio || 1;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.font = Math.round(10 * dpr) + 'px ' + getComputedStyle(document.body).fontFamily;
  ctx.lineWidth = dpr;
  let row = 0;
  for (const m of markers) {
    if (m.t < view.t0 || m.t > view.t0 + WINDOW) continue;
    const x = Math.round(u.valToPos(m.t, 'x', true)) + 0.5;
    ctx.strokeStyle = m.kind === 'breaker' || m.kind === 'kill' ? u.theme.bad : u.theme.mark;
    ctx.setLineDash([4 * dpr, 3 * dpr]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    // Labels take turns on three rows, so that close events stay legible.
    ctx.fillStyle = u.theme.text;
    const w = ctx.measureText(m.label).width;
    const lx = x + 3 * dpr + w > left + width ? x - 3 * dpr - w : x + 3 * dpr;
    ctx.fillText(m.label, lx, top + (11 + 12 * (row % 3)) * dpr);
    row++;
  }
  ctx.restore();
}

let colours = null;

// pageTheme is the page's colours as the canvas needs them, resolved once:
// each colour() makes the page work out its styles again.
function pageTheme() {
  colours ||= {
    text: colour('var(--text)'), muted: colour('var(--muted)'), grid: colour('var(--border)'),
    bad: colour('var(--bad)'), accent: colour('var(--accent)'),
  };
  return { ...colours, mark: colours.muted, lines: [colours.accent, colours.bad] };
}

function makePlot(c, host) {
  const theme = pageTheme();
  const axis = { stroke: theme.muted, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 }, font: '11px system-ui, sans-serif' };
  const opts = {
    width: Math.max(140, host.clientWidth),
    height: 130,
    scales: {
      x: { time: false, range: () => [view.t0, view.t0 + WINDOW] },
      y: { range: (u, min, max) => [0, c.max || Math.max(c.floor, max * 1.15)] },
    },
    axes: [
      { ...axis, values: (u, vals) => vals.map((v) => Math.round(v) + ' s'), space: 50 },
      { ...axis, values: (u, vals) => vals.map(c.fmt), size: 56 },
    ],
    series: [
      { label: 'time', value: (u, v) => (v == null ? '–' : v.toFixed(1) + ' s') },
      ...c.fields.map((f, i) => ({
        label: c.labels[i], stroke: theme.lines[c.colours ? c.colours[i] : i], width: 1.5,
        dash: c.dashed && c.dashed[i] ? [5, 3] : undefined,
        points: { show: false }, value: (u, v) => (v == null ? '–' : c.fmt(v)),
      })),
    ],
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    hooks: { draw: [drawMarkers] },
  };
  const u = new window.uPlot(opts, [[], ...c.fields.map(() => [])], host);
  u.theme = theme;
  new ResizeObserver(() => u.setSize({ width: Math.max(140, host.clientWidth), height: 130 })).observe(host);
  return u;
}

let uPlotAsked = false;
const uPlotAfter = 300; // ms after the first frame

// loadUPlot adds uPlot's script to the page, with the nonce the page's
// own scripts carry, and draws the charts once it has run.
function loadUPlot(s) {
  const script = document.createElement('script');
  script.src = $('lab').dataset.uplot;
  script.nonce = document.querySelector('script[nonce]').nonce;
  script.onload = () => renderCharts(s);
  document.head.append(script);
}

export function renderCharts(s) {
  const subject = $('chart-subject').value;
  const now = s.series(subject);
  text($('chart-tp-now'), fmtRate(now.tp) + ' req/s');
  text($('chart-er-now'), fmtPct(now.er));
  text($('chart-lat-now'), 'p50 ' + fmtMS(now.p50) + ', p99 ' + fmtMS(now.p99));
  // The breaker's window, for an edge that has a breaker.
  const breaker = !!now.br;
  const fig = $('chart-brk');
  if (fig && fig.hidden === breaker) {
    fig.hidden = !breaker;
    fig.parentElement.classList.toggle('with-breaker', breaker);
  }
  if (breaker) {
    text($('chart-brk-now'), 'failures ' + fmtPct(now.fr) + ' (opens at ' + fmtPct(now.thr) + '), slow ' + fmtPct(now.sr) +
      ' (at ' + fmtPct(now.slowthr) + ')');
  }
  if (!window.uPlot) {
    // Once this frame and the next few are drawn.
    if (!uPlotAsked) setTimeout(() => loadUPlot(s), uPlotAfter);
    uPlotAsked = true;
    return;
  }
  const arr = s.history(subject);
  // The window ends now, but starts no earlier than 0 s: a young run fills
  // the charts from the left.
  view = { t0: Math.max(0, s.at / 1000 - WINDOW) };
  const shown = markers.filter((m) => m.t >= view.t0 && m.t <= view.t0 + WINDOW).length;
  const xs = arr.map((p) => p.t);
  for (const c of CHARTS) {
    const host = $('chart-' + c.id + '-plot');
    if (!host || (c.breaker && !breaker)) continue;
    plots[c.id] ||= makePlot(c, host);
    plots[c.id].setData([xs, ...c.fields.map((f) => arr.map((p) => p[f]))]);
    host.dataset.markers = String(shown); // for tests: the canvas cannot be read
  }
}
