// The shop as a control: an instance's dot and a service's name in the
// drawing are buttons (click, or focus and press Enter or Space). Each
// brings up its actions in the controls beside the drawing, the forms set
// to that instance or service and filled with its current faults, and puts
// the focus on the first action, so that one more key press kills, crashes
// or slows it.
import { $ } from './dom.js';
import { status } from './controls.js';

function openBreakThings() {
  const details = document.querySelector('#controls details');
  if (details) details.open = true;
}

function pickInstance(name) {
  const form = document.querySelector('[data-testid=cmd-instance]');
  form.elements.namedItem('target').value = name;
  openBreakThings();
  form.querySelector('button[value=kill]').focus();
  status(name + ' is chosen: Kill or Restart it.', '');
}

function pickService(state, svc) {
  for (const sel of document.querySelectorAll('#controls select[name=service]')) sel.value = svc;
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

export function wireShop(state) {
  const topo = $('topo');
  if (!topo) return;
  const act = (target) => {
    const el = target.closest('[data-act-instance], [data-act-service]');
    if (!el || $('controls').disabled) return;
    if (el.dataset.actInstance) pickInstance(el.dataset.actInstance);
    else pickService(state, el.dataset.actService);
  };
  topo.addEventListener('click', (e) => act(e.target));
  // From the keyboard the action waits for the key to come up: moving the
  // focus on keydown would hand the rest of the key press to the button
  // the focus lands on, and Enter on "payment" would crash it.
  const isKey = (e) => (e.key === 'Enter' || e.key === ' ') && e.target.closest('[data-act-instance], [data-act-service]');
  topo.addEventListener('keydown', (e) => {
    if (isKey(e)) e.preventDefault();
  });
  topo.addEventListener('keyup', (e) => {
    if (!isKey(e)) return;
    e.preventDefault();
    act(e.target);
  });
}
