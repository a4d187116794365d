// An in-test stand-in for the network and the Tandem server, for testing the protocol client
// without a JVM: a fake clock with timers, a WebSocket class with the browser API that the
// client is given instead of the real one, and a server that speaks DESIGN.md's protocol over it
// with a pure sequencer model (transform an incoming op against the ops committed after its base,
// assign the next revision, send it in a binary `ops` frame to every subscriber, its sender
// included, for whom it is the ack; answer a resubmission with its old ack, and a different op under a
// stored (client, seq) with seq_reused), the server's presence (a joiner hears of every client
// present and they of it; a client id on another socket stays present) and, when given a
// `verify` function, its tokens (hello refused with unauthorized and 1008, auth answered with
// authed or unauthorized, expiry as unauthorized and 1008). Given `owners`, it is a cluster whose
// nodes are the URLs the sockets were made for: `open` or `submit` of a document on a socket to
// another URL than its owner's is answered `moved` with the owner's URL. Nothing is delivered
// inside send(): events wait in one queue until the test runs the network, as on a real event
// loop.

import { TextOperation, transformSelection } from '../../src/index.js';

/** Timers on a manual clock: nothing fires until `advance`. */
export class FakeClock {
  now = 0;
  #nextId = 1;
  /** @type {Map<number, {at: number, fn: Function}>} */
  #timers = new Map();

  setTimeout = (fn, ms = 0) => {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.now + Math.max(0, ms), fn });
    return id;
  };

  clearTimeout = (id) => {
    this.#timers.delete(id);
  };

  /** The delays of the pending timers, from now. */
  pending() {
    return [...this.#timers.values()].map((t) => t.at - this.now).sort((a, b) => a - b);
  }

  /**
   * Moves the clock forward, firing due timers in order; `between` runs after each (to deliver
   * what a timer sent).
   * @param {number} ms
   * @param {() => void} [between]
   */
  advance(ms, between = () => {}) {
    const end = this.now + ms;
    for (;;) {
      let due = null;
      for (const [id, timer] of this.#timers) {
        if (timer.at <= end && (due === null || timer.at < due[1].at)) {
          due = [id, timer];
        }
      }
      if (due === null) {
        break;
      }
      this.#timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
      between();
    }
    this.now = end;
  }
}

/** The network: one queue of pending deliveries, and the server behind it. */
export class FakeNetwork {
  /** @type {Function[]} */
  #queue = [];
  up = true;
  /** @type {Set<string>} URLs no socket reaches (a node that is gone), while the network is up */
  unreachable = new Set();
  /** @type {FakeServer} */
  server;
  /** every socket ever made, newest last */
  sockets = [];

  constructor() {
    this.server = new FakeServer(this);
    const network = this;
    /** A WebSocket with the browser API, bound to this network. */
    this.WebSocket = class FakeWebSocket {
      static CONNECTING = 0;
      static OPEN = 1;
      static CLOSING = 2;
      static CLOSED = 3;
      readyState = 0;
      /** @type {Map<string, Function[]>} */
      #listeners = new Map();

      /** @param {string} url */
      constructor(url) {
        this.url = url;
        /** @type {string[]} every frame this socket sent */
        this.sent = [];
        network.sockets.push(this);
        network.enqueue(() => {
          if (this.readyState !== 0 || this.serverClosing) {
            return;
          }
          if (!network.up || network.unreachable.has(this.url)) {
            this.readyState = 3;
            this.dispatch('error', {});
            this.dispatch('close', { code: 1006, reason: '' });
            return;
          }
          this.readyState = 1;
          this.peer = network.server.accept(this);
          this.dispatch('open', {});
        });
      }

      addEventListener(type, listener) {
        if (!this.#listeners.has(type)) {
          this.#listeners.set(type, []);
        }
        this.#listeners.get(type).push(listener);
      }

      /** @param {string} text */
      send(text) {
        if (this.readyState === 0) {
          throw new Error('InvalidStateError: still connecting');
        }
        if (this.readyState !== 1) {
          return; // a browser discards frames sent on a closed socket
        }
        this.sent.push(text);
        const peer = this.peer;
        network.enqueue(() => peer.isOpen && peer.receive(text));
      }

      close(code = 1000, reason = '') {
        if (this.readyState >= 2) {
          return;
        }
        const wasOpen = this.readyState === 1;
        this.readyState = 2;
        network.enqueue(() => {
          this.readyState = 3;
          if (wasOpen && !this.vanished) {
            this.peer.gone(); // a close frame on a vanished network never arrives
          }
          this.dispatch('close', { code, reason });
        });
      }

      /**
       * The server side ends the socket: the client sees close with `code`, after what the server
       * sent before (an error before a 1008, say).
       */
      serverClosed(code, reason = '') {
        if (this.readyState >= 2 || this.serverClosing) {
          return;
        }
        this.serverClosing = true;
        this.peer?.gone(); // none yet if the socket was still connecting
        network.enqueue(() => {
          this.readyState = 3;
          this.dispatch('close', { code, reason });
        });
      }

      /** @param {string | ArrayBuffer} data a text or binary frame from the server */
      deliver(data) {
        const socket = this;
        network.enqueue(
          () => socket.readyState === 1 && socket.dispatch('message', { data }),
        );
      }

      dispatch(type, event) {
        for (const listener of this.#listeners.get(type) ?? []) {
          listener({ type, ...event });
        }
      }
    };
  }

  /** @param {Function} delivery */
  enqueue(delivery) {
    this.#queue.push(delivery);
  }

  /** Delivers everything on the way, including what deliveries send. */
  run() {
    while (this.#queue.length > 0) {
      /** @type {Function} */ (this.#queue.shift())();
    }
  }

  /** Drops every queued delivery: what was on the way is lost. */
  loseInFlight() {
    this.#queue = [];
  }

  /**
   * A socket's network vanishes without a word: nothing it sends arrives, nothing reaches it, and
   * neither end is told. The server finds it dead later (`FakeServer.dead`), the client by ping.
   * @param {any} socket
   */
  vanish(socket) {
    socket.vanished = true;
    socket.send = () => {};
    socket.deliver = () => {};
  }

  /** Every open socket breaks as a network failure would (code 1006). */
  cut() {
    for (const socket of this.sockets) {
      socket.serverClosed(1006);
    }
  }
}

/** The server end of one socket. */
class ServerConnection {
  isOpen = true;
  clientId = null;
  /** the principal of its token, when the server checks tokens */
  principal = null;
  /** @type {Set<string>} */
  documents = new Set();
  /** the presence last published or announced, by document */
  /** @type {Map<string, any>} */
  presences = new Map();

  /**
   * @param {FakeServer} server
   * @param {any} socket
   */
  constructor(server, socket) {
    this.server = server;
    this.socket = socket;
  }

  /** @param {string} text */
  receive(text) {
    this.server.received.push(JSON.parse(text));
    this.server.handle(this, JSON.parse(text));
  }

  /** @param {object} message */
  send(message) {
    if (this.isOpen) {
      this.socket.deliver(JSON.stringify(message));
    }
  }

  /** @param {object} message sent as UTF-8 JSON in a binary frame, as the server sends `ops` */
  sendBinary(message) {
    if (this.isOpen) {
      this.socket.deliver(new TextEncoder().encode(JSON.stringify(message)).buffer);
    }
  }

  gone() {
    if (!this.isOpen) {
      return;
    }
    this.isOpen = false;
    this.server.disconnected(this);
  }
}

/** DESIGN.md's protocol over a pure sequencer model, one document map in memory. */
export class FakeServer {
  /** @type {Map<string, {text: string, log: any[], bySeq: Map<string, number>}>} */
  documents = new Map();
  /** @type {Set<ServerConnection>} */
  connections = new Set();
  /** every message received, in order */
  received = [];
  /** refuse the next submits with a retryable `refuseCode` */
  refuseSubmits = 0;
  refuseCode = 'unavailable';
  /** commit the next submits but lose their acks, as if the socket broke right after commit */
  loseAcks = 0;
  /** refuse the next submits as invalid ops (not retryable) */
  refuseInvalid = 0;
  duplicateSubmits = 0;
  seqReusedRefusals = 0;
  /**
   * The most missed ops in `opened`; older ones come first in `ops` messages of up to this many
   * ops each, as the real server pages a long catch-up.
   */
  catchUpPage = Infinity;
  /** `ops` messages sent for catch-ups so far */
  catchUpMessages = 0;
  /**
   * Checks tokens when set: a token's principal `{user, name, color?, exp?}`, or null if refused.
   * Unset, every token is taken and the user is `user-<client id>`.
   * @type {((token: string) => {user: string, name: string, color?: string, exp?: number} |
   *   null) | null}
   */
  verify = null;
  /** documents the principal of a connection may read, by user; unset: every document */
  /** @type {((user: string, docId: string) => boolean) | null} */
  mayRead = null;
  /** documents whose submits wait in `held` until `release`, as behind a slow database */
  /** @type {Set<string>} */
  holding = new Set();
  /** @type {{from: ServerConnection, message: any}[]} */
  held = [];
  /**
   * The URL of the node that owns each document, as on a cluster (docs/scaling.md): an `open` or
   * `submit` on a socket to another URL is answered `moved {url}`. Unset documents: any URL.
   * @type {Map<string, string>}
   */
  owners = new Map();
  /** `moved` errors sent so far */
  movedSent = 0;
  /**
   * where each pruned document's history starts: an open below it is resynced, and a new op on a
   * base below it refused with `gone`, as the server does
   */
  /** @type {Map<string, number>} */
  prunedBefore = new Map();

  /** @param {FakeNetwork} network */
  constructor(network) {
    this.network = network;
  }

  accept(socket) {
    const connection = new ServerConnection(this, socket);
    this.connections.add(connection);
    return connection;
  }

  document(docId) {
    if (!this.documents.has(docId)) {
      this.documents.set(docId, { text: '', log: [], bySeq: new Map() });
    }
    return /** @type {any} */ (this.documents.get(docId));
  }

  /**
   * @param {ServerConnection} from
   * @param {any} message
   */
  handle(from, message) {
    if (message.type === 'hello') {
      if (this.verify === null) {
        from.clientId = message.client;
        from.send({ type: 'welcome', client: message.client, user: `user-${message.client}` });
        return;
      }
      const principal = this.verify(message.token);
      if (principal === null) {
        from.send({ type: 'error', code: 'unauthorized', message: 'bad token', retryable: false });
        from.socket.serverClosed(1008, 'unauthorized');
        return;
      }
      from.clientId = message.client;
      from.principal = principal;
      from.send({ type: 'welcome', client: message.client, ...principal });
      return;
    }
    if (message.type === 'auth') {
      const principal = this.verify?.(message.token) ?? null;
      if (principal === null || principal.user !== from.principal?.user) {
        from.send({ type: 'error', code: 'unauthorized', message: 'refused', retryable: false });
        return;
      }
      from.principal = principal;
      from.send({ type: 'authed', user: principal.user, exp: principal.exp });
      for (const docId of [...from.documents]) {
        if (this.mayRead !== null && !this.mayRead(principal.user, docId)) {
          this.leave(from, docId);
          from.send({
            type: 'error',
            code: 'forbidden',
            doc: docId,
            message: 'no longer readable',
          });
        }
      }
      return;
    }
    if (from.clientId === null) {
      from.send({ type: 'error', code: 'bad_request', message: 'hello first', retryable: false });
      return;
    }
    const owner = this.owners.get(message.doc);
    if ((message.type === 'open' || message.type === 'submit') && owner !== undefined) {
      if (owner !== from.socket.url) {
        this.movedSent++;
        from.send({
          type: 'error',
          doc: message.doc,
          ...(message.type === 'submit' ? { seq: message.seq } : {}),
          code: 'moved',
          message: `served by ${owner}`,
          retryable: true,
          url: owner,
        });
        return;
      }
    }
    switch (message.type) {
      case 'open': {
        const doc = this.document(message.doc);
        from.documents.add(message.doc);
        if (message.rev !== undefined && message.rev < (this.prunedBefore.get(message.doc) ?? 0)) {
          const own = doc.log.filter((c) => c.client === from.clientId).map((c) => c.seq);
          from.send({
            type: 'opened',
            doc: message.doc,
            rev: doc.log.length,
            text: doc.text,
            resync: true,
            ...(own.length > 0 ? { seq: Math.max(...own) } : {}),
          });
        } else if (message.rev === undefined) {
          from.send({ type: 'opened', doc: message.doc, rev: doc.log.length, text: doc.text });
        } else {
          const ops = doc.log.slice(message.rev).map((c) => ({ ...c, op: c.op.toJSON() }));
          const lastPage = Math.max(0, ops.length - this.catchUpPage);
          for (let start = 0; start < lastPage; start += this.catchUpPage) {
            const page = ops.slice(start, Math.min(lastPage, start + this.catchUpPage));
            from.sendBinary({ type: 'ops', doc: message.doc, ops: page });
            this.catchUpMessages++;
          }
          const last = ops.slice(lastPage);
          from.send({ type: 'opened', doc: message.doc, rev: doc.log.length, ops: last });
        }
        this.join(from, message.doc);
        break;
      }
      case 'submit':
        if (this.holding.has(message.doc)) {
          this.held.push({ from, message });
        } else {
          this.submit(from, message);
        }
        break;
      case 'presence': {
        const published = { ...message, client: from.clientId, user: `user-${from.clientId}` };
        from.presences.set(message.doc, published);
        this.relay(from, message.doc, published);
        break;
      }
      case 'close':
        this.leave(from, message.doc);
        from.send({ type: 'closed', doc: message.doc });
        break;
      case 'ping':
        from.send({ type: 'pong' });
        break;
      default:
        from.send({ type: 'error', code: 'bad_request', message: `unknown ${message.type}` });
    }
  }

  /**
   * Sequences the held submits of `docId` in order, even those whose socket is gone since (their
   * answers are lost, their commits broadcast), and stops holding its submits. The commits go as
   * one group: one `ops` frame to every subscriber, as the server sends a group commit.
   * @param {string} docId
   */
  release(docId) {
    this.holding.delete(docId);
    const due = this.held.filter((h) => h.message.doc === docId);
    this.held = this.held.filter((h) => h.message.doc !== docId);
    const group = [];
    due.forEach(({ from, message }) => this.submit(from, message, group));
    if (group.length > 0) {
      const ops = { type: 'ops', doc: docId, ops: group };
      this.subscribers(docId).forEach((subscriber) => subscriber.sendBinary(ops));
    }
  }

  /**
   * @param {ServerConnection} from
   * @param {any} message
   * @param {any[]} [group] where a commit goes instead of being sent at once
   */
  submit(from, { doc: docId, rev, op: wire, seq }, group = undefined) {
    const doc = this.document(docId);
    const key = `${from.clientId}/${seq}`;
    const earlier = doc.bySeq.get(key);
    if (earlier !== undefined) {
      if (!this.sameOp(doc, earlier, rev, wire)) {
        this.seqReusedRefusals++;
        from.send({
          type: 'error',
          doc: docId,
          seq,
          code: 'seq_reused',
          message: `client ${from.clientId} seq ${seq} is another op at revision ${earlier}`,
          retryable: false,
        });
        return;
      }
      this.duplicateSubmits++;
      from.send({ type: 'ack', doc: docId, rev: earlier, seq });
      return;
    }
    if (rev < (this.prunedBefore.get(docId) ?? 0)) {
      from.send({
        type: 'error',
        doc: docId,
        seq,
        code: 'gone',
        message: `revision ${rev} was pruned`,
        retryable: false,
      });
      return;
    }
    if (this.refuseSubmits > 0) {
      this.refuseSubmits--;
      from.send({
        type: 'error',
        doc: docId,
        seq,
        code: this.refuseCode,
        message: `refused: ${this.refuseCode}`,
        retryable: true,
      });
      return;
    }
    if (this.refuseInvalid > 0) {
      this.refuseInvalid--;
      from.send({
        type: 'error',
        doc: docId,
        seq,
        code: 'invalid_op',
        message: 'refused',
        retryable: false,
      });
      return;
    }
    let op;
    try {
      op = TextOperation.fromJSON(wire);
      for (const concurrent of doc.log.slice(rev)) {
        op = TextOperation.transform(op, concurrent.op).left; // the incoming op is LEFT
      }
      doc.text = op.apply(doc.text);
    } catch (error) {
      from.send({
        type: 'error',
        doc: docId,
        seq,
        code: 'invalid_op',
        message: error.message,
        retryable: false,
      });
      return;
    }
    const committed = {
      rev: doc.log.length + 1,
      op,
      client: from.clientId,
      seq,
      user: `user-${from.clientId}`,
    };
    doc.log.push(committed);
    doc.bySeq.set(key, committed.rev);
    if (group !== undefined) {
      group.push({ ...committed, op: op.toJSON() });
      return;
    }
    const ops = { type: 'ops', doc: docId, ops: [{ ...committed, op: op.toJSON() }] };
    for (const other of this.subscribers(docId)) {
      if (other !== from) {
        other.sendBinary(ops);
      }
    }
    if (this.loseAcks > 0) {
      this.loseAcks--;
      from.socket.serverClosed(1006); // committed, but its own op (its ack) never reaches it
      return;
    }
    from.sendBinary(ops); // the sender's own op is its ack
  }

  /**
   * Whether a submit of `wire` on base `rev` is the op stored at `revision`: transformed from its
   * base up to revision - 1, one committed op at a time, it equals the stored op.
   */
  sameOp(doc, revision, rev, wire) {
    try {
      let op = TextOperation.fromJSON(wire);
      if (!Number.isInteger(rev) || rev < 0 || rev >= revision) {
        return false;
      }
      for (const concurrent of doc.log.slice(rev, revision - 1)) {
        op = TextOperation.transform(op, concurrent.op).left;
      }
      return op.equals(doc.log[revision - 1].op);
    } catch {
      return false;
    }
  }

  subscribers(docId) {
    return [...this.connections].filter((c) => c.isOpen && c.documents.has(docId));
  }

  /**
   * As the server: the joiner hears of every other client present, moved to the head (idle ones
   * with an empty selection), and they of the joiner.
   * @param {ServerConnection} joiner
   * @param {string} docId
   */
  join(joiner, docId) {
    const doc = this.document(docId);
    for (const other of this.subscribers(docId)) {
      const present = other.presences.get(docId);
      if (other !== joiner && other.clientId !== joiner.clientId && present !== undefined) {
        let selection = present.selection;
        for (const committed of doc.log.slice(present.rev)) {
          selection = transformSelection(selection, committed.op);
        }
        joiner.send({ ...present, rev: doc.log.length, selection });
      }
    }
    const joined = {
      type: 'presence',
      doc: docId,
      client: joiner.clientId,
      user: `user-${joiner.clientId}`,
      rev: doc.log.length,
      selection: [],
      meta: {},
    };
    joiner.presences.set(docId, joined);
    this.relay(joiner, docId, joined);
  }

  /** Tells the other clients of a document, not the sender's own client id. */
  relay(from, docId, message) {
    for (const other of this.subscribers(docId)) {
      if (other !== from && other.clientId !== message.client) {
        other.send(message);
      }
    }
  }

  /** A client that is still present on another socket stays; else it left. */
  leave(connection, docId) {
    connection.documents.delete(docId);
    const still = this.subscribers(docId).find((c) => c.clientId === connection.clientId);
    this.relay(
      connection,
      docId,
      still?.presences.get(docId) ?? {
        type: 'presence',
        doc: docId,
        client: connection.clientId,
        left: true,
      },
    );
  }

  /**
   * The server's keep-alive found the socket dead (no pong): it is closed, and its client leaves.
   * @param {any} socket
   */
  dead(socket) {
    socket.peer.gone();
  }

  /** @param {ServerConnection} connection */
  disconnected(connection) {
    this.connections.delete(connection);
    for (const docId of [...connection.documents]) {
      this.leave(connection, docId);
    }
  }

  /**
   * Deletes a document, as `DELETE /api/docs/{id}`: every socket that has it open gets
   * `error not_found` with its `doc`, and no longer has it open.
   * @param {string} docId
   */
  deleteDocument(docId) {
    this.documents.delete(docId);
    for (const connection of this.subscribers(docId)) {
      connection.documents.delete(docId);
      connection.presences.delete(docId);
      connection.send({
        type: 'error',
        doc: docId,
        code: 'not_found',
        message: `document '${docId}' was deleted`,
        retryable: false,
      });
    }
  }

  /** Every connection's token expires: `error unauthorized`, then close 1008, as the server. */
  expireAll() {
    for (const connection of [...this.connections]) {
      connection.send({
        type: 'error',
        code: 'unauthorized',
        message: 'token expired',
        retryable: false,
      });
      connection.socket.serverClosed(1008, 'token expired');
    }
  }

  /** Closes every connection with `code` (1008: policy violation, 1001: going away). */
  closeAll(code) {
    for (const connection of [...this.connections]) {
      connection.socket.serverClosed(code);
    }
  }
}
