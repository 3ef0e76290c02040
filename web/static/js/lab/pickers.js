// The pickers (web/views/labpickers.go): the menus of instances, services,
// edges… that many forms repeat. The page carries each list once and
// renders a picker holding only its chosen option; a picker is filled from
// its list as the focus or the pointer comes to it, before the menu opens
// or an arrow key moves in it, and emptied down to its choice when the
// focus leaves. Forms read a picker's value as any select's; the script
// chooses with choose(select, value), and gives a list of its own making
// (the event log's kinds) with setList.
import { h } from './dom.js';

const lists = Object.create(null); // kind → [{v, l} or {l, g: [{v, l}, …]}, …]; l left out is v
let running = () => true; // whether an instance the list names runs now

const option = (o) => h('option', { value: o.v }, o.l ?? o.v);

function find(list, value) {
  for (const o of list || []) {
    const hit = o.g ? find(o.g, value) : o.v === value && o;
    if (hit) return hit;
  }
  return null;
}

// fill gives the picker its whole list, less the instances that do not run
// (but the one chosen), keeping its value.
function fill(sel) {
  if (sel.dataset.filled) return;
  const value = sel.value;
  const list = lists[sel.dataset.picker] || [];
  const shown = (o) => o.v === value || running(o.v);
  const items = [];
  if (!find(list, value) && sel.selectedOptions[0]) items.push(sel.selectedOptions[0]);
  for (const o of list) {
    if (!o.g) {
      if (shown(o)) items.push(option(o));
      continue;
    }
    const kids = o.g.filter(shown).map(option);
    if (kids.length) items.push(h('optgroup', { label: o.l }, ...kids));
  }
  sel.replaceChildren(...items);
  sel.value = value;
  sel.dataset.filled = 'true';
}

function empty(sel) {
  const chosen = sel.selectedOptions[0];
  if (chosen) sel.replaceChildren(chosen);
  delete sel.dataset.filled;
}

// choose sets a select to value; a picker not filled gets that option.
export function choose(sel, value) {
  if (sel.value === value) return;
  if (sel.dataset.picker && !sel.dataset.filled) {
    const o = find(lists[sel.dataset.picker], value);
    if (!o) return;
    sel.replaceChildren(option(o));
  }
  sel.value = value;
}

// setList makes list the list of the pickers of kind.
export function setList(kind, list) {
  lists[kind] = list;
}

// wirePickers reads the lists root carries and fills and empties the
// pickers in it as the focus and the pointer come and go.
export function wirePickers(root, state) {
  if (!root || !root.dataset.pickers) return;
  Object.assign(lists, JSON.parse(root.dataset.pickers));
  running = (v) => {
    const m = /^([a-z]+)-(\d+)$/.exec(v);
    return !m || !state.services.includes(m[1]) || !!state.instance(m[1], m[2]).state;
  };
  const picker = (e) => e.target.closest && e.target.closest('select[data-picker]');
  const onFill = (e) => {
    const sel = picker(e);
    if (sel && !sel.matches(':disabled')) fill(sel);
  };
  // The pointer comes before the focus, and the menu opens on it.
  root.addEventListener('pointerdown', onFill);
  root.addEventListener('focusin', onFill);
  root.addEventListener('focusout', (e) => {
    const sel = picker(e);
    if (sel && sel !== e.relatedTarget) empty(sel);
  });
}
