// The WebSocket protocol client: one socket, many documents (on a cluster, one more socket per
// node a `moved` sent a document to), written against the browser WebSocket API (the constructor
// is injectable, so tests and Node can pass their own). It mirrors
// the Java TandemClient and TandemDocument: hello with a client id kept across reconnects; ping;
// reconnect with exponential backoff, jitter and a cap; catch-up with open {rev}; committed ops in
// `ops` messages (binary frames), the own op among them recognised by client id and seq as its
// acknowledgement, live and caught up alike; the op in flight resent with the same
// seq; edits made while offline kept and sent after the reconnect; close code 1008 ends it,
// unless it followed an `unauthorized` and a getToken callback can fetch a fresh token; tokens
// refreshed with `auth` before they expire; someone else's use of the client id (seq_reused)
// answered by a fresh client id, under which the refused op goes again.

import { TextOperation } from './ot.js';
import { codePointCount, firstLoneSurrogate } from './code-points.js';
import { DocumentSession } from './client.js';
import { UndoManager } from './undo.js';

const PROTOCOL = 1;
/** `ops` messages come in binary frames holding UTF-8 JSON. */
const UTF8 = new TextDecoder();
const POLICY_VIOLATION = 1008;
const ABNORMAL = 1006;
/** A token is refreshed when 80 % of its life from welcome (or authed) has passed ... */
const REFRESH_AT = 0.8;
/** ... or this long before it expires, whichever comes first ... */
const REFRESH_BEFORE_MS = 60_000;
/** ... but never sooner than this: a client clock far ahead of the server's must not spin. */
const MIN_REFRESH_MS = 1000;
/**
 * Work the server refused for now (`unavailable`) and refused token refreshes are retried with
 * backoff up to this cap: the server is up but busy, or counts refusals as bad messages.
 */
const RETRY_MAX_MS = 30_000;

/**
 * An error the server sent (`error {code, message, retryable, doc, seq}`) or one the client met
 * (a malformed server message: code `'unknown'`).
 */
export class TandemError extends Error {
  /**
   * @param {string} code a DESIGN.md error code: bad_request, invalid_op, unavailable, ...
   * @param {string} message
   * @param {{retryable?: boolean, docId?: string | null, seq?: number | null}} [details]
   */
  constructor(code, message, { retryable = false, docId = null, seq = null } = {}) {
    super(message);
    this.name = 'TandemError';
    /** @type {string} */
    this.code = code;
    /** @type {boolean} */
    this.retryable = retryable;
    /** @type {string | null} */
    this.docId = docId;
    /** @type {number | null} */
    this.seq = seq;
  }
}

/**
 * Exponential backoff with jitter and a cap: attempt n (from 0) waits a random time between half
 * and all of min(maxMs, initialMs * 2^n). The jitter spreads the reconnects of many clients after
 * a server restart.
 */
export class Backoff {
  #initialMs;
  #maxMs;
  #random;
  #attempt = 0;

  /**
   * @param {{initialMs?: number, maxMs?: number, random?: () => number}} [options]
   */
  constructor({ initialMs = 200, maxMs = 30_000, random = Math.random } = {}) {
    if (!(initialMs > 0) || !(maxMs >= initialMs)) {
      throw new RangeError(
        `backoff initial ${initialMs} ms, max ${maxMs} ms (expected 0 < initial <= max)`,
      );
    }
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
    this.#random = random;
  }

  /** The delay in milliseconds before the next attempt; each call doubles the ceiling. */
  next() {
    const ceiling = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#attempt, 60));
    this.#attempt++;
    const half = ceiling / 2;
    return Math.round(half + this.#random() * (ceiling - half));
  }

  /** After a success: the next delay starts small again. */
  reset() {
    this.#attempt = 0;
  }
}

/** A tiny synchronous event emitter: `on(event, listener)` returns the unsubscribe function. */
class Emitter {
  /** @type {Map<string, Set<Function>>} */
  #listeners = new Map();

  /**
   * @param {string} event
   * @param {Function} listener
   * @returns {() => void}
   */
  on(event, listener) {
    if (typeof listener !== 'function') {
      throw new TypeError(`listener for '${event}' is not a function`);
    }
    if (!this.#listeners.has(event)) {
      this.#listeners.set(event, new Set());
    }
    this.#listeners.get(event)?.add(listener);
    return () => this.#listeners.get(event)?.delete(listener);
  }

  /**
   * @param {string} event
   * @param {...unknown} args
   */
  emit(event, ...args) {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        listener(...args);
      } catch (error) {
        // a failing listener must not break the protocol; surface it without stopping
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

/**
 * A connection to a Tandem server at `url` (for example `ws://localhost:8080/ws`).
 *
 * Connection states (the `'state'` event): `'connecting'` (opening the socket or waiting for
 * `welcome`), `'connected'`, `'offline'` (the socket is gone; a reconnect is scheduled),
 * `'closed'` (by `close()` or a close code 1008 from the server). Errors not about one document
 * arrive as the `'error'` event with a {@link TandemError}.
 *
 * Sync status (the `'status'` event), what an app shows: the connection state joined with its
 * documents' states. `'connecting'` and `'offline'` as above; once welcomed `'connected'` (a
 * document is still opening or catching up, or none is open), `'saving'` (every document caught
 * up, some local edit not yet acknowledged) or `'synced'` (every local edit of every open
 * document acknowledged); `'closed'`. A lost socket is retried after 0.1 to 1 s (`maxBackoffMs`),
 * so the client is back within about a second of the server; `reconnectNow()` skips the wait, and
 * so does the browser's `online` event (its `offline` event drops the socket at once).
 *
 * Tokens: a static `token` is said in every hello. A `getToken` callback (returning the token or a
 * Promise of it) is called instead at every connect and reconnect, and again when 80 % of the
 * token's life from `welcome` to its `exp` has passed (or 60 s before `exp`, whichever comes
 * first) to send `auth {token}` on the live socket; a refused refresh is reported and retried with
 * backoff while the old token still serves. When the server closes with 1008 after `unauthorized`
 * (a token that expired or was refused), a client with `getToken` reconnects with backoff and a
 * fresh token; one without stops (`'closed'`), as after any other 1008. `client.user` is who the
 * server says this client is (`welcome {user, name, color, exp}`; the `'user'` event).
 *
 * Several nodes (docs/scaling.md): `error {doc, code: 'moved', url}` moves that document to a
 * socket to `url` (one per node, shared by the documents that node owns), where it reopens with
 * `open {rev}` as after a reconnect; the socket to `url` or an alternate (the seed socket) stays
 * for the documents nobody redirected, so documents of different owners each stay on their owner.
 * A lost node socket reconnects to its node; one that cannot reach it sends its documents back to
 * the seed socket; a node socket without documents is closed. `state` is the seed socket's; each
 * document's state is its own socket's.
 *
 * A seq is unique only with the client id: a new client gets a random id unless one is given,
 * and a given id needs `firstSeq` above every seq an earlier client with that id used.
 *
 * Someone else using this client's id (by mistake, or to erase its edits) makes the server refuse
 * an op with `seq_reused`, or shows as an op committed under this client's id that this client
 * did not send (then it need not wait for a refusal). The client then takes a fresh random id:
 * once no other op of it is in flight under the old id (each has its ack or its own refusal), it
 * reconnects and says the new id in hello, reopens its documents as on any reconnect, and sends
 * the refused op again, transformed as usual, under the new id with a fresh seq. Nothing is lost
 * or applied twice; the `'clientIdChanged'` event reports it.
 */
export class TandemClient {
  #url;
  /** @type {string[]} the url and the alternates: nodes of one cluster, tried in turn */
  #seeds;
  #seedIndex = 0;
  #token;
  /** @type {(() => string | Promise<string>) | null} */
  #getToken;
  /** counts connect attempts, so a token that arrives for an abandoned one is dropped */
  #attempts = 0;
  /** the id of new ops: changes when someone else uses it */
  #clientId;
  /** the id said in the newest connection's hello: ops go only on a connection of their id */
  #helloId;
  #WebSocket;
  #pingIntervalMs;
  #timers;
  #now;
  #settings;
  #backoff;
  #events = new Emitter();
  /** @type {Map<string, TandemDocument>} */
  #documents = new Map();
  #nextSeq;
  /** @type {Connection | null} the socket to a seed: every document not on a node socket */
  #connection = null;
  /** @type {Map<string, Connection>} the socket to each node a `moved` named, by its URL */
  #nodeConnections = new Map();
  /** @type {Map<string, string>} the documents on a node socket, and its URL; others: the seed */
  #owners = new Map();
  /** @type {Map<string, number>} when each document was last redirected */
  #lastMoved = new Map();
  /** @type {Set<string>} documents redirected again within a second: they reopen after a backoff */
  #waiting = new Set();
  /** @type {Map<string, any>} the reconnect timers of lost node sockets, by URL */
  #nodeTimers = new Map();
  #reconnectTimer = null;
  #refreshTimer = null;
  #refreshBackoff;
  #state = 'connecting';
  /** @type {ClientStatus} */
  #status = 'connecting';
  /** @type {User | null} */
  #user = null;
  #closed = false;
  /** removes the browser `offline` and `online` listeners */
  #stopWatchingNetwork = () => {};

  /**
   * @param {string} url
   * @param {object} [options]
   * @param {string} [options.token] said in hello; empty when the server has auth off
   * @param {() => string | Promise<string>} [options.getToken] called for the token at every
   *   (re)connect and before it expires (then sent in `auth`); used instead of `token`
   * @param {string} [options.clientId] 1 to 64 code points, no control character, no lone
   *   surrogate (see `checkClientId`); a random id by default
   * @param {number} [options.firstSeq] the first seq (default 1)
   * @param {typeof WebSocket} [options.WebSocket] the WebSocket constructor (default the global)
   * @param {number} [options.initialBackoffMs] reconnect delays (default 200 ms doubling ...)
   * @param {number} [options.maxBackoffMs] ... up to this cap (default 1 s: back within about a
   *   second of the server)
   * @param {boolean} [options.watchNetwork] follow the browser's `offline` and `online` events:
   *   drop the socket at once when the network goes, reconnect at once when it is back (default
   *   true)
   * @param {number} [options.pingIntervalMs] no message for two intervals = lost (default 20 s)
   * @param {number} [options.presenceThrottleMs] at most one own selection per interval (100 ms)
   * @param {number} [options.undoMergeMs] local edits closer than this are one undo step (1000)
   * @param {() => number} [options.random] the jitter's random source (default Math.random)
   * @param {{setTimeout: Function, clearTimeout: Function}} [options.timers]
   * @param {() => number} [options.now] milliseconds clock (default Date.now)
   * @param {string[]} [options.alternates] other nodes of the same cluster, tried in turn when
   *   the current one cannot be reached (not needed behind a load balancer; docs/scaling.md)
   */
  constructor(url, options = {}) {
    const {
      token = '',
      getToken = null,
      clientId = randomClientId(),
      firstSeq = 1,
      WebSocket: WebSocketClass = globalThis.WebSocket,
      initialBackoffMs = 200,
      maxBackoffMs = 1000,
      watchNetwork = true,
      pingIntervalMs = 20_000,
      presenceThrottleMs = 100,
      undoMergeMs = 1000,
      random = Math.random,
      timers = globalThis,
      now = Date.now,
      alternates = [],
    } = options;
    checkClientId(clientId);
    if (!Number.isInteger(firstSeq) || firstSeq < 1) {
      throw new RangeError(`first seq is ${firstSeq} (expected an integer >= 1)`);
    }
    if (getToken !== null && typeof getToken !== 'function') {
      throw new TypeError('getToken is not a function');
    }
    if (typeof WebSocketClass !== 'function') {
      throw new TypeError('no WebSocket constructor: pass options.WebSocket');
    }
    this.#url = url;
    this.#seeds = [url, ...alternates];
    this.#token = token;
    this.#getToken = getToken;
    this.#clientId = clientId;
    this.#helloId = clientId;
    this.#WebSocket = WebSocketClass;
    this.#pingIntervalMs = pingIntervalMs;
    this.#timers = timers;
    this.#now = now;
    this.#settings = {
      initialMs: initialBackoffMs,
      maxMs: Math.max(maxBackoffMs, RETRY_MAX_MS),
      random,
      presenceThrottleMs,
      undoMergeMs,
    };
    this.#backoff = new Backoff({ initialMs: initialBackoffMs, maxMs: maxBackoffMs, random });
    // refused refreshes count as bad messages on the server (10 in 10 s close the socket): so
    // retries start at a second, a few in ten seconds, and go on until the token expires
    this.#refreshBackoff = new Backoff({
      initialMs: MIN_REFRESH_MS,
      maxMs: Math.max(MIN_REFRESH_MS, maxBackoffMs, RETRY_MAX_MS),
      random,
    });
    this.#nextSeq = firstSeq;
    if (watchNetwork && typeof globalThis.addEventListener === 'function') {
      // the browser knows before a ping would tell: offline now, and back now
      const offline = () => this.dropConnection();
      const online = () => this.reconnectNow();
      globalThis.addEventListener('offline', offline);
      globalThis.addEventListener('online', online);
      this.#stopWatchingNetwork = () => {
        globalThis.removeEventListener('offline', offline);
        globalThis.removeEventListener('online', online);
      };
    }
    this.#connect();
  }

  /**
   * The id this client's ops go under, said in hello; the same across reconnects until someone
   * else uses it (see `'clientIdChanged'`).
   */
  get clientId() {
    return this.#clientId;
  }

  /**
   * The user the server's welcome named, or null before the first welcome.
   * @returns {string | null}
   */
  get userId() {
    return this.#user?.id ?? null;
  }

  /**
   * Who the server says this client is, from the last `welcome` (and `authed`), or null before
   * the first: `{id, name, color, exp}`, `color` null when the token has none, `exp` the token's
   * expiry in epoch seconds or null when it never expires (auth off).
   * @returns {User | null}
   */
  get user() {
    return this.#user;
  }

  /**
   * `'connecting'`, `'connected'`, `'offline'` or `'closed'`.
   * @returns {ConnectionState}
   */
  get state() {
    return this.#state;
  }

  /**
   * `'connecting'`, `'connected'`, `'saving'`, `'synced'`, `'offline'` or `'closed'`: the
   * connection state joined with the open documents' states (see the class comment).
   * @returns {ClientStatus}
   */
  get status() {
    return this.#status;
  }

  /**
   * Listens to `'status'` (the new sync status), `'state'` (the new connection state), `'error'`
   * (a {@link TandemError}: an `unauthorized` one is a refused token or refresh, or a failed
   * `getToken`), `'user'` (a
   * {@link User}: at every welcome, and when a refreshed token's new expiry is confirmed) or
   * `'clientIdChanged'` (a {@link ClientIdChange}: someone else used this client's id, so its ops
   * go under a fresh one from now on; the refused op is sent again under it).
   * @template {keyof ClientEvents} E
   * @param {E} event
   * @param {(...args: ClientEvents[E]) => void} listener
   * @returns {() => void} removes the listener
   */
  on(event, listener) {
    return this.#events.on(event, listener);
  }

  /**
   * Opens a document (the server creates it empty if it does not exist and the user may write).
   * Resolves with the handle once the server sent its text and revision; rejects with a
   * {@link TandemError} if the server refuses. Opening an open document gives the same handle.
   * @param {string} docId
   * @returns {Promise<TandemDocument>}
   */
  open(docId) {
    if (this.#closed) {
      return Promise.reject(new Error('client is closed'));
    }
    let document = this.#documents.get(docId);
    if (document === undefined) {
      document = new TandemDocument(this.#internals(), docId);
      this.#documents.set(docId, document);
      this.#updateStatus();
      if (this.#connection?.welcomed) {
        document._connected(); // a new document starts on the seed socket
      }
    }
    return document.whenOpened();
  }

  /**
   * Reconnects at once instead of waiting out the backoff: for a "retry now" button. While
   * offline it connects now (and the next delays start small again); while a connect attempt
   * has had no welcome yet it starts a fresh one. Does nothing while connected or closed.
   * A node socket (docs/scaling.md) waiting to reconnect reconnects now too.
   * @returns {boolean} whether a reconnect started
   */
  reconnectNow() {
    if (this.#closed) {
      return false;
    }
    this.#backoff.reset();
    let started = false;
    for (const [node, timer] of [...this.#nodeTimers]) {
      this.#timers.clearTimeout(timer);
      this.#nodeTimers.delete(node);
      this.#connectNode(node);
      started = true;
    }
    if (this.#reconnectTimer !== null) {
      this.#timers.clearTimeout(this.#reconnectTimer);
      this.#connect();
      return true;
    }
    const connection = this.#connection;
    if (connection !== null && !connection.welcomed) {
      this.#lost(connection, ABNORMAL, 'reconnecting now on request', 0);
      return true;
    }
    return started;
  }

  /**
   * Aborts every socket as a network failure would; the client reconnects with backoff and
   * catches up. For fault drills and tests.
   */
  dropConnection() {
    for (const connection of this.#allConnections()) {
      this.#lost(connection, ABNORMAL, 'connection dropped on request');
    }
  }

  /** Closes every socket and every document without waiting for unacknowledged edits. */
  close() {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    this.#stopWatchingNetwork();
    this.#cancelTimers();
    for (const timer of this.#nodeTimers.values()) {
      this.#timers.clearTimeout(timer);
    }
    this.#nodeTimers.clear();
    for (const connection of this.#allConnections()) {
      this.#stopPing(connection);
      if (connection.socket !== null) {
        closeQuietly(connection.socket, 1000, 'client closed');
      }
    }
    this.#connection = null;
    this.#nodeConnections.clear();
    for (const document of [...this.#documents.values()]) {
      document._clientClosed();
    }
    this.#documents.clear();
    this.#setState('closed');
  }

  // ---- connection lifecycle ----

  /** Connects the seed socket. */
  #connect() {
    this.#reconnectTimer = null;
    if (this.#closed) {
      return;
    }
    this.#setState('connecting');
    if (this.#getToken === null) {
      this.#openSocket(this.#token);
      return;
    }
    const attempt = ++this.#attempts;
    this.#fetchToken().then(
      (token) => {
        if (attempt === this.#attempts && !this.#closed) {
          this.#openSocket(token);
        }
      },
      (error) => {
        if (attempt === this.#attempts && !this.#closed) {
          this.#report(error);
          this.#setState('offline');
          this.#reconnectTimer = this.#timers.setTimeout(
            () => this.#connect(),
            this.#backoff.next(),
          );
        }
      },
    );
  }

  /**
   * Calls getToken; resolves with its string, or rejects with an `unauthorized` TandemError.
   * @returns {Promise<string>}
   */
  #fetchToken() {
    const failed = (why) => new TandemError('unauthorized', `getToken failed: ${why}`);
    let result;
    try {
      result = Promise.resolve(/** @type {Function} */ (this.#getToken)());
    } catch (error) {
      return Promise.reject(failed(error?.message ?? error));
    }
    return result.then(
      (token) => {
        if (typeof token !== 'string') {
          throw failed(`it gave ${typeof token} (expected a string)`);
        }
        return token;
      },
      (error) => {
        throw error instanceof TandemError ? error : failed(error?.message ?? error);
      },
    );
  }

  /** @param {string} token said in hello */
  #openSocket(token) {
    const connection = this.#newConnection(null, this.#url);
    this.#connection = connection;
    this.#dial(connection, token);
  }

  /**
   * A socket not yet dialled: to the seed (`node` null) or to the node a `moved` named.
   * @param {string | null} node
   * @param {string} url
   * @returns {Connection}
   */
  #newConnection(node, url) {
    if (this.#drained(this.#helloId)) {
      this.#helloId = this.#clientId; // else ops under the old id still await their answers
    }
    return {
      node,
      url,
      helloId: this.#helloId,
      socket: /** @type {any} */ (null),
      welcomed: false,
      lastHeard: this.#now(),
      pingTimer: null,
    };
  }

  /**
   * Opens the socket of `connection` and says hello on it once open.
   * @param {Connection} connection
   * @param {string} token said in hello
   */
  #dial(connection, token) {
    connection.token = token;
    let socket;
    try {
      socket = new this.#WebSocket(connection.url);
    } catch (error) {
      this.#lost(connection, ABNORMAL, `connect failed: ${error}`);
      return;
    }
    socket.binaryType = 'arraybuffer'; // `ops` frames: decoded as they come, not as Blobs
    connection.socket = socket;
    connection.lastHeard = this.#now();
    // Silence is judged from the dial, not from the welcome: a socket that never opens or a server
    // that never answers hello is found dead like any other.
    this.#schedulePing(connection);
    socket.addEventListener('open', () => {
      if (this.#isCurrent(connection)) {
        this.#send(connection, {
          type: 'hello',
          token,
          client: connection.helloId,
          protocol: PROTOCOL,
        });
      }
    });
    socket.addEventListener('message', (event) => this.#received(connection, event.data));
    socket.addEventListener('close', (event) =>
      this.#lost(
        connection,
        event.code ?? ABNORMAL,
        `closed by the server: ${event.code} ${event.reason ?? ''}`,
      ),
    );
    socket.addEventListener('error', () => this.#lost(connection, ABNORMAL, 'socket error'));
  }

  /**
   * A socket to `node` for the documents it owns, unless there is one (or none of them is left);
   * their `open` goes once it is welcomed.
   * @param {string} node
   */
  #connectNode(node) {
    this.#nodeTimers.delete(node);
    if (this.#closed || this.#nodeConnections.has(node) || !this.#hasDocumentsOn(node)) {
      return;
    }
    const connection = this.#newConnection(node, node);
    this.#nodeConnections.set(node, connection);
    if (this.#getToken === null) {
      this.#dial(connection, this.#token);
      return;
    }
    this.#fetchToken().then(
      (token) => {
        if (this.#isCurrent(connection) && !this.#closed) {
          this.#dial(connection, token);
        }
      },
      (error) => {
        if (this.#isCurrent(connection) && !this.#closed) {
          this.#report(error);
          this.#lost(connection, ABNORMAL, `no token for ${node}`);
        }
      },
    );
  }

  /** The seed socket and every node socket. */
  #allConnections() {
    const all = this.#connection === null ? [] : [this.#connection];
    return [...all, ...this.#nodeConnections.values()];
  }

  /**
   * Whether `connection` is still the seed socket or its node's socket.
   * @param {Connection} connection
   */
  #isCurrent(connection) {
    return connection.node === null
      ? connection === this.#connection
      : this.#nodeConnections.get(connection.node) === connection;
  }

  /**
   * The socket `document` lives on now, or null while it is being made.
   * @param {TandemDocument} document
   * @returns {Connection | null}
   */
  #connectionOf(document) {
    const node = this.#owners.get(document.id);
    return node === undefined ? this.#connection : (this.#nodeConnections.get(node) ?? null);
  }

  /**
   * The documents that live on the socket to `node` (null: the seed socket).
   * @param {string | null} node
   */
  #documentsOn(node) {
    return [...this.#documents.values()].filter(
      (document) => (this.#owners.get(document.id) ?? null) === node,
    );
  }

  /** @param {string} node */
  #hasDocumentsOn(node) {
    return [...this.#owners.values()].includes(node);
  }

  /**
   * @param {Connection} connection
   * @param {unknown} data
   */
  #received(connection, data) {
    if (!this.#isCurrent(connection)) {
      return;
    }
    connection.lastHeard = this.#now();
    let message;
    try {
      message = JSON.parse(typeof data === 'string' ? data : UTF8.decode(data));
      if (message === null || typeof message !== 'object' || typeof message.type !== 'string') {
        throw new Error('a message is an object with a string type');
      }
    } catch (error) {
      this.#report(new TandemError('unknown', `malformed server message: ${error.message}`));
      return;
    }
    const type = message.type;
    if (!connection.welcomed && type !== 'welcome' && type !== 'error') {
      this.#report(new TandemError('unknown', `server sent '${type}' before welcome`));
      return;
    }
    try {
      switch (type) {
        case 'welcome':
          this.#welcomed(connection, message);
          break;
        case 'pong':
          break;
        case 'authed':
          this.#authed(connection, message);
          break;
        case 'error':
          this.#error(connection, message);
          break;
        case 'opened':
        case 'ops':
        case 'ack':
        case 'presence':
        case 'closed': {
          const document = this.#documents.get(message.doc);
          if (document !== undefined && this.#connectionOf(document) === connection) {
            document._received(type, message); // else: from a socket the document left
          }
          break;
        }
        default: // a newer server's message: ignore
      }
    } catch (error) {
      this.#report(
        new TandemError('unknown', `bad '${type}' message from the server: ${error.message}`),
      );
    }
    this.#switchIfDrained();
  }

  #welcomed(connection, message) {
    connection.welcomed = true;
    if (connection.node === null) {
      const id = typeof message.user === 'string' ? message.user : null;
      this.#user =
        id === null
          ? null
          : Object.freeze({
              id,
              name: typeof message.name === 'string' ? message.name : id,
              color: typeof message.color === 'string' ? message.color : null,
              exp: Number.isInteger(message.exp) ? message.exp : null,
            });
      this.#backoff.reset();
      this.#refreshBackoff.reset();
      this.#setState('connected');
      this.#scheduleRefresh(connection);
      if (this.#user !== null) {
        this.#events.emit('user', this.#user);
      }
    }
    this.#openOn(connection.node);
  }

  /**
   * Opens the documents that live on the socket to `node` (null: the seed socket), but not those
   * waiting out a redirect's backoff.
   * @param {string | null} node
   */
  #openOn(node) {
    for (const document of this.#documentsOn(node)) {
      this.#openUnlessWaiting(document);
    }
  }

  /**
   * Opens `document` on its socket unless it waits out a redirect's backoff (its timer opens it).
   * @param {TandemDocument} document
   */
  #openUnlessWaiting(document) {
    if (!this.#waiting.has(document.id)) {
      document._connected();
    }
  }

  /** The refreshed token is taken: `authed {user, exp}`. */
  #authed(connection, message) {
    connection.authPending = false;
    connection.token = connection.pendingToken;
    if (connection.node !== null) {
      return; // the seed socket's refresh schedules the next one for every socket
    }
    this.#refreshBackoff.reset();
    if (this.#user !== null) {
      this.#user = Object.freeze({
        ...this.#user,
        exp: Number.isInteger(message.exp) ? message.exp : null,
      });
      this.#events.emit('user', this.#user);
    }
    this.#scheduleRefresh(connection);
  }

  /**
   * With getToken and a token that expires: refresh it when 80 % of its remaining life has
   * passed, or 60 s before it expires, whichever comes first.
   * @param {Connection} connection the seed socket
   */
  #scheduleRefresh(connection) {
    this.#cancelRefresh();
    const exp = this.#user?.exp ?? null;
    if (this.#getToken === null || exp === null) {
      return;
    }
    const left = exp * 1000 - this.#now();
    const delay = Math.max(MIN_REFRESH_MS, Math.min(REFRESH_AT * left, left - REFRESH_BEFORE_MS));
    this.#refreshTimer = this.#timers.setTimeout(() => this.#refresh(connection), delay);
  }

  /**
   * Fetches a fresh token and sends it in `auth` on every welcomed socket (node sockets serve
   * under it too); the seed socket's `authed` schedules the next refresh.
   * @param {Connection} connection the seed socket
   */
  #refresh(connection) {
    this.#refreshTimer = null;
    if (connection !== this.#connection) {
      return;
    }
    this.#fetchToken().then(
      (token) => {
        if (connection !== this.#connection) {
          return;
        }
        if (token === connection.token) {
          this.#retryRefresh(connection); // nothing new yet (a static token): ask again later
          return;
        }
        for (const each of this.#allConnections()) {
          if (each.welcomed && each.token !== token) {
            each.authPending = true;
            each.pendingToken = token;
            this.#send(each, { type: 'auth', token });
          }
        }
      },
      (error) => {
        if (connection === this.#connection) {
          this.#report(error);
          this.#retryRefresh(connection);
        }
      },
    );
  }

  /**
   * A refused or failed refresh: the old token serves until it expires; try again after a
   * backoff (the server closes the socket at expiry, which cancels the retry).
   * @param {Connection} connection the seed socket
   */
  #retryRefresh(connection) {
    this.#cancelRefresh();
    this.#refreshTimer = this.#timers.setTimeout(
      () => this.#refresh(connection),
      this.#refreshBackoff.next(),
    );
  }

  #cancelRefresh() {
    if (this.#refreshTimer !== null) {
      this.#timers.clearTimeout(this.#refreshTimer);
      this.#refreshTimer = null;
    }
  }

  /**
   * @param {Connection} connection
   * @param {any} message
   */
  #error(connection, message) {
    const error = new TandemError(
      typeof message.code === 'string' ? message.code : 'unknown',
      typeof message.message === 'string' ? message.message : '',
      {
        retryable: message.retryable === true,
        docId: typeof message.doc === 'string' ? message.doc : null,
        seq: Number.isInteger(message.seq) ? message.seq : null,
      },
    );
    if (error.code === 'unauthorized') {
      if (connection.authPending && error.docId === null) {
        connection.authPending = false; // the refresh was refused: the old token still serves
        if (connection.node === null) {
          this.#retryRefresh(connection); // a node socket's waits for the seed's next refresh
        }
      } else {
        connection.unauthorized = true; // a close 1008 next is about the token
      }
    }
    const document = error.docId === null ? undefined : this.#documents.get(error.docId);
    if (document !== undefined && this.#connectionOf(document) !== connection) {
      return; // about a socket the document left
    }
    if (error.code === 'moved' && typeof message.url === 'string') {
      if (document !== undefined) {
        this.#follow(document, message.url);
      }
      return;
    }
    if (document !== undefined) {
      document._error(error);
    } else {
      this.#report(error);
    }
  }

  /**
   * Another node sequences `document` (docs/scaling.md): it moves to the socket to that node
   * (made if there is none), where it reopens and resends what is unacknowledged, as after any
   * reconnect; the socket it leaves stays for the other documents. At once the first time; a
   * redirect of the same document within a second of the last waits a backoff, so two nodes that
   * disagree for a moment are not asked in a tight loop.
   *
   * @param {TandemDocument} document
   * @param {string} url the owner's WebSocket URL
   */
  #follow(document, url) {
    const now = this.#now();
    const again = now - (this.#lastMoved.get(document.id) ?? -Infinity) < 1000;
    this.#lastMoved.set(document.id, now);
    if (this.#connection !== null && url === this.#connection.url) {
      this.#owners.delete(document.id); // back to the seed socket's node
    } else {
      this.#owners.set(document.id, url);
    }
    document._disconnected(); // the server forgot it on the socket it leaves
    this.#closeUnusedNodeSockets();
    if (again) {
      this.#waiting.add(document.id);
      this.#timers.setTimeout(() => {
        this.#waiting.delete(document.id);
        this.#reopen(document, url);
      }, this.#backoff.next());
    } else {
      this.#reopen(document, url);
    }
  }

  /**
   * Opens `document` on its socket, if it still lives on `url`'s.
   * @param {TandemDocument} document
   * @param {string} url
   */
  #reopen(document, url) {
    if (this.#closed || this.#documents.get(document.id) !== document) {
      return;
    }
    const node = this.#owners.get(document.id);
    if (node !== undefined && node !== url) {
      return; // redirected again meanwhile
    }
    const connection = this.#connectionOf(document);
    if (connection === null) {
      if (node !== undefined && !this.#nodeTimers.has(node)) {
        this.#connectNode(node); // its welcome opens the document
      }
    } else if (connection.welcomed) {
      document._connected();
    }
  }

  /** Closes the node sockets no document lives on any more. */
  #closeUnusedNodeSockets() {
    for (const [node, connection] of [...this.#nodeConnections]) {
      if (!this.#hasDocumentsOn(node)) {
        this.#nodeConnections.delete(node);
        this.#stopPing(connection);
        if (connection.socket !== null) {
          closeQuietly(connection.socket, 1000, 'no document left');
        }
      }
    }
  }

  /** @param {Connection} connection */
  #schedulePing(connection) {
    connection.pingTimer = this.#timers.setTimeout(() => {
      connection.pingTimer = null;
      if (!this.#isCurrent(connection)) {
        return;
      }
      const silent = this.#now() - connection.lastHeard;
      if (silent > 2 * this.#pingIntervalMs) {
        this.#lost(connection, ABNORMAL, `no answer from the server for ${silent} ms`);
      } else {
        if (connection.welcomed) {
          this.#send(connection, { type: 'ping' }); // before it, a pong would precede the welcome
        }
        this.#schedulePing(connection);
      }
    }, this.#pingIntervalMs);
  }

  /** @param {Connection} connection */
  #stopPing(connection) {
    if (connection.pingTimer !== null) {
      this.#timers.clearTimeout(connection.pingTimer);
      connection.pingTimer = null;
    }
  }

  /**
   * @param {Connection} connection
   * @param {number} code
   * @param {string} reason
   * @param {number} [reconnectMs] the delay before reconnecting (default the next backoff)
   */
  #lost(connection, code, reason, reconnectMs = undefined) {
    if (!this.#isCurrent(connection)) {
      return;
    }
    if (connection.node !== null) {
      this.#nodeLost(connection, code, reason, reconnectMs);
      return;
    }
    this.#connection = null;
    this.#cancelTimers();
    this.#stopPing(connection);
    if (connection.socket !== null) {
      closeQuietly(connection.socket, 1000, 'lost');
    }
    if (!connection.welcomed) {
      // not reached: the next seed (any node of a cluster will do)
      this.#seedIndex = (this.#seedIndex + 1) % this.#seeds.length;
      this.#url = this.#seeds[this.#seedIndex];
    }
    for (const document of this.#documentsOn(null)) {
      document._disconnected();
    }
    if (this.#closed || !this.#stillUsable(connection, code, reason)) {
      return;
    }
    this.#setState('offline');
    this.#reconnectTimer = this.#timers.setTimeout(
      () => this.#connect(),
      reconnectMs ?? this.#backoff.next(),
    );
  }

  /**
   * A node socket is lost: it reconnects to its node after a backoff; if it never reached the
   * node (gone, or not a node any more), its documents go back to the seed socket, where they are
   * redirected again or taken over.
   * @param {Connection} connection
   * @param {number} code
   * @param {string} reason
   * @param {number} [reconnectMs]
   */
  #nodeLost(connection, code, reason, reconnectMs) {
    const node = /** @type {string} */ (connection.node);
    this.#nodeConnections.delete(node);
    this.#stopPing(connection);
    if (connection.socket !== null) {
      closeQuietly(connection.socket, 1000, 'lost');
    }
    const orphans = this.#documentsOn(node);
    for (const document of orphans) {
      document._disconnected();
    }
    if (this.#closed || !this.#stillUsable(connection, code, reason)) {
      return;
    }
    if (!connection.welcomed) {
      // never reached: its documents go back to the seed socket (the others there stay open)
      for (const document of orphans) {
        this.#owners.delete(document.id);
        if (this.#connection?.welcomed) {
          this.#openUnlessWaiting(document);
        }
      }
      return;
    }
    this.#nodeTimers.set(
      node,
      this.#timers.setTimeout(() => this.#connectNode(node), reconnectMs ?? this.#backoff.next()),
    );
  }

  /**
   * What a close code says about every socket of this client: a policy violation (not about a
   * token that getToken can renew) ends the client (false).
   * @param {Connection} connection
   * @param {number} code
   * @param {string} reason
   */
  #stillUsable(connection, code, reason) {
    const tokenRefused = connection.unauthorized === true || /token expired/.test(reason);
    if (code === POLICY_VIOLATION && !(tokenRefused && this.#getToken !== null)) {
      this.#report(
        new TandemError(
          'forbidden',
          `server closed the connection for a policy violation: ${reason}`,
        ),
      );
      this.close();
      return false;
    }
    return true;
  }

  /**
   * Someone else used `taken.clientId` with `taken.seq` for another op of document `docId`. If
   * that is this client's id, new ops go under a fresh one from now on.
   * @param {import('./client.js').OpId} taken
   * @param {string} docId
   */
  #idTaken(taken, docId) {
    if (taken.clientId !== this.#clientId) {
      return; // an op under an id already replaced: it simply goes under the current one
    }
    const previousClientId = this.#clientId;
    this.#clientId = randomClientId();
    /** @type {ClientIdChange} */
    const change = Object.freeze({
      previousClientId,
      clientId: this.#clientId,
      docId,
      seq: taken.seq,
    });
    this.#events.emit('clientIdChanged', change);
  }

  /**
   * Whether no op of any document is in flight under `helloId`.
   * @param {string} helloId
   */
  #drained(helloId) {
    return [...this.#documents.values()].every((document) => !document._inFlightUnder(helloId));
  }

  /**
   * After a new client id: once every op sent under the old one is answered, reconnect each
   * socket that said the old one under the new one (an op whose answer is lost with the socket
   * goes again under the old id first, so it is stored once).
   */
  #switchIfDrained() {
    for (const connection of this.#allConnections()) {
      if (
        connection.welcomed &&
        connection.helloId !== this.#clientId &&
        this.#drained(connection.helloId)
      ) {
        this.#lost(connection, ABNORMAL, `reconnecting as ${this.#clientId}`, 0);
      }
    }
  }

  #cancelTimers() {
    if (this.#reconnectTimer !== null) {
      this.#timers.clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = null;
    }
    this.#cancelRefresh();
  }

  /** @param {ConnectionState} state */
  #setState(state) {
    if (this.#state !== state) {
      this.#state = state;
      this.#events.emit('state', state);
    }
    this.#updateStatus();
  }

  /** Joins the connection state and the documents' states into the sync status. */
  #updateStatus() {
    if (this.#state === 'connected' && this.#connection === null) {
      return; // the socket is being given up: the state that follows sets the status
    }
    /** @type {ClientStatus} */
    let status;
    if (this.#state !== 'connected') {
      status = this.#state;
    } else {
      const states = [...this.#documents.values()].map((document) => document.state);
      status =
        states.length === 0 || states.some((state) => state !== 'synced' && state !== 'sending')
          ? 'connected'
          : states.includes('sending')
            ? 'saving'
            : 'synced';
    }
    if (this.#status !== status) {
      this.#status = status;
      this.#events.emit('status', status);
    }
  }

  /** @param {TandemError} error */
  #report(error) {
    this.#events.emit('error', error);
  }

  /**
   * @param {Connection} connection
   * @param {object} message
   */
  #send(connection, message) {
    try {
      connection.socket.send(JSON.stringify(message));
    } catch (error) {
      this.#lost(connection, ABNORMAL, `send failed: ${error}`);
    }
  }

  /** What a document may use of its client: each call about the document's own socket. */
  #internals() {
    return {
      settings: this.#settings,
      timers: this.#timers,
      now: this.#now,
      clientId: () => this.#clientId,
      nextId: () => Object.freeze({ clientId: this.#clientId, seq: this.#nextSeq++ }),
      /** @param {TandemDocument} document */
      helloId: (document) => this.#connectionOf(document)?.helloId ?? this.#helloId,
      idTaken: (taken, docId) => this.#idTaken(taken, docId),
      /** @param {TandemDocument} document */
      online: (document) => this.#connectionOf(document)?.welcomed === true,
      /**
       * Sends on the document's socket if it is welcomed; false if there is none.
       * @param {TandemDocument} document
       * @param {object} message
       */
      send: (document, message) => {
        const connection = this.#connectionOf(document);
        if (connection === null || !connection.welcomed) {
          return false;
        }
        this.#send(connection, message);
        return true;
      },
      /**
       * Resync by reconnecting the document's socket: its documents reopen with open {rev} and
       * catch up.
       * @param {TandemDocument} document
       */
      resync: (document) => {
        const connection = this.#connectionOf(document);
        if (connection !== null) {
          this.#lost(connection, ABNORMAL, 'resync');
        }
      },
      /** @param {TandemDocument} document */
      forget: (document) => {
        if (this.#documents.get(document.id) === document) {
          this.#documents.delete(document.id);
          this.#owners.delete(document.id);
          this.#lastMoved.delete(document.id);
          this.#waiting.delete(document.id);
          this.#closeUnusedNodeSockets();
          this.#switchIfDrained();
          this.#updateStatus();
        }
      },
      /** a document's state changed: the sync status may too */
      stateChanged: () => this.#updateStatus(),
    };
  }
}

/**
 * One open document of a {@link TandemClient}: its local text, the last server revision seen,
 * local edits and other clients' presence. Local edits apply to the local text at once and go to
 * the server one op at a time; remote ops are transformed against the unacknowledged local edits
 * before they are applied, so every client ends with the server's text.
 *
 * Document states (the `'state'` event), for an app to show: `'connecting'` (opening or
 * reopening and catching up), `'synced'` (every local edit committed), `'sending'` (local edits
 * not yet acknowledged), `'offline'` (the connection is gone; local edits are kept and sent after
 * the reconnect), `'closed'`.
 *
 * Events: `'change'` ({op, text, revision, origin}), `'state'`, `'ack'` (revision, seq),
 * `'presence'` (a {@link Presence}: a client opened the document, published or moved its
 * selection), `'presenceLeft'` (clientId: it closed the document, its socket closed or was found
 * dead, or this client went offline), `'error'` (a TandemError; a `seq_reused` one is followed by
 * the op going again under a fresh client id, see {@link TandemClient}'s `'clientIdChanged'`).
 */
export class TandemDocument {
  #client;
  #id;
  #session;
  #retryBackoff;
  #events = new Emitter();
  #state = 'connecting';
  /** @type {{resolve: Function, reject: Function, promise: Promise<TandemDocument>}} */
  #opened;
  /** @type {{resolve: Function, reject: Function}[]} */
  #synchronizedWaiters = [];
  /** @type {{resolve: Function, promise: Promise<void>} | null} */
  #closedSignal = null;
  #openSent = false;
  #resyncRequired = false;
  #reopenOnClosed = false; // the close sent was the first half of a reopen
  #closeRequested = false;
  #closeSent = false;
  #connections = 0; // counts lost connections, so a late retry can tell it is stale
  /** @type {{selection: any, meta: object} | null} */
  #pendingSelection = null;
  #selectionTimer = null;
  #undo = new UndoManager();
  #lastEditAt = -Infinity;

  /**
   * Made by {@link TandemClient#open}.
   * @param {DocumentHost} client
   * @param {string} id
   */
  constructor(client, id) {
    this.#client = client;
    this.#id = id;
    this.#retryBackoff = new Backoff({
      initialMs: client.settings.initialMs,
      maxMs: client.settings.maxMs,
      random: client.settings.random,
    });
    this.#opened = deferred();
    this.#opened.promise.catch(() => {}); // a refusal is also reported; no unhandled rejection
    this.#session = new DocumentSession({
      nextId: client.nextId,
      sink: {
        // an op under a newer id than the connection's waits for the reconnect under that id
        submit: (rev, op, seq, clientId) =>
          clientId === client.helloId(this) &&
          client.send(this, { type: 'submit', doc: id, rev, op, seq }),
        publishPresence: (rev, selection, meta) =>
          client.send(this, { type: 'presence', doc: id, rev, selection, meta }),
        changed: (change) => {
          if (change.origin === 'remote') {
            this.#undo.transform(change.op); // undo never reverts what others typed
          } else if (change.origin === 'resync') {
            this.#undo = new UndoManager();
          }
          this.#events.emit('change', change);
        },
        acknowledged: (rev, seq) => {
          this.#retryBackoff.reset();
          this.#events.emit('ack', rev, seq);
        },
        presence: (presence) => this.#events.emit('presence', withNameAndColor(presence)),
        presenceLeft: (clientId) => this.#events.emit('presenceLeft', clientId),
        synchronizedNow: () => {
          const waiters = this.#synchronizedWaiters;
          this.#synchronizedWaiters = [];
          waiters.forEach((waiter) => waiter.resolve());
        },
        idTaken: (taken) => client.idTaken(taken, id),
      },
    });
  }

  get id() {
    return this.#id;
  }

  /** The local text: the server's text at `revision` plus unacknowledged local edits. */
  get text() {
    return this.#session.text;
  }

  /** The last server revision this client has seen (acknowledged or received). */
  get revision() {
    return this.#session.revision;
  }

  /**
   * `'connecting'`, `'synced'`, `'sending'`, `'offline'` or `'closed'`.
   * @returns {DocumentState}
   */
  get state() {
    return this.#state;
  }

  /**
   * Every other client with the document open, by client id, with its selection in code points
   * of the current local text (empty while it has published none), a display name and a color.
   * @returns {Map<string, Presence>}
   */
  get presences() {
    const result = new Map();
    for (const [clientId, presence] of this.#session.presences) {
      result.set(clientId, withNameAndColor(presence));
    }
    return result;
  }

  /**
   * @template {keyof DocumentEvents} E
   * @param {E} event
   * @param {(...args: DocumentEvents[E]) => void} listener
   * @returns {() => void} removes the listener
   */
  on(event, listener) {
    return this.#events.on(event, listener);
  }

  /** Resolves once the server sent the text and revision. */
  whenOpened() {
    return this.#opened.promise;
  }

  /**
   * Applies a local edit: `editor` gets the current local text and returns an op whose base
   * length is that text's length in code points. Returns the op once applied locally (not yet
   * acknowledged; see `whenSynchronized`).
   * @param {(text: string) => TextOperation} editor
   * @returns {TextOperation}
   * @throws if the document is closed or not open yet, or the op does not apply (nothing changes)
   */
  edit(editor) {
    if (this.#closeRequested || this.#state === 'closed') {
      throw new Error(`document ${this.#id} closed`);
    }
    const before = this.#session.text;
    const op = editor(before);
    this.#session.applyClient(op);
    const now = this.#client.now();
    this.#undo.record(op.invert(before), {
      merge: now - this.#lastEditAt < this.#client.settings.undoMergeMs,
    });
    this.#lastEditAt = now;
    this.#publish();
    return op;
  }

  /** Whether there is a local edit to undo. */
  get canUndo() {
    return this.#undo.canUndo;
  }

  /** Whether there is an undone edit to redo. */
  get canRedo() {
    return this.#undo.canRedo;
  }

  /**
   * Undoes this user's last step, as it is now: transformed through everything others did since,
   * so their text stays. Edits closer together than `undoMergeMs` form one step, unless
   * `endUndoStep` came between them. The undo is a local edit like any other and goes to the
   * server.
   * @returns {boolean} false if there was nothing to undo
   */
  undo() {
    return this.#revert(this.#undo.popUndo(), (inverse) => this.#undo.recordUndone(inverse));
  }

  /**
   * Redoes the last undone edit.
   * @returns {boolean} false if there was nothing to redo
   */
  redo() {
    return this.#revert(this.#undo.popRedo(), (inverse) => this.#undo.recordRedone(inverse));
  }

  /**
   * Ends the current undo step: the next local edit starts a new one, however soon it comes.
   * Editor bindings call it when the user moves the caret or changes the selection, so typing,
   * a click elsewhere and more typing are two steps, as in Google Docs.
   */
  endUndoStep() {
    this.#undo.breakMerge();
  }

  /**
   * @param {TextOperation | null} op
   * @param {(inverse: TextOperation) => void} record
   */
  #revert(op, record) {
    if (op === null) {
      return false;
    }
    if (this.#closeRequested || this.#state === 'closed') {
      throw new Error(`document ${this.#id} closed`);
    }
    const before = this.#session.text;
    this.#session.applyClient(op);
    record(op.invert(before));
    this.#lastEditAt = -Infinity; // the next edit starts a new step
    this.#publish();
    return true;
  }

  /**
   * {@link edit} with a ready op.
   * @param {TextOperation} op
   */
  submit(op) {
    return this.edit(() => op);
  }

  /**
   * Publishes this client's selection (code points of the local text, `[[anchor, head], ...]`)
   * with a small `meta` object (for example `{name, color}`), at most once per throttle interval.
   * It goes out once every local edit is acknowledged, transformed through what happened since.
   * @param {Array<[number, number]>} selection
   * @param {Record<string, unknown>} [meta]
   */
  setSelection(selection, meta = {}) {
    this.#pendingSelection = { selection, meta };
    if (this.#selectionTimer === null) {
      this.#flushSelection();
    }
  }

  /**
   * Resolves when every local edit made so far is acknowledged by the server.
   * @returns {Promise<void>}
   */
  whenSynchronized() {
    if (this.#state === 'closed') {
      return Promise.reject(new Error(`document ${this.#id} closed`));
    }
    if (this.#session.initialized && this.#session.isSynchronized) {
      return Promise.resolve();
    }
    const waiter = deferred();
    this.#synchronizedWaiters.push(waiter);
    return waiter.promise;
  }

  /** Closes the document once every local edit is acknowledged; resolves at the server's closed. */
  close() {
    if (this.#closedSignal === null) {
      this.#closedSignal = deferred();
    }
    if (!this.#closeRequested && this.#state !== 'closed') {
      this.#closeRequested = true;
      this.whenSynchronized().then(
        () => this.#sendClose(),
        () => {},
      );
    }
    return this.#closedSignal.promise;
  }

  // ---- driven by TandemClient ----

  /** @internal */
  _connected() {
    if (this.#closeRequested && this.#session.initialized && this.#session.isSynchronized) {
      this.#finishClose();
      return;
    }
    this.#sendOpen();
  }

  /** @internal */
  _disconnected() {
    this.#connections++;
    this.#openSent = false;
    this.#closeSent = false;
    this.#reopenOnClosed = false; // the reconnect reopens it
    this.#session.goOffline();
    this.#publish();
  }

  /**
   * @internal
   * @param {string} type
   * @param {any} message
   */
  _received(type, message) {
    switch (type) {
      case 'opened':
        this.#openedMessage(message);
        break;
      case 'ops':
        this.#serverOps(message);
        break;
      case 'ack':
        this.#session.acknowledge(
          integer(message, 'rev'),
          integer(message, 'seq'),
          this.#client.helloId(this),
        );
        break;
      case 'presence':
        this.#presence(message);
        break;
      case 'closed':
        this.#closedByServer();
        break;
      default:
        throw new Error(`not a document message: ${type}`);
    }
    this.#publish();
  }

  /**
   * @internal
   * @param {TandemError} error
   */
  _error(error) {
    this.#events.emit('error', error);
    const inFlight = this.#session.state.inFlight;
    if (error.code === 'unauthorized') {
      // about the token, not this document: the server closes the socket (1008) next, and what is
      // in flight goes again after a reconnect with a fresh token (or the client stops)
    } else if (
      (error.code === 'forbidden' || error.code === 'not_found') &&
      error.seq === null &&
      this.#session.initialized
    ) {
      // the refreshed token may no longer read it, or it was deleted: the server closed it
      this.#finishClose();
    } else if (error.seq !== null) {
      const seq = error.seq;
      const sentAs = this.#client.helloId(this); // the error came on the document's socket
      if (error.code === 'seq_reused') {
        this.#session.seqReused(seq, sentAs); // goes again under a fresh id
      } else if (error.retryable) {
        const sameConnection = this.#connections;
        this.#client.timers.setTimeout(() => {
          if (sameConnection === this.#connections) {
            this.#session.retry(seq, sentAs);
          }
        }, this.#retryBackoff.next());
      } else if (inFlight !== null && inFlight.seq === seq && inFlight.clientId === sentAs) {
        // the server refused the op in flight: the local text can no longer converge with it,
        // unless what it was made on was pruned: a reopen at our revision resyncs and keeps it
        this.#resyncRequired = error.code !== 'gone';
        this.#session.goOffline();
        if (this.#client.send(this, { type: 'close', doc: this.#id })) {
          this.#closeSent = true;
          this.#reopenOnClosed = true; // the reopen follows the server's closed
        }
      }
    } else if (error.retryable && this.#openSent && !this.#session.online) {
      const sameConnection = this.#connections;
      this.#client.timers.setTimeout(() => {
        if (sameConnection === this.#connections && this.#state !== 'closed') {
          this.#sendOpen(); // reopening failed for now
        }
      }, this.#retryBackoff.next());
    } else if (!this.#session.initialized) {
      this.#opened.reject(error); // the first open was refused
      this.#finishClose();
    } else if (error.code === 'rev_out_of_range' && this.#openSent) {
      this.#resyncRequired = true; // the server does not know our revision: start from its text
      this.#sendOpen();
    }
    this.#publish();
  }

  /**
   * Whether this document's op in flight is under `clientId`.
   * @internal
   * @param {string} clientId
   */
  _inFlightUnder(clientId) {
    return this.#session.state.inFlight?.clientId === clientId;
  }

  /** @internal */
  _clientClosed() {
    this.#rejectWaiters('client closed');
    this.#opened.reject(new Error('client closed'));
    this.#closedSignal?.resolve();
    this.#cancelSelectionTimer();
    this.#setState('closed');
  }

  #sendOpen() {
    const message = { type: 'open', doc: this.#id };
    if (this.#session.initialized && !this.#resyncRequired) {
      message.rev = this.#session.revision;
    }
    this.#openSent = this.#client.send(this, message);
    this.#publish();
  }

  #openedMessage(message) {
    const serverRevision = integer(message, 'rev');
    if (typeof message.text === 'string') {
      if (message.resync === true && this.#session.initialized) {
        // our revision was pruned: rebase what the server does not have onto its head text
        this.#session.rebase(
          serverRevision,
          message.text,
          this.#client.helloId(this),
          typeof message.seq === 'number' ? message.seq : null,
        );
      } else if (!this.#session.initialized) {
        this.#session.initialize(serverRevision, message.text);
      } else {
        this.#session.reset(serverRevision, message.text);
      }
      this.#resyncRequired = false;
    } else {
      if (!Array.isArray(message.ops)) {
        throw new Error("'opened' has neither text nor ops");
      }
      if (!this.#serverOps(message)) {
        return;
      }
    }
    this.#retryBackoff.reset();
    this.#session.goOnline();
    this.#publish();
    this.#opened.resolve(this);
  }

  /**
   * The committed ops of an `ops` message (or of `opened`), in revision order: others' ops are
   * applied, this client's own op in flight is its acknowledgement.
   * @returns {boolean} false if an op left a gap and a resync started
   */
  #serverOps(message) {
    if (!Array.isArray(message.ops)) {
      throw new Error("'ops' without an array 'ops'");
    }
    for (const entry of message.ops) {
      if (!this.#serverOp(entry)) {
        return false;
      }
    }
    return true;
  }

  /** @returns {boolean} false if the op left a gap and a resync started */
  #serverOp(message) {
    const serverRevision = integer(message, 'rev');
    const op = TextOperation.fromJSON(message.op);
    const opClientId = typeof message.client === 'string' ? message.client : '';
    const opSeq = Number.isInteger(message.seq) ? message.seq : 0;
    const before = this.#session.revision;
    const sentHere = this.#session.state.inFlight;
    if (!this.#session.applyServer(serverRevision, op, opClientId, opSeq)) {
      this.#events.emit(
        'error',
        new TandemError(
          'unknown',
          `op at revision ${serverRevision} after ${this.#session.revision}`,
          { retryable: true, docId: this.#id },
        ),
      );
      this.#client.resync(this); // reconnect and catch up with open {rev}
      return false;
    }
    const notOurs = sentHere?.clientId !== opClientId || sentHere?.seq !== opSeq;
    if (serverRevision > before && notOurs && opClientId === this.#client.clientId()) {
      // someone else commits under this client's id: move to a fresh one before using that seq
      this.#client.idTaken(Object.freeze({ clientId: opClientId, seq: opSeq }), this.#id);
    }
    return true;
  }

  #presence(message) {
    const from = message.client;
    if (typeof from !== 'string') {
      throw new Error("presence without a string 'client'");
    }
    if (message.left === true) {
      this.#session.presenceLeft(from);
      return;
    }
    this.#session.remotePresence(
      from,
      typeof message.user === 'string' ? message.user : '',
      integer(message, 'rev'),
      message.selection,
      message.meta !== null && typeof message.meta === 'object' ? message.meta : {},
    );
  }

  #closedByServer() {
    this.#openSent = false;
    this.#closeSent = false;
    if (this.#reopenOnClosed) {
      this.#reopenOnClosed = false;
      this.#sendOpen();
    } else {
      this.#finishClose();
    }
  }

  #sendClose() {
    if (this.#state === 'closed' || this.#closeSent) {
      return;
    }
    if (this.#openSent && this.#client.send(this, { type: 'close', doc: this.#id })) {
      this.#closeSent = true;
    } else {
      this.#finishClose();
    }
  }

  #finishClose() {
    this.#client.forget(this);
    this.#session.goOffline();
    this.#rejectWaiters('document closed');
    this.#closedSignal?.resolve();
    this.#cancelSelectionTimer();
    this.#setState('closed');
  }

  #flushSelection() {
    const pending = this.#pendingSelection;
    if (pending === null || this.#state === 'closed') {
      return;
    }
    this.#pendingSelection = null;
    try {
      this.#session.setOwnSelection(pending.selection, pending.meta);
    } catch (error) {
      this.#events.emit(
        'error',
        new TandemError('bad_request', String(error.message), { docId: this.#id }),
      );
    }
    const throttle = this.#client.settings.presenceThrottleMs;
    if (throttle > 0) {
      this.#selectionTimer = this.#client.timers.setTimeout(() => {
        this.#selectionTimer = null;
        this.#flushSelection();
      }, throttle);
    }
  }

  #cancelSelectionTimer() {
    if (this.#selectionTimer !== null) {
      this.#client.timers.clearTimeout(this.#selectionTimer);
      this.#selectionTimer = null;
    }
  }

  /** @param {string} why */
  #rejectWaiters(why) {
    const waiters = this.#synchronizedWaiters;
    this.#synchronizedWaiters = [];
    waiters.forEach((waiter) => waiter.reject(new Error(why)));
  }

  /** Derives the state an app shows from the connection and the session. */
  #publish() {
    if (this.#state === 'closed') {
      return;
    }
    let next;
    if (!this.#client.online(this)) {
      next = this.#session.initialized ? 'offline' : 'connecting';
    } else if (!this.#session.online) {
      next = 'connecting';
    } else {
      next = this.#session.isSynchronized ? 'synced' : 'sending';
    }
    this.#setState(next);
  }

  /** @param {DocumentState} next */
  #setState(next) {
    if (this.#state !== next) {
      this.#state = next;
      this.#events.emit('state', next);
      this.#client.stateChanged();
    }
  }
}

/** @typedef {'connecting' | 'connected' | 'offline' | 'closed'} ConnectionState */

/** @typedef {'connecting' | 'synced' | 'sending' | 'offline' | 'closed'} DocumentState */

/**
 * A client's sync status: its connection state joined with its documents' states.
 * @typedef {'connecting' | 'connected' | 'saving' | 'synced' | 'offline' | 'closed'} ClientStatus
 */

/**
 * The events of a {@link TandemClient} and the arguments their listeners get.
 * @typedef {{status: [ClientStatus], state: [ConnectionState], error: [TandemError],
 *   user: [User], clientIdChanged: [ClientIdChange]}} ClientEvents
 */

/**
 * The events of a {@link TandemDocument} and the arguments their listeners get: `ack` the
 * revision and seq of the acknowledged op, `presenceLeft` the client id.
 * @typedef {{change: [import('./client.js').TextChange], state: [DocumentState],
 *   ack: [number, number], presence: [Presence], presenceLeft: [string],
 *   error: [TandemError]}} DocumentEvents
 */

/**
 * One socket of a {@link TandemClient}: `node` null for the seed socket, else the URL of the node
 * a `moved` named (also its `url`); `helloId` the client id said in its hello; `socket` null until
 * dialled; `token` the token it serves under (said in hello, or taken by `authed`),
 * `unauthorized` once the server refused its token (a close 1008 next is then about the token),
 * `authPending` while an `auth` of `pendingToken` awaits its answer; `pingTimer` its own ping.
 * @typedef {{node: string | null, url: string, helloId: string, socket: WebSocket,
 *   welcomed: boolean, lastHeard: number, pingTimer: any, token?: string,
 *   unauthorized?: boolean, authPending?: boolean, pendingToken?: string}} Connection
 */

/**
 * Who the server says the client is (`welcome {user, name, color?, exp?}`): `exp` the token's
 * expiry in epoch seconds, null when it never expires (auth off); `color` null without one.
 * @typedef {{readonly id: string, readonly name: string, readonly color: string | null,
 *   readonly exp: number | null}} User
 */

/**
 * What a document uses of its client (made by TandemClient, not part of the public API).
 * @typedef {object} DocumentHost
 * @property {{initialMs: number, maxMs: number, random: () => number, presenceThrottleMs: number,
 *   undoMergeMs: number}} settings
 * @property {{setTimeout: Function, clearTimeout: Function}} timers
 * @property {() => number} now
 * @property {() => string} clientId the id of new ops
 * @property {() => import('./client.js').OpId} nextId the id of an op that goes in flight
 * @property {(document: TandemDocument) => string} helloId the id the document's socket said in
 *   hello
 * @property {(taken: import('./client.js').OpId, docId: string) => void} idTaken
 * @property {(document: TandemDocument) => boolean} online whether the document's socket is
 *   welcomed
 * @property {(document: TandemDocument, message: object) => boolean} send on the document's socket
 * @property {(document: TandemDocument) => void} resync reconnects the document's socket
 * @property {(document: TandemDocument) => void} forget
 * @property {() => void} stateChanged
 */

/**
 * Another client's selection with a display name (`meta.name`, else the user id, else the
 * client id) and a color (`meta.color`, else one derived from the client id).
 * @typedef {import('./client.js').RemotePresence & {name: string, color: string}} Presence
 */

/**
 * @param {import('./client.js').RemotePresence} presence
 * @returns {Presence}
 */
function withNameAndColor(presence) {
  const meta = presence.meta ?? {};
  const name =
    typeof meta.name === 'string' && meta.name !== ''
      ? meta.name
      : presence.userId !== ''
        ? presence.userId
        : presence.clientId;
  const color = typeof meta.color === 'string' ? meta.color : colorFor(presence.clientId);
  return Object.freeze({ ...presence, name, color });
}

/**
 * A stable, readable color for an id: the same id always gets the same hue.
 * @param {string} id
 */
export function colorFor(id) {
  let hash = 0;
  for (let i = 0; i < id.length; i++) {
    hash = (Math.imul(hash, 31) + id.charCodeAt(i)) | 0;
  }
  return `hsl(${((hash % 360) + 360) % 360}, 70%, 45%)`;
}

/**
 * @param {any} message
 * @param {string} field
 * @returns {number}
 */
function integer(message, field) {
  const value = message[field];
  if (!Number.isInteger(value)) {
    throw new Error(`field '${field}' is ${JSON.stringify(value)} (expected an integer)`);
  }
  return value;
}

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * @param {WebSocket} socket
 * @param {number} code
 * @param {string} reason
 */
function closeQuietly(socket, code, reason) {
  try {
    socket.close(code, reason);
  } catch {
    // already closed, or closing
  }
}

/**
 * What `'clientIdChanged'` tells: another client used this client's id with `seq` on document
 * `docId` (the server refused this client's op sent as (`previousClientId`, `seq`), or committed
 * the other client's op under that pair), so this client's ops go under `clientId` from now on,
 * starting with any op of it that was refused.
 * @typedef {{readonly previousClientId: string, readonly clientId: string, readonly docId: string,
 *   readonly seq: number}} ClientIdChange
 */

/**
 * The server's rule for a client id: 1 to 64 code points of well-formed UTF-16 (no lone
 * surrogate) without control characters (U+0000–U+001F, U+007F–U+009F), with the server's
 * messages.
 * @param {unknown} clientId
 * @throws {RangeError} otherwise
 */
export function checkClientId(clientId) {
  if (typeof clientId !== 'string') {
    throw new RangeError(`client id is ${typeof clientId} (expected a string)`);
  }
  const lone = firstLoneSurrogate(clientId);
  if (lone >= 0) {
    throw new RangeError(
      `client id holds a lone surrogate at UTF-16 index ${lone} (expected: none)`,
    );
  }
  const length = codePointCount(clientId);
  if (length < 1 || length > 64) {
    throw new RangeError(`client id length : ${length} (expected: 1 to 64 code points)`);
  }
  const control = clientId.search(/[\u0000-\u001f\u007f-\u009f]/);
  if (control >= 0) {
    const hex = clientId.charCodeAt(control).toString(16).toUpperCase().padStart(4, '0');
    throw new RangeError(
      `client id holds control character U+${hex} at ${control} (expected: none)`,
    );
  }
}

function randomClientId() {
  const crypto = globalThis.crypto;
  if (crypto?.randomUUID) {
    return crypto.randomUUID();
  }
  return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
