// Microlab live lab: connects to the lab's websocket (PROTOCOL.md beside
// the Go code), keeps the state its frames describe, and draws it: the
// topology, the panels, the charts. Plain JavaScript, no build step; the
// page's markup is rendered by the server and this only brings it to life.
'use strict';

(() => {
  const root = document.getElementById('lab');
  if (!root) return;

  const $ = (id) => document.getElementById(id);
  const SVGNS = 'http://www.w3.org/2000/svg';
  const reduceMotion = matchMedia('(prefers-reduced-motion: reduce)');
  const safeID = (id) => id.replaceAll('>', '--');
  const arrow = (id) => id.replaceAll('>', '→');

  // --- state ---------------------------------------------------------------
  let ws = null;
  let hello = null;
  let keys = [];
  let owner = false;
  const S = Object.create(null); // key → value, as the frames describe it
  const prevS = Object.create(null); // what was last drawn, for announcements
  let atMS = 0;
  let epoch = null;
  let lastEvSeq = 0;
  let retries = 0;
  let ended = false;
  let nextID = 1;
  const hist = Object.create(null); // chart subject → [[t_s, tp, er, p50, p99], …]
  let sagas = [];
  let traces = [];
  let openTrace = 0;

  const services = [];
  const edges = [];
  const groups = [];

  // --- small DOM helpers ------------------------------------------------------
  function text(el, t) {
    if (el && el.textContent !== t) el.textContent = t;
  }
  function cls(el, c) {
    if (el && el.getAttribute('class') !== c) el.setAttribute('class', c);
  }
  function svg(tag, attrs, parent) {
    const el = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    if (parent) parent.appendChild(el);
    return el;
  }
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') el.className = v;
      else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'type' || k === 'title') el.setAttribute(k, v);
      else el[k] = v;
    }
    for (const kid of kids) if (kid != null) el.append(kid);
    return el;
  }
  const num = (k) => (typeof S[k] === 'number' ? S[k] : 0);
  const str = (k) => (typeof S[k] === 'string' ? S[k] : '');

  function fmtRate(v) {
    return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(1);
  }
  function fmtPct(v) {
    if (v <= 0) return '0%';
    if (v < 0.001) return '<0.1%';
    return (v * 100).toFixed(v < 0.1 ? 1 : 0) + '%';
  }
  function fmtMS(v) {
    if (v >= 1000) return (v / 1000).toFixed(v >= 10000 ? 0 : 1) + ' s';
    if (v >= 10) return v.toFixed(0) + ' ms';
    return v.toFixed(1) + ' ms';
  }
  function fmtSec(ms) {
    return (ms / 1000).toFixed(1) + ' s';
  }

  // --- the connection -----------------------------------------------------
  function setConn(state, label) {
    const el = $('conn');
    el.dataset.state = state;
    text(el, label);
  }

  function connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(proto + '//' + location.host + root.dataset.ws);
    setConn('connecting', retries ? 'Reconnecting…' : 'Connecting…');
    ws.onmessage = (e) => {
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      onMessage(m);
    };
    ws.onclose = (e) => {
      enableControls(false);
      if (e.code === 1000 || e.code === 1001 || e.code === 1008 || e.code === 1009) {
        ended = true;
        const why = e.reason || (e.code === 1001 ? 'The server is restarting.' : 'The connection was closed.');
        setConn('closed', 'Disconnected');
        const p = $('lab-problem');
        p.hidden = false;
        p.textContent = why + ' Labs live on the server; start another from the labs page.';
        pauseTraffic(true);
        return;
      }
      retries++;
      if (retries > 8) {
        setConn('closed', 'Disconnected');
        const p = $('lab-problem');
        p.hidden = false;
        p.textContent = 'Lost the connection to this lab, and it did not come back. It may have ended; reload the page to try again.';
        return;
      }
      setConn('connecting', 'Reconnecting…');
      setTimeout(connect, Math.min(8000, 300 * 2 ** retries));
    };
  }

  function send(msg) {
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      status('Not connected: the command was not sent.', 'error');
      return;
    }
    msg.id = nextID++;
    ws.send(JSON.stringify(msg));
  }

  function status(message, kind) {
    const el = $('cmd-status');
    el.dataset.kind = kind || '';
    text(el, message);
  }

  function onMessage(m) {
    switch (m.type) {
      case 'hello':
        onHello(m);
        break;
      case 'snapshot':
        retries = 0;
        setConn('live', 'Live');
        applyVector(m.k);
        atMS = m.at;
        resetLogIfEpochChanged(true);
        for (const e of m.events) addEvent(e);
        sagas = m.sagas;
        traces = m.traces;
        loadHistory(m.history);
        render(true);
        break;
      case 'frame':
        if (m.k) applyVector(m.k);
        if (m.d) for (let i = 0; i + 1 < m.d.length; i += 2) S[keys[m.d[i]]] = m.d[i + 1];
        atMS = m.at;
        resetLogIfEpochChanged(false);
        if (m.ev) for (const e of m.ev) addEvent(e);
        if (m.sagas) sagas = m.sagas;
        if (m.traces) traces = m.traces;
        pushHistory();
        render(false);
        break;
      case 'ack':
        status('Done: ' + m.message + '.', 'ok');
        break;
      case 'error':
        status(m.message, 'error');
        break;
      case 'trace':
        showTrace(m.trace);
        break;
    }
  }

  function onHello(m) {
    hello = m;
    keys = m.keys;
    owner = m.role === 'owner';
    root.dataset.role = m.role;
    text($('role'), owner ? 'You control this lab' : 'Watching, read-only');
    services.length = edges.length = groups.length = 0;
    services.push(...m.topology.services);
    edges.push(...m.topology.edges.map((e) => e.id));
    groups.push(...m.topology.groups.map((g) => g.name));
    enableControls(owner);
  }

  function applyVector(vals) {
    for (let i = 0; i < vals.length; i++) S[keys[i]] = vals[i];
  }

  function enableControls(on) {
    $('controls').disabled = !(on && owner);
  }

  function resetLogIfEpochChanged(force) {
    const e = num('run.epoch');
    if (epoch !== e || force) {
      if (epoch !== null && epoch !== e) {
        for (const k of Object.keys(hist)) delete hist[k];
        announce('The lab was reset to 0 s.');
      }
      if (epoch !== e || force) {
        $('log').replaceChildren();
        lastEvSeq = 0;
      }
      epoch = e;
    }
  }

  // --- rendering ------------------------------------------------------------
  function render(full) {
    renderHeader();
    if (root.dataset.scenario !== 'free-play') renderScenario();
    renderTopology();
    renderCharts();
    renderBulkheads();
    renderRegistry();
    renderText();
    if (full || !$('sagas-hold').checked) renderSagas();
    renderTraces();
    announceChanges();
  }

  function runState() {
    const st = str('run.state');
    if (num('sc.end') && st === 'paused') return 'ended';
    return st;
  }

  function renderHeader() {
    text($('clock'), fmtSec(atMS));
    const st = runState();
    const labels = {
      waiting: 'waiting for the prediction',
      running: 'running',
      paused: 'paused',
      'fast-forward': 'fast-forwarding',
      ended: 'ended, paused',
    };
    text($('run-state'), labels[st] || st);
    root.dataset.state = st;
    const sp = num('run.speed');
    const eff = num('run.eff');
    let speed = sp + '×';
    if (st === 'running' && eff > 0 && eff < sp * 0.8) speed += ' (keeping up at ' + eff.toFixed(1) + '×)';
    text($('run-speed'), speed);
    text($('viewers'), String(num('run.viewers')));
    const toggle = $('run-toggle');
    text(toggle, st === 'running' || st === 'fast-forward' ? 'Pause' : st === 'waiting' ? 'Start' : 'Resume');
    const sel = $('speed');
    if (document.activeElement !== sel && sel.value !== String(sp)) sel.value = String(sp);
    pauseTraffic(st !== 'running' && st !== 'fast-forward');
  }

  // Scenario mode: the prediction, the script, the checks, the ending.
  function localPrediction() {
    const v = sessionStorage.getItem('microlab-predict-' + root.dataset.lab);
    return v === null ? -1 : Number(v);
  }

  function renderScenario() {
    const pred = owner ? num('sc.pred') : localPrediction();
    const ownerPred = num('sc.pred');
    const form = $('predict-form');
    if (!form) return;
    const letter = (i) => String.fromCharCode(65 + i);
    $('predict-fields').disabled = pred >= 0 || !hello;
    if (pred >= 0) {
      for (const r of form.querySelectorAll('input[type=radio]')) r.checked = Number(r.value) === pred;
    }
    let msg = '';
    if (owner) {
      msg = ownerPred >= 0 ? 'Your prediction: ' + letter(ownerPred) + '. Watch the run to see whether it holds.' : 'Answer the question to start the run.';
    } else {
      msg = pred >= 0 ? 'Your prediction: ' + letter(pred) + '.' : 'Make your own prediction while you wait.';
      msg += ownerPred >= 0 ? ' The lab’s owner predicted ' + letter(ownerPred) + '.' : ' The run starts when the lab’s owner answers.';
    }
    text($('prediction'), msg);

    for (const li of document.querySelectorAll('#timeline li[data-step]')) {
      const i = li.dataset.step;
      if (i === 'end') {
        li.className = num('sc.end') ? 'done' : atMS >= Number(li.dataset.at) ? 'done' : '';
        continue;
      }
      const st = str('sc.s.' + i + '.st');
      const span = li.querySelector('.step-state');
      if (st === 'done') {
        li.className = 'done';
        text(span, 'done');
      } else if (st.startsWith('error')) {
        li.className = 'error';
        text(span, 'refused: ' + st.slice(7));
      } else {
        li.className = '';
        text(span, 'to come');
      }
    }
    for (const li of document.querySelectorAll('#checks li[data-check]')) {
      const i = li.dataset.check;
      const st = str('sc.c.' + i + '.st');
      cls(li, st === 'pass' ? 'pass' : st === 'fail' ? 'fail' : 'pending');
      text(li.querySelector('.verdict'), st === 'pass' ? 'Holds:' : st === 'fail' ? 'Does not hold:' : 'Not decided yet:');
      text(li.querySelector('.detail'), str('sc.c.' + i + '.d'));
    }
    const end = num('sc.end') === 1;
    const ex = $('explain');
    if (ex.hidden === end) ex.hidden = !end;
    if (end) {
      const items = ex.querySelectorAll('.predict-options > li');
      let right = -1;
      items.forEach((li, i) => {
        if (li.querySelector('strong.good')) right = i;
      });
      const p = pred >= 0 ? pred : ownerPred;
      text($('your-prediction'), p < 0 ? 'No prediction was made.' :
        (owner || pred >= 0 ? 'You predicted ' : 'The owner predicted ') + letter(p) + (p === right ? ': right.' : ': the answer was ' + letter(right) + '.'));
    }
  }

  // The topology.
  function health(inst) {
    const st = str('in.' + inst + '.st');
    if (!st) return 'absent';
    if (st === 'dead') return 'dead';
    if (st !== 'alive') return 'off';
    const er = num('in.' + inst + '.er');
    if (er >= 0.5) return 'bad';
    if (er >= 0.05 || num('in.' + inst + '.q') > 0) return 'warn';
    return 'good';
  }

  const breakerLabel = (id) => {
    const st = str('e.' + id + '.br');
    switch (st) {
      case 'HALF_OPEN':
        return 'HALF_OPEN ' + num('e.' + id + '.br.calls') + '/' + num('e.' + id + '.br.hoc');
      case 'FORCED_OPEN':
        return 'FORCED OPEN';
      case 'DISABLED':
        return 'NO BREAKER';
      default:
        return st;
    }
  };

  function renderTopology() {
    for (const svc of services) {
      const max = hello.topology.max_instances;
      for (let o = 1; o <= max; o++) {
        const name = svc + '-' + o;
        const dot = $('dot-' + name);
        if (!dot) continue;
        const hl = health(name);
        cls(dot, 'inst ' + hl);
        const t = dot.firstElementChild;
        if (t) text(t, hl === 'absent' ? name + ': not running' : name + ': ' + str('in.' + name + '.st') + ', ' +
          fmtRate(num('in.' + name + '.tp')) + ' req/s, ' + fmtPct(num('in.' + name + '.er')) + ' errors, ' + num('in.' + name + '.busy') + ' busy');
      }
      const p = 'svc.' + svc + '.';
      let line = fmtRate(num(p + 'tp')) + '/s · p95 ' + fmtMS(num(p + 'p95'));
      const faults = [];
      if (num(p + 'lat') > 0) faults.push('+' + fmtMS(num(p + 'lat')));
      if (num(p + 'err') > 0) faults.push(fmtPct(num(p + 'err')) + ' errors');
      if (faults.length) line = faults.join(', ') + ' · p95 ' + fmtMS(num(p + 'p95'));
      text($('nl-' + svc), line);
      cls($('node-' + svc), 'node node-service' + (str(p + 'st') === 'down' ? ' down' : '') + (faults.length ? ' faulty' : ''));
    }
    text($('nl2-gateway'), 'in flight ' + num('gw.infl') + '/' + num('gw.maxinfl'));
    text($('nl-gateway'), fmtRate(num('gw.tp')) + '/s · ' + fmtPct(num('gw.er')) + ' · p99 ' + fmtMS(num('gw.p99')));
    const regUp = num('reg.up') === 1;
    text($('nl2-registry'), regUp ? 'up' : 'DOWN');
    text($('nl-registry'), 'evictions ' + num('reg.evict'));
    cls($('node-registry'), 'node node-registry' + (regUp ? '' : ' down'));
    const brkUp = num('brk.up') === 1;
    text($('nl2-broker'), brkUp ? 'up' : 'DOWN (' + str('brk.mode') + ')');
    text($('nl-broker'), 'lag: ' + groups.filter((g) => !g.endsWith('-saga') || num('grp.' + g + '.lag') > 0)
      .map((g) => g + ' ' + num('grp.' + g + '.lag')).join(' · '));
    cls($('node-broker'), 'node node-broker' + (brkUp ? '' : ' down'));
    let clients = fmtRate(num('load.rate')) + ' req/s';
    if (num('load.burst') > 0 && num('load.bu') > atMS) clients += ' + burst ' + fmtRate(num('load.burst'));
    text($('nl-clients'), clients);

    for (const id of edges) {
      const p = 'e.' + id + '.';
      const label = num(p + 'cut') ? 'link cut' : fmtRate(num(p + 'tp')) + '/s · ' + fmtPct(num(p + 'er')) + ' · ' + fmtMS(num(p + 'p95'));
      text($('el-' + safeID(id)), label);
      const br = $('br-' + safeID(id));
      const st = str(p + 'br');
      cls(br, 'breaker br-' + st);
      text(br.querySelector('text'), breakerLabel(id));
      text(br.querySelector('title'), 'Circuit breaker on ' + arrow(id) + ': ' + breakerLabel(id));
      cls($('edge-' + safeID(id)), 'edge edge-call' + (num(p + 'cut') ? ' cut' : '') + (num(p + 'er') >= 0.5 ? ' failing' : ''));
    }
    renderTraffic();
    // Instances that do not run are not offered.
    for (const opt of document.querySelectorAll('#controls option')) {
      const m = /^([a-z]+)-(\d+)$/.exec(opt.value);
      if (!m || !services.includes(m[1])) continue;
      const absent = !str('in.' + opt.value + '.st');
      if (opt.hidden !== absent && !opt.selected) opt.hidden = absent;
    }
  }

  // Moving dots along the edges, as many as the traffic warrants; none for
  // people who asked for less motion.
  const trafficKeys = Object.create(null);
  function renderTraffic() {
    const layer = $('traffic');
    if (reduceMotion.matches) {
      if (layer.firstChild) layer.replaceChildren();
      return;
    }
    const list = [['clients>gateway', num('gw.tp'), num('gw.er')]];
    for (const id of edges) list.push([id, num('e.' + id + '.cut') ? 0 : num('e.' + id + '.tp'), num('e.' + id + '.er')]);
    for (const [id, tp, er] of list) {
      const n = tp <= 0 ? 0 : tp < 5 ? 1 : tp < 50 ? 2 : 3;
      const c = er >= 0.5 ? 'bad' : er >= 0.05 ? 'warn' : 'ok';
      const key = n + c;
      if (trafficKeys[id] === key) continue;
      trafficKeys[id] = key;
      const old = layer.querySelector('[data-edge="' + id + '"]');
      if (old) old.remove();
      if (!n) continue;
      const g = svg('g', { 'data-edge': id }, layer);
      const dur = 1.6;
      for (let i = 0; i < n; i++) {
        const dot = svg('circle', { r: '3.5', class: 'traffic ' + c }, g);
        const anim = svg('animateMotion', { dur: dur + 's', repeatCount: 'indefinite', begin: -(i * dur) / n + 's' }, dot);
        svg('mpath', { href: '#edge-' + safeID(id) }, anim);
      }
    }
  }

  let trafficPaused = false;
  function pauseTraffic(paused) {
    const topo = $('topo');
    if (paused === trafficPaused || !topo.pauseAnimations) return;
    trafficPaused = paused;
    if (paused) topo.pauseAnimations();
    else topo.unpauseAnimations();
  }

  // Charts: the last 60 s of simulated time.
  function seriesValues(subject) {
    const p = subject === 'gw' ? 'gw.' : subject + '.';
    return [num(p + 'tp'), num(p + 'er'), num(p + 'p50'), num(p + 'p99')];
  }

  function pushHistory() {
    const t = atMS / 1000;
    for (const subject of ['gw', ...edges.map((e) => 'e.' + e)]) {
      const arr = hist[subject] || (hist[subject] = []);
      const last = arr[arr.length - 1];
      const point = [t, ...seriesValues(subject)];
      if (last && t - last[0] < 0.1) {
        if (t >= last[0]) arr[arr.length - 1] = point;
        else arr.length = 0;
        continue;
      }
      arr.push(point);
      while (arr.length && arr[0][0] < t - 60) arr.shift();
    }
  }

  function loadHistory(hs) {
    for (const k of Object.keys(hist)) delete hist[k];
    if (!hs) return;
    hs.series.forEach((subject, i) => {
      hist[subject] = hs.rows.map((r) => [r[0], r[1 + 4 * i], r[2 + 4 * i], r[3 + 4 * i], r[4 + 4 * i]]);
    });
    pushHistory();
  }

  function polyline(el, points, t0, max) {
    const pts = points.map(([t, v]) => ((t - t0) / 60 * 300).toFixed(1) + ',' + (118 - Math.min(v / max, 1) * 112).toFixed(1)).join(' ');
    if (el.getAttribute('points') !== pts) el.setAttribute('points', pts);
  }

  function renderCharts() {
    const subject = $('chart-subject').value;
    const arr = hist[subject] || [];
    const t0 = atMS / 1000 - 60;
    const [tp, er, p50, p99] = seriesValues(subject);
    const charts = [
      ['tp', [1], Math.max(1, ...arr.map((p) => p[1])) * 1.15, (m) => fmtRate(m) + '/s', fmtRate(tp) + ' req/s'],
      ['er', [2], Math.max(0.05, ...arr.map((p) => p[2])) * 1.15, fmtPct, fmtPct(er)],
      ['lat', [3, 4], Math.max(1, ...arr.map((p) => p[4])) * 1.15, fmtMS, 'p50 ' + fmtMS(p50) + ', p99 ' + fmtMS(p99)],
    ];
    for (const [id, cols, max, fmt, now] of charts) {
      const fig = $('chart-' + id);
      const lines = fig.querySelectorAll('polyline');
      cols.forEach((c, j) => polyline(lines[j], arr.map((p) => [p[0], p[c]]), t0, max));
      if (cols.length < 2) lines[1].setAttribute('points', '');
      text($('chart-' + id + '-max'), fmt(max));
      text($('chart-' + id + '-now'), now);
    }
  }

  // Bulkheads.
  function renderBulkheads() {
    for (const id of edges) {
      const p = 'e.' + id + '.bh.';
      const li = $('bh-' + safeID(id));
      const [use, queue] = li.querySelectorAll('meter');
      const on = num(p + 'en') === 1;
      use.max = Math.max(1, num(p + 'max'));
      use.value = num(p + 'use');
      queue.max = Math.max(1, num(p + 'mq'));
      queue.value = num(p + 'q');
      li.classList.toggle('off', !on);
      text(li.querySelector('.gauge-text'), on ?
        num(p + 'use') + '/' + num(p + 'max') + ' in use · ' + num(p + 'q') + '/' + num(p + 'mq') + ' waiting · ' + num(p + 'rej') + ' rejected' :
        'no bulkhead');
    }
  }

  // The registry beside the truth.
  function members(mask) {
    const out = [];
    for (let i = 0; i < 30; i++) if (mask & (1 << i)) out.push(i + 1);
    return out;
  }

  function renderRegistry() {
    const up = num('reg.up') === 1;
    let line = up ? 'The registry is up.' : 'The registry is DOWN: callers keep routing from their cached lists.';
    line += ' Evictions so far: ' + num('reg.evict') + '.';
    for (const c of ['gateway', 'orders']) if (num('reg.' + c + '.stale')) line += ' The ' + c + '’s cache is stale.';
    text($('reg-status'), line);
    for (const svc of services) {
      const row = $('reg-' + svc);
      if (!row) continue;
      const alive = num('reg.' + svc + '.alive');
      const cells = row.querySelectorAll('td');
      ['alive', 'reg', 'gw', 'ord'].forEach((k, i) => {
        const mask = num('reg.' + svc + '.' + k);
        const list = members(mask);
        const key = String(mask) + '/' + alive;
        if (cells[i].dataset.key === key) return;
        cells[i].dataset.key = key;
        cells[i].replaceChildren(...list.map((o) => {
          const stale = k !== 'alive' && !(alive & (1 << (o - 1)));
          return h('span', { class: 'chip' + (stale ? ' stale' : ''), title: svc + '-' + o + (stale ? ': not alive' : '') },
            svc + '-' + o + (stale ? ' (dead)' : ''));
        }));
        if (!list.length) cells[i].append(h('span', { class: 'muted' }, 'none'));
      });
    }
  }

  // Everything as text.
  function renderText() {
    for (const svc of services) {
      const row = $('ts-' + svc);
      if (!row) continue;
      const p = 'svc.' + svc + '.';
      const cells = row.querySelectorAll('td');
      text(cells[0], str(p + 'st'));
      const max = hello.topology.max_instances;
      const inst = [];
      for (let o = 1; o <= max; o++) {
        const st = str('in.' + svc + '-' + o + '.st');
        if (st) inst.push(svc + '-' + o + ' ' + st);
      }
      text(cells[1], inst.join(', '));
      text(cells[2], fmtRate(num(p + 'tp')));
      text(cells[3], fmtPct(num(p + 'er')));
      text(cells[4], fmtMS(num(p + 'p95')));
      const f = [];
      if (num(p + 'lat') > 0) f.push('+' + fmtMS(num(p + 'lat')) + ' latency');
      if (num(p + 'err') > 0) f.push(fmtPct(num(p + 'err')) + ' errors');
      text(cells[5], f.join(', ') || 'none');
    }
    for (const id of edges) {
      const row = $('te-' + safeID(id));
      const p = 'e.' + id + '.';
      const cells = row.querySelectorAll('td');
      text(cells[0], num(p + 'cut') ? 'cut' : fmtRate(num(p + 'tp')));
      text(cells[1], fmtPct(num(p + 'er')));
      text(cells[2], fmtMS(num(p + 'p95')));
      let br = breakerLabel(id);
      if (str(p + 'br') === 'CLOSED' || str(p + 'br') === 'HALF_OPEN') {
        const fr = num(p + 'br.fr');
        br += fr >= 0 ? ' (failure rate ' + fmtPct(fr) + ' of ' + num(p + 'br.calls') + ' calls)' : ' (' + num(p + 'br.calls') + ' calls in the window)';
      }
      text(cells[3], br);
      text(cells[4], num(p + 'tmos') + ' timeouts, ' + (num(p + 'retr') + num(p + 'sretr')) + ' retries, ' + num(p + 'fbs') + ' fallbacks');
    }
    for (const g of groups) {
      const row = $('tg-' + g);
      if (!row) continue;
      const cells = row.querySelectorAll('td');
      text(cells[0], String(num('grp.' + g + '.lag')));
      text(cells[1], String(num('grp.' + g + '.cons')));
      text(cells[2], String(num('grp.' + g + '.redel')));
    }
  }

  // The event log.
  const kinds = new Set();
  function addEvent([seq, at, kind, subject, message]) {
    if (seq <= lastEvSeq) return;
    lastEvSeq = seq;
    const log = $('log');
    const li = h('li', { 'data-kind': kind }, h('time', {}, fmtSec(at)), ' ', h('span', { class: 'kind kind-' + kind }, kind), ' ',
      h('b', {}, arrow(subject)), ' ', message);
    li.hidden = !matchesFilter(li);
    log.prepend(li);
    while (log.childElementCount > 300) log.lastElementChild.remove();
    if (!kinds.has(kind)) {
      kinds.add(kind);
      const sel = $('log-kind');
      const opts = [...kinds].sort();
      const current = sel.value;
      sel.replaceChildren(h('option', { value: '' }, 'all'), ...opts.map((k) => h('option', { value: k }, k)));
      sel.value = current;
    }
  }

  function matchesFilter(li) {
    const k = $('log-kind').value;
    const f = $('log-filter').value.trim().toLowerCase();
    return (!k || li.dataset.kind === k) && (!f || li.textContent.toLowerCase().includes(f));
  }

  function refilter() {
    for (const li of $('log').children) li.hidden = !matchesFilter(li);
  }

  // Sagas.
  function renderSagas() {
    text($('saga-counts'), str('saga.mode') + ' · ' + num('saga.started') + ' started, ' + num('saga.run') + ' running, ' +
      num('saga.comp') + ' compensating, ' + num('saga.done') + ' completed, ' + num('saga.undone') + ' compensated, ' + num('saga.stuck') + ' stuck');
    const key = JSON.stringify(sagas);
    const list = $('sagas');
    if (list.dataset.key === key) return;
    list.dataset.key = key;
    list.replaceChildren(...sagas.map(([id, state, start, end, steps]) => h('li', { class: 'saga saga-' + state },
      h('div', { class: 'saga-head' }, h('b', {}, 'Order #' + id), ' ' + state + ', ' + fmtSec(start) + (end >= 0 ? ' → ' + fmtSec(end) : ' →')),
      h('ol', { class: 'saga-steps' }, ...steps.map(([name, st, attempts, s, e, result]) => h('li', {
        class: 'step st-' + st + (name.startsWith('release') || name.startsWith('refund') || name.startsWith('cancel') ? ' comp' : ''),
        title: name + ': ' + st + (attempts > 1 ? ', ' + attempts + ' attempts' : '') + (result ? ', ' + result : '') + (e >= 0 ? ', ' + fmtMS(e - s) : ''),
      }, name + ' ', h('span', { class: 'st' }, st + (attempts > 1 ? ' ×' + attempts : ''))))))));
  }

  // Traces.
  function renderTraces() {
    const key = JSON.stringify(traces);
    const list = $('traces');
    if (list.dataset.key === key) return;
    list.dataset.key = key;
    list.replaceChildren(...traces.map(([id, kind, client, start, dur, outcome, spans]) => h('li', {},
      h('button', { type: 'button', class: 'link', 'data-trace': id, 'aria-pressed': String(id === openTrace) },
        '#' + id + ' ' + kind + ' from ' + client + ' at ' + fmtSec(start) + ': ' + (dur < 0 ? 'in progress' : fmtMS(dur) + ', ' + outcome) + ' (' + spans + ' spans)'))));
  }

  function showTrace(t) {
    const box = $('waterfall');
    box.hidden = false;
    const root0 = t.spans[0];
    const t0 = root0.start_ms;
    let tEnd = t0 + Math.max(root0.duration_ms, 0.001);
    for (const s of t.spans) tEnd = Math.max(tEnd, s.start_ms + Math.max(s.duration_ms, 0));
    const span = Math.max(tEnd - t0, 0.001);
    const depth = [];
    const rows = t.spans.map((s, i) => {
      depth[i] = s.parent >= 0 ? depth[s.parent] + 1 : 0;
      const bar = svg('svg', { viewBox: '0 0 100 10', preserveAspectRatio: 'none', class: 'bar', 'aria-hidden': 'true' });
      const x = ((s.start_ms - t0) / span) * 100;
      const w = s.duration_ms < 0 ? 100 - x : Math.max((s.duration_ms / span) * 100, 0.6);
      svg('rect', { x: x.toFixed(2), y: '1', width: w.toFixed(2), height: '8', class: 'o-' + (s.outcome || 'open').replace(/[^a-z0-9]/gi, '') }, bar);
      return h('tr', {},
        h('th', { scope: 'row', class: 'depth-' + Math.min(depth[i], 6) }, s.name, h('span', { class: 'muted' }, ' ' + s.detail)),
        h('td', { class: 'num' }, '+' + fmtMS(s.start_ms - t0)),
        h('td', { class: 'num' }, s.duration_ms < 0 ? 'open' : fmtMS(s.duration_ms)),
        h('td', {}, s.outcome || '…'),
        h('td', { class: 'bar-cell' }, bar));
    });
    box.replaceChildren(
      h('h3', {}, 'Trace #' + t.id + ': ' + t.kind + ' from ' + t.client),
      h('table', { class: 'waterfall-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Span'), h('th', { scope: 'col' }, 'Start'), h('th', { scope: 'col' }, 'Took'),
          h('th', { scope: 'col' }, 'Outcome'), h('th', { scope: 'col' }, 'Timeline'))),
        h('tbody', {}, ...rows)));
  }

  // Announcements for screen readers: breaker changes, verdicts, the end.
  function announce(msg) {
    const el = $('announce');
    el.textContent = '';
    setTimeout(() => (el.textContent = msg), 50);
  }

  function announceChanges() {
    const msgs = [];
    for (const id of edges) {
      const k = 'e.' + id + '.br';
      if (prevS[k] !== undefined && prevS[k] !== S[k]) msgs.push('Breaker on ' + arrow(id) + ' is now ' + S[k] + '.');
      prevS[k] = S[k];
    }
    for (const k of Object.keys(S)) {
      if (!k.startsWith('sc.c.') || !k.endsWith('.st')) continue;
      if (prevS[k] !== undefined && prevS[k] !== S[k] && S[k]) msgs.push('A check ' + (S[k] === 'pass' ? 'holds.' : 'does not hold.'));
      prevS[k] = S[k];
    }
    if (prevS['sc.end'] === 0 && S['sc.end'] === 1) msgs.push('The scenario has ended; the explanation is below the checks.');
    prevS['sc.end'] = S['sc.end'];
    if (msgs.length) announce(msgs.join(' '));
  }

  // --- controls -------------------------------------------------------------
  function formMessage(form, submitter) {
    const msg = {};
    const data = new FormData(form, submitter);
    for (const [name, value] of data) {
      if (name === '_csrf') continue;
      if (value === '') continue;
      const el = form.elements.namedItem(name);
      const field = el && el.length && !el.tagName ? el[0] : el;
      if (field && field.dataset && field.dataset.num) {
        let v = Number(value) * Number(field.dataset.scale || 1);
        if (field.dataset.num === 'int') v = Math.round(v);
        msg[name] = v;
      } else if (field && field.dataset && field.dataset.bool) {
        msg[name] = value === 'true';
      } else {
        msg[name] = value;
      }
    }
    return msg;
  }

  function wire() {
    for (const form of document.querySelectorAll('form.cmd')) {
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const msg = formMessage(form, e.submitter);
        if (!msg.type) return;
        status('Sending ' + msg.type + '…', '');
        send(msg);
      });
    }
    $('run-toggle').addEventListener('click', () => {
      const st = runState();
      if (st === 'waiting') {
        status('Answer the prediction question first; the run starts when you do.', 'error');
        const first = document.querySelector('#predict-form input');
        if (first) first.focus();
        return;
      }
      send({ type: st === 'running' || st === 'fast-forward' ? 'pause' : 'resume' });
    });
    $('step').addEventListener('click', () => send({ type: 'step', ms: 100 }));
    $('speed').addEventListener('change', (e) => send({ type: 'speed', value: Number(e.target.value) }));
    for (const id of ['ff10', 'ff60']) $(id).addEventListener('click', (e) => send({ type: 'fast-forward', seconds: Number(e.currentTarget.dataset.seconds) }));
    $('reset').addEventListener('click', () => send({ type: 'reset' }));
    $('reset-new').addEventListener('click', () => send({ type: 'reset', new_seed: true }));

    const predict = $('predict-form');
    if (predict) {
      predict.addEventListener('submit', (e) => {
        e.preventDefault();
        const v = new FormData(predict).get('option');
        if (v === null) return;
        if (owner) {
          send({ type: 'predict', option: Number(v) });
        } else {
          sessionStorage.setItem('microlab-predict-' + root.dataset.lab, v);
          renderScenario();
        }
      });
    }

    $('log-kind').addEventListener('change', refilter);
    $('log-filter').addEventListener('input', refilter);
    $('chart-subject').addEventListener('change', renderCharts);
    $('sagas-hold').addEventListener('change', renderSagas);
    $('traces').addEventListener('click', (e) => {
      const b = e.target.closest('button[data-trace]');
      if (!b) return;
      openTrace = Number(b.dataset.trace);
      for (const other of $('traces').querySelectorAll('button')) other.setAttribute('aria-pressed', String(other === b));
      send({ type: 'trace', trace: openTrace });
    });

    const copy = $('copy-share');
    if (navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener('click', () => {
        navigator.clipboard.writeText($('share').value).then(() => text(copy, 'Copied'), () => text(copy, 'Select and copy'));
      });
    }
    $('share').addEventListener('focus', (e) => e.target.select());
  }

  wire();
  connect();
})();
