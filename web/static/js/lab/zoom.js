// The diagram's zoom on a phone: it fits the width until the reader asks
// for it at a readable size, to scroll sideways.
import { $, text } from './dom.js';

export function wireZoom() {
  const button = $('topo-zoom');
  const box = $('topo-scroll');
  if (!button || !box) return;
  button.addEventListener('click', () => {
    const on = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(on));
    box.classList.toggle('zoomed', on);
    text(button, on ? 'Fit to width' : 'Zoom in');
  });
}
