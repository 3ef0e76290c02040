// Small helpers for touching the page only where something changed.

const SVGNS = 'http://www.w3.org/2000/svg';

export const $ = (id) => document.getElementById(id);

// text sets an element's text, leaving it alone when it already reads so.
// An element holding one text node keeps it, changed, rather than getting
// a new one: ten frames a second, that is hundreds of nodes less to collect.
export function text(el, t) {
  if (!el || el.textContent === t) return;
  const only = el.firstChild;
  if (only && only === el.lastChild && only.nodeType === Node.TEXT_NODE) only.data = t;
  else el.textContent = t;
}

// cls sets an element's class attribute when it differs.
export function cls(el, c) {
  if (el && el.getAttribute('class') !== c) el.setAttribute('class', c);
}

export function svg(tag, attrs, parent) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  if (parent) parent.appendChild(el);
  return el;
}

export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') el.className = v;
    else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'type' || k === 'title') el.setAttribute(k, v);
    else el[k] = v;
  }
  for (const kid of kids) if (kid != null) el.append(kid);
  return el;
}

// announce tells screen readers something once, through the live region.
export function announce(msg) {
  const el = $('announce');
  el.textContent = '';
  setTimeout(() => (el.textContent = msg), 50);
}
