// The panels under the drawing: bulkheads, the registry beside the truth,
// everything as text, the event log, sagas, and sampled traces with their
// waterfall. They are tabs, one shown at a time: a hidden panel is not
// drawn, and the log, the sagas and the registry's names hold no nodes at
// all until their tab is chosen. Everything as text is kept current
// whatever the tab, for it is the drawing's text equivalent, and so is the
// short list of sampled requests, ready to be chosen from.
import { $, h, svg, text } from './dom.js';
import { arrow, fmtMS, fmtPct, fmtRate, fmtSec, safeID } from './format.js';
import { setList } from './pickers.js';
import { breakerLabel } from './topology.js';

const hidden = (name) => $('panel-' + name).hidden;

// emptyList drops a hidden panel's list, so that its next drawing starts
// from nothing.
function emptyList(list) {
  if (!list.firstChild) return;
  list.replaceChildren();
  delete list.dataset.key;
}

export function renderBulkheads(s) {
  if (hidden('bulkheads')) return;
  for (const id of s.edges) {
    const bh = s.edgeState(id).bulkhead;
    const li = $('bh-' + safeID(id));
    const [use, queue] = li.querySelectorAll('meter');
    use.max = Math.max(1, bh.max);
    use.value = bh.inUse;
    queue.max = Math.max(1, bh.maxQueue);
    queue.value = bh.queued;
    li.classList.toggle('off', !bh.on);
    text(li.querySelector('.gauge-text'), bh.on ?
      bh.inUse + '/' + bh.max + ' in use · ' + bh.queued + '/' + bh.maxQueue + ' waiting · ' + bh.rejected + ' rejected' :
      'no bulkhead');
  }
}

// ordinals lists the instance ordinals in a bit set.
function ordinals(mask) {
  const out = [];
  for (let i = 0; i < 30; i++) if (mask & (1 << i)) out.push(i + 1);
  return out;
}

// The registry's table columns, left to right.
const VIEWS = ['alive', 'registry', 'gateway', 'orders'];

export function renderRegistry(s) {
  if (hidden('registry')) {
    for (const cell of $('panel-registry').querySelectorAll('td')) emptyList(cell);
    return;
  }
  const reg = s.registry();
  let line = reg.up ? 'The registry is up.' : 'The registry is DOWN: callers keep routing from their cached lists.';
  line += ' Evictions so far: ' + reg.evictions + '.';
  for (const c of reg.stale) line += ' The ' + c + '’s cache is stale.';
  text($('reg-status'), line);
  for (const svc of s.services) {
    const row = $('reg-' + svc);
    if (!row) continue;
    const m = s.members(svc);
    const cells = row.querySelectorAll('td');
    VIEWS.forEach((view, i) => {
      const mask = m[view];
      const list = ordinals(mask);
      const key = String(mask) + '/' + m.alive;
      if (cells[i].dataset.key === key) return;
      cells[i].dataset.key = key;
      cells[i].replaceChildren(...list.map((o) => {
        const stale = view !== 'alive' && !(m.alive & (1 << (o - 1)));
        return h('span', { class: 'chip' + (stale ? ' stale' : ''), title: svc + '-' + o + (stale ? ': not alive' : '') },
          svc + '-' + o + (stale ? ' (dead)' : ''));
      }));
      if (!list.length) cells[i].append(h('span', { class: 'muted' }, 'none'));
    });
  }
}

// Everything as text, for readers who cannot see the drawing.
export function renderText(s) {
  for (const svc of s.services) {
    const row = $('ts-' + svc);
    if (!row) continue;
    const sv = s.service(svc);
    const cells = row.querySelectorAll('td');
    text(cells[0], sv.state);
    const inst = [];
    for (let o = 1; o <= s.maxInstances; o++) {
      const st = s.instance(svc, o).state;
      if (st) inst.push(svc + '-' + o + ' ' + st);
    }
    text(cells[1], inst.join(', '));
    text(cells[2], fmtRate(sv.tp));
    text(cells[3], fmtPct(sv.er));
    text(cells[4], fmtMS(sv.p95));
    const f = [];
    if (sv.latency > 0) f.push('+' + fmtMS(sv.latency) + ' latency');
    if (sv.errors > 0) f.push(fmtPct(sv.errors) + ' errors');
    text(cells[5], f.join(', ') || 'none');
  }
  for (const id of s.edges) {
    const row = $('te-' + safeID(id));
    const e = s.edgeState(id);
    const cells = row.querySelectorAll('td');
    text(cells[0], e.cut ? 'cut' : fmtRate(e.tp));
    text(cells[1], fmtPct(e.er));
    text(cells[2], fmtMS(e.p95));
    let br = breakerLabel(e.breaker);
    if (e.breaker.state === 'CLOSED' || e.breaker.state === 'HALF_OPEN') {
      const fr = e.breaker.failureRate;
      br += fr >= 0 ? ' (failure rate ' + fmtPct(fr) + ' of ' + e.breaker.calls + ' calls)' : ' (' + e.breaker.calls + ' calls in the window)';
    }
    text(cells[3], br);
    text(cells[4], e.timeouts + ' timeouts, ' + e.retries + ' retries, ' + e.fallbacks + ' fallbacks');
  }
  for (const g of s.groups) {
    const row = $('tg-' + g);
    if (!row) continue;
    const gr = s.group(g);
    const cells = row.querySelectorAll('td');
    text(cells[0], String(gr.lag));
    text(cells[1], String(gr.consumers));
    text(cells[2], String(gr.redelivered));
    text(cells[3], String(gr.again));
    // Only OrderPlaced's consumers can keep an inbox.
    let drop = '–';
    if (s.topicOf[g] === 'orders') drop = gr.inbox || gr.dropped ? String(gr.dropped) + (gr.inbox ? '' : ' (inbox off)') : 'no inbox';
    text(cells[4], drop);
  }
  const pub = $('tpub');
  if (pub) {
    const brk = s.broker();
    const ob = brk.outbox;
    const cells = pub.querySelectorAll('th, td');
    text(cells[0], ob.on ? 'a transactional outbox, polled every ' + fmtMS(ob.pollMS) : 'a dual write');
    text(cells[1], String(brk.lost));
    text(cells[2], ob.inFlight ? ob.unsent + ' (' + ob.inFlight + ' awaiting confirmation)' : String(ob.unsent));
    text(cells[3], String(ob.relayed));
    text(cells[4], String(ob.republished));
    text(cells[5], ob.relayed ? fmtMS(ob.maxWait) : '–');
  }
}

// The event log, newest first. The page keeps the last few hundred events
// for the filter, and draws the newest that match: a long log is thousands
// of nodes the page must hold and restyle, and the filter finds the rest.
const maxLogKept = 300;
const maxLogShown = 30;
const logged = []; // {at, kind, subject, message, text}, oldest first
const kinds = new Set();
let logDrawn = false; // the list shows what logged and the filter say

export function clearLog() {
  logged.length = 0;
  $('log').replaceChildren();
  logDrawn = !hidden('log');
}

function logLine(e) {
  // The spaces between the parts are inside them, to save a node each.
  const li = h('li', { 'data-kind': e.kind }, h('time', {}, fmtSec(e.at) + ' '), h('span', { class: 'kind kind-' + e.kind }, e.kind));
  if (e.subject) li.append(h('b', {}, ' ' + arrow(e.subject)));
  li.append(' ' + e.message);
  return li;
}

export function addEvent({ at, kind, subject, message }) {
  // The subject is in bold before the message: say it once.
  for (const name of [subject, arrow(subject)]) {
    if (name && message.startsWith(name + ' ')) {
      message = message.slice(name.length + 1);
      break;
    }
  }
  const e = { at, kind, subject, message, text: (fmtSec(at) + ' ' + kind + ' ' + arrow(subject) + ' ' + message).toLowerCase() };
  logged.push(e);
  if (logged.length > maxLogKept) logged.shift();
  if (!kinds.has(kind)) {
    kinds.add(kind);
    setList('log-kind', [{ v: '', l: 'all' }, ...[...kinds].sort().map((k) => ({ v: k, l: k }))]);
  }
  if (!logDrawn || hidden('log') || !matchesFilter(e)) return;
  const log = $('log');
  log.prepend(logLine(e));
  while (log.childElementCount > maxLogShown) log.lastElementChild.remove();
}

function matchesFilter(e) {
  const k = $('log-kind').value;
  const f = $('log-filter').value.trim().toLowerCase();
  return (!k || e.kind === k) && (!f || e.text.includes(f));
}

// refilterLog draws the log again, for a changed filter.
export function refilterLog() {
  logDrawn = false;
  renderLog();
}

// renderLog draws the log when its tab is shown and empties it when not.
export function renderLog() {
  const log = $('log');
  if (hidden('log')) {
    if (log.firstChild) log.replaceChildren();
    logDrawn = false;
    return;
  }
  if (logDrawn) return;
  const lines = [];
  for (let i = logged.length - 1; i >= 0 && lines.length < maxLogShown; i--) {
    if (matchesFilter(logged[i])) lines.push(logLine(logged[i]));
  }
  log.replaceChildren(...lines);
  logDrawn = true;
}

const COMPENSATION = /^(release|refund|cancel)/;

export function renderSagas(s) {
  if (hidden('sagas')) {
    emptyList($('sagas'));
    return;
  }
  const c = s.sagaCounts();
  text($('saga-counts'), c.mode + ' · ' + c.started + ' started, ' + c.running + ' running, ' +
    c.compensating + ' compensating, ' + c.completed + ' completed, ' + c.compensated + ' compensated, ' + c.stuck + ' stuck');
  const sagas = s.sagas();
  const key = JSON.stringify(sagas);
  const list = $('sagas');
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  list.replaceChildren(...sagas.map((sg) => h('li', { class: 'saga saga-' + sg.state },
    h('div', { class: 'saga-head' }, h('b', {}, 'Order #' + sg.id), ' ' + sg.state + ', ' + fmtSec(sg.start) + (sg.end >= 0 ? ' → ' + fmtSec(sg.end) : ' →')),
    h('ol', { class: 'saga-steps' }, ...sg.steps.map((st) => h('li', {
      class: 'step st-' + st.state + (COMPENSATION.test(st.name) ? ' comp' : ''),
      title: st.name + ': ' + st.state + (st.attempts > 1 ? ', ' + st.attempts + ' attempts' : '') + (st.result ? ', ' + st.result : '') +
        (st.end >= 0 ? ', ' + fmtMS(st.end - st.start) : ''),
    }, st.name + ' ', h('span', { class: 'st' }, st.state + (st.attempts > 1 ? ' ×' + st.attempts : ''))))))));
}

// The sampled requests; the one whose waterfall is open is pressed.
export function renderTraces(s, openTrace) {
  const traces = s.traces();
  const key = JSON.stringify(traces);
  const list = $('traces');
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  list.replaceChildren(...traces.map((t) => h('li', {},
    h('button', { type: 'button', class: 'link', 'data-trace': t.id, 'aria-pressed': String(t.id === openTrace) },
      '#' + t.id + ' ' + t.kind + ' from ' + t.client + ' at ' + fmtSec(t.start) + ': ' +
      (t.duration < 0 ? 'in progress' : fmtMS(t.duration) + ', ' + t.outcome) + ' (' + t.spans + ' spans)'))));
}

// showTrace draws a trace's spans as a waterfall table.
export function showTrace(t) {
  const box = $('waterfall');
  box.hidden = false;
  const root = t.spans[0];
  const t0 = root.start;
  let tEnd = t0 + Math.max(root.duration, 0.001);
  for (const sp of t.spans) tEnd = Math.max(tEnd, sp.start + Math.max(sp.duration, 0));
  const span = Math.max(tEnd - t0, 0.001);
  const depth = [];
  const rows = t.spans.map((sp, i) => {
    depth[i] = sp.parent >= 0 ? depth[sp.parent] + 1 : 0;
    const bar = svg('svg', { viewBox: '0 0 100 10', preserveAspectRatio: 'none', class: 'bar', 'aria-hidden': 'true' });
    const x = ((sp.start - t0) / span) * 100;
    const w = sp.duration < 0 ? 100 - x : Math.max((sp.duration / span) * 100, 0.6);
    svg('rect', { x: x.toFixed(2), y: '1', width: w.toFixed(2), height: '8', class: 'o-' + (sp.outcome || 'open').replace(/[^a-z0-9]/gi, '') }, bar);
    return h('tr', {},
      h('th', { scope: 'row', class: 'depth-' + Math.min(depth[i], 6) }, sp.name, h('span', { class: 'muted' }, ' ' + sp.detail)),
      h('td', { class: 'num' }, '+' + fmtMS(sp.start - t0)),
      h('td', { class: 'num' }, sp.duration < 0 ? 'open' : fmtMS(sp.duration)),
      h('td', {}, sp.outcome || '…'),
      h('td', { class: 'bar-cell' }, bar));
  });
  box.replaceChildren(
    h('h3', {}, 'Trace #' + t.id + ': ' + t.kind + ' from ' + t.client),
    h('table', { class: 'waterfall-table', tabIndex: 0 },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Span'), h('th', { scope: 'col' }, 'Start'), h('th', { scope: 'col' }, 'Took'),
        h('th', { scope: 'col' }, 'Outcome'), h('th', { scope: 'col' }, 'Timeline'))),
      h('tbody', {}, ...rows)));
}
