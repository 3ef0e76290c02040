// The topology drawing: the server renders the SVG; this colours its
// instances, nodes, edges and breakers from the state, and moves dots along
// the edges as the traffic warrants.
import { $, cls, svg, text } from './dom.js';
import { arrow, fmtMS, fmtPct, fmtRate, safeID } from './format.js';

const reduceMotion = matchMedia('(prefers-reduced-motion: reduce)');

// health is the colour of an instance's dot.
function health(inst) {
  if (!inst.state) return 'absent';
  if (inst.state === 'dead') return 'dead';
  if (inst.state !== 'alive') return 'off';
  if (inst.er >= 0.5) return 'bad';
  if (inst.er >= 0.05 || inst.queue > 0) return 'warn';
  return 'good';
}

// breakerLabel is a breaker's state as the drawing and the text write it.
export function breakerLabel(br) {
  switch (br.state) {
    case 'HALF_OPEN':
      return 'HALF_OPEN ' + br.calls + '/' + br.halfOpenCalls;
    case 'FORCED_OPEN':
      return 'FORCED OPEN';
    case 'DISABLED':
      return 'NO BREAKER';
    default:
      return br.state;
  }
}

export function renderTopology(s) {
  for (const svc of s.services) {
    for (let o = 1; o <= s.maxInstances; o++) {
      const name = svc + '-' + o;
      const dot = $('dot-' + name);
      if (!dot) continue;
      const inst = s.instance(svc, o);
      const hl = health(inst);
      cls(dot, 'inst act ' + hl);
      // The tooltip; an instance that is not drawn has none.
      let t = dot.firstElementChild;
      if (hl === 'absent') {
        if (t) t.remove();
        continue;
      }
      t ||= svg('title', {}, dot);
      text(t, name + ': ' + inst.state + ', ' + fmtRate(inst.tp) + ' req/s, ' + fmtPct(inst.er) + ' errors, ' + inst.busy + ' busy');
    }
    const sv = s.service(svc);
    let line = fmtRate(sv.tp) + '/s · p95 ' + fmtMS(sv.p95);
    const faults = [];
    if (sv.latency > 0) faults.push('+' + fmtMS(sv.latency));
    if (sv.errors > 0) faults.push(fmtPct(sv.errors) + ' errors');
    if (faults.length) line = faults.join(', ') + ' · p95 ' + fmtMS(sv.p95);
    text($('nl-' + svc), line);
    cls($('node-' + svc), 'node node-service' + (sv.state === 'down' ? ' down' : '') + (faults.length ? ' faulty' : ''));
  }
  const gw = s.gateway();
  text($('nl2-gateway'), 'in flight ' + gw.inFlight + '/' + gw.maxInFlight);
  text($('nl-gateway'), fmtRate(gw.tp) + '/s · ' + fmtPct(gw.er) + ' · p99 ' + fmtMS(gw.p99));
  const reg = s.registry();
  text($('nl2-registry'), reg.up ? 'up' : 'DOWN');
  text($('nl-registry'), 'evictions ' + reg.evictions);
  cls($('node-registry'), 'node node-registry' + (reg.up ? '' : ' down'));
  const brk = s.broker();
  // Up or down, then what the messaging labs are about, as far as the box
  // has room: the outbox's unsent rows, events lost, deliveries processed
  // twice.
  const parts = [brk.up ? 'up' : 'DOWN'];
  if (brk.outbox.on || brk.outbox.unsent) parts.push('outbox ' + brk.outbox.unsent);
  else if (!brk.up) parts[0] += ' (' + brk.mode + ')';
  if (brk.lost) parts.push('lost ' + brk.lost);
  const twice = s.groups.reduce((n, g) => n + s.group(g).again, 0);
  if (twice && parts.length < 3) parts.push(twice + ' twice');
  text($('nl2-broker'), parts.join(' · '));
  text($('nl-broker'), 'lag: ' + s.groups.filter((g) => !g.endsWith('-saga') || s.group(g).lag > 0)
    .map((g) => g + ' ' + s.group(g).lag).join(' · '));
  cls($('node-broker'), 'node node-broker' + (brk.up ? '' : ' down'));
  const load = s.load();
  let clients = fmtRate(load.rate) + ' req/s';
  if (load.burst > 0 && load.burstUntil > s.at) clients += ' + burst ' + fmtRate(load.burst);
  text($('nl-clients'), clients);

  for (const id of s.edges) {
    const e = s.edgeState(id);
    const label = e.cut ? 'link cut' : fmtRate(e.tp) + '/s · ' + fmtPct(e.er) + ' · ' + fmtMS(e.p95);
    text($('el-' + safeID(id)), label);
    const br = $('br-' + safeID(id));
    cls(br, 'breaker act br-' + e.breaker.state);
    text(br.querySelector('text'), breakerLabel(e.breaker));
    text(br.querySelector('title'), 'Circuit breaker on ' + arrow(id) + ': ' + breakerLabel(e.breaker));
    // The name starts with what the badge shows, as a button's must.
    const name = breakerLabel(e.breaker) + ': the breaker on ' + arrow(id) + '; open its knobs';
    if (br.getAttribute('aria-label') !== name) br.setAttribute('aria-label', name);
    cls($('edge-' + safeID(id)), 'edge edge-call' + (e.cut ? ' cut' : '') + (e.er >= 0.5 ? ' failing' : ''));
  }
  renderTraffic(s);
}

// Moving dots along the edges, as many as the traffic warrants; none for
// people who asked for less motion. The dots move with each frame the lab
// sends (ten a second), in the repaint the frame causes anyway, rather
// than by SMIL at the display's rate: measured in Chromium, SMIL motion
// kept the main thread busy a fifth of a core whatever the number of dots.
const trafficKeys = Object.create(null);
const dots = []; // {el, edge, x1, y1, x2, y2, phase}
const DOT_PERIOD = 1.6; // seconds for a dot to run its edge

// edgeEnds are where an edge's line starts and ends. The lines never move,
// and asking the browser makes it lay out the page first: it is asked once.
const lineEnds = Object.create(null);

function edgeEnds(id) {
  if (lineEnds[id]) return lineEnds[id];
  const path = $('edge-' + safeID(id));
  const len = path.getTotalLength();
  const a = path.getPointAtLength(0);
  const b = path.getPointAtLength(len);
  return (lineEnds[id] = { x1: a.x, y1: a.y, x2: b.x, y2: b.y });
}

function renderTraffic(s) {
  const layer = $('traffic');
  if (reduceMotion.matches) {
    if (layer.firstChild) layer.replaceChildren();
    dots.length = 0;
    return;
  }
  const gw = s.gateway();
  const list = [['clients>gateway', gw.tp, gw.er]];
  for (const id of s.edges) {
    const e = s.edgeState(id);
    list.push([id, e.cut ? 0 : e.tp, e.er]);
  }
  for (const [id, tp, er] of list) {
    const n = tp <= 0 ? 0 : tp < 5 ? 1 : tp < 50 ? 2 : 3;
    const c = er >= 0.5 ? 'bad' : er >= 0.05 ? 'warn' : 'ok';
    const key = n + c;
    if (trafficKeys[id] === key) continue;
    trafficKeys[id] = key;
    const old = layer.querySelector('[data-edge="' + id + '"]');
    if (old) old.remove();
    for (let i = dots.length - 1; i >= 0; i--) if (dots[i].edge === id) dots.splice(i, 1);
    if (!n) continue;
    const g = svg('g', { 'data-edge': id }, layer);
    const ends = edgeEnds(id);
    for (let i = 0; i < n; i++) {
      dots.push({ el: svg('circle', { r: '3.5', class: 'traffic ' + c }, g), edge: id, ...ends, phase: i / n });
    }
  }
  if (!trafficPaused) moveDots();
}

function moveDots() {
  const t = performance.now() / 1000 / DOT_PERIOD;
  for (const d of dots) {
    const f = (t + d.phase) % 1;
    d.el.setAttribute('cx', (d.x1 + f * (d.x2 - d.x1)).toFixed(1));
    d.el.setAttribute('cy', (d.y1 + f * (d.y2 - d.y1)).toFixed(1));
  }
}

let trafficPaused = false;

// pauseTraffic stops the dots while the simulation stands still.
export function pauseTraffic(paused) {
  trafficPaused = paused;
}
