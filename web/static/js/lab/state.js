// The lab's state as the server's messages describe it (web/PROTOCOL.md).
// This is the one module that knows the protocol's key names and the shapes
// of hello, snapshot, frame and trace: everything else asks it plain
// questions (edgeState('orders>payment'), instance('payment', 1)) and gets
// plain objects back. No DOM here, so Node's test runner can drive it.

// The charts keep this much simulated time, in seconds.
const HISTORY_S = 60;

export class LabState {
  #keys = [];
  #v = Object.create(null); // key → value
  #epoch = null;
  #lastSeq = 0;
  #hist = Object.create(null); // chart subject → [{t, tp, er, p50, p99}, …]
  #sagas = [];
  #traces = [];

  constructor() {
    this.ready = false; // a hello has arrived
    this.role = '';
    this.services = [];
    this.edges = []; // edge ids, "from>to"
    this.groups = []; // consumer group names
    this.topicOf = {}; // consumer group name → the topic it reads
    this.maxInstances = 0;
    this.at = 0; // simulated time, ms
  }

  get owner() {
    return this.role === 'owner';
  }

  // receive applies one message from the server and says what it changed:
  // {hello}, {trace}, or for a snapshot or frame {snapshot?, frame?,
  // cleared (the log starts over), reset (the lab went back to 0 s),
  // events (new ones only, oldest first)}. Other messages answer null.
  receive(m) {
    switch (m && m.type) {
      case 'hello':
        this.#hello(m);
        return { hello: true };
      case 'snapshot':
        return { snapshot: true, ...this.#snapshot(m) };
      case 'frame':
        return { frame: true, ...this.#frame(m) };
      case 'trace':
        return { trace: parseTrace(m.trace) };
      case 'class':
        return { class: m };
      default:
        return null;
    }
  }

  #hello(m) {
    this.ready = true;
    this.role = m.role;
    this.you = m.you; // this viewer's number in the lab (class mode)
    this.#keys = m.keys;
    const topo = m.topology;
    this.services = [...topo.services];
    this.edges = topo.edges.map((e) => e.id);
    this.groups = topo.groups.map((g) => g.name);
    this.topicOf = Object.fromEntries(topo.groups.map((g) => [g.name, g.topic]));
    this.maxInstances = topo.max_instances;
  }

  #snapshot(m) {
    this.#applyVector(m.k);
    this.at = m.at;
    const epoch = this.#newEpoch(true);
    const events = this.#events(m.events);
    this.#sagas = m.sagas.map(parseSaga);
    this.#traces = m.traces.map(parseTraceSummary);
    this.#loadHistory(m.history);
    return { ...epoch, events };
  }

  #frame(m) {
    if (m.k) this.#applyVector(m.k);
    if (m.d) {
      for (let i = 0; i + 1 < m.d.length; i += 2) {
        const k = this.#keys[m.d[i]];
        if (k !== undefined) this.#v[k] = m.d[i + 1];
      }
    }
    this.at = m.at;
    const epoch = this.#newEpoch(false);
    const events = this.#events(m.ev);
    if (m.sagas) this.#sagas = m.sagas.map(parseSaga);
    if (m.traces) this.#traces = m.traces.map(parseTraceSummary);
    this.#pushHistory();
    return { ...epoch, events };
  }

  #applyVector(vals) {
    const n = Math.min(vals.length, this.#keys.length);
    for (let i = 0; i < n; i++) this.#v[this.#keys[i]] = vals[i];
  }

  // A changed epoch means the lab was reset: the charts and the log start
  // over. A snapshot always restarts the log, since it brings the recent
  // events again.
  #newEpoch(snapshot) {
    const e = this.#num('run.epoch');
    const changed = this.#epoch !== e;
    const reset = changed && this.#epoch !== null;
    if (reset) this.#hist = Object.create(null);
    const cleared = changed || snapshot;
    if (cleared) this.#lastSeq = 0;
    this.#epoch = e;
    return { cleared, reset };
  }

  // The events not seen yet, as objects; a repeated seq is skipped.
  #events(list) {
    const out = [];
    for (const [seq, at, kind, subject, message] of list || []) {
      if (seq <= this.#lastSeq) continue;
      this.#lastSeq = seq;
      out.push({ seq, at, kind, subject, message });
    }
    return out;
  }

  #loadHistory(hs) {
    this.#hist = Object.create(null);
    if (hs) {
      hs.series.forEach((subject, i) => {
        this.#hist[subject] = hs.rows.map((r) => ({ t: r[0], tp: r[1 + 4 * i], er: r[2 + 4 * i], p50: r[3 + 4 * i], p99: r[4 + 4 * i] }));
      });
    }
    this.#pushHistory();
  }

  // One point a frame per chart subject; a frame within 0.1 s of the last
  // point replaces it, and time running backwards starts the line over.
  #pushHistory() {
    const t = this.at / 1000;
    for (const subject of this.chartSubjects()) {
      const arr = this.#hist[subject] || (this.#hist[subject] = []);
      const last = arr[arr.length - 1];
      const point = { t, ...this.series(subject) };
      if (last && t - last.t < 0.1) {
        if (t >= last.t) arr[arr.length - 1] = point;
        else arr.length = 0;
        continue;
      }
      arr.push(point);
      while (arr.length && arr[0].t < t - HISTORY_S) arr.shift();
    }
  }

  #num(k) {
    const v = this.#v[k];
    return typeof v === 'number' ? v : 0;
  }

  #str(k) {
    const v = this.#v[k];
    return typeof v === 'string' ? v : '';
  }

  #has(k) {
    return typeof this.#v[k] === 'number';
  }

  // --- questions the drawing asks --------------------------------------------

  // run: state is waiting, running, paused, fast-forward, or ended (a
  // scenario paused at its end).
  run() {
    let state = this.#str('run.state');
    if (this.#num('sc.end') && state === 'paused') state = 'ended';
    return { state, speed: this.#num('run.speed'), eff: this.#num('run.eff'), viewers: this.#num('run.viewers') };
  }

  // scenario: the owner's prediction (−1 before it) and whether the script
  // is over.
  scenario() {
    return {
      prediction: this.#num('sc.pred'), ended: this.#num('sc.end') === 1,
      stage: this.#num('sc.stage'), asking: this.#has('sc.ask') ? this.#num('sc.ask') : -1,
    };
  }

  // stageAnswer is the owner's answer to stage i's question, −1 before it.
  stageAnswer(i) {
    const k = 'sc.g.' + i + '.ans';
    return this.#has(k) ? this.#num(k) : -1;
  }

  // step i of the scenario's timeline: state is '', 'done' or 'error', and
  // error says why the step was refused.
  step(i) {
    const st = this.#str('sc.s.' + i + '.st');
    if (st.startsWith('error')) return { state: 'error', error: st.slice(7) };
    return { state: st === 'done' ? 'done' : '', error: '' };
  }

  // check i of the scenario: state is '', 'pass' or 'fail'.
  check(i) {
    return { state: this.#str('sc.c.' + i + '.st'), detail: this.#str('sc.c.' + i + '.d') };
  }

  // checks lists every check the schema has, in its order.
  checks() {
    const out = [];
    for (const k of this.#keys) {
      const m = /^sc\.c\.(\d+)\.st$/.exec(k);
      if (m) out.push({ index: Number(m[1]), ...this.check(m[1]) });
    }
    return out;
  }

  // instance ord (1, 2, …) of svc; state is '' for an unused slot.
  instance(svc, ord) {
    const p = 'in.' + svc + '-' + ord + '.';
    return { state: this.#str(p + 'st'), tp: this.#num(p + 'tp'), er: this.#num(p + 'er'), busy: this.#num(p + 'busy'), queue: this.#num(p + 'q') };
  }

  // service svc: up or down, its figures, and the faults injected into it.
  service(svc) {
    const p = 'svc.' + svc + '.';
    return {
      state: this.#str(p + 'st'), tp: this.#num(p + 'tp'), er: this.#num(p + 'er'), p95: this.#num(p + 'p95'),
      latency: this.#num(p + 'lat'), errors: this.#num(p + 'err'),
    };
  }

  gateway() {
    return { tp: this.#num('gw.tp'), er: this.#num('gw.er'), p99: this.#num('gw.p99'), inFlight: this.#num('gw.infl'), maxInFlight: this.#num('gw.maxinfl') };
  }

  // registry: up, evictions so far, and the callers whose cache is stale.
  registry() {
    const stale = [];
    for (const k of this.#keys) {
      const m = /^reg\.([^.]+)\.stale$/.exec(k);
      if (m && this.#num(k)) stale.push(m[1]);
    }
    return { up: this.#num('reg.up') === 1, evictions: this.#num('reg.evict'), stale };
  }

  // members of svc as bit sets of instance ordinals (bit k = instance k+1):
  // the truth, the registry, the gateway's cache and orders' cache.
  members(svc) {
    const p = 'reg.' + svc + '.';
    return { alive: this.#num(p + 'alive'), registry: this.#num(p + 'reg'), gateway: this.#num(p + 'gw'), orders: this.#num(p + 'ord') };
  }

  // broker: up, the publishers' mode while it is down, the OrderPlaced
  // events a dual write lost, and orders' transactional outbox (on is
  // false, and the figures 0, until it is first switched on; maxWait in ms).
  broker() {
    return {
      up: this.#num('brk.up') === 1, mode: this.#str('brk.mode'), lost: this.#num('brk.lost'),
      outbox: {
        on: this.#num('brk.ob') === 1, pollMS: this.#num('brk.obpoll'), unsent: this.#num('brk.obunsent'),
        inFlight: this.#num('brk.obinfl'), relayed: this.#num('brk.obrel'), republished: this.#num('brk.obrep'),
        maxWait: this.#num('brk.obmax'),
      },
    };
  }

  // group: a consumer group's lag and redeliveries; for OrderPlaced's
  // groups, whether it keeps an inbox, the deliveries processed again and
  // those its inbox dropped.
  group(name) {
    const p = 'grp.' + name + '.';
    return {
      lag: this.#num(p + 'lag'), consumers: this.#num(p + 'cons'), redelivered: this.#num(p + 'redel'),
      inbox: this.#num(p + 'inbox') === 1, again: this.#num(p + 'again'), dropped: this.#num(p + 'drop'),
    };
  }

  // load: the clients' steady rate and a burst on top until burstUntil (ms).
  load() {
    return { rate: this.#num('load.rate'), burst: this.#num('load.burst'), burstUntil: this.#num('load.bu') };
  }

  // edgeState of the call edge id ("orders>payment"): its figures, its
  // breaker and its bulkhead.
  edgeState(id) {
    const p = 'e.' + id + '.';
    return {
      tp: this.#num(p + 'tp'), er: this.#num(p + 'er'), p95: this.#num(p + 'p95'), cut: this.#num(p + 'cut') !== 0,
      timeouts: this.#num(p + 'tmos'), retries: this.#num(p + 'retr') + this.#num(p + 'sretr'), fallbacks: this.#num(p + 'fbs'),
      breaker: {
        state: this.#str(p + 'br'), calls: this.#num(p + 'br.calls'), halfOpenCalls: this.#num(p + 'br.hoc'),
        failureRate: this.#num(p + 'br.fr'), // −1 below the minimum calls
        slowRate: this.#num(p + 'br.sr'), // likewise
      },
      bulkhead: {
        on: this.#num(p + 'bh.en') === 1, inUse: this.#num(p + 'bh.use'), queued: this.#num(p + 'bh.q'),
        rejected: this.#num(p + 'bh.rej'), max: this.#num(p + 'bh.max'), maxQueue: this.#num(p + 'bh.mq'),
      },
    };
  }

  // edgeConfig of a call edge id: the settings its knobs change, in the
  // units of the knob forms' commands (fractions, milliseconds, counts).
  edgeConfig(id) {
    const p = 'e.' + id + '.';
    const n = (k) => this.#num(p + k);
    return {
      breaker: { failure_rate: n('br.thr'), slow_ms: n('br.slowms'), slow_rate: n('br.slowthr'), wait_ms: n('br.wait'),
        half_open_calls: n('br.hoc'), window: n('br.win'), min_calls: n('br.min') },
      bulkhead: { max_concurrent: n('bh.max'), max_queue: n('bh.mq'), max_wait_ms: n('bh.wait') },
      retries: { retries: n('ret'), backoff_ms: n('bo'), budget_percent: n('budp') },
      timeout: { ms: n('tmo') },
      lb: { mode: this.#str(p + 'lb') },
    };
  }

  sagaCounts() {
    return {
      mode: this.#str('saga.mode'), started: this.#num('saga.started'), running: this.#num('saga.run'),
      compensating: this.#num('saga.comp'), completed: this.#num('saga.done'), compensated: this.#num('saga.undone'),
      stuck: this.#num('saga.stuck'),
    };
  }

  // sagas: the newest saga timelines, newest first.
  sagas() {
    return this.#sagas;
  }

  // traces: the newest sampled requests, newest first.
  traces() {
    return this.#traces;
  }

  // chartSubjects are what the charts can show: all requests at the
  // gateway, then the calls on each edge.
  chartSubjects() {
    return [GATEWAY_SUBJECT, ...this.edges.map(edgeSubject)];
  }

  // series is a chart subject's figures now.
  // An edge's also carry its breaker's window: failure and slow-call rates
  // (fr, sr) beside their thresholds (thr, slowthr); br is 1 when it has a
  // breaker.
  series(subject) {
    const p = subject === GATEWAY_SUBJECT ? 'gw.' : subject + '.';
    const out = { tp: this.#num(p + 'tp'), er: this.#num(p + 'er'), p50: this.#num(p + 'p50'), p99: this.#num(p + 'p99') };
    if (subject === GATEWAY_SUBJECT) return out;
    return {
      ...out, br: this.#num(p + 'br.en'), fr: this.#num(p + 'br.fr'), sr: this.#num(p + 'br.sr'),
      thr: this.#num(p + 'br.thr'), slowthr: this.#num(p + 'br.slowthr'),
    };
  }

  // history is a chart subject's last minute, one point a frame, oldest
  // first: [{t (s), tp, er, p50, p99}, …].
  history(subject) {
    return this.#hist[subject] || [];
  }
}

const GATEWAY_SUBJECT = 'gw';
const edgeSubject = (id) => 'e.' + id;

function parseSaga([id, state, start, end, steps]) {
  return {
    id, state, start, end, // end is −1 while it runs
    steps: steps.map(([name, st, attempts, s, e, result]) => ({ name, state: st, attempts, start: s, end: e, result })),
  };
}

function parseTraceSummary([id, kind, client, start, duration, outcome, spans]) {
  return { id, kind, client, start, duration, outcome, spans }; // duration −1: still open; spans: how many
}

// parseTrace turns a trace reply's span tree into plain objects; parent is
// the index of the parent span, −1 for the root.
export function parseTrace(t) {
  return {
    id: t.id, kind: t.kind, client: t.client,
    spans: t.spans.map((s) => ({ parent: s.parent, name: s.name, detail: s.detail, start: s.start_ms, duration: s.duration_ms, outcome: s.outcome })),
  };
}
