// Class mode (lab/class.go): the owner turns it on, sees the viewers'
// predictions tallied and hands control to one of them; a viewer's own
// prediction is sent as a vote, once per connection, and the controls
// open while the owner has handed them over.
import { $, text } from './dom.js';
import { localPrediction } from './scenario.js';

const letter = (i) => String.fromCharCode(65 + i);

// wireClass connects the class panel; labID() names the lab (for the
// prediction kept in this tab). It returns null on a page without one.
export function wireClass({ state, labID, send }) {
  const root = $('class');
  if (!root) return null;
  let cls = { on: false, controller: 0 };
  let voted = false;
  const owner = () => state.owner;
  const vote = (option) => {
    if (!cls.on || owner() || option < 0) return;
    voted = send({ type: 'vote', option }) || voted;
  };
  if ($('class-toggle')) {
    $('class-toggle').addEventListener('click', () => send({ type: 'class', on: !cls.on }));
    $('class-give').addEventListener('click', () => {
      const n = Number($('class-viewer').value);
      if (n > 0) send({ type: 'hand', viewer: n });
    });
    $('class-take').addEventListener('click', () => send({ type: 'take-back' }));
  }

  function renderOwner() {
    const toggle = $('class-toggle');
    text(toggle, cls.on ? 'End class mode' : 'Start class mode');
    toggle.setAttribute('aria-pressed', String(cls.on));
    const viewers = cls.viewers || [];
    let tally = '';
    if (cls.on) {
      const votes = cls.votes || [];
      if (!viewers.length) tally = 'Nobody else is watching yet: share the link.';
      else if (!votes.length) tally = viewers.length + ' watching.';
      else {
        tally = cls.voted + ' of ' + viewers.length + ' predicted: ' + votes.map((n, i) => letter(i) + ' ' + n).join(' · ');
        const top = votes.indexOf(Math.max(...votes));
        if (cls.voted > 0) tally += '. Most chose ' + letter(top) + '.';
      }
      if (cls.controller) tally += ' Viewer ' + cls.controller + ' has control.';
    }
    text($('class-tally'), tally);
    $('class-hand').hidden = !cls.on || !viewers.length;
    const sel = $('class-viewer');
    const want = viewers.map(String).join(',');
    if (sel.dataset.list !== want) {
      const keep = sel.value;
      sel.replaceChildren(...viewers.map((n) => new Option('Viewer ' + n, String(n))));
      if (viewers.map(String).includes(keep)) sel.value = keep;
      sel.dataset.list = want;
    }
    $('class-take').disabled = !cls.controller;
  }

  function renderViewer() {
    root.hidden = !cls.on;
    let note = 'Class mode: your prediction counts in the class’s tally (the owner sees how many chose each answer, not who), and you see it against the run at the end.';
    if (cls.on && cls.controller === state.you) note = 'The lab’s owner handed you control: the controls are yours until they take it back. ' + note;
    text($('class-note'), note);
  }

  return {
    // controlling: the owner has handed this viewer control.
    get controlling() {
      return cls.on && !owner() && cls.controller === state.you;
    },
    enable(on) {
      const f = $('class-controls');
      if (f) f.disabled = !(on && owner());
    },
    // connected: a new connection, whose vote is not in yet.
    connected() {
      voted = false;
    },
    receive(m) {
      cls = m;
      if (owner()) renderOwner();
      else renderViewer();
      if (cls.on && !voted && state.run().state === 'waiting') vote(localPrediction(labID()));
    },
    vote,
  };
}
