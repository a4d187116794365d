// The client side of one document, without I/O: the ot.js client state machine (synchronized /
// awaiting confirm / awaiting with buffer), the local text and revision, and the presence of
// others. It mirrors the Java client (dev.tandem.client.ClientState and DocumentSession), so both
// clients behave alike against the same server. The connection (src/connection.js) feeds it
// server messages and carries out what it decides through a sink.

import { TextOperation, Side } from './ot.js';
import { codePointCount } from './code-points.js';
import { diff } from './text-diff.js';

/**
 * The (client id, seq) an op is sent under: the server stores an op once per pair and answers a
 * resubmission of it with its first ack; this client recognises its own op among others' by it.
 * @typedef {{readonly clientId: string, readonly seq: number}} OpId
 */

/**
 * An op sent (or about to be sent) to the server under its {@link OpId}, kept for resubmission.
 * @typedef {{readonly op: TextOperation, readonly clientId: string, readonly seq: number}} Pending
 */

/**
 * The next state and the op to apply to the local text for one server op.
 * @typedef {{readonly next: ClientState, readonly toApply: TextOperation}} ServerStep
 */

/** @typedef {Synchronized | AwaitingConfirm | AwaitingWithBuffer} ClientState */

/**
 * @param {TextOperation} op
 * @param {OpId} id
 * @returns {Pending}
 */
function pending(op, { clientId, seq }) {
  return Object.freeze({ op, clientId, seq });
}

/**
 * The two halves of a transform of this client's pending op (always the LEFT argument, as on the
 * server, so on an insert tie both sides put the client's insert first) against a server op.
 * @param {TextOperation} clientOp
 * @param {TextOperation} serverOp
 */
function transformPending(clientOp, serverOp) {
  const { left, right } = TextOperation.transform(clientOp, serverOp);
  return { clientOp: left, serverOp: right };
}

/**
 * No local edit awaits the server.
 *
 * Law of every state: for a server op `s` based on the revision the state sits on, with
 * `step = state.applyServer(s)`, applying `s` and then the new pending ops to the server text
 * gives the same text as applying `step.toApply` to the local text. So a client that applies
 * `toApply` and later sees its pending ops committed ends with the server's text.
 */
export class Synchronized {
  constructor() {
    Object.freeze(this);
  }

  /**
   * A local edit applied to the local text; `nextId()` names it, since it goes in flight now.
   * @param {TextOperation} op
   * @param {() => OpId} nextId
   * @returns {ClientState}
   */
  applyClient(op, nextId) {
    return new AwaitingConfirm(pending(op, nextId()));
  }

  /**
   * A committed op of another client: nothing local to transform it against.
   * @param {TextOperation} op
   * @returns {ServerStep}
   */
  applyServer(op) {
    return Object.freeze({ next: this, toApply: op });
  }

  /** @returns {ClientState} */
  serverAck() {
    throw new Error('ack while synchronized: no op is in flight');
  }

  /** @returns {ClientState} */
  reissued() {
    throw new Error('reissue while synchronized: no op is in flight');
  }

  /** @returns {Pending | null} the op in flight */
  get inFlight() {
    return null;
  }
}

/**
 * One op in flight. A server op `s` meets it in the diamond:
 *
 * ```
 *              outstanding
 *     R  -------------------->  local text
 *     |                             |
 *     s                             s'   (applied to the local text)
 *     v                             v
 *    R+1 -------------------->  converged text
 *              outstanding'  (what the server will commit)
 *
 *   (outstanding', s') = transform(outstanding, s)
 * ```
 */
export class AwaitingConfirm {
  /** @param {Pending} outstanding */
  constructor(outstanding) {
    this.outstanding = pending(outstanding.op, outstanding);
    Object.freeze(this);
  }

  /**
   * @param {TextOperation} op
   * @returns {ClientState}
   */
  applyClient(op) {
    return new AwaitingWithBuffer(this.outstanding, op);
  }

  /**
   * @param {TextOperation} op
   * @returns {ServerStep}
   */
  applyServer(op) {
    const pair = transformPending(this.outstanding.op, op);
    return Object.freeze({
      next: new AwaitingConfirm(pending(pair.clientOp, this.outstanding)),
      toApply: pair.serverOp,
    });
  }

  /** @returns {ClientState} */
  serverAck() {
    return new Synchronized();
  }

  /**
   * The same op in flight under another id (the server refused its id as used by someone else).
   * @param {OpId} id
   * @returns {ClientState}
   */
  reissued(id) {
    return new AwaitingConfirm(pending(this.outstanding.op, id));
  }

  get inFlight() {
    return this.outstanding;
  }
}

/**
 * One op in flight and a buffer of later local edits, composed into one op. A server op `s`
 * crosses both, one diamond after the other:
 *
 * ```
 *              outstanding               buffer
 *     R  -------------------->  .  ------------------->  local text
 *     |                         |                          |
 *     s                         s'                         s''  (applied to the local text)
 *     v                         v                          v
 *    R+1 -------------------->  .  ------------------->  converged text
 *              outstanding'              buffer'
 *
 *   (outstanding', s')  = transform(outstanding, s)
 *   (buffer', s'')      = transform(buffer, s')
 * ```
 */
export class AwaitingWithBuffer {
  /**
   * @param {Pending} outstanding
   * @param {TextOperation} buffer
   */
  constructor(outstanding, buffer) {
    this.outstanding = pending(outstanding.op, outstanding);
    this.buffer = buffer;
    Object.freeze(this);
  }

  /**
   * @param {TextOperation} op
   * @returns {ClientState}
   */
  applyClient(op) {
    return new AwaitingWithBuffer(this.outstanding, this.buffer.compose(op));
  }

  /**
   * @param {TextOperation} op
   * @returns {ServerStep}
   */
  applyServer(op) {
    const first = transformPending(this.outstanding.op, op);
    const second = transformPending(this.buffer, first.serverOp);
    return Object.freeze({
      next: new AwaitingWithBuffer(pending(first.clientOp, this.outstanding), second.clientOp),
      toApply: second.serverOp,
    });
  }

  /**
   * The outstanding op was committed: the buffer goes in flight, named by `nextId()`.
   * @param {() => OpId} nextId
   * @returns {ClientState}
   */
  serverAck(nextId) {
    return new AwaitingConfirm(pending(this.buffer, nextId()));
  }

  /**
   * @param {OpId} id
   * @returns {ClientState}
   */
  reissued(id) {
    return new AwaitingWithBuffer(pending(this.outstanding.op, id), this.buffer);
  }

  get inFlight() {
    return this.outstanding;
  }
}

/**
 * One range of a selection in code points, `[anchor, head]` as on the wire; a caret has
 * anchor === head.
 * @typedef {readonly [number, number]} SelectionRange
 */

/**
 * A selection moved through `op`: a position where `op` inserts moves after the insert, so a
 * cursor keeps standing before the character it stood before (as the Java client does).
 * @param {readonly SelectionRange[]} selection
 * @param {TextOperation} op
 * @returns {SelectionRange[]}
 */
export function transformSelection(selection, op) {
  return selection.map(([anchor, head]) =>
    Object.freeze([
      op.transformPosition(anchor, Side.AFTER),
      op.transformPosition(head, Side.AFTER),
    ]),
  );
}

/**
 * Another client's selection in the coordinates of this client's current local text.
 * @typedef {{readonly clientId: string, readonly userId: string,
 *   readonly selection: readonly SelectionRange[],
 *   readonly meta: Readonly<Record<string, unknown>>}} RemotePresence
 */

/**
 * One change of the local text: `text` is the text before it with `op` applied. `origin` says
 * who made it: `'local'` (through this client), `'remote'` (another client, committed by the
 * server; `op` is already transformed against the local unacknowledged edits) or `'resync'`
 * (the local text replaced by the server's after the server refused pending edits).
 * @typedef {{readonly op: TextOperation, readonly text: string, readonly revision: number,
 *   readonly origin: 'local' | 'remote' | 'resync'}} TextChange
 */

/**
 * Where a session sends its submissions and reports what happened. Every method is optional.
 * @typedef {object} SessionSink
 * @property {(baseRevision: number, op: TextOperation, seq: number, clientId: string) => void}
 *   [submit] send `submit {rev: baseRevision, op, seq}` on a connection that said `clientId` in
 *   its hello (hold it if the connection says another id: it goes again at `goOnline`)
 * @property {(revision: number, selection: SelectionRange[], meta: object) => void}
 *   [publishPresence] send `presence {rev, selection, meta}`
 * @property {(change: TextChange) => void} [changed]
 * @property {(revision: number, seq: number) => void} [acknowledged]
 * @property {(presence: RemotePresence) => void} [presence]
 * @property {(clientId: string) => void} [presenceLeft]
 * @property {() => void} [synchronizedNow] every local edit is committed
 * @property {(taken: OpId) => void} [idTaken] another client used this client's id with the seq
 *   of the op in flight (the server answered `seq_reused`, or committed someone else's op under
 *   that pair): the op goes again under the next `nextId()`, so a client picks a fresh id here
 */

/** How many committed ops to keep for transforming late presence. */
export const HISTORY_LIMIT = 1000;

/**
 * The client side of one document, without I/O: local text, last known server revision, the
 * client state, the presences of others and this client's own selection. Everything it decides
 * to send or tell goes to its sink.
 *
 * Invariant: `text` === the server text at `revision` with the pending ops (the outstanding op,
 * then the buffer) applied.
 */
export class DocumentSession {
  #nextId;
  /** @type {Required<SessionSink>} */
  #sink;
  #text = '';
  #revision = -1;
  /**
   * The server's text at `revision`: what the unacknowledged edits apply to. Kept for a resync
   * after a prune, which rebases them onto a text whose history this client never sees.
   */
  #serverText = '';
  /** @type {ClientState} */
  #state = new Synchronized();
  #online = false;
  /**
   * The id of the op in flight that a resync found not committed, or null. Its first send (on the
   * socket before the resync) may still land: it was in a group commit, or waiting on the server,
   * when the server read the seq it answered with. An op committed under this id is that op, as
   * the server transformed it through the pruned ops rather than the diff: see `applyServer`.
   * @type {OpId | null}
   */
  #unconfirmedAfterResync = null;
  /** The latest committed ops as the server committed them, oldest first. */
  /** @type {{revision: number, op: TextOperation}[]} */
  #history = [];
  /** @type {Map<string, RemotePresence>} */
  #presences = new Map();
  /** Presence published at a revision this client has not reached yet, by client id. */
  /** @type {Map<string, Published>} */
  #early = new Map();
  /** @type {SelectionRange[] | null} */
  #ownSelection = null;
  #ownMeta = {};
  #ownSelectionUnpublished = false;

  /**
   * @param {object} options
   * @param {() => OpId} [options.nextId] names each op that goes in flight (a seq that increases
   *   for its client id); or, for a client id that never changes:
   * @param {string} [options.clientId] this client's id ...
   * @param {() => number} [options.nextSeq] ... and its increasing seqs
   * @param {SessionSink} [options.sink]
   */
  constructor({ nextId, clientId, nextSeq, sink = {} }) {
    if (nextId === undefined) {
      if (typeof clientId !== 'string' || typeof nextSeq !== 'function') {
        throw new TypeError('a session needs nextId, or clientId and nextSeq');
      }
      nextId = () => ({ clientId, seq: nextSeq() });
    }
    this.#nextId = nextId;
    const nothing = () => {};
    this.#sink = {
      submit: nothing,
      publishPresence: nothing,
      changed: nothing,
      acknowledged: nothing,
      presence: nothing,
      presenceLeft: nothing,
      synchronizedNow: nothing,
      idTaken: nothing,
      ...sink,
    };
  }

  /** The local text: the server's text at `revision` plus the unacknowledged local edits. */
  get text() {
    return this.#text;
  }

  /** The last server revision this client has seen, or -1 before `initialize`. */
  get revision() {
    return this.#revision;
  }

  get initialized() {
    return this.#revision >= 0;
  }

  /** @returns {ClientState} */
  get state() {
    return this.#state;
  }

  get isSynchronized() {
    return this.#state instanceof Synchronized;
  }

  /** Whether the document is open on a live, caught-up connection. */
  get online() {
    return this.#online;
  }

  /** @returns {Map<string, RemotePresence>} others' selections by client id (a copy) */
  get presences() {
    return new Map(this.#presences);
  }

  /**
   * The first `opened {rev, text}` of this document.
   * @param {number} serverRevision
   * @param {string} serverText
   */
  initialize(serverRevision, serverText) {
    if (this.initialized) {
      throw new Error(`document already initialized at revision ${this.#revision}`);
    }
    this.#text = serverText;
    this.#revision = serverRevision;
    this.#serverText = serverText;
  }

  /**
   * Replaces everything local with the server's text at `serverRevision`, dropping pending edits
   * the server refused. Reported as a `'resync'` change.
   * @param {number} serverRevision
   * @param {string} serverText
   */
  reset(serverRevision, serverText) {
    const replace = TextOperation.builder()
      .delete(codePointCount(this.#text))
      .insert(serverText)
      .build();
    this.#text = serverText;
    this.#revision = serverRevision;
    this.#serverText = serverText;
    this.#state = new Synchronized();
    this.#unconfirmedAfterResync = null;
    this.#history = [];
    this.#early.clear();
    this.#transformPresences(replace);
    if (this.#ownSelection !== null) {
      this.#ownSelection = transformSelection(this.#ownSelection, replace);
    }
    this.#changed(replace, 'resync');
    this.#sink.synchronizedNow();
  }

  /**
   * `opened {rev, text, resync: true, seq?}`: the revision this session knows was pruned, so the
   * ops from it to `headRevision` are gone. The edits the server does not have are rebased onto
   * `headText`: the op in flight counts as committed if `clientId` committed a seq at least its own
   * (`lastSeq`); what remains (it, or only the buffer) is transformed against the diff from the
   * server text it was made on to the head text, as if that diff were the one op committed
   * meanwhile. The local text becomes the head text with those edits applied (a `'resync'`
   * change), and they go in flight once online: the user keeps them. An op in flight that did not
   * land keeps its id and stays apart from the buffer: its first send may still land, and then
   * counts as it (`applyServer`). See docs/decisions/0006-resync-after-prune.md for what the diff
   * can and cannot preserve.
   * @param {number} headRevision
   * @param {string} headText
   * @param {string} clientId the client id of the connection that opened
   * @param {number | null} lastSeq its highest seq committed in the document, if any
   */
  rebase(headRevision, headText, clientId, lastSeq) {
    this.#requireInitialized();
    let base = this.#serverText;
    /** @type {Pending | null} */
    let unlanded = null;
    /** @type {TextOperation | null} */
    let buffer = null;
    const inFlight = this.#state.inFlight;
    if (inFlight !== null) {
      buffer = this.#state instanceof AwaitingWithBuffer ? this.#state.buffer : null;
      const landed = inFlight.clientId === clientId && lastSeq !== null && lastSeq >= inFlight.seq;
      if (landed) {
        base = inFlight.op.apply(base); // in the head text already: only the buffer is new
      } else {
        unlanded = inFlight;
      }
    }
    let toApply = diff(this.#text, headText); // nothing unacknowledged: the head text
    this.#state = new Synchronized();
    this.#unconfirmedAfterResync = null;
    if (unlanded !== null || buffer !== null) {
      // The op in flight and the buffer cross the diff one after the other, and stay apart: the
      // op keeps its id, and if its first send lands after all, only the buffer is left to send.
      let meanwhile = diff(base, headText);
      if (unlanded !== null) {
        const rebased = transformPending(unlanded.op, meanwhile);
        unlanded = pending(rebased.clientOp, unlanded);
        meanwhile = rebased.serverOp;
      }
      if (buffer !== null) {
        const rebased = transformPending(buffer, meanwhile);
        buffer = rebased.clientOp;
        meanwhile = rebased.serverOp;
      }
      toApply = meanwhile;
      this.#state = this.#rebasedState(unlanded, buffer);
    }
    this.#text = toApply.apply(this.#text);
    this.#revision = headRevision;
    this.#serverText = headText;
    this.#history = [];
    this.#early.clear();
    this.#transformPresences(toApply);
    if (this.#ownSelection !== null) {
      this.#ownSelection = transformSelection(this.#ownSelection, toApply);
    }
    this.#changed(toApply, 'resync');
    if (this.isSynchronized) {
      this.#sink.synchronizedNow();
    }
  }

  /**
   * What is unacknowledged after a rebase: the op that did not land (under its id), the buffer.
   * @param {Pending | null} unlanded
   * @param {TextOperation | null} buffer
   * @returns {ClientState}
   */
  #rebasedState(unlanded, buffer) {
    const hasBuffer = buffer !== null && !buffer.isNoop();
    if (unlanded !== null && !unlanded.op.isNoop()) {
      this.#unconfirmedAfterResync = { clientId: unlanded.clientId, seq: unlanded.seq };
      return hasBuffer
        ? new AwaitingWithBuffer(unlanded, /** @type {TextOperation} */ (buffer))
        : new AwaitingConfirm(unlanded);
    }
    return hasBuffer
      ? new AwaitingConfirm(pending(/** @type {TextOperation} */ (buffer), this.#nextId()))
      : new Synchronized();
  }

  /** The connection is lost: hold submissions until `goOnline()`; others' presence is gone. */
  goOffline() {
    this.#online = false;
    this.#early.clear();
    if (this.#ownSelection !== null) {
      this.#ownSelectionUnpublished = true; // the server drops it with the socket: publish again
    }
    const gone = [...this.#presences.keys()];
    this.#presences.clear();
    gone.forEach((clientId) => this.#sink.presenceLeft(clientId)); // they publish again later
  }

  /**
   * The document is open on a live connection and caught up: resend the op in flight with its
   * original seq (the server acknowledges it once, with its original revision, if it was already
   * committed), and publish this client's selection again (the server forgot it with the old
   * socket; others list this client from its open on, and see its caret from this on).
   */
  goOnline() {
    this.#online = true;
    this.#resendOutstanding();
    this.#flushOwnSelection();
  }

  /**
   * Resends the op in flight if it is still the one sent as (`clientId`, `seq`) (a retry after a
   * retryable error).
   * @param {number} seq
   * @param {string} clientId
   */
  retry(seq, clientId) {
    if (this.#isInFlight(clientId, seq)) {
      this.#resendOutstanding();
    }
  }

  /**
   * The server refused the op sent as (`clientId`, `seq`) with `seq_reused`: another client used
   * this id and seq for a different op. The op goes again under a fresh id (see `idTaken`).
   * @param {number} seq
   * @param {string} clientId
   * @returns {boolean} whether that op was the one in flight (false: an old answer, nothing done)
   */
  seqReused(seq, clientId) {
    if (!this.#isInFlight(clientId, seq)) {
      return false;
    }
    this.#reissue();
    return true;
  }

  /**
   * A local edit of the current local text.
   * @param {TextOperation} op
   * @throws {import('./errors.js').InvalidOperationError} if `op` does not apply to the text;
   *   nothing changes then
   */
  applyClient(op) {
    this.#requireInitialized();
    const next = op.apply(this.#text);
    const wasSynchronized = this.isSynchronized;
    this.#text = next;
    this.#state = this.#state.applyClient(op, this.#nextId);
    this.#transformPresences(op);
    if (this.#ownSelection !== null) {
      this.#ownSelection = transformSelection(this.#ownSelection, op);
    }
    this.#changed(op, 'local');
    if (wasSynchronized) {
      this.#resendOutstanding();
    }
  }

  /**
   * A committed op at `serverRevision`, live or caught up after a reconnect. This client's own op
   * (the client id and seq the op in flight was sent under, and the same op: the server commits
   * it transformed exactly as this client transformed it meanwhile) counts as its
   * acknowledgement; so is another op under that id after a resync found it not committed (its
   * first send landed after all, transformed otherwise: the rest is rebased onto it). Any other op
   * under that id and seq is someone else's use of this client's id: it is applied like any
   * remote op and the op in flight goes again under a fresh id.
   * @param {number} serverRevision
   * @param {TextOperation} op
   * @param {string} opClientId
   * @param {number} opSeq
   * @returns {boolean} false if the op leaves a gap after the known revision: resync then
   */
  applyServer(serverRevision, op, opClientId, opSeq) {
    this.#requireInitialized();
    if (serverRevision <= this.#revision) {
      return true; // already seen: a duplicate delivery changes nothing
    }
    if (serverRevision !== this.#revision + 1) {
      return false;
    }
    const sameId = this.#isInFlight(opClientId, opSeq);
    if (sameId && this.#state.inFlight?.op.equals(op)) {
      this.acknowledge(serverRevision, opSeq, opClientId);
      return true;
    }
    const unconfirmed = this.#unconfirmedAfterResync;
    if (sameId && unconfirmed?.clientId === opClientId && unconfirmed.seq === opSeq) {
      // The op sent before the resync landed after all, transformed through the pruned ops where
      // this client used the diff: it is in the server's text, and what follows it is rebased
      // onto that text as after a resync (its send under this id is refused: seq_reused).
      this.rebase(serverRevision, op.apply(this.#serverText), opClientId, opSeq);
      this.#resendOutstanding();
      return true;
    }
    const step = this.#state.applyServer(op);
    const text = step.toApply.apply(this.#text); // throws before anything changes
    this.#state = step.next;
    this.#revision = serverRevision;
    this.#serverText = op.apply(this.#serverText);
    this.#remember(serverRevision, op);
    this.#text = text;
    this.#transformPresences(step.toApply);
    if (this.#ownSelection !== null) {
      this.#ownSelection = transformSelection(this.#ownSelection, step.toApply);
    }
    this.#changed(step.toApply, 'remote');
    this.#publishEarlyPresences();
    if (sameId) {
      this.#reissue(); // the server refuses the op in flight under that pair: seq_reused
    }
    return true;
  }

  /**
   * `ack {rev, seq}` on a connection that said `clientId` in its hello. An ack for an op that is
   * not in flight (a duplicate answer to a resubmission whose op was already recognised among
   * caught-up ops) changes nothing.
   * @param {number} serverRevision
   * @param {number} seq
   * @param {string} clientId
   */
  acknowledge(serverRevision, seq, clientId) {
    const outstanding = this.#state.inFlight;
    if (
      outstanding === null ||
      !this.#isInFlight(clientId, seq) ||
      serverRevision <= this.#revision
    ) {
      return;
    }
    // the outstanding op, transformed through every op before serverRevision, is what committed
    this.#remember(serverRevision, outstanding.op);
    this.#revision = serverRevision;
    this.#serverText = outstanding.op.apply(this.#serverText);
    this.#state = this.#state.serverAck(this.#nextId);
    this.#sink.acknowledged(serverRevision, seq);
    this.#publishEarlyPresences();
    if (this.isSynchronized) {
      this.#flushOwnSelection();
      this.#sink.synchronizedNow();
    } else {
      this.#resendOutstanding();
    }
  }

  /**
   * This client's selection, in code points of the local text; published once every local edit
   * is acknowledged, transformed through what happened meanwhile.
   * @param {readonly SelectionRange[]} selection
   * @param {Record<string, unknown>} [meta] a small object: a name, a color
   */
  setOwnSelection(selection, meta = {}) {
    this.#ownSelection = checkSelection(selection);
    this.#ownMeta = { ...meta };
    this.#ownSelectionUnpublished = true;
    this.#flushOwnSelection();
  }

  /**
   * Another client's `presence {client, user, rev, selection, meta}`.
   * @param {string} clientId
   * @param {string} userId
   * @param {number} atRevision
   * @param {readonly SelectionRange[]} selection
   * @param {Record<string, unknown>} meta
   */
  remotePresence(clientId, userId, atRevision, selection, meta) {
    if (!this.initialized) {
      return;
    }
    /** @type {Published} */
    const published = { clientId, userId, revision: atRevision, selection, meta };
    if (atRevision > this.#revision) {
      this.#early.set(clientId, published); // the ops it refers to are still on their way
      return;
    }
    this.#early.delete(clientId);
    this.#place(published);
  }

  /**
   * `presence {client, left: true}`.
   * @param {string} clientId
   */
  presenceLeft(clientId) {
    this.#early.delete(clientId);
    if (this.#presences.delete(clientId)) {
      this.#sink.presenceLeft(clientId);
    }
  }

  #resendOutstanding() {
    const outstanding = this.#state.inFlight;
    if (this.#online && outstanding !== null) {
      this.#sink.submit(this.#revision, outstanding.op, outstanding.seq, outstanding.clientId);
    }
  }

  /**
   * @param {string} clientId
   * @param {number} seq
   */
  #isInFlight(clientId, seq) {
    const outstanding = this.#state.inFlight;
    return outstanding !== null && outstanding.clientId === clientId && outstanding.seq === seq;
  }

  /** The op in flight, never committed under its id, goes in flight again under a fresh one. */
  #reissue() {
    const taken = /** @type {Pending} */ (this.#state.inFlight);
    this.#sink.idTaken(Object.freeze({ clientId: taken.clientId, seq: taken.seq }));
    this.#state = this.#state.reissued(this.#nextId());
    this.#resendOutstanding();
  }

  // Published only while synchronized: then local coordinates are those of the server revision,
  // so receivers transform it through exactly the ops committed after it.
  #flushOwnSelection() {
    if (
      this.#online &&
      this.#ownSelectionUnpublished &&
      this.isSynchronized &&
      this.#ownSelection !== null
    ) {
      this.#ownSelectionUnpublished = false;
      this.#sink.publishPresence(this.#revision, this.#ownSelection, this.#ownMeta);
    }
  }

  #publishEarlyPresences() {
    for (const [clientId, published] of [...this.#early]) {
      if (published.revision <= this.#revision) {
        this.#early.delete(clientId);
        this.#place(published);
      }
    }
  }

  /**
   * Transforms a selection from its revision to local coordinates, or drops it if too old.
   * @param {Published} published
   */
  #place(published) {
    const oldest = this.#history.length === 0 ? this.#revision + 1 : this.#history[0].revision;
    if (published.revision < this.#revision && oldest > published.revision + 1) {
      return; // the ops after it are no longer remembered: wait for a newer publication
    }
    let selection;
    try {
      selection = checkSelection(published.selection);
      for (const committed of this.#history) {
        if (committed.revision > published.revision) {
          selection = transformSelection(selection, committed.op);
        }
      }
      const state = this.#state;
      if (state.inFlight !== null) {
        selection = transformSelection(selection, state.inFlight.op);
      }
      if (state instanceof AwaitingWithBuffer) {
        selection = transformSelection(selection, state.buffer);
      }
    } catch {
      return; // a selection past the end of its text: ignore it rather than show it wrongly
    }
    const presence = freezePresence(
      published.clientId,
      published.userId,
      selection,
      published.meta,
    );
    this.#presences.set(published.clientId, presence);
    this.#sink.presence(presence);
  }

  /**
   * @param {number} revision
   * @param {TextOperation} op
   */
  #remember(revision, op) {
    this.#history.push({ revision, op });
    if (this.#history.length > HISTORY_LIMIT) {
      this.#history.shift();
    }
  }

  /** @param {TextOperation} op */
  #transformPresences(op) {
    for (const [clientId, p] of this.#presences) {
      this.#presences.set(
        clientId,
        freezePresence(clientId, p.userId, transformSelection(p.selection, op), p.meta),
      );
    }
  }

  /**
   * @param {TextOperation} op
   * @param {TextChange['origin']} origin
   */
  #changed(op, origin) {
    this.#sink.changed(Object.freeze({ op, text: this.#text, revision: this.#revision, origin }));
  }

  #requireInitialized() {
    if (!this.initialized) {
      throw new Error('document not opened yet');
    }
  }
}

/**
 * @typedef {{clientId: string, userId: string, revision: number,
 *   selection: readonly SelectionRange[], meta: Record<string, unknown>}} Published
 */

/**
 * @param {string} clientId
 * @param {string} userId
 * @param {SelectionRange[]} selection
 * @param {Record<string, unknown>} meta
 * @returns {RemotePresence}
 */
function freezePresence(clientId, userId, selection, meta) {
  return Object.freeze({ clientId, userId, selection: Object.freeze(selection), meta });
}

/**
 * A copy of a selection whose ranges are pairs of non-negative integers.
 * @param {unknown} selection
 * @returns {SelectionRange[]}
 */
function checkSelection(selection) {
  if (!Array.isArray(selection)) {
    throw new TypeError(`selection is ${typeof selection} (expected a list of [anchor, head])`);
  }
  return selection.map((range) => {
    if (
      !Array.isArray(range) ||
      range.length !== 2 ||
      !range.every((n) => Number.isInteger(n) && n >= 0)
    ) {
      throw new TypeError(
        `selection range ${JSON.stringify(range)} is not valid (expected [anchor, head], integers >= 0)`,
      );
    }
    return Object.freeze([range[0], range[1]]);
  });
}
