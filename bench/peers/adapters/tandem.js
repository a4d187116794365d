'use strict';
// Tandem adapter for loadgen.js (contract: see the top of adapters/sharedb.js).
//
// Tandem is a Java OT server with a central sequencer per document that commits every op to
// PostgreSQL before it acknowledges and broadcasts it. Its WebSocket protocol (Tandem README,
// "Protocol reference"), as used here:
//
//   client -> server  {type:'hello', token:'', client:<id>, protocol:1}   -> {type:'welcome', ...}
//                     {type:'open', doc}                                 -> {type:'opened', doc, rev, text}
//                     {type:'submit', doc, rev, op, seq}
//   server -> client  {type:'ops', doc, ops: [{rev, op, client, seq, user}, ...]}  in a BINARY frame
//                       (UTF-8 JSON): the ops of one group commit, every client's, this one's
//                       included: an own op (this client id, the seq in flight) is its ack
//                     {type:'ack', doc, rev, seq}  only for a resubmit of an op committed earlier
//                     {type:'error', code, message, retryable, doc?, seq?}
//
// This is the one delivery protocol that client-js and client-java speak (Tandem's
// docs/protocol.md); this file is bench/peers' copy of ../shared/bench/peers/adapters/tandem.js
// changed to speak it (the shared one speaks the former plain `op`/`ack`). REST: PUT /api/docs/{id} {text} creates a
// document (rev 0); GET /api/docs/{id} -> {id, rev, text} reads the server's head (used for
// fetchSnapshot, i.e. the convergence check).
//
// The client is a real OT client, the ot.js state machine that client-js/client-java implement:
// one op in flight, later local ops composed into a buffer, every remote op transformed against
// the in-flight op and the buffer (the local op is the LEFT argument: its insert goes first on a
// tie, exactly as the Tandem server transforms an incoming op against committed ones) and then
// applied to the local replica. For an apples-to-apples load-generator cost the replica and the
// algebra are the SAME `ot-text-unicode` functions the ShareDB client uses (type.apply,
// type.transform, type.compose) on a plain JS string; only the wire form is converted:
//
//   Tandem wire op (code points, spans the whole document): n > 0 retain, "s" insert, -n delete,
//     e.g. [5, "hi", -3, 10]; base length = document length at the op's base revision.
//   ot-text-unicode op (code points, trailing retain trimmed): n skip, "s" insert, {d: n} delete,
//     e.g. [5, "hi", {d: 3}].
//
// The document's length in code points is tracked incrementally (initial count once, then
// +inserted -deleted per op), so the conversion never scans the document.

const crypto = require('crypto');
const WebSocket = require('ws');
const textUnicode = require('ot-text-unicode');
const {strPosToUni} = require('unicount');

const type = textUnicode.type;

function pkgVersion(name) {
  try {
    return require(name + '/package.json').version;
  } catch (e) {
    return null;
  }
}

// ---------------------------------------------------------------- op conversion
const dlen = (d) => (typeof d === 'number' ? d : strPosToUni(d));

/** Tandem wire op -> ot-text-unicode op (trailing retain dropped). */
function fromWire(wire) {
  if (!Array.isArray(wire)) throw new Error('op is not an array: ' + JSON.stringify(wire));
  const op = [];
  for (let i = 0; i < wire.length; i++) {
    const c = wire[i];
    if (typeof c === 'string') {
      if (c.length === 0) continue;
      if (op.length && typeof op[op.length - 1] === 'string') op[op.length - 1] += c;
      else op.push(c);
    } else if (typeof c === 'number' && Number.isInteger(c) && c !== 0) {
      if (c > 0) {
        if (op.length && typeof op[op.length - 1] === 'number') op[op.length - 1] += c;
        else op.push(c);
      } else {
        const last = op[op.length - 1];
        if (op.length && typeof last === 'object') last.d += -c;
        else op.push({d: -c});
      }
    } else {
      throw new Error('bad op component ' + JSON.stringify(c) + ' in ' + JSON.stringify(wire));
    }
  }
  if (op.length && typeof op[op.length - 1] === 'number') op.pop();
  return op;
}

/** ot-text-unicode op -> Tandem wire op over a document of baseLen code points. */
function toWire(op, baseLen) {
  const wire = [];
  let consumed = 0;
  for (let i = 0; i < op.length; i++) {
    const c = op[i];
    if (typeof c === 'number') {
      consumed += c;
      wire.push(c);
    } else if (typeof c === 'string') {
      wire.push(c);
    } else {
      const n = dlen(c.d);
      consumed += n;
      wire.push(-n);
    }
  }
  const rest = baseLen - consumed;
  if (rest < 0) throw new Error(`op ${JSON.stringify(op)} is longer than the document (${baseLen})`);
  if (rest > 0) {
    if (wire.length && typeof wire[wire.length - 1] === 'number' && wire[wire.length - 1] > 0) wire[wire.length - 1] += rest;
    else wire.push(rest);
  }
  return wire;
}

/**
 * Tandem's canonical order: within a run of inserts and deletes at one position the insert comes
 * first ([p, "x", {d: 1}], never [p, {d: 1}, "x"]). The order changes nothing when an op is
 * applied, but it decides transform ties: ot-text-unicode lets the left op's insert go first only
 * if the insert comes before its delete, so an op made by compose/transform in the other order
 * would break ties differently from the server (and diverge). Every op that takes part in a
 * transform is kept canonical. Ops without a delete (all of the benchmark's) pass unchanged after
 * one scan of their few components.
 */
function canon(op) {
  let hasDelete = false;
  for (let i = 0; i < op.length; i++) if (typeof op[i] === 'object') { hasDelete = true; break; }
  if (!hasDelete) return op;
  const out = [];
  let ins = '';
  let del = 0;
  const flush = () => {
    if (ins) out.push(ins);
    if (del) out.push({d: del});
    ins = '';
    del = 0;
  };
  for (let i = 0; i < op.length; i++) {
    const c = op[i];
    if (typeof c === 'number') {
      flush();
      if (out.length && typeof out[out.length - 1] === 'number') out[out.length - 1] += c;
      else out.push(c);
    } else if (typeof c === 'string') {
      ins += c;
    } else {
      del += dlen(c.d);
    }
  }
  flush();
  if (out.length && typeof out[out.length - 1] === 'number') out.pop();
  return out;
}

/** Change of the document length in code points when op is applied. */
function lengthDelta(op) {
  let d = 0;
  for (let i = 0; i < op.length; i++) {
    const c = op[i];
    if (typeof c === 'string') d += strPosToUni(c);
    else if (typeof c === 'object') d -= dlen(c.d);
  }
  return d;
}

function insertsOf(op) {
  const out = [];
  for (let i = 0; i < op.length; i++) if (typeof op[i] === 'string') out.push(op[i]);
  return out;
}

// ---------------------------------------------------------------- document
class TandemDocHandle {
  constructor(conn, docId, rev, text) {
    this.conn = conn;
    this.id = docId;
    this.rev = rev; // revision of the server state the replica is based on
    this.snapshot = text; // local replica: server state at rev + inFlight + buffer
    this.lenCp = strPosToUni(text);
    this.inFlight = null; // {op, seq, delta, waiters: [{resolve, reject}]}
    this.buffer = null; // {op, delta, waiters}
    this.remoteCbs = [];
    this.errors = 0;
    this.protocolErrors = 0;
  }

  text() {
    return this.snapshot;
  }

  version() {
    return this.rev;
  }

  onRemoteOp(cb) {
    this.remoteCbs.push(cb);
  }

  submitInsert(pos, text) {
    return this.submitOp(textUnicode.insert(pos, text));
  }

  submitOp(op) {
    op = canon(op);
    return new Promise((resolve, reject) => {
      const delta = lengthDelta(op);
      let wire = null;
      if (!this.inFlight) {
        wire = toWire(op, this.lenCp); // base: the server state at this.rev (nothing pending)
      }
      this.snapshot = type.apply(this.snapshot, op);
      this.lenCp += delta;
      if (!this.inFlight) {
        this.inFlight = {op, seq: this.conn.nextSeq++, delta, waiters: [{resolve, reject}]};
        this.sendInFlight(wire);
      } else if (!this.buffer) {
        this.buffer = {op, delta, waiters: [{resolve, reject}]};
      } else {
        this.buffer.op = canon(type.compose(this.buffer.op, op));
        this.buffer.delta += delta;
        this.buffer.waiters.push({resolve, reject});
      }
    });
  }

  sendInFlight(wire) {
    const f = this.inFlight;
    if (!wire) {
      // Base length = server state at this.rev = local length minus what is pending.
      const base = this.lenCp - f.delta - (this.buffer ? this.buffer.delta : 0);
      wire = toWire(f.op, base);
    }
    this.conn.send({type: 'submit', doc: this.id, rev: this.rev, op: wire, seq: f.seq});
  }

  // server: ack {doc, rev, seq}
  onAck(msg) {
    const f = this.inFlight;
    if (!f || msg.seq !== f.seq) {
      // A late ack of a resubmit that was already acknowledged: ignore (protocol says so).
      return;
    }
    if (msg.rev !== this.rev + 1) {
      this.protocolErrors++;
      process.stderr.write(`tandem adapter: doc ${this.id}: ack rev ${msg.rev} but local rev ${this.rev}\n`);
    }
    this.rev = msg.rev;
    this.inFlight = null;
    if (this.buffer) {
      const b = this.buffer;
      this.buffer = null;
      this.inFlight = {op: b.op, seq: this.conn.nextSeq++, delta: b.delta, waiters: b.waiters};
      this.sendInFlight(null);
    }
    for (const w of f.waiters) w.resolve();
  }

  // server: ops {doc, ops: [{rev, op, client, seq, user}, ...]}, in revision order
  onServerOps(msg) {
    for (const entry of msg.ops) this.onServerOp(entry);
  }

  // one committed op {rev, op, client, seq, user}
  onServerOp(msg) {
    if (msg.rev !== this.rev + 1) {
      this.protocolErrors++;
      process.stderr.write(`tandem adapter: doc ${this.id}: op rev ${msg.rev} after local rev ${this.rev} (gap or duplicate)\n`);
      if (msg.rev <= this.rev) return; // duplicate: already have it
    }
    if (this.inFlight && msg.client === this.conn.clientId && msg.seq === this.inFlight.seq) {
      // Our own op, in its place among the others': it is the ack.
      this.onAck({rev: msg.rev, seq: msg.seq});
      return;
    }
    let op = fromWire(msg.op);
    // Transform the remote op against the in-flight op, then the buffer; the local op is the
    // left argument (its insert goes first on a tie), as on the Tandem server.
    // (A pending op's length change shrinks when the remote op deleted the same text, so it is
    // recomputed: a few components, no scan of the document.)
    if (this.inFlight) {
      const mine = this.inFlight.op;
      this.inFlight.op = canon(type.transform(mine, op, 'left'));
      op = canon(type.transform(op, mine, 'right'));
      this.inFlight.delta = lengthDelta(this.inFlight.op);
    }
    if (this.buffer) {
      const mine = this.buffer.op;
      this.buffer.op = canon(type.transform(mine, op, 'left'));
      op = canon(type.transform(op, mine, 'right'));
      this.buffer.delta = lengthDelta(this.buffer.op);
    }
    this.snapshot = type.apply(this.snapshot, op);
    this.lenCp += lengthDelta(op);
    this.rev = msg.rev;
    if (this.remoteCbs.length) {
      const inserts = insertsOf(op);
      for (const cb of this.remoteCbs) cb(inserts);
    }
  }

  // server: error {code, message, retryable, doc, seq}
  onError(msg) {
    const f = this.inFlight;
    this.errors++;
    process.stderr.write(`tandem adapter: doc ${this.id}: error ${msg.code}: ${msg.message} (seq ${msg.seq}, retryable ${msg.retryable})\n`);
    if (!f || msg.seq !== f.seq) return;
    if (msg.retryable) {
      // Resend the same op with the same seq after a pause (the server deduplicates by seq).
      setTimeout(() => {
        if (this.inFlight === f) this.sendInFlight(null);
      }, 50);
      return;
    }
    // Refused op: this replica can no longer converge; fail the pending submits.
    this.inFlight = null;
    const waiters = f.waiters.concat(this.buffer ? this.buffer.waiters : []);
    this.buffer = null;
    const err = new Error(`tandem ${msg.code}: ${msg.message}`);
    for (const w of waiters) w.reject(err);
  }
}

// ---------------------------------------------------------------- connection
class TandemConnection {
  constructor(ws, httpBase, clientId) {
    this.ws = ws;
    this.httpBase = httpBase;
    this.clientId = clientId;
    this.nextSeq = 1;
    this.docs = new Map(); // docId -> TandemDocHandle
    this.opening = new Map(); // docId -> {resolve, reject}
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
  }

  send(msg) {
    this.ws.send(JSON.stringify(msg));
  }

  onMessage(data, isBinary) {
    let msg;
    try {
      msg = JSON.parse(data.toString('utf8'));
    } catch (e) {
      process.stderr.write(`tandem adapter: unparsable ${isBinary ? 'binary' : 'text'} frame\n`);
      return;
    }
    const doc = msg.doc != null ? this.docs.get(msg.doc) : undefined;
    switch (msg.type) {
      case 'ops':
        if (doc) doc.onServerOps(msg);
        break;
      case 'ack':
        if (doc) doc.onAck(msg);
        break;
      case 'opened': {
        const p = this.opening.get(msg.doc);
        if (!p) break;
        this.opening.delete(msg.doc);
        if (typeof msg.text !== 'string') {
          p.reject(new Error(`opened ${msg.doc} without text (catch-up not expected here)`));
          break;
        }
        const h = new TandemDocHandle(this, msg.doc, msg.rev, msg.text);
        this.docs.set(msg.doc, h);
        p.resolve(h);
        break;
      }
      case 'error': {
        if (msg.doc != null && this.opening.has(msg.doc)) {
          const p = this.opening.get(msg.doc);
          this.opening.delete(msg.doc);
          p.reject(new Error(`open ${msg.doc}: ${msg.code}: ${msg.message}`));
        } else if (doc) {
          doc.onError(msg);
        } else {
          process.stderr.write(`tandem adapter: error ${msg.code}: ${msg.message}\n`);
        }
        break;
      }
      case 'presence':
      case 'closed':
      case 'pong':
      case 'welcome':
        break;
      default:
        process.stderr.write(`tandem adapter: unexpected message type ${msg.type}\n`);
    }
  }

  async createDoc(docId, initialText) {
    const r = await fetch(`${this.httpBase}/api/docs/${encodeURIComponent(docId)}`, {
      method: 'PUT',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({text: initialText}),
    });
    const body = await r.text();
    if (r.status !== 201) throw new Error(`PUT /api/docs/${docId}: HTTP ${r.status} ${body}`);
  }

  subscribe(docId) {
    return new Promise((resolve, reject) => {
      if (this.docs.has(docId) || this.opening.has(docId)) return reject(new Error(`${docId} already open`));
      this.opening.set(docId, {resolve, reject});
      this.send({type: 'open', doc: docId});
    });
  }

  async fetchSnapshot(docId) {
    // A fresh read of the server's head through REST (not this connection's replica).
    const r = await fetch(`${this.httpBase}/api/docs/${encodeURIComponent(docId)}`);
    const body = await r.text();
    if (r.status !== 200) throw new Error(`GET /api/docs/${docId}: HTTP ${r.status} ${body}`);
    const j = JSON.parse(body);
    if (typeof j.text !== 'string' || !Number.isInteger(j.rev)) throw new Error(`GET /api/docs/${docId}: bad body`);
    return {text: j.text, version: j.rev};
  }

  close() {
    return new Promise((resolve) => {
      this.closing = true;
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close(1000);
      setTimeout(resolve, 2000).unref();
    });
  }
}

function endpoints(url) {
  const u = new URL(url);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/ws';
  const httpBase = (u.protocol === 'wss:' ? 'https://' : 'http://') + u.host;
  return {wsUrl: u.toString(), httpBase};
}

function connect(url) {
  const {wsUrl, httpBase} = endpoints(url);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, {perMessageDeflate: false});
    const clientId = crypto.randomUUID();
    let settled = false;
    const fail = (err) => {
      if (settled) return;
      settled = true;
      try { ws.terminate(); } catch (e) { /* ignore */ }
      reject(err);
    };
    ws.on('error', (err) => {
      if (!settled) fail(err);
      else process.stderr.write(`tandem adapter: socket error: ${err && err.message || err}\n`);
    });
    ws.on('close', (code, reason) => {
      if (!settled) fail(new Error(`tandem socket closed before welcome: ${code} ${reason}`));
    });
    ws.once('open', () => {
      ws.send(JSON.stringify({type: 'hello', token: '', client: clientId, protocol: 1}));
    });
    const onFirst = (data) => {
      let msg;
      try {
        msg = JSON.parse(data.toString('utf8'));
      } catch (e) {
        return fail(new Error('unparsable answer to hello'));
      }
      if (msg.type !== 'welcome') return fail(new Error(`hello answered with ${JSON.stringify(msg)}`));
      ws.off('message', onFirst);
      settled = true;
      const conn = new TandemConnection(ws, httpBase, clientId);
      ws.on('close', (code, reason) => {
        if (conn.closing) return;
        process.stderr.write(`tandem adapter: socket of ${clientId} closed: ${code} ${reason}\n`);
      });
      resolve(conn);
    };
    ws.on('message', onFirst);
  });
}

module.exports = {
  name: 'tandem',
  describe() {
    return {
      name: 'tandem',
      protocol: 'Tandem JSON protocol 1 over WebSocket (hello/open/submit, binary ops frames, own op = ack), ' +
        'ot.js client state machine with an ot-text-unicode replica, ws',
      versions: {
        'ot-text-unicode': pkgVersion('ot-text-unicode'),
        ws: pkgVersion('ws'),
      },
    };
  },
  connect,
  // exported for the database check (verify-tandem-db.js) and tests
  _fromWire: fromWire,
  _toWire: toWire,
  _canon: canon,
};
