// A replay's own controls: play and pause, speed, and the scrubber. The
// position follows the run as it plays; moving it (drag, arrow keys, Home,
// End, a command in the list, previous/next) asks the server to seek, at
// most once each SEEK_MS while it moves and once more where it stops, so
// the dashboard shows the run at that moment.
import { $, text } from './dom.js';
import { fmtSec } from './format.js';
import { moving, status } from './controls.js';

const SEEK_MS = 200;

export function wireReplay({ state, send }) {
  const pos = $('replay-pos');
  // The commands and the turning points, in time order, once each.
  const marks = [...new Set([...document.querySelectorAll('#replay .replay-marks button[data-ms]')].map((b) => Number(b.dataset.ms)))].sort((a, b) => a - b);
  let held = false; // the position is being moved: frames do not move it back
  let last = 0;
  let timer = 0;
  const command = (msg) => {
    if (!send(msg)) status('Not connected: the replay cannot move.', 'error');
  };
  let sent = -1;
  const seek = (ms) => {
    clearTimeout(timer);
    timer = 0;
    ms = Math.round(ms);
    if (ms === sent && Date.now() - last < 1000) return; // input, then change, for one move
    last = Date.now();
    sent = ms;
    command({ type: 'seek', ms });
  };
  const show = (ms) => {
    text($('replay-at'), fmtSec(ms));
    pos.setAttribute('aria-valuetext', fmtSec(ms) + ' of ' + fmtSec(Number(pos.max)));
    $('fork-at').value = (ms / 1000).toFixed(1);
  };
  pos.addEventListener('input', () => {
    held = true;
    const ms = Number(pos.value);
    show(ms);
    const wait = SEEK_MS - (Date.now() - last);
    if (wait <= 0) seek(ms);
    else if (!timer) timer = setTimeout(() => seek(Number(pos.value)), wait);
  });
  pos.addEventListener('change', () => {
    seek(Number(pos.value));
    held = false;
  });
  pos.addEventListener('pointerup', () => (held = false));
  pos.addEventListener('blur', () => (held = false));
  const jump = (ms) => {
    pos.value = String(ms);
    show(ms);
    seek(ms);
  };
  $('replay-prev').addEventListener('click', () => {
    const before = marks.filter((m) => m < state.at - 50);
    jump(before.length ? before[before.length - 1] : 0);
  });
  $('replay-next').addEventListener('click', () => {
    const after = marks.find((m) => m > state.at + 50);
    if (after === undefined) status('Nothing more happens after this moment that the run marks.', '');
    else jump(after);
  });
  $('replay').addEventListener('click', (e) => {
    const b = e.target.closest('.replay-marks button[data-ms]');
    if (b) jump(Number(b.dataset.ms));
  });
  $('replay-play').addEventListener('click', () => {
    const st = state.run().state;
    if (!moving(st) && state.at >= Number(pos.max)) {
      jump(0); // at the end: play again from the start
      command({ type: 'resume' });
      return;
    }
    command({ type: moving(st) ? 'pause' : 'resume' });
  });
  $('replay-speed').addEventListener('change', (e) => command({ type: 'speed', value: Number(e.target.value) }));
  return {
    enable(on) {
      $('replay-controls').disabled = !on;
    },
    render() {
      const run = state.run();
      text($('replay-play'), moving(run.state) ? 'Pause' : state.at >= Number(pos.max) ? 'Play again' : 'Play');
      if (!held && document.activeElement !== pos) {
        pos.value = String(Math.round(state.at));
        show(state.at);
      } else if (!held) {
        show(Number(pos.value));
      }
      const sel = $('replay-speed');
      if (document.activeElement !== sel && sel.value !== String(run.speed)) sel.value = String(run.speed);
    },
  };
}
