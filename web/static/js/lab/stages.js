// The guide: the card of the stage the run is in, its question while the
// run is held there, the explanation once it is answered, and how the
// learner's own try is going. The cards are in the page; this module only
// shows the current one and keeps its form and texts up to date.
import { $, announce, cls, text } from './dom.js';
import { letter } from './format.js';

// A viewer answers for themselves; the answer stays in this tab.
const answerKey = (lab, i) => 'microlab-stage-' + lab + '-' + i;

function localAnswer(lab, i) {
  const v = sessionStorage.getItem(answerKey(lab, i));
  return v === null ? -1 : Number(v);
}

// Each answered stage's explanation is fetched once; a failed fetch is
// tried again a few seconds later.
const reveals = new Map(); // stage → { state, retryAt }

function loadStageReveal(card, i, onLoaded) {
  const r = reveals.get(i) || { state: 'none', retryAt: 0 };
  reveals.set(i, r);
  const box = card.querySelector('.stage-reveal');
  if (!box || r.state !== 'none' || Date.now() < r.retryAt) return;
  r.state = 'loading';
  fetch(box.dataset.src, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
    .then((res) => (res.ok ? res.text() : Promise.reject(new Error('status ' + res.status))))
    .then((html) => {
      const doc = new DOMParser().parseFromString(html, 'text/html');
      box.replaceChildren(...doc.body.childNodes);
      r.state = 'loaded';
      onLoaded();
    })
    .catch(() => {
      r.state = 'none';
      r.retryAt = Date.now() + 3000;
    });
}

let shown = -1;

export function renderStages(s, lab) {
  const box = $('stage-box');
  if (!box) return;
  const sc = s.scenario();
  const cur = sc.asking >= 0 ? sc.asking : Math.max(0, sc.stage);
  const cards = box.querySelectorAll('.stage[data-stage]');
  if (cur !== shown && cur < cards.length) {
    cards.forEach((c, i) => (c.hidden = i !== cur));
    if (shown >= 0) {
      const title = cards[cur].querySelector('h2').textContent.replace(/\s+/g, ' ').trim();
      announce(title + (sc.asking === cur ? '. The run waits for your answer.' : '.'));
    }
    shown = cur;
  }
  const card = cards[cur];
  if (!card) return;
  const form = card.querySelector('form.stage-question');
  if (form) renderQuestion(s, lab, card, form, cur, sc);
  const tryLine = card.querySelector('.stage-try');
  if (tryLine) {
    const c = s.check(tryLine.dataset.check);
    cls(tryLine, 'stage-try ' + (c.state || 'pending'));
    text(tryLine.querySelector('.verdict'), c.state === 'pass' ? 'Your try holds:' : c.state === 'fail' ? 'Your try does not hold:' : 'Your try, not decided yet.');
    text(tryLine.querySelector('.detail'), c.detail);
  }
}

function renderQuestion(s, lab, card, form, i, sc) {
  const owner = s.stageAnswer(i);
  const mine = s.owner ? owner : localAnswer(lab, i);
  const held = sc.asking === i;
  form.querySelector('fieldset').disabled = mine >= 0 || !s.ready || (s.owner && !held);
  if (mine >= 0) {
    for (const r of form.querySelectorAll('input[type=radio]')) r.checked = Number(r.value) === mine;
  }
  // Explained once the owner has answered (only then will the server
  // say), and for a viewer once they have answered too.
  if (owner >= 0 && mine >= 0) loadStageReveal(card, i, () => renderQuestion(s, lab, card, form, i, sc));
  let msg;
  if (mine < 0) msg = held ? (s.owner ? 'The run is paused until you answer.' : 'The run waits for the owner’s answer; make your own meanwhile.') : '';
  else {
    msg = 'Your answer: ' + letter(mine) + '.';
    const right = rightOption(card);
    if (right >= 0) msg += mine === right ? ' Right.' : ' The answer was ' + letter(right) + '.';
    if (!s.owner && owner >= 0) msg += ' The lab’s owner answered ' + letter(owner) + '.';
  }
  text(card.querySelector('.stage-answer'), msg);
}

// rightOption reads the explained options for the one marked right.
function rightOption(card) {
  let right = -1;
  card.querySelectorAll('.stage-reveal .predict-options > li').forEach((li, k) => {
    if (li.querySelector('strong.good')) right = k;
  });
  return right;
}

// wireStages sends the owner's answers; a viewer's stay in the tab.
export function wireStages({ state, lab, send, redraw }) {
  const box = $('stage-box');
  if (!box) return;
  box.addEventListener('submit', (e) => {
    const form = e.target.closest('form.stage-question');
    if (!form) return;
    e.preventDefault();
    const v = new FormData(form).get('option');
    if (v === null) return;
    const stage = Number(form.dataset.stage);
    if (state.owner) send({ type: 'predict', stage, option: Number(v) });
    else {
      sessionStorage.setItem(answerKey(lab, stage), v);
      redraw();
    }
  });
}
