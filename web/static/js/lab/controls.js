// The controls: every form.cmd is a simulator command, the run buttons are
// run control, and the panels' own inputs (log filter, chart subject,
// traces) redraw or ask for more. Forms are real forms, so they work from
// the keyboard: Enter submits, Space picks an option.
import { $, text } from './dom.js';
import { fmtSec } from './format.js';
import { keepLocalPrediction } from './scenario.js';

// status says how the last command went: kind is '', ok or error.
export function status(message, kind) {
  const el = $('cmd-status');
  el.dataset.kind = kind || '';
  text(el, message);
}

// The parts of the controls that come folded (Load, the pattern knobs)
// come as a template, kept as markup until the reader opens the part: till
// then their forms cost the page no nodes, no styles and no layout.
const folded = new WeakMap(); // details → the markup of its forms

function foldAway(details) {
  const tpl = details.querySelector(':scope > template[data-unpack]');
  if (!tpl) return;
  folded.set(details, tpl.innerHTML);
  tpl.remove();
}

// unfold puts a folded part's forms in place.
export function unfold(details) {
  const html = details && folded.get(details);
  if (html === undefined) return;
  folded.delete(details);
  details.insertAdjacentHTML('beforeend', html);
}

// enableControls opens the controls' fieldset, for the owner only.
export function enableControls(on, owner) {
  const c = $('controls');
  if (c) c.disabled = !(on && owner);
}

const RUN_LABELS = {
  waiting: 'waiting for the prediction',
  running: 'running',
  paused: 'paused',
  'fast-forward': 'fast-forwarding',
  ended: 'ended, paused',
  asking: 'waiting for an answer',
};

// moving says whether simulated time advances in this run state.
export const moving = (state) => state === 'running' || state === 'fast-forward';

// renderRun shows the clock and run state in the header, and labels the
// run buttons to match.
export function renderRun(s, root) {
  text($('clock'), fmtSec(s.at));
  const run = s.run();
  const st = run.state;
  text($('run-state'), RUN_LABELS[st] || st);
  root.dataset.state = st;
  let speed = run.speed + '×';
  if (st === 'running' && run.eff > 0 && run.eff < run.speed * 0.8) speed += ' (keeping up at ' + run.eff.toFixed(1) + '×)';
  text($('run-speed'), speed);
  text($('viewers'), String(run.viewers));
  // The same, in short, above the drawing, for when the header is out of
  // view (screen readers have the header's).
  text($('dash-clock'), fmtSec(s.at) + ' · ' + (RUN_LABELS[st] || st) + ' · ' + run.speed + '×');
  const toggle = $('run-toggle');
  if (!toggle) return; // a replay has its own controls (replay.js)
  text(toggle, moving(st) ? 'Pause' : st === 'waiting' ? 'Start' : 'Resume');
  const sel = $('speed');
  if (document.activeElement !== sel && sel.value !== String(run.speed)) sel.value = String(run.speed);
}

// formMessage turns a command form into its message: fields marked
// data-num are numbers (times data-scale, rounded when data-num=int),
// data-bool ones booleans; empty fields stay out.
function formMessage(form, submitter) {
  const msg = {};
  const data = new FormData(form, submitter);
  for (const [name, value] of data) {
    if (name === '_csrf') continue;
    if (value === '') continue;
    const el = form.elements.namedItem(name);
    const field = el && el.length && !el.tagName ? el[0] : el;
    if (field && field.dataset && field.dataset.num) {
      // Divide by 100 rather than multiply by 0.01: 70 × 0.01 is 0.7000000000000001.
      const scale = Number(field.dataset.scale || 1);
      let v = scale < 1 ? Number(value) / Math.round(1 / scale) : Number(value) * scale;
      if (field.dataset.num === 'int') v = Math.round(v);
      msg[name] = v;
    } else if (field && field.dataset && field.dataset.bool) {
      msg[name] = value === 'true';
    } else {
      msg[name] = value;
    }
  }
  return msg;
}

// wireControls connects the page's inputs. send(msg) sends a command and
// answers whether it went; redraw holds the views an input changes;
// pickTrace(id) is told which sampled request's waterfall is asked for.
export function wireControls({ state, lab, send, vote, redraw, pickTrace }) {
  const command = (msg) => {
    if (!send(msg)) status('Not connected: the command was not sent.', 'error');
  };
  const controls = $('controls');
  if (controls) wireRun({ state, lab, command, controls, redraw });
  wirePredict({ state, lab, command, vote, redraw });
  wirePanels({ command, redraw, pickTrace });
}

// wirePredict sends the owner's prediction; a viewer's (a replay's too)
// stays in the tab, and in class mode is sent as a vote. lab names the
// lab at the time of the answer: a replay's comes with its hello.
function wirePredict({ state, lab, command, vote, redraw }) {
  const predict = $('predict-form');
  if (!predict) return;
  predict.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = new FormData(predict).get('option');
    if (v === null) return;
    if (state.owner) {
      command({ type: 'predict', option: Number(v) });
    } else {
      keepLocalPrediction(lab(), v);
      if (vote) vote(Number(v)); // counted in the class's tally, in class mode
      redraw.scenario();
    }
  });
}

// wireRun connects the owner's controls: the commands and the run
// buttons. A replay has none of them.
function wireRun({ state, command, controls }) {
  controls.addEventListener('submit', (e) => {
    const form = e.target.closest('form.cmd');
    if (!form) return;
    e.preventDefault();
    const msg = formMessage(form, e.submitter);
    if (!msg.type) return;
    status('Sending ' + msg.type + '…', '');
    command(msg);
  });
  for (const details of controls.querySelectorAll('details')) {
    foldAway(details);
    // Unfolded before the summary's click opens it, and whenever it opens.
    details.addEventListener('click', (e) => {
      if (e.target.closest('summary')) unfold(details);
    });
    details.addEventListener('toggle', () => details.open && unfold(details));
  }
  $('run-toggle').addEventListener('click', () => {
    const st = state.run().state;
    if (st === 'asking') {
      status('Answer this stage’s question first; the run goes on when you do.', 'error');
      const first = document.querySelector('#stage-box .stage:not([hidden]) form input');
      if (first) first.focus();
      return;
    }
    if (st === 'waiting') {
      status('Answer the prediction question first; the run starts when you do.', 'error');
      const first = document.querySelector('#predict-form input');
      if (first) first.focus();
      return;
    }
    command({ type: moving(st) ? 'pause' : 'resume' });
  });
  $('step').addEventListener('click', () => command({ type: 'step', ms: 100 }));
  $('speed').addEventListener('change', (e) => command({ type: 'speed', value: Number(e.target.value) }));
  for (const id of ['ff10', 'ff60']) $(id).addEventListener('click', (e) => command({ type: 'fast-forward', seconds: Number(e.currentTarget.dataset.seconds) }));
  $('reset').addEventListener('click', () => command({ type: 'reset' }));
  $('reset-new').addEventListener('click', () => command({ type: 'reset', new_seed: true }));


}

// wirePanels connects the panels' own inputs and the share link.
function wirePanels({ command, redraw, pickTrace }) {
  $('log-kind').addEventListener('change', redraw.log);
  $('log-filter').addEventListener('input', redraw.log);
  $('chart-subject').addEventListener('change', redraw.charts);
  $('sagas-hold').addEventListener('change', redraw.sagas);
  $('traces').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-trace]');
    if (!b) return;
    for (const other of $('traces').querySelectorAll('button')) other.setAttribute('aria-pressed', String(other === b));
    const id = Number(b.dataset.trace);
    pickTrace(id);
    command({ type: 'trace', trace: id });
  });

  const copy = $('copy-share');
  if (navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener('click', () => {
      navigator.clipboard.writeText($('share').value).then(() => text(copy, 'Copied'), () => text(copy, 'Select and copy'));
    });
  }
  $('share').addEventListener('focus', (e) => e.target.select());
}
