// Scenario mode: the prediction, the script's timeline, the checks and the
// explanation at the end; and what screen readers are told as it unfolds.
import { $, announce, cls, text } from './dom.js';
import { arrow, letter } from './format.js';

// A viewer's own prediction stays in this tab; only the owner's is sent.
const predictionKey = (lab) => 'microlab-predict-' + lab;

export function localPrediction(lab) {
  const v = sessionStorage.getItem(predictionKey(lab));
  return v === null ? -1 : Number(v);
}

export function keepLocalPrediction(lab, option) {
  sessionStorage.setItem(predictionKey(lab), option);
}

// What the run will show (the story, the checks, the explanations) is
// fetched once the prediction is locked in: until then it is not in the
// page at all, so not even its source gives the answer away. A failed
// fetch is tried again a few seconds later.
const reveal = { state: 'none', retryAt: 0 };

function loadReveal(onLoaded) {
  const box = $('reveal');
  if (!box || reveal.state !== 'none' || Date.now() < reveal.retryAt) return;
  reveal.state = 'loading';
  fetch(box.dataset.src, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
    .then((r) => (r.ok ? r.text() : Promise.reject(new Error('status ' + r.status))))
    .then((html) => {
      const doc = new DOMParser().parseFromString(html, 'text/html');
      box.replaceChildren(...doc.body.childNodes);
      reveal.state = 'loaded';
      onLoaded();
    })
    .catch(() => {
      reveal.state = 'none';
      reveal.retryAt = Date.now() + 3000;
    });
}

// The scenario box folds away once the prediction is in, bringing the
// dashboard up, and opens again at the end to show the explanation; a
// reader who opens or closes it meanwhile is left alone.
const box = { predicted: false, ended: false };

function foldScenario(pred, ended) {
  const details = $('scenario-box');
  if (!details) return;
  if (pred >= 0 && !box.predicted) {
    box.predicted = true;
    if (!ended) {
      details.open = false;
      const dash = $('dash');
      const smooth = !matchMedia('(prefers-reduced-motion: reduce)').matches;
      if (dash) dash.scrollIntoView({ block: 'start', behavior: smooth ? 'smooth' : 'auto' });
    }
  }
  if (ended && !box.ended) {
    box.ended = true;
    details.open = true;
  }
}

export function renderScenario(s, lab) {
  const sc = s.scenario();
  const ownerPred = sc.prediction;
  const pred = s.owner ? ownerPred : localPrediction(lab);
  const form = $('predict-form');
  if (!form) return;
  // A viewer sees it once they have predicted too, or the run is over.
  if (ownerPred >= 0 && (pred >= 0 || sc.ended)) loadReveal(() => renderScenario(s, lab));
  $('predict-fields').disabled = pred >= 0 || !s.ready;
  if (pred >= 0) {
    for (const r of form.querySelectorAll('input[type=radio]')) r.checked = Number(r.value) === pred;
  }
  let msg = '';
  if (s.owner) {
    msg = ownerPred >= 0 ? 'Your prediction: ' + letter(ownerPred) + '. Watch the run to see whether it holds.' : 'Answer the question to start the run.';
  } else {
    msg = pred >= 0 ? 'Your prediction: ' + letter(pred) + '.' : 'Make your own prediction while you wait.';
    msg += ownerPred >= 0 ? ' The lab’s owner predicted ' + letter(ownerPred) + '.' : ' The run starts when the lab’s owner answers.';
  }
  text($('prediction'), msg);
  text($('scenario-sum'), pred >= 0 ? '· your prediction: ' + letter(pred) + (sc.ended ? ' · the run is over' : '') : '· predict to start');
  foldScenario(pred, sc.ended);

  for (const li of document.querySelectorAll('#timeline li[data-step]')) {
    const i = li.dataset.step;
    if (i === 'end') {
      li.className = sc.ended || s.at >= Number(li.dataset.at) ? 'done' : '';
      continue;
    }
    const st = s.step(i);
    const span = li.querySelector('.step-state');
    if (st.state === 'done') {
      li.className = 'done';
      text(span, 'done');
    } else if (st.state === 'error') {
      li.className = 'error';
      text(span, 'refused: ' + st.error);
    } else {
      li.className = '';
      text(span, 'to come');
    }
  }
  for (const li of document.querySelectorAll('#checks li[data-check]')) {
    const c = s.check(li.dataset.check);
    cls(li, c.state === 'pass' ? 'pass' : c.state === 'fail' ? 'fail' : 'pending');
    text(li.querySelector('.verdict'), c.state === 'pass' ? 'Holds:' : c.state === 'fail' ? 'Does not hold:' : 'Not decided yet:');
    text(li.querySelector('.detail'), c.detail);
  }
  const ex = $('explain');
  if (!ex) return;
  if (ex.hidden === sc.ended) ex.hidden = !sc.ended;
  if (sc.ended) {
    const items = ex.querySelectorAll('.predict-options > li');
    let right = -1;
    items.forEach((li, i) => {
      if (li.querySelector('strong.good')) right = i;
    });
    const p = pred >= 0 ? pred : ownerPred;
    text($('your-prediction'), p < 0 ? 'No prediction was made.' :
      (s.owner || pred >= 0 ? 'You predicted ' : 'The owner predicted ') + letter(p) + (p === right ? ': right.' : ': the answer was ' + letter(right) + '.'));
  }
}

// Announcements for screen readers: breaker changes, verdicts, the end.
// Each is said once, when it changes from what was last drawn.
const said = Object.create(null);

export function announceChanges(s) {
  const msgs = [];
  for (const id of s.edges) {
    const now = s.edgeState(id).breaker.state;
    const k = 'breaker ' + id;
    if (said[k] !== undefined && said[k] !== now) msgs.push('Breaker on ' + arrow(id) + ' is now ' + now + '.');
    said[k] = now;
  }
  for (const c of s.checks()) {
    const k = 'check ' + c.index;
    if (said[k] !== undefined && said[k] !== c.state && c.state) msgs.push('A check ' + (c.state === 'pass' ? 'holds.' : 'does not hold.'));
    said[k] = c.state;
  }
  const ended = s.scenario().ended;
  if (said.ended === false && ended) msgs.push('The scenario has ended; the explanation is below the checks.');
  said.ended = ended;
  if (msgs.length) announce(msgs.join(' '));
}
