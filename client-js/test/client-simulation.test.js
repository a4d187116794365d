// Several DocumentSessions against a simulated sequencer, under seeded random interleavings of
// local edits, deliveries, lost connections, retryable refusals and presence, as the Java
// ClientSimulationTest. Messages travel in order per direction, as on one WebSocket; a lost
// connection loses whatever was on the way. At the end every client has the server's text, no
// (client, seq) reached the server twice after it was committed, every committed op was
// acknowledged exactly once, and every remote cursor stands before the character it stood before
// when it was published.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextOperation, codePointCount } from '../src/index.js';
import { DocumentSession } from '../src/client.js';
import { random } from './support/random.js';
import { RandomEdits } from './support/random-edits.js';

const SEEDS = 60;
const STEPS = 600;

test('clients converge with the server under random interleavings', () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    simulate(seed);
  }
});

/** @param {number} seed */
function simulate(seed) {
  const rnd = random(seed);
  const edits = new RandomEdits(rnd);
  const server = new Server(edits.fresh(rnd.nextInt(10)));
  const clients = [];
  for (let i = 0, n = 2 + rnd.nextInt(4); i < n; i++) {
    clients.push(new SimClient(`c${i}`, server, `seed ${seed}`));
  }
  for (const client of clients) {
    client.session.initialize(0, server.text);
    client.session.goOnline();
  }
  const where = `seed ${seed}`;

  for (let step = 0; step < STEPS; step++) {
    const client = clients[rnd.nextInt(clients.length)];
    const action = rnd.nextInt(100);
    if (action < 25) {
      client.session.applyClient(edits.operation(client.session.text));
    } else if (action < 50) {
      server.receiveOne(client, rnd);
    } else if (action < 80) {
      client.deliverOne(where);
    } else if (action < 84) {
      client.retryOne();
    } else if (action < 92) {
      const position = rnd.nextInt(codePointCount(client.session.text) + 1);
      client.session.setOwnSelection([[position, position]]);
    } else if (action < 96) {
      if (client.connected) {
        server.disconnect(client);
      }
    } else if (!client.connected) {
      server.reconnect(client);
    }
  }

  // quiesce: everyone back online, every message delivered, every retry made
  clients.filter((c) => !c.connected).forEach((c) => server.reconnect(c));
  let busy = true;
  while (busy) {
    busy = false;
    for (const client of clients) {
      busy = server.receiveOne(client, rnd) || busy;
      busy = client.deliverOne(where) || busy;
      busy = client.retryOne() || busy;
    }
  }

  assert.equal(server.duplicateSubmits, 0, `${where}: a committed op was resubmitted`);
  for (const client of clients) {
    const session = client.session;
    assert.ok(session.isSynchronized, `${where}: ${client.id} not synchronized`);
    assert.equal(session.text, server.text, `${where}: text of ${client.id}`);
    assert.equal(session.revision, server.log.length, `${where}: rev of ${client.id}`);
    const committed = server.log.filter((c) => c.clientId === client.id).length;
    assert.equal(client.acks, committed, `${where}: acks of ${client.id}`);
    for (const presence of session.presences.values()) {
      client.checkCursor(presence, `${where}, at the end`);
    }
  }
}

/** The sequencer: transform against what was committed after the base, dedup by (client, seq). */
class Server {
  /** @param {string} text */
  constructor(text) {
    this.text = text;
    /** @type {{revision: number, op: TextOperation, clientId: string, seq: number}[]} */
    this.log = [];
    /** @type {Map<string, number>} */
    this.revisionBySeq = new Map();
    /** @type {SimClient[]} */
    this.connected = [];
    this.duplicateSubmits = 0;
  }

  /**
   * @param {SimClient} from
   * @param {ReturnType<typeof random>} rnd
   */
  receiveOne(from, rnd) {
    if (!from.connected || from.toServer.length === 0) {
      return false;
    }
    const message = from.toServer.shift();
    if (message.type === 'submit') {
      this.submit(from, message, rnd);
    } else if (message.type === 'presence') {
      from.publishedPresence = true;
      for (const other of this.connected) {
        if (other !== from) {
          other.fromServer.push({ ...message, client: from.id });
        }
      }
    }
    return true;
  }

  submit(from, { rev, op, seq }, rnd) {
    const key = `${from.id}/${seq}`;
    const earlier = this.revisionBySeq.get(key);
    if (earlier !== undefined) {
      this.duplicateSubmits++;
      from.fromServer.push({ type: 'ack', rev: earlier, seq });
      return;
    }
    if (rnd.nextInt(10) === 0) {
      from.fromServer.push({ type: 'error', seq, retryable: true }); // unavailable: retry later
      return;
    }
    let transformed = op;
    for (const concurrent of this.log.slice(rev)) {
      transformed = TextOperation.transform(transformed, concurrent.op).left; // submitted is LEFT
    }
    this.text = transformed.apply(this.text);
    const committed = { revision: this.log.length + 1, op: transformed, clientId: from.id, seq };
    this.log.push(committed);
    this.revisionBySeq.set(key, committed.revision);
    for (const other of this.connected) {
      other.fromServer.push({ type: 'op', ...committed }); // for its sender, its ack
    }
  }

  /** @param {SimClient} client */
  disconnect(client) {
    client.connected = false;
    client.toServer = [];
    client.fromServer = [];
    client.retries = [];
    client.session.goOffline();
    this.connected = this.connected.filter((c) => c !== client);
    if (client.publishedPresence) {
      client.publishedPresence = false;
      this.connected.forEach((other) => other.fromServer.push({ type: 'left', client: client.id }));
    }
  }

  /** @param {SimClient} client */
  reconnect(client) {
    client.connected = true;
    this.connected.push(client);
    client.fromServer.push({ type: 'opened', missed: this.log.slice(client.session.revision) });
  }
}

/** One client: a session whose sink writes to the simulated socket. */
class SimClient {
  /**
   * @param {string} id
   * @param {Server} server
   * @param {string} where
   */
  constructor(id, server, where) {
    this.id = id;
    this.connected = true;
    this.publishedPresence = false;
    this.acks = 0;
    /** @type {any[]} */ this.toServer = [];
    /** @type {any[]} */ this.fromServer = [];
    /** @type {number[]} */ this.retries = [];
    let seq = 1;
    this.session = new DocumentSession({
      clientId: id,
      nextSeq: () => seq++,
      sink: {
        submit: (rev, op, seq) => this.toServer.push({ type: 'submit', rev, op, seq }),
        publishPresence: (rev, selection) => {
          // published while synchronized: the local text is the server's text at this revision
          const chars = Array.from(this.session.text);
          const head = selection[0][1];
          const character = head < chars.length ? chars[head] : null;
          this.toServer.push({ type: 'presence', rev, selection, character });
        },
        changed: (change) => assert.equal(change.text, this.session.text, where),
        acknowledged: () => this.acks++,
        presence: (presence) => this.checkCursor(presence, `${where}: on arrival`),
      },
    });
    server.connected.push(this);
  }

  /** @param {string} where */
  deliverOne(where) {
    if (!this.connected || this.fromServer.length === 0) {
      return false;
    }
    const message = this.fromServer.shift();
    const session = this.session;
    switch (message.type) {
      case 'op':
        assert.ok(
          session.applyServer(message.revision, message.op, message.clientId, message.seq),
          where,
        );
        break;
      case 'ack':
        session.acknowledge(message.rev, message.seq, this.id);
        break;
      case 'error':
        this.retries.push(message.seq);
        break;
      case 'presence':
        session.remotePresence(
          message.client,
          `user-${message.client}`,
          message.rev,
          message.selection,
          {
            character: message.character,
          },
        );
        break;
      case 'left':
        session.presenceLeft(message.client);
        break;
      case 'opened':
        for (const op of message.missed) {
          assert.ok(session.applyServer(op.revision, op.op, op.clientId, op.seq), where);
        }
        session.goOnline();
        break;
      default:
        assert.fail(`unknown message ${message.type}`);
    }
    return true;
  }

  retryOne() {
    if (!this.connected || this.retries.length === 0) {
      return false;
    }
    this.session.retry(/** @type {number} */ (this.retries.shift()), this.id);
    return true;
  }

  /** A remote caret published before character c stands before c while c exists. */
  checkCursor(presence, where) {
    const character = presence.meta.character;
    const chars = Array.from(this.session.text);
    if (character === null || !chars.includes(character)) {
      return; // published at the end of the text, or the character was deleted
    }
    const position = presence.selection[0][1];
    assert.equal(
      chars[position],
      character,
      `${where}: cursor of ${presence.clientId} seen by ${this.id} at ${position}`,
    );
  }
}
