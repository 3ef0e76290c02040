// Tests for the websocket client: ids on commands, replies routed apart,
// reconnecting with a growing pause, and giving up.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Connection, retryDelay } from './connection.js';

// FakeSocket stands in for the browser's WebSocket; every one made is kept.
class FakeSocket {
  static OPEN = 1;
  static made = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.made.push(this);
  }
  send(data) {
    this.sent.push(JSON.parse(data));
  }
}

function setup(early = null) {
  FakeSocket.made = [];
  const log = [];
  const timers = [];
  const conn = new Connection('ws://lab/ws', {
    onMessage: (m) => log.push(['message', m.type]),
    onReply: (r) => log.push(['reply', r]),
    onStatus: (st, label) => log.push(['status', st, label]),
    onClose: (c) => log.push(['close', c.final, c.ended]),
  }, { WebSocket: FakeSocket, setTimeout: (fn, ms) => timers.push([fn, ms]), early });
  conn.start();
  return { conn, log, timers, socket: () => FakeSocket.made.at(-1) };
}

test('commands get rising ids; nothing is sent before the socket opens', () => {
  const { conn, socket } = setup();
  assert.equal(conn.send({ type: 'pause' }), 0);
  socket().readyState = FakeSocket.OPEN;
  assert.equal(conn.send({ type: 'pause' }), 1);
  assert.equal(conn.send({ type: 'step', ms: 100 }), 2);
  assert.deepEqual(socket().sent, [{ type: 'pause', id: 1 }, { type: 'step', ms: 100, id: 2 }]);
});

test('acks and errors go to onReply, the rest to onMessage, bad JSON nowhere', () => {
  const { log, socket } = setup();
  log.length = 0;
  for (const data of ['{"type":"hello"}', '{"type":"ack","id":3,"command":"kill","message":"killed payment-1"}',
    '{"type":"error","id":4,"code":"invalid","message":"no"}', 'not json']) socket().onmessage({ data });
  assert.deepEqual(log, [
    ['message', 'hello'],
    ['reply', { ok: true, id: 3, message: 'killed payment-1' }],
    ['reply', { ok: false, id: 4, message: 'no' }],
  ]);
});

test('a dropped line reconnects after a growing pause; the snapshot makes it live again', () => {
  const { conn, log, timers, socket } = setup();
  assert.deepEqual(log, [['status', 'connecting', 'Connecting…']]);
  socket().onclose({ code: 1006, reason: '' });
  assert.deepEqual(timers.map(([, ms]) => ms), [600]);
  timers[0][0]();
  assert.equal(FakeSocket.made.length, 2);
  assert.deepEqual(log.at(-1), ['status', 'connecting', 'Reconnecting…']);
  socket().onclose({ code: 1006, reason: '' });
  assert.equal(timers[1][1], 1200);
  timers[1][0]();
  conn.established();
  assert.deepEqual(log.at(-1), ['status', 'live', 'Live']);
  socket().onclose({ code: 1006, reason: '' });
  assert.equal(timers[2][1], 600, 'counting starts again once live');
});

test('after eight failed tries it gives up', () => {
  const { log, timers, socket } = setup();
  for (let i = 0; i < 8; i++) {
    socket().onclose({ code: 1006 });
    timers.at(-1)[0]();
  }
  socket().onclose({ code: 1006 });
  assert.equal(timers.length, 8);
  assert.deepEqual(log.at(-1), ['close', true, false]);
  assert.deepEqual(log.at(-2), ['status', 'closed', 'Disconnected']);
  assert.deepEqual(timers.map(([, ms]) => ms), [600, 1200, 2400, 4800, 8000, 8000, 8000, 8000]);
});

test('a lab that ended does not reconnect', () => {
  for (const code of [1000, 1001, 1008, 1009]) {
    const { log, timers, socket } = setup();
    socket().onclose({ code, reason: '' });
    assert.equal(timers.length, 0, `code ${code}`);
    assert.deepEqual(log.at(-1), ['close', true, true]);
  }
  assert.equal(retryDelay(1), 600);
});

test('a socket the page opened early is adopted with what it heard, in order', () => {
  const ws = new FakeSocket('ws://lab/ws');
  const { log } = setup({ ws, messages: [{ data: '{"type":"hello"}' }, { data: '{"type":"snapshot"}' }], closed: null });
  assert.equal(FakeSocket.made.length, 0, 'no second dial');
  assert.deepEqual(log, [['status', 'connecting', 'Connecting…'], ['message', 'hello'], ['message', 'snapshot']]);
  ws.onmessage({ data: '{"type":"frame"}' });
  assert.deepEqual(log.at(-1), ['message', 'frame']);
});

test('an early socket that closed before the modules came is handled as a drop', () => {
  const ws = new FakeSocket('ws://lab/ws');
  const { log, timers } = setup({ ws, messages: [], closed: { code: 1006, reason: '' } });
  assert.deepEqual(timers.map(([, ms]) => ms), [600]);
  timers[0][0]();
  assert.equal(FakeSocket.made.length, 1, 'the retry dials anew');
  assert.deepEqual(log.at(-1), ['status', 'connecting', 'Reconnecting…']);
  const ended = setup({ ws: new FakeSocket('ws://lab/ws'), messages: [], closed: { code: 1000, reason: 'The lab ended.' } });
  assert.deepEqual(ended.log.at(-1), ['close', true, true]);
  assert.equal(ended.timers.length, 0);
});
