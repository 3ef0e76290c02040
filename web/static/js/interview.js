// Microlab mock interview: the countdown and the keys. The server keeps
// the times (the page names the start and the end in words, which is all
// a reader without JavaScript needs); this script shows the time left,
// corrected by the gap between the server's clock and this one, ends the
// answer when the time is up, and lets the keyboard do everything.
const root = document.querySelector('[data-testid=interview]');
if (root) start(root);

function start(root) {
  const focus = root.querySelector('[data-focus="1"]');
  if (focus) focus.focus();

  const timer = root.querySelector('[data-deadline]');
  const done = root.querySelector('form[data-testid=iv-done]');
  if (timer && done) countdown(timer, done);

  const rubric = root.querySelector('form[data-testid=iv-rubric]');
  document.addEventListener('keydown', (e) => {
    if (e.altKey || e.metaKey || e.isComposing) return;
    const typing = e.target.closest('textarea, input[type=text], select');
    if (done && e.key === 'Enter' && e.ctrlKey && e.target.id === 'iv-notes') {
      e.preventDefault();
      done.requestSubmit();
      return;
    }
    if (typing || e.ctrlKey) return;
    const key = e.key.toLowerCase();
    if (done && key === 'd') {
      e.preventDefault();
      done.requestSubmit();
    } else if (rubric && key === 'n') {
      e.preventDefault();
      rubric.requestSubmit();
    } else if (rubric && /^[1-9]$/.test(key)) {
      const set = rubric.querySelector('fieldset[data-point="' + key + '"]');
      if (!set) return;
      e.preventDefault();
      cycle(set);
    }
  });
}

// cycle marks a point covered, then partly, then missed, then covered
// again, and moves focus to the chosen mark so a screen reader says it.
function cycle(set) {
  const radios = [...set.querySelectorAll('input[type=radio]')];
  const at = radios.findIndex((r) => r.checked);
  const next = radios[(at + 1) % radios.length];
  next.checked = true;
  next.focus();
}

function countdown(timer, form) {
  const deadline = Number(timer.dataset.deadline);
  const skew = Number(timer.dataset.now) - Date.now(); // server minus client
  const left = timer.querySelector('.iv-left');
  const say = document.getElementById('iv-announce');
  left.removeAttribute('aria-hidden');
  let warned = false;
  let sent = false;
  const tick = () => {
    const ms = deadline - (Date.now() + skew);
    if (ms <= 0) {
      left.textContent = 'Time is up';
      if (!sent) {
        sent = true;
        say.textContent = 'Time is up.';
        form.requestSubmit();
      }
      return;
    }
    const s = Math.ceil(ms / 1000);
    left.textContent = Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0') + ' left';
    if (!warned && s <= 30) {
      warned = true;
      say.textContent = '30 seconds left.';
    }
    setTimeout(tick, Math.min(1000, ms % 1000 || 1000));
  };
  tick();
}
