// The lab's websocket: connect, reconnect after a dropped line with a
// growing pause, and send commands with ids the server echoes in its ack
// or error. It knows nothing of the page; what happens is told to the
// handlers.

// Close codes after which the lab is gone and reconnecting is pointless:
// ended by its owner or for idleness, the server going away, a policy
// violation, a message too big.
const FINAL = new Set([1000, 1001, 1008, 1009]);
const MAX_RETRIES = 8;

export const retryDelay = (retries) => Math.min(8000, 300 * 2 ** retries);

export class Connection {
  #url;
  #h;
  #WebSocket;
  #setTimeout;
  #ws = null;
  #early;
  #retries = 0;
  #nextID = 1;

  // handlers: onMessage(m) for every message but replies; onReply({ok, id,
  // message}) for an ack or error; onStatus(state, label) with state
  // connecting, live or closed; onClose({final, ended, problem}) each time
  // the socket closes: final when it will not come back (ended when the
  // server said so), problem being what to tell the reader then.
  //
  // early, when given, is a socket the page opened before its modules
  // arrived, { ws, messages, closed }: the messages it heard meanwhile and
  // its close event, if it closed. The first start adopts it instead of
  // dialling again.
  constructor(url, handlers, { WebSocket = globalThis.WebSocket, setTimeout = globalThis.setTimeout, early = null } = {}) {
    this.#url = url;
    this.#early = early;
    this.#h = handlers;
    this.#WebSocket = WebSocket;
    this.#setTimeout = setTimeout;
  }

  start() {
    const early = this.#early;
    this.#early = null;
    const ws = early ? early.ws : new this.#WebSocket(this.#url);
    this.#ws = ws;
    this.#h.onStatus('connecting', this.#retries ? 'Reconnecting…' : 'Connecting…');
    ws.onmessage = (e) => {
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      if (m && (m.type === 'ack' || m.type === 'error')) this.#h.onReply({ ok: m.type === 'ack', id: m.id, message: m.message });
      else this.#h.onMessage(m);
    };
    ws.onclose = (e) => this.#closed(e);
    if (!early) return;
    for (const e of early.messages) ws.onmessage(e);
    if (early.closed) this.#closed(early.closed);
  }

  // established is called once the server has sent its state: the line is
  // good again, and a later drop starts counting retries from zero.
  established() {
    this.#retries = 0;
    this.#h.onStatus('live', 'Live');
  }

  #closed(e) {
    if (FINAL.has(e.code)) {
      const why = e.reason || (e.code === 1001 ? 'The server is restarting.' : 'The connection was closed.');
      this.#h.onStatus('closed', 'Disconnected');
      this.#h.onClose({ final: true, ended: true, problem: why + ' Labs live on the server; start another from the labs page.' });
      return;
    }
    this.#retries++;
    if (this.#retries > MAX_RETRIES) {
      this.#h.onStatus('closed', 'Disconnected');
      this.#h.onClose({ final: true, ended: false, problem: 'Lost the connection to this lab, and it did not come back. It may have ended; reload the page to try again.' });
      return;
    }
    this.#h.onStatus('connecting', 'Reconnecting…');
    this.#h.onClose({ final: false, ended: false, problem: '' });
    this.#setTimeout(() => this.start(), retryDelay(this.#retries));
  }

  // send gives msg the next id and sends it; it answers that id, or 0 when
  // there is no open socket and nothing was sent.
  send(msg) {
    if (!this.#ws || this.#ws.readyState !== this.#WebSocket.OPEN) return 0;
    const id = this.#nextID++;
    this.#ws.send(JSON.stringify({ ...msg, id }));
    return id;
  }
}
