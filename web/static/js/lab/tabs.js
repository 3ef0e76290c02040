// The secondary panels as tabs. Without JavaScript they are all shown, one
// after another (lab.css); with it, one at a time, chosen by its tab, and
// the arrow keys, Home and End move between the tabs (the WAI-ARIA tabs
// pattern). The page comes with the first shown, as the tabs begin.
// onSelect() is told when another panel is shown, to draw it.
import { $ } from './dom.js';

export function wireTabs(onSelect) {
  const list = $('panel-tabs');
  if (!list) return;
  const tabs = [...list.querySelectorAll('[role=tab]')];
  const panelOf = (tab) => $(tab.getAttribute('aria-controls'));
  const select = (tab, focus) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      panelOf(t).hidden = !on;
    }
    if (focus) tab.focus();
    if (onSelect) onSelect();
  };
  tabs.forEach((t, i) => {
    const panel = panelOf(t);
    panel.setAttribute('role', 'tabpanel');
    panel.setAttribute('aria-labelledby', t.id);
    t.addEventListener('click', () => select(t, false));
    t.addEventListener('keydown', (e) => {
      const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (to === undefined) return;
      e.preventDefault();
      select(tabs[(to + tabs.length) % tabs.length], true);
    });
  });
  list.hidden = false;
  select(tabs.find((t) => t.getAttribute('aria-selected') === 'true') || tabs[0], false);
}
