// Microlab live lab: connects to the lab's websocket (web/PROTOCOL.md),
// keeps the state its messages describe, and draws it. The page's markup
// is rendered by the server; these modules only bring it to life.
import { addMarker, clearMarkers, renderCharts } from './charts.js';
import { Connection } from './connection.js';
import { enableControls, moving, renderRun, status, wireControls } from './controls.js';
import { $, announce, text } from './dom.js';
import { addEvent, clearLog, refilterLog, renderBulkheads, renderLog, renderRegistry, renderSagas, renderText, renderTraces, showTrace } from './panels.js';
import { wirePickers } from './pickers.js';
import { announceChanges, renderScenario } from './scenario.js';
import { LabState } from './state.js';
import { renderKnobWindow, wireShop } from './shop.js';
import { renderStages, wireStages } from './stages.js';
import { wireZoom } from './zoom.js';
import { wireTabs } from './tabs.js';
import { pauseTraffic, renderTopology } from './topology.js';
import { wireReplay } from './replay.js';
import { wireClass } from './class.js';

const root = $('lab');
if (root) start(root);

function start(root) {
  const state = new LabState();
  // A replay's lab is made for this connection: its id comes with hello.
  let lab = root.dataset.lab;
  const scenario = root.dataset.scenario !== 'free-play';
  let openTrace = 0;
  let replay = null;
  let klass = null;
  // The controls open for the owner, and for a viewer the owner handed
  // control to in class mode.
  const mayControl = () => state.owner || (klass !== null && klass.controlling);

  function render(full) {
    renderRun(state, root);
    pauseTraffic(!moving(state.run().state));
    if (scenario) {
      renderScenario(state, lab);
      renderStages(state, lab);
    }
    renderTopology(state);
    renderCharts(state);
    renderKnobWindow(state);
    renderBulkheads(state);
    renderRegistry(state);
    renderText(state);
    renderLog();
    if (full || !$('sagas-hold').checked) renderSagas(state);
    renderTraces(state, openTrace);
    announceChanges(state);
    if (replay) replay.render();
  }

  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const conn = new Connection(proto + '//' + location.host + root.dataset.ws, {
    onStatus(st, label) {
      const el = $('conn');
      el.dataset.state = st;
      text(el, label);
    },
    onClose({ final, ended, problem }) {
      enableControls(false, state.owner);
      if (replay) replay.enable(false);
      if (klass) klass.enable(false);
      if (!final) return;
      const p = $('lab-problem');
      p.hidden = false;
      p.textContent = problem;
      if (ended) pauseTraffic(true);
    },
    onReply({ ok, message }) {
      if (ok) status('Done: ' + message + '.', 'ok');
      else status(message, 'error');
    },
    onMessage(m) {
      const u = state.receive(m);
      if (!u) return;
      if (u.hello) {
        if (replay) {
          // What the run shows is fetched from this connection's replay.
          lab = m.lab.id;
          for (const box of document.querySelectorAll('#reveal[data-src], .stage-reveal[data-src]')) {
            box.dataset.src = box.dataset.src.replace(/^\/lab\/s\/[^/]*\//, '/lab/s/' + lab + '/');
          }
          replay.enable(true);
          return;
        }
        root.dataset.role = state.role;
        text($('role'), state.owner ? 'You control this lab' : 'Watching, read-only');
        enableControls(true, state.owner);
        if (klass) {
          klass.connected();
          klass.enable(true);
        }
        return;
      }
      if (u.class) {
        if (klass) klass.receive(u.class);
        enableControls(true, mayControl());
        if (!state.owner) text($('role'), mayControl() ? 'You have control, handed over by the owner' : 'Watching, read-only');
        return;
      }
      if (u.trace) {
        showTrace(u.trace);
        return;
      }
      if (u.snapshot) conn.established();
      if (u.cleared) {
        clearLog();
        clearMarkers();
      }
      if (u.reset) announce('The lab was reset to 0 s.');
      for (const e of u.events) {
        addEvent(e);
        addMarker(e);
      }
      render(!!u.snapshot);
    },
  }, { early: globalThis.microlabSocket });

  // A panel shown anew is drawn at once, not at the next frame.
  wireTabs(() => {
    if (state.ready) render(true);
  });
  wirePickers(root, state);
  wireShop(state);
  wireZoom();
  wireStages({
    state, lab,
    send: (msg) => {
      if (conn.send(msg) === 0) status('Not connected: the answer was not sent.', 'error');
    },
    redraw: () => renderStages(state, lab),
  });
  klass = wireClass({ state, labID: () => lab, send: (msg) => conn.send(msg) !== 0 });
  wireControls({
    state, lab: () => lab,
    send: (msg) => conn.send(msg) !== 0,
    vote: (option) => klass && klass.vote(option),
    redraw: {
      scenario: () => renderScenario(state, lab),
      charts: () => renderCharts(state),
      sagas: () => renderSagas(state),
      log: refilterLog,
    },
    pickTrace: (id) => (openTrace = id),
  });
  if (root.dataset.replay === 'true') replay = wireReplay({ state, send: (msg) => conn.send(msg) !== 0 });
  conn.start();
}
