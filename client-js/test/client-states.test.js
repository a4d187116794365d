// The client state machine and the document session by example, as the Java ClientStateTest,
// plus the diamond law on seeded random edits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextOperation, InvalidOperationError } from '../src/index.js';
import {
  AwaitingConfirm,
  AwaitingWithBuffer,
  DocumentSession,
  Synchronized,
  transformSelection,
} from '../src/client.js';
import { random } from './support/random.js';
import { RandomEdits } from './support/random-edits.js';

/** An op that inserts `text` between `before` and `after` kept code points. */
function insert(before, text, after) {
  return TextOperation.builder().retain(before).insert(text).retain(after).build();
}

/** Names ops (`clientId`, 1), (`clientId`, 2), ... */
function counter(clientId = 'me') {
  let seq = 1;
  return () => ({ clientId, seq: seq++ });
}

test('the first local edit goes in flight with the next seq', () => {
  const state = new Synchronized().applyClient(insert(0, 'a', 3), counter());
  assert.ok(state instanceof AwaitingConfirm);
  assert.ok(state.inFlight.op.equals(insert(0, 'a', 3)));
  assert.equal(state.inFlight.seq, 1);
  assert.equal(state.inFlight.clientId, 'me');
});

test('later local edits compose into the buffer', () => {
  const nextSeq = counter();
  const state = new Synchronized()
    .applyClient(insert(0, 'a', 3), nextSeq)
    .applyClient(insert(4, 'b', 0), nextSeq)
    .applyClient(insert(5, '😀', 0), nextSeq);
  assert.ok(state instanceof AwaitingWithBuffer);
  assert.ok(state.outstanding.op.equals(insert(0, 'a', 3)));
  assert.equal(state.outstanding.seq, 1);
  assert.ok(state.buffer.equals(insert(4, 'b😀', 0)));
});

test('an ack sends the buffer with a fresh seq, then synchronizes', () => {
  const nextSeq = counter();
  const state = new Synchronized()
    .applyClient(insert(0, 'a', 3), nextSeq)
    .applyClient(insert(4, 'b', 0), nextSeq);
  const afterFirstAck = state.serverAck(nextSeq);
  assert.ok(afterFirstAck instanceof AwaitingConfirm);
  assert.ok(afterFirstAck.inFlight.op.equals(insert(4, 'b', 0)));
  assert.equal(afterFirstAck.inFlight.seq, 2);
  assert.ok(afterFirstAck.serverAck(nextSeq) instanceof Synchronized);
  assert.throws(() => new Synchronized().serverAck(nextSeq), /no op is in flight/);
});

test('the own insert comes first on a tie', () => {
  // both insert at 0 of "xyz": the client's op is the left argument, so its insert goes first
  const state = new Synchronized().applyClient(insert(0, 'A', 3), counter());
  const step = state.applyServer(insert(0, 'B', 3));
  assert.equal(step.toApply.apply('Axyz'), 'ABxyz');
  assert.ok(step.next.inFlight.op.equals(insert(0, 'A', 4)));
});

test('a server op crosses the outstanding op and the buffer', () => {
  const server = 'hello';
  const state = new Synchronized()
    .applyClient(insert(5, ' world', 0), counter())
    .applyClient(insert(11, '!', 0), counter());
  const remote = TextOperation.builder().delete(1).insert('J').retain(4).build();
  const step = state.applyServer(remote);
  assert.equal(step.toApply.apply('hello world!'), 'Jello world!');
  const next = step.next;
  assert.ok(next instanceof AwaitingWithBuffer);
  assert.equal(next.buffer.apply(next.outstanding.op.apply(remote.apply(server))), 'Jello world!');
  assert.equal(next.outstanding.seq, 1, 'the op in flight keeps its seq');
});

test("diamond law: local text + server op' == server text + pending ops'", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const rnd = random(seed);
    const edits = new RandomEdits(rnd);
    const nextSeq = counter();
    let server = edits.fresh(rnd.nextInt(12));
    let local = server;
    /** @type {import('../src/client.js').ClientState} */
    let state = new Synchronized();
    for (let i = rnd.nextInt(4); i > 0; i--) {
      const op = edits.operation(local);
      local = op.apply(local);
      state = state.applyClient(op, nextSeq);
    }
    for (let i = 1 + rnd.nextInt(4); i > 0; i--) {
      const remote = edits.operation(server);
      server = remote.apply(server);
      const step = state.applyServer(remote);
      local = step.toApply.apply(local);
      state = step.next;
      let pending = server;
      if (state.inFlight !== null) {
        pending = state.inFlight.op.apply(pending);
      }
      if (state instanceof AwaitingWithBuffer) {
        pending = state.buffer.apply(pending);
      }
      assert.equal(local, pending, `seed ${seed}`);
    }
  }
});

test('selections move after text inserted at them, code points throughout', () => {
  const op = TextOperation.fromJSON([1, '😀', -1, 1]); // "abc" -> "a😀c"
  assert.deepEqual(
    transformSelection(
      [
        [0, 3],
        [1, 1],
        [2, 2],
      ],
      op,
    ),
    [
      [0, 3],
      [2, 2],
      [2, 2],
    ],
  );
});

/** A session that records what it sends and tells. */
function recordingSession(clientId = 'me') {
  const sent = [];
  const told = [];
  const session = new DocumentSession({
    nextId: counter(clientId),
    sink: {
      submit: (rev, op, seq) => sent.push({ type: 'submit', rev, op: JSON.stringify(op), seq }),
      publishPresence: (rev, selection, meta) =>
        sent.push({ type: 'presence', rev, selection, meta }),
      changed: (change) =>
        told.push({ origin: change.origin, text: change.text, rev: change.revision }),
      acknowledged: (rev, seq) => told.push({ ack: rev, seq }),
      presence: (p) => told.push({ presence: p.clientId, selection: p.selection }),
      presenceLeft: (clientId) => told.push({ left: clientId }),
      synchronizedNow: () => told.push('synchronized'),
    },
  });
  return { session, sent, told };
}

test('a session sends one op at a time and the buffer after the ack', () => {
  const { session, sent, told } = recordingSession();
  session.initialize(3, 'abc');
  session.goOnline();
  session.applyClient(insert(3, 'd', 0));
  session.applyClient(insert(4, 'e', 0));
  assert.deepEqual(sent, [{ type: 'submit', rev: 3, op: '[3,"d"]', seq: 1 }]);
  session.acknowledge(4, 1, 'me');
  assert.deepEqual(sent[1], { type: 'submit', rev: 4, op: '[4,"e"]', seq: 2 });
  session.acknowledge(5, 2, 'me');
  assert.equal(session.revision, 5);
  assert.ok(session.isSynchronized);
  assert.deepEqual(told.slice(-2), [{ ack: 5, seq: 2 }, 'synchronized']);
  assert.equal(session.text, 'abcde');
});

test('offline edits are kept and the op in flight is resent with the same seq', () => {
  const { session, sent } = recordingSession();
  session.initialize(0, '');
  session.goOnline();
  session.applyClient(insert(0, 'a', 0)); // seq 1, sent
  session.goOffline();
  session.applyClient(insert(1, 'b', 0)); // buffered while offline
  assert.equal(sent.length, 1);
  session.goOnline();
  assert.deepEqual(sent[1], { type: 'submit', rev: 0, op: '["a"]', seq: 1 });
  assert.equal(session.text, 'ab');
});

test('the own op among caught-up ops counts as the ack; a late duplicate ack changes nothing', () => {
  const { session, sent, told } = recordingSession();
  session.initialize(0, 'x');
  session.goOnline();
  session.applyClient(insert(1, 'a', 0)); // seq 1
  session.applyClient(insert(2, 'b', 0)); // buffered
  session.goOffline();
  // reconnect: open {rev: 0} answers with another client's op, then ours, transformed
  assert.ok(session.applyServer(1, insert(0, 'Z', 1), 'other', 7));
  assert.ok(session.applyServer(2, insert(2, 'a', 0), 'me', 1));
  assert.equal(session.revision, 2);
  assert.equal(session.text, 'Zxab');
  assert.deepEqual(
    told.filter((t) => t.ack),
    [{ ack: 2, seq: 1 }],
  );
  session.goOnline();
  assert.deepEqual(sent.at(-1), { type: 'submit', rev: 2, op: '[3,"b"]', seq: 2 });
  session.acknowledge(2, 1, 'me'); // the answer to a resubmission that was already recognised
  assert.equal(session.revision, 2);
  assert.ok(!session.isSynchronized);
});

test('a gap in revisions asks for a resync; a duplicate delivery is ignored', () => {
  const { session } = recordingSession();
  session.initialize(5, 'abc');
  assert.equal(session.applyServer(7, insert(3, 'x', 0), 'other', 1), false);
  assert.equal(session.applyServer(5, insert(3, 'x', 0), 'other', 1), true);
  assert.equal(session.text, 'abc');
  assert.equal(session.revision, 5);
});

test('a local edit that does not apply changes nothing', () => {
  const { session, sent } = recordingSession();
  session.initialize(0, 'abc');
  session.goOnline();
  assert.throws(() => session.applyClient(insert(2, 'x', 0)), InvalidOperationError);
  assert.equal(session.text, 'abc');
  assert.ok(session.isSynchronized);
  assert.equal(sent.length, 0);
});

test('own selection is published only while synchronized, at the server revision', () => {
  const { session, sent } = recordingSession();
  session.initialize(0, 'abc');
  session.goOnline();
  session.applyClient(insert(0, '😀', 3)); // in flight
  session.setOwnSelection([[4, 4]], { name: 'Ada' });
  assert.equal(sent.filter((m) => m.type === 'presence').length, 0);
  session.acknowledge(1, 1, 'me');
  assert.deepEqual(sent.at(-1), {
    type: 'presence',
    rev: 1,
    selection: [[4, 4]],
    meta: { name: 'Ada' },
  });
});

test('own selection is published again after a reconnect, unchanged', () => {
  const { session, sent } = recordingSession();
  session.initialize(0, 'abc');
  session.goOnline();
  session.setOwnSelection([[2, 2]], { name: 'Ada' });
  const published = sent.at(-1);
  session.goOffline();
  session.goOnline();
  assert.deepEqual(sent.at(-1), published, 'the server forgot it with the old socket');
  assert.equal(sent.filter((m) => m.type === 'presence').length, 2);
});

test('a client that joined is listed without a caret until it publishes one', () => {
  const { session } = recordingSession();
  session.initialize(3, 'abc');
  session.goOnline();
  session.remotePresence('idle', 'user-idle', 3, [], {}); // announced by its open
  assert.deepEqual(session.presences.get('idle').selection, []);
  session.applyServer(4, insert(0, 'x', 3), 'other', 1);
  assert.deepEqual(session.presences.get('idle').selection, []);
  session.presenceLeft('idle');
  assert.equal(session.presences.size, 0);
});

test('remote presence is transformed through later ops and pending edits, early presence waits', () => {
  const { session, told } = recordingSession();
  session.initialize(1, 'abc');
  session.goOnline();
  session.applyServer(2, insert(0, 'X', 3), 'other', 1); // "Xabc"
  session.applyClient(insert(0, 'L', 4)); // "LXabc", pending
  // published at revision 1, before 'c' of "abc": c is at 4 in "LXabc"
  session.remotePresence('bob', 'user-bob', 1, [[2, 2]], {});
  assert.deepEqual(session.presences.get('bob').selection, [[4, 4]]);
  // published at revision 3, which this client has not seen yet
  session.remotePresence('eve', 'user-eve', 3, [[0, 0]], {});
  assert.equal(session.presences.has('eve'), false);
  session.applyServer(3, insert(4, 'Y', 0), 'other', 2); // server "XabcY", local "LXabcY"
  assert.deepEqual(session.presences.get('eve').selection, [[1, 1]]);
  assert.deepEqual(session.presences.get('bob').selection, [[4, 4]]);
  session.presenceLeft('bob');
  assert.deepEqual(told.at(-1), { left: 'bob' });
  session.goOffline();
  assert.equal(session.presences.size, 0);
});

test('reset replaces the local text and drops pending edits', () => {
  const { session, told } = recordingSession();
  session.initialize(0, 'abc');
  session.goOnline();
  session.applyClient(insert(3, 'd', 0));
  session.reset(4, 'server text');
  assert.equal(session.text, 'server text');
  assert.equal(session.revision, 4);
  assert.ok(session.isSynchronized);
  assert.deepEqual(told.slice(-2), [
    { origin: 'resync', text: 'server text', rev: 4 },
    'synchronized',
  ]);
});
