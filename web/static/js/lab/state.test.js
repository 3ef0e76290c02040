// Tests for the client's state handling, with Node's built-in runner:
// node --test web/static/js/lab/ (web/jsclient_test.go runs them).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { LabState } from './state.js';

// A small lab: two services, one edge, one consumer group, a scenario with
// one step and two checks. KEYS is its schema; vector() builds a whole
// vector from a few values, the rest zero or empty.
const KEYS = [
  'run.state', 'run.speed', 'run.eff', 'run.viewers', 'run.epoch',
  'sc.pred', 'sc.end', 'sc.stage', 'sc.ask', 'sc.g.0.ans', 'sc.g.1.ans', 'sc.g.2.ans', 'sc.s.0.st', 'sc.c.0.st', 'sc.c.0.d', 'sc.c.1.st', 'sc.c.1.d',
  'load.rate', 'load.burst', 'load.bu',
  'gw.tp', 'gw.er', 'gw.p50', 'gw.p99', 'gw.infl', 'gw.maxinfl',
  'reg.up', 'reg.evict', 'reg.gateway.stale', 'reg.orders.stale', 'reg.payment.alive', 'reg.payment.reg', 'reg.payment.gw', 'reg.payment.ord',
  'brk.up', 'brk.mode', 'grp.shipping.lag', 'grp.shipping.cons', 'grp.shipping.redel',
  'brk.lost', 'brk.ob', 'brk.obpoll', 'brk.obunsent', 'brk.obinfl', 'brk.obrel', 'brk.obrep', 'brk.obmax',
  'grp.shipping.inbox', 'grp.shipping.again', 'grp.shipping.drop',
  'svc.payment.st', 'svc.payment.tp', 'svc.payment.er', 'svc.payment.p95', 'svc.payment.lat', 'svc.payment.err',
  'in.payment-1.st', 'in.payment-1.tp', 'in.payment-1.er', 'in.payment-1.busy', 'in.payment-1.q',
  'in.payment-2.st',
  'e.orders>payment.tp', 'e.orders>payment.er', 'e.orders>payment.p50', 'e.orders>payment.p95', 'e.orders>payment.p99',
  'e.orders>payment.cut', 'e.orders>payment.retr', 'e.orders>payment.sretr', 'e.orders>payment.tmos', 'e.orders>payment.fbs',
  'e.orders>payment.br', 'e.orders>payment.br.calls', 'e.orders>payment.br.fr', 'e.orders>payment.br.hoc',
  'e.orders>payment.bh.en', 'e.orders>payment.bh.use', 'e.orders>payment.bh.q', 'e.orders>payment.bh.rej',
  'e.orders>payment.bh.max', 'e.orders>payment.bh.mq',
  'e.orders>payment.br.sr', 'e.orders>payment.br.thr', 'e.orders>payment.br.slowthr', 'e.orders>payment.br.en', 'e.orders>payment.budp', 'e.orders>payment.lb',
  'saga.mode', 'saga.started', 'saga.run', 'saga.comp', 'saga.done', 'saga.undone', 'saga.stuck',
  'zz.future', // a key this client has never heard of
];
const STRINGS = new Set(['run.state', 'sc.s.0.st', 'sc.c.0.st', 'sc.c.0.d', 'sc.c.1.st', 'sc.c.1.d', 'brk.mode',
  'svc.payment.st', 'in.payment-1.st', 'in.payment-2.st', 'e.orders>payment.br', 'e.orders>payment.lb', 'saga.mode']);
const at = (k) => KEYS.indexOf(k);

function vector(values = {}) {
  return KEYS.map((k) => (k in values ? values[k] : STRINGS.has(k) ? '' : 0));
}

function hello(extra = {}) {
  return {
    type: 'hello', role: 'owner',
    lab: { id: 'x', title: 'T', scenario: 'payment-outage', pattern: 'circuit-breaker', duration_ms: 50000 },
    keys: KEYS,
    topology: {
      services: ['orders', 'payment'], max_instances: 2,
      edges: [{ id: 'orders>payment', from: 'orders', to: 'payment', route: '/pay' }],
      groups: [{ name: 'shipping', topic: 'orders' }], topics: ['orders'], clients: 5,
    },
    limits: { speed_min: 0.25 }, commands: ['pause'],
    ...extra,
  };
}

function snapshot(values, extra = {}) {
  return {
    type: 'snapshot', n: 1, ts: 1, at: 5000, k: vector(values),
    events: [[1, 100, 'fault', 'payment', 'slow'], [2, 200, 'breaker', 'orders>payment', 'CLOSED → OPEN']],
    sagas: [], traces: [],
    history: { series: ['gw', 'e.orders>payment'], rows: [[3, 10, 0.1, 5, 50, 4, 0.2, 6, 60], [4, 11, 0.1, 5, 51, 4.5, 0.3, 7, 70]] },
    snapshot: {},
    ...extra,
  };
}

const frame = (n, atMS, d, extra = {}) => ({ type: 'frame', n, ts: n, at: atMS, d, ...extra });

function joined(values = { 'run.state': 'running', 'run.epoch': 0 }) {
  const s = new LabState();
  s.receive(hello());
  const u = s.receive(snapshot(values));
  return { s, u };
}

describe('hello', () => {
  test('gives the topology and role, and ignores fields it does not know', () => {
    const s = new LabState();
    assert.equal(s.ready, false);
    assert.deepEqual(s.receive(hello({ future: { anything: 1 }, topology: { ...hello().topology, regions: ['eu'] } })), { hello: true });
    assert.equal(s.ready, true);
    assert.equal(s.owner, true);
    assert.deepEqual(s.services, ['orders', 'payment']);
    assert.deepEqual(s.edges, ['orders>payment']);
    assert.deepEqual(s.groups, ['shipping']);
    assert.deepEqual(s.topicOf, { shipping: 'orders' });
    assert.equal(s.maxInstances, 2);
  });

  test('a viewer is not the owner', () => {
    const s = new LabState();
    s.receive(hello({ role: 'viewer' }));
    assert.equal(s.owner, false);
    assert.equal(s.role, 'viewer');
  });
});

describe('snapshot on join', () => {
  test('sets the whole vector, the time, the events and the history', () => {
    const { s, u } = joined({
      'run.state': 'paused', 'run.speed': 2, 'run.viewers': 3, 'run.epoch': 4,
      'in.payment-1.st': 'alive', 'in.payment-1.tp': 12.5, 'in.payment-1.q': 2,
      'e.orders>payment.br': 'HALF_OPEN', 'e.orders>payment.br.calls': 1, 'e.orders>payment.br.hoc': 3,
      'e.orders>payment.br.thr': 0.3, 'e.orders>payment.bh.max': 12, 'e.orders>payment.budp': 0.2, 'e.orders>payment.lb': 'least-busy',
      'e.orders>payment.retr': 2, 'e.orders>payment.sretr': 5, 'e.orders>payment.cut': 1,
      'reg.up': 1, 'reg.orders.stale': 1, 'reg.payment.alive': 3, 'reg.payment.reg': 1,
    });
    assert.equal(u.snapshot, true);
    assert.equal(u.cleared, true);
    assert.equal(u.reset, false, 'joining is not a reset');
    assert.deepEqual(u.events.map((e) => [e.seq, e.kind, e.subject]), [[1, 'fault', 'payment'], [2, 'breaker', 'orders>payment']]);
    assert.equal(s.at, 5000);
    assert.deepEqual(s.run(), { state: 'paused', speed: 2, eff: 0, viewers: 3 });
    assert.deepEqual(s.instance('payment', 1), { state: 'alive', tp: 12.5, er: 0, busy: 0, queue: 2 });
    assert.equal(s.instance('payment', 2).state, '', 'an unused slot');
    const e = s.edgeState('orders>payment');
    assert.deepEqual(e.breaker, { state: 'HALF_OPEN', calls: 1, halfOpenCalls: 3, failureRate: 0, slowRate: 0 });
    assert.equal(e.retries, 7);
    const cfg = s.edgeConfig('orders>payment');
    assert.equal(cfg.breaker.failure_rate, 0.3);
    assert.equal(cfg.bulkhead.max_concurrent, 12);
    assert.equal(cfg.retries.budget_percent, 0.2);
    assert.equal(cfg.lb.mode, 'least-busy');
    assert.equal(e.cut, true);
    assert.deepEqual(s.registry(), { up: true, evictions: 0, stale: ['orders'] });
    assert.deepEqual(s.members('payment'), { alive: 3, registry: 1, gateway: 0, orders: 0 });
    assert.deepEqual(s.history('e.orders>payment').map((p) => [p.t, p.tp, p.p99]), [[3, 4, 60], [4, 4.5, 70], [5, 0, 0]],
      'the server’s rows, then a point for now');
    assert.deepEqual(s.history('gw')[0], { t: 3, tp: 10, er: 0.1, p50: 5, p99: 50 });
  });

  test('a reconnect’s snapshot brings back events already seen: the log starts over', () => {
    const { s } = joined();
    s.receive(frame(2, 5100, [], { ev: [[3, 5050, 'kill', 'payment-1', 'killed']] }));
    const u = s.receive(snapshot({ 'run.state': 'running', 'run.epoch': 0 }));
    assert.equal(u.cleared, true);
    assert.equal(u.reset, false);
    assert.deepEqual(u.events.map((e) => e.seq), [1, 2]);
  });
});

describe('frames', () => {
  test('a delta sets only the positions it names', () => {
    const { s } = joined({ 'run.state': 'running', 'run.epoch': 0, 'gw.tp': 20, 'svc.payment.st': 'up' });
    const u = s.receive(frame(2, 5100, [at('gw.tp'), 21.5, at('in.payment-1.st'), 'dead', at('e.orders>payment.br'), 'OPEN']));
    assert.equal(u.frame, true);
    assert.equal(u.cleared, false);
    assert.equal(u.reset, false);
    assert.deepEqual(u.events, []);
    assert.equal(s.gateway().tp, 21.5);
    assert.equal(s.instance('payment', 1).state, 'dead');
    assert.equal(s.edgeState('orders>payment').breaker.state, 'OPEN');
    assert.equal(s.service('payment').state, 'up', 'untouched');
    assert.equal(s.at, 5100);
  });

  test('events: only new sequence numbers, as objects', () => {
    const { s } = joined();
    const u = s.receive(frame(2, 5100, [], { ev: [[2, 200, 'breaker', 'x', 'again'], [3, 5050, 'kill', 'payment-1', 'killed payment-1']] }));
    assert.deepEqual(u.events, [{ seq: 3, at: 5050, kind: 'kill', subject: 'payment-1', message: 'killed payment-1' }]);
  });

  test('a key frame after lost frames replaces the whole vector', () => {
    const { s } = joined({ 'run.state': 'running', 'run.epoch': 0, 'gw.tp': 20, 'sc.c.0.st': 'pass' });
    // Frames 2…4 never arrive; frame 5 is a key frame.
    const u = s.receive(frame(5, 5400, undefined, {
      key: true, k: vector({ 'run.state': 'paused', 'run.epoch': 0, 'gw.tp': 7, 'sc.end': 1 }),
      ev: [[2, 200, 'breaker', 'orders>payment', 'seen'], [9, 5300, 'breaker', 'orders>payment', 'OPEN → HALF_OPEN']],
      sagas: [[7, 'compensated', 100, 900, [['reserve', 'done', 1, 100, 200, 'ok'], ['refund', 'done', 2, 300, 900, '']]]],
      traces: [[17, 'order', 'client-07', 4000, -1, '', 4]],
    }));
    assert.equal(u.reset, false);
    assert.deepEqual(u.events.map((e) => e.seq), [9]);
    assert.equal(s.gateway().tp, 7);
    assert.equal(s.check(0).state, '', 'a value the key frame cleared');
    assert.deepEqual(s.run().state, 'ended', 'a scenario paused at its end');
    assert.deepEqual(s.sagas(), [{
      id: 7, state: 'compensated', start: 100, end: 900,
      steps: [{ name: 'reserve', state: 'done', attempts: 1, start: 100, end: 200, result: 'ok' }, { name: 'refund', state: 'done', attempts: 2, start: 300, end: 900, result: '' }],
    }]);
    assert.deepEqual(s.traces(), [{ id: 17, kind: 'order', client: 'client-07', start: 4000, duration: -1, outcome: '', spans: 4 }]);
  });

  test('an epoch change is a reset: chart history and the log start over', () => {
    const { s } = joined();
    s.receive(frame(2, 5200, [at('gw.tp'), 30]));
    assert.equal(s.history('gw').length, 4);
    const u = s.receive(frame(3, 0, [at('run.epoch'), 1, at('gw.tp'), 0, at('run.state'), 'paused'], { ev: [[1, 0, 'reset', 'lab', 'reset']] }));
    assert.equal(u.reset, true);
    assert.equal(u.cleared, true);
    assert.deepEqual(u.events.map((e) => e.seq), [1], 'sequence numbers start again after a reset');
    assert.deepEqual(s.history('gw'), [{ t: 0, tp: 0, er: 0, p50: 0, p99: 0 }]);
    assert.deepEqual(s.history('e.orders>payment').map((p) => p.t), [0]);
  });

  test('frames closer than 0.1 s replace the last chart point; a minute is kept', () => {
    const { s } = joined();
    s.receive(frame(2, 5050, [at('gw.tp'), 9]));
    assert.deepEqual(s.history('gw').map((p) => [p.t, p.tp]), [[3, 10], [4, 11], [5.05, 9]]);
    s.receive(frame(3, 64500, [at('gw.tp'), 1]));
    assert.deepEqual(s.history('gw').map((p) => p.t), [5.05, 64.5]);
  });

  test('unknown keys and positions past the schema are ignored', () => {
    const { s } = joined();
    const before = JSON.stringify([s.run(), s.gateway(), s.edgeState('orders>payment')]);
    const u = s.receive(frame(2, 5000, [at('zz.future'), 'whatever', KEYS.length + 3, 99]));
    assert.equal(u.frame, true);
    assert.equal(JSON.stringify([s.run(), s.gateway(), s.edgeState('orders>payment')]), before);
  });

  test('messages of a type it does not know change nothing', () => {
    const { s } = joined({ 'run.state': 'running', 'run.epoch': 0, 'gw.tp': 20 });
    assert.equal(s.receive({ type: 'weather', d: [at('gw.tp'), 1] }), null);
    assert.equal(s.gateway().tp, 20);
  });
});

describe('questions', () => {
  test('scenario steps, checks and the prediction', () => {
    const { s } = joined({
      'run.epoch': 0, 'sc.pred': 1, 'sc.stage': 2, 'sc.ask': 2, 'sc.g.0.ans': -1, 'sc.g.2.ans': 3,
      'sc.s.0.st': 'error: payment-9 does not run',
      'sc.c.0.st': 'pass', 'sc.c.0.d': 'opened at 12 s', 'sc.c.1.st': '',
    });
    assert.deepEqual(s.scenario(), { prediction: 1, ended: false, stage: 2, asking: 2 });
    assert.equal(s.stageAnswer(0), -1);
    assert.equal(s.stageAnswer(2), 3);
    assert.equal(s.stageAnswer(7), -1, 'a stage the schema does not have');
    assert.deepEqual(s.step(0), { state: 'error', error: 'payment-9 does not run' });
    assert.deepEqual(s.check(0), { state: 'pass', detail: 'opened at 12 s' });
    assert.deepEqual(s.checks(), [{ index: 0, state: 'pass', detail: 'opened at 12 s' }, { index: 1, state: '', detail: '' }]);
  });

  test('chart subjects and their figures', () => {
    const { s } = joined({
      'run.epoch': 0, 'e.orders>payment.tp': 3, 'e.orders>payment.p99': 250, 'gw.p50': 4,
      'e.orders>payment.br.fr': 0.45, 'e.orders>payment.br.sr': 0.1, 'e.orders>payment.br.thr': 0.5, 'e.orders>payment.br.slowthr': 0.8, 'e.orders>payment.br.en': 1,
    });
    assert.deepEqual(s.chartSubjects(), ['gw', 'e.orders>payment']);
    assert.deepEqual(s.series('e.orders>payment'), { tp: 3, er: 0, p50: 0, p99: 250, br: 1, fr: 0.45, sr: 0.1, thr: 0.5, slowthr: 0.8 });
    assert.deepEqual(s.series('gw'), { tp: 0, er: 0, p50: 4, p99: 0 });
  });

  test('a trace reply becomes plain spans', () => {
    const s = new LabState();
    const u = s.receive({
      type: 'trace', id: 4,
      trace: { id: 17, kind: 'order', client: 'client-07', spans: [{ parent: -1, name: 'gateway', detail: 'POST /orders', start_ms: 10, duration_ms: 5, outcome: '200' }] },
    });
    assert.deepEqual(u.trace, { id: 17, kind: 'order', client: 'client-07', spans: [{ parent: -1, name: 'gateway', detail: 'POST /orders', start: 10, duration: 5, outcome: '200' }] });
  });
});

describe('messaging', () => {
  test('the broker reads the events lost and the outbox, and a group its inbox', () => {
    const { s } = joined({
      'run.state': 'running', 'brk.up': 0, 'brk.mode': 'fail', 'brk.lost': 94, 'brk.ob': 1, 'brk.obpoll': 1000,
      'brk.obunsent': 110, 'brk.obinfl': 10, 'brk.obrel': 250, 'brk.obrep': 10, 'brk.obmax': 11970,
      'grp.shipping.inbox': 1, 'grp.shipping.again': 9, 'grp.shipping.drop': 3,
    });
    assert.deepEqual(s.broker(), {
      up: false, mode: 'fail', lost: 94,
      outbox: { on: true, pollMS: 1000, unsent: 110, inFlight: 10, relayed: 250, republished: 10, maxWait: 11970 },
    });
    const g = s.group('shipping');
    assert.equal(g.inbox, true);
    assert.equal(g.again, 9);
    assert.equal(g.dropped, 3);
  });

  test('an outbox never switched on reads off and empty', () => {
    const { s } = joined();
    assert.deepEqual(s.broker().outbox, { on: false, pollMS: 0, unsent: 0, inFlight: 0, relayed: 0, republished: 0, maxWait: 0 });
    assert.equal(s.group('shipping').inbox, false);
  });
});
