// Someone else using this client's id: the server answers the client's op with seq_reused (or
// commits the other op under the same client id and seq first), and the client sends its op
// again under a fresh client id, after every op under the old id is answered, so nothing is lost
// and nothing is applied twice; the document session's part of it, then the protocol client's
// against the fake network. Plus the server's rule for a given client id.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextOperation } from '../src/index.js';
import { DocumentSession } from '../src/client.js';
import { checkClientId } from '../src/connection.js';
import { append, open, world } from './support/world.js';

/** The `client` of each hello, in order. */
function hellos(w) {
  return w.server.received.filter((m) => m.type === 'hello').map((m) => m.client);
}

/** `client/seq` of every op committed to `docId`, in order. */
function committed(w, docId) {
  return w.server.documents.get(docId).log.map((c) => `${c.client}/${c.seq}`);
}

/** Inserts `text` at the start of the document. */
function prepend(text) {
  return (/** @type {string} */ current) =>
    TextOperation.builder()
      .insert(text)
      .retain([...current].length)
      .build();
}

/**
 * A session whose ids start as `me`, and which takes `me-1`, `me-2`, ... when told its id is
 * taken, as a client does; it records the submits and the taken ids.
 */
function session() {
  let clientId = 'me';
  let seq = 10;
  const submitted = [];
  const taken = [];
  const acks = [];
  const s = new DocumentSession({
    nextId: () => ({ clientId, seq: seq++ }),
    sink: {
      submit: (rev, op, opSeq, opClientId) =>
        submitted.push(`${opClientId}/${opSeq} r${rev} ${JSON.stringify(op)}`),
      acknowledged: (rev, ackSeq) => acks.push(`${ackSeq}@${rev}`),
      idTaken: (id) => {
        taken.push(`${id.clientId}/${id.seq}`);
        clientId = `me-${taken.length}`;
      },
    },
  });
  return { session: s, submitted, taken, acks };
}

/** An op that inserts `text` between `before` and `after` kept code points. */
function insert(before, text, after) {
  return TextOperation.builder().retain(before).insert(text).retain(after).build();
}

test('a session sends its op in flight again under a fresh id on seq_reused, buffer after', () => {
  const { session: s, submitted, taken, acks } = session();
  s.initialize(0, 'ab');
  s.goOnline();
  s.applyClient(insert(2, 'c', 0)); // me/10
  s.applyClient(insert(3, 'd', 0)); // buffered
  assert.equal(s.seqReused(9, 'me'), false, 'an answer to an op no longer in flight');
  assert.equal(s.seqReused(10, 'other'), false);
  assert.deepEqual(taken, []);

  assert.equal(s.seqReused(10, 'me'), true);
  assert.deepEqual(taken, ['me/10']);
  assert.deepEqual(submitted, ['me/10 r0 [2,"c"]', 'me-1/11 r0 [2,"c"]']);
  s.acknowledge(1, 10, 'me'); // not the op in flight any more
  assert.deepEqual(acks, []);
  s.acknowledge(1, 11, 'me-1');
  assert.equal(submitted.at(-1), 'me-1/12 r1 [3,"d"]', 'the buffer goes under the new id');
  s.acknowledge(2, 12, 'me-1');
  assert.ok(s.isSynchronized);
  assert.equal(s.text, 'abcd');
});

test('a session applies another op committed under the pair in flight, then sends its own again', () => {
  const { session: s, submitted, taken, acks } = session();
  s.initialize(0, 'ab');
  s.goOnline();
  s.applyClient(insert(2, 'mine', 0)); // me/10
  assert.ok(s.applyServer(1, insert(0, 'T', 2), 'me', 10)); // someone else's op under me/10
  assert.deepEqual(acks, []);
  assert.equal(s.text, 'Tabmine');
  assert.deepEqual(taken, ['me/10']);
  assert.equal(submitted.at(-1), 'me-1/11 r1 [3,"mine"]');
  assert.equal(s.seqReused(10, 'me'), false, 'the later refusal changes nothing');
  // the op itself, transformed as the server transforms it, is the ack
  assert.ok(s.applyServer(2, insert(3, 'mine', 0), 'me-1', 11));
  assert.deepEqual(acks, ['11@2']);
  assert.ok(s.isSynchronized);
  assert.deepEqual(taken, ['me/10']);
});

test('seq_reused: the op goes again under a fresh client id, and the change is reported', async () => {
  const w = world();
  const thief = w.client('alice'); // the same id, by mistake or on purpose
  const t = await open(w, thief, 'doc');
  t.edit(append('T')); // stored as alice/1
  w.run();
  const victim = w.client('alice');
  const doc = await open(w, victim, 'doc');
  const changes = [];
  victim.on('clientIdChanged', (change) => changes.push(change));
  const errors = [];
  doc.on('error', (e) => errors.push([e.code, e.seq]));

  doc.edit(prepend('mine ')); // alice/1 again: refused, not stored
  w.run();
  w.wait(1); // the reconnect under the new id goes at once

  assert.deepEqual(errors, [['seq_reused', 1]]);
  assert.equal(changes.length, 1);
  const [change] = changes;
  assert.equal(change.previousClientId, 'alice');
  assert.equal(change.docId, 'doc');
  assert.equal(change.seq, 1);
  assert.notEqual(change.clientId, 'alice');
  assert.equal(victim.clientId, change.clientId);
  assert.equal(hellos(w).at(-1), change.clientId, 'the new socket says the new id');
  assert.deepEqual(committed(w, 'doc'), ['alice/1', `${change.clientId}/2`]);
  assert.equal(w.server.documents.get('doc').text, 'mine T');
  assert.equal(doc.text, 'mine T');
  assert.equal(doc.state, 'synced');
  doc.edit(append('!')); // later edits go under the new id too
  w.run();
  assert.deepEqual(committed(w, 'doc').at(-1), `${change.clientId}/3`);
  assert.equal(t.text, 'mine T!');
});

test('another op committed under the id and seq in flight is applied, never taken as the ack', async () => {
  const w = world();
  const victim = w.client('alice');
  const thief = w.client('alice');
  const doc = await open(w, victim, 'doc');
  const t = await open(w, thief, 'doc');
  const changes = [];
  victim.on('clientIdChanged', (change) => changes.push(change));
  t.edit(append('theirs')); // alice/1 reaches the server first...
  doc.edit(append('mine')); // ...so this alice/1 is broadcast another op under its own pair
  w.run();
  w.wait(1);

  assert.equal(changes.length, 1, 'reported once: the later seq_reused answer changes nothing');
  const fresh = changes[0].clientId;
  assert.deepEqual(committed(w, 'doc'), ['alice/1', `${fresh}/2`]);
  assert.equal(w.server.documents.get('doc').text, 'minetheirs');
  assert.equal(doc.text, 'minetheirs');
  assert.equal(t.text, 'minetheirs');
  assert.equal(doc.state, 'synced');
});

test('an op committed under this client id by someone else moves it to a fresh id at once', async () => {
  const w = world();
  const victim = w.client('alice');
  const doc = await open(w, victim, 'doc');
  const changes = [];
  victim.on('clientIdChanged', (change) => changes.push(change));
  const thief = w.client('alice');
  const t = await open(w, thief, 'doc');
  t.edit(append('T')); // alice/1, seen by the victim, which has not used seq 1 yet
  w.run();
  w.wait(1);
  assert.equal(changes.length, 1);
  const fresh = changes[0].clientId;
  assert.deepEqual(changes[0], {
    previousClientId: 'alice',
    clientId: fresh,
    docId: 'doc',
    seq: 1,
  });
  assert.equal(hellos(w).at(-1), fresh, 'reconnected under the new id: nothing was in flight');

  doc.edit(append(' mine'));
  w.run();
  assert.equal(w.server.seqReusedRefusals, 0, 'never refused: the new id came first');
  assert.deepEqual(committed(w, 'doc'), ['alice/1', `${fresh}/1`]);
  assert.equal(doc.text, 'T mine');
  assert.equal(doc.state, 'synced');
});

test("another document's op in flight under the old id is answered before the switch", async () => {
  const w = world();
  const thief = w.client('alice', { firstSeq: 2 });
  const ta = await open(w, thief, 'a');
  ta.edit(append('T')); // alice/2 on a
  w.run();
  const victim = w.client('alice');
  const a = await open(w, victim, 'a');
  const b = await open(w, victim, 'b');
  const changes = [];
  victim.on('clientIdChanged', (change) => changes.push(change));
  w.server.holding.add('b'); // b's submits wait, as behind a slow database
  b.edit(append('on b')); // alice/1, held
  a.edit(append(' on a')); // alice/2: seq_reused
  w.run();
  w.wait(1000);

  assert.equal(changes.length, 1);
  const fresh = changes[0].clientId;
  assert.deepEqual(hellos(w), ['alice', 'alice'], 'no switch while b waits for its answer');
  assert.equal(a.state, 'sending');
  const aSubmits = w.server.received.filter((m) => m.type === 'submit' && m.doc === 'a');
  assert.equal(aSubmits.length, 2, "a's op waits for the new id");

  w.server.release('b'); // alice/1 committed and acknowledged: now nothing is left under alice
  w.run();
  w.wait(1);
  assert.deepEqual(hellos(w), ['alice', 'alice', fresh]);
  assert.deepEqual(committed(w, 'b'), ['alice/1']);
  assert.deepEqual(committed(w, 'a'), ['alice/2', `${fresh}/3`]);
  assert.equal(a.text, 'T on a');
  assert.equal(b.text, 'on b');
  assert.equal(w.server.documents.get('a').text, 'T on a');
  assert.equal(a.state, 'synced');
  assert.equal(b.state, 'synced');
});

test('an op under the old id whose answer was lost is recognised, never sent under the new id', async () => {
  const w = world();
  const thief = w.client('alice', { firstSeq: 2 });
  const ta = await open(w, thief, 'a');
  ta.edit(append('T'));
  w.run();
  const victim = w.client('alice');
  const a = await open(w, victim, 'a');
  const b = await open(w, victim, 'b');
  let fresh = null;
  victim.on('clientIdChanged', (change) => (fresh = change.clientId));
  w.server.holding.add('b');
  b.edit(append('on b')); // alice/1, held
  a.edit(append(' on a')); // alice/2: seq_reused
  w.run();
  assert.ok(fresh !== null);
  for (const socket of w.network.sockets.slice(1)) {
    socket.serverClosed(1006); // the victim's socket breaks, b's answer with it
  }
  w.run();
  w.wait(1000); // reconnected under alice: b's alice/1 is still unanswered
  assert.deepEqual(hellos(w), ['alice', 'alice', 'alice']);

  // the held submit of the dead socket commits now and is broadcast to the new socket, where b
  // takes it as its own; b's resubmission of alice/1 then gets the old ack
  w.server.release('b');
  w.run();
  w.wait(1000);
  assert.deepEqual(hellos(w), ['alice', 'alice', 'alice', fresh]);
  assert.deepEqual(committed(w, 'b'), ['alice/1'], 'stored once');
  assert.deepEqual(committed(w, 'a'), ['alice/2', `${fresh}/3`]);
  assert.equal(a.text, 'T on a');
  assert.equal(b.text, 'on b');
  assert.equal(a.state, 'synced');
  assert.equal(b.state, 'synced');
});

test('a given client id follows the server rule', () => {
  for (const good of ['a', 'x'.repeat(64), '😀'.repeat(64), 'émile-😀', 'c-1 2']) {
    assert.doesNotThrow(() => checkClientId(good), good);
  }
  const bad = [
    '',
    'x'.repeat(65),
    '😀'.repeat(65),
    'a\u0000b',
    'tab\t',
    '\u007f',
    'c1\u0085',
    '\ud800',
    'x\udc00y',
    42,
  ];
  for (const id of bad) {
    assert.throws(() => checkClientId(id), RangeError, JSON.stringify(id));
  }
  const w = world();
  assert.throws(() => w.client('\ud83d'), /lone surrogate/);
  assert.throws(() => w.client('a\nb'), /control character U\+000A at 1/);
  assert.throws(() => w.client('x'.repeat(65)), /length : 65 \(expected: 1 to 64 code points\)/);
});

test('on a cluster: after a fresh id, the socket to a node says it too', async () => {
  const w = world();
  const node = 'ws://a.tandem.test/ws';
  w.server.owners.set('other', node);
  const thief = w.client('alice');
  const t = await open(w, thief, 'doc');
  t.edit(append('T')); // stored as alice/1
  w.run();
  const victim = w.client('alice');
  const doc = await open(w, victim, 'doc');
  const other = await open(w, victim, 'other'); // on its own socket to the node
  assert.deepEqual(hellos(w), ['alice', 'alice', 'alice']);

  doc.edit(prepend('mine ')); // alice/1 again: refused, not stored
  w.run();
  w.wait(1); // both sockets reconnect under the new id at once
  const fresh = victim.clientId;
  assert.notEqual(fresh, 'alice');
  const helloUrls = w.network.sockets.slice(-2).map((s) => s.url).sort();
  assert.deepEqual(helloUrls, [node, 'ws://tandem.test/ws']);
  assert.deepEqual(hellos(w).slice(-2), [fresh, fresh]);
  other.edit(append('o'));
  w.run();
  assert.deepEqual(committed(w, 'other'), [`${fresh}/3`]);
  assert.deepEqual(committed(w, 'doc'), ['alice/1', `${fresh}/2`]);
  assert.equal(doc.text, 'mine T');
  assert.equal(other.text, 'o');
});
