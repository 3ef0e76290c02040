// The shop as a control: an instance's dot and a service's name in the
// drawing are buttons (click, or focus and press Enter or Space). Each
// brings up its actions in the controls beside the drawing, the forms set
// to that instance or service and filled with its current faults, and puts
// the focus on the first action, so that one more key press kills, crashes
// or slows it.
import { $ } from './dom.js';
import { status, unfold } from './controls.js';
import { choose } from './pickers.js';

function openBreakThings() {
  const details = document.querySelector('#controls details');
  if (details) details.open = true;
}

function pickInstance(name) {
  const form = document.querySelector('[data-testid=cmd-instance]');
  choose(form.elements.namedItem('target'), name);
  openBreakThings();
  form.querySelector('button[value=kill]').focus();
  status(name + ' is chosen: Kill or Restart it.', '');
}

function pickService(state, svc) {
  for (const sel of document.querySelectorAll('#controls select[name=service]')) choose(sel, svc);
  const sv = state.service(svc);
  const lat = document.querySelector('[data-testid=cmd-latency] input[name=ms]');
  if (sv.latency > 0) lat.value = String(Math.round(sv.latency));
  document.querySelector('[data-testid=cmd-error-rate] input[name=rate]').value = String(Math.round(sv.errors * 100));
  let running = 0;
  for (let o = 1; o <= state.maxInstances; o++) if (state.instance(svc, o).state === 'alive') running++;
  const scale = document.querySelector('[data-testid=cmd-scale]');
  scale.elements.namedItem('instances').value = String(Math.max(1, running));
  openBreakThings();
  document.querySelector('[data-testid=cmd-service] button[value=crash]').focus();
  status(svc + ' is chosen in every form: crash or restore it, slow it down, add errors or scale it.', '');
}

// fillKnobs sets a pattern-knob form's fields to its edge's current
// settings, so the reader sees what they change; a field the reader is
// typing in is left alone.
function fillKnobs(state, form) {
  const type = form.elements.namedItem('type');
  const edge = form.elements.namedItem('edge');
  if (!type || !edge) return;
  const cfg = state.edgeConfig(edge.value)[type.value];
  if (!cfg) return;
  for (const [name, v] of Object.entries(cfg)) {
    const el = form.elements.namedItem(name);
    if (!el || el === document.activeElement) continue;
    const scale = Number(el.dataset && el.dataset.scale) || 1;
    const value = typeof v === 'number' ? String(Math.round((v / scale) * 100) / 100) : v;
    if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === value)) continue;
    el.value = value;
  }
}

// knobForms are the pattern-knob forms, each with an edge menu.
const knobForms = () => [...document.querySelectorAll('#controls form.cmd')].filter((f) => f.elements.namedItem('edge'));

function pickEdge(state, id) {
  const knobs = document.querySelector('[data-testid=knobs]');
  unfold(knobs);
  for (const form of knobForms()) {
    choose(form.elements.namedItem('edge'), id);
    fillKnobs(state, form);
  }
  if (knobs) knobs.open = true;
  const first = document.querySelector('[data-testid=cmd-breaker] input[name=failure_rate]');
  if (first) {
    first.scrollIntoView({ block: 'nearest' });
    first.focus();
  }
  status(id.replace('>', '→') + ' is chosen in every pattern knob, each filled with its current setting.', '');
}

// renderKnobWindow shows, in the breaker form, the live window of the
// breaker it is set to.
export function renderKnobWindow(state) {
  const form = document.querySelector('[data-testid=cmd-breaker]');
  const out = $('knob-window');
  if (!form || !out) return;
  const e = state.edgeState(form.elements.namedItem('edge').value);
  const br = e.breaker;
  const rate = (v) => (v < 0 ? 'too few calls to judge' : Math.round(v * 100) + '%');
  const line = br.state + ' · ' + br.calls + ' calls in the window · failing ' + rate(br.failureRate) + ' · slow ' + rate(br.slowRate);
  if (out.textContent !== line) out.textContent = line;
}

export function wireShop(state) {
  const topo = $('topo');
  if (!topo || !$('controls')) return; // a replay has no controls to fill
  const SEL = '[data-act-instance], [data-act-service], [data-act-edge]';
  const act = (target) => {
    const el = target.closest(SEL);
    if (!el || $('controls').disabled) return;
    if (el.dataset.actInstance) pickInstance(el.dataset.actInstance);
    else if (el.dataset.actEdge) pickEdge(state, el.dataset.actEdge);
    else pickService(state, el.dataset.actService);
  };
  $('controls').addEventListener('change', (e) => {
    const form = e.target.name === 'edge' && e.target.closest('form.cmd');
    if (form) fillKnobs(state, form);
  });
  const knobs = document.querySelector('[data-testid=knobs]');
  if (knobs) {
    knobs.addEventListener('toggle', () => {
      if (!knobs.open) return;
      unfold(knobs);
      for (const form of knobForms()) fillKnobs(state, form);
    });
  }
  topo.addEventListener('click', (e) => act(e.target));
  // From the keyboard the action waits for the key to come up: moving the
  // focus on keydown would hand the rest of the key press to the button
  // the focus lands on, and Enter on "payment" would crash it.
  const isKey = (e) => (e.key === 'Enter' || e.key === ' ') && e.target.closest(SEL);
  topo.addEventListener('keydown', (e) => {
    if (isKey(e)) e.preventDefault();
  });
  topo.addEventListener('keyup', (e) => {
    if (!isKey(e)) return;
    e.preventDefault();
    act(e.target);
  });
}
