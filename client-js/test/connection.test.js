// The protocol client against the in-test network and server of support/fake-network.js:
// hello and open, concurrent edits converging, lost acks, resend with the same seq, offline
// edits, backoff with jitter and a cap, ping timeouts, close codes 1008 and 1013, retryable
// refusals, presence with names and colors, presence of idle, reconnecting and dead clients, and
// seeded random faults and thefts of client ids.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextOperation, codePointCount } from '../src/index.js';
import { Backoff, colorFor } from '../src/connection.js';
import { append, open, settle, world } from './support/world.js';
import { random } from './support/random.js';
import { RandomEdits } from './support/random-edits.js';

test('hello, open, edit, ack: states go connecting, synced, sending, synced', async () => {
  const w = world();
  const client = w.client('alice');
  const states = [];
  client.on('state', (s) => states.push(s));
  const doc = await open(w, client, 'notes');
  assert.equal(client.state, 'connected');
  assert.equal(client.userId, 'user-alice');
  assert.deepEqual(states, ['connected']);
  const hello = w.server.received[0];
  assert.deepEqual(hello, { type: 'hello', token: '', client: 'alice', protocol: 1 });

  const docStates = [];
  doc.on('state', (s) => docStates.push(s));
  assert.equal(doc.state, 'synced');
  doc.edit(append('hi 😀'));
  assert.equal(doc.state, 'sending');
  w.run();
  assert.deepEqual(docStates, ['sending', 'synced']);
  assert.equal(doc.revision, 1);
  assert.deepEqual(w.server.received.at(-1), {
    type: 'submit',
    doc: 'notes',
    rev: 0,
    op: ['hi 😀'],
    seq: 1,
  });
  assert.equal(w.server.documents.get('notes').text, 'hi 😀');
  await doc.whenSynchronized();
});

test('two clients typing at once converge, each seeing the other as a change', async () => {
  const w = world();
  const alice = w.client('alice');
  const bob = w.client('bob');
  const a = await open(w, alice, 'doc');
  const b = await open(w, bob, 'doc');
  const remote = [];
  b.on('change', (change) => remote.push(change.origin));
  a.edit(append('A1'));
  b.edit(append('B1'));
  a.edit(append('A2')); // buffered behind A1
  w.run();
  assert.equal(a.text, b.text);
  assert.equal(a.text, w.server.documents.get('doc').text);
  assert.equal(a.revision, 3);
  assert.equal(b.revision, 3);
  assert.ok(remote.includes('remote'));
  assert.equal(a.state, 'synced');
  assert.equal(b.state, 'synced');
});

test('one ops frame of a commit group: each client takes its own op as its ack, the others as changes', async () => {
  const w = world();
  const alice = w.client('alice');
  const bob = w.client('bob');
  const a = await open(w, alice, 'doc');
  const b = await open(w, bob, 'doc');
  const acks = [];
  a.on('ack', (rev, seq) => acks.push(['a', rev, seq]));
  b.on('ack', (rev, seq) => acks.push(['b', rev, seq]));
  const remote = [];
  a.on('change', (change) => remote.push(['a', change.origin, change.revision]));
  b.on('change', (change) => remote.push(['b', change.origin, change.revision]));
  w.server.holding.add('doc'); // both submits wait and commit together
  a.edit(append('A'));
  b.edit(append('B'));
  w.run();
  assert.equal(a.state, 'sending');
  w.server.release('doc');
  w.run();
  assert.deepEqual(acks, [
    ['a', 1, 1],
    ['b', 2, 1],
  ]);
  assert.deepEqual(
    remote.filter(([, origin]) => origin === 'remote'),
    [
      ['a', 'remote', 2],
      ['b', 'remote', 1],
    ],
  );
  assert.equal(w.server.documents.get('doc').text, 'BA'); // B, rebased on A, goes first
  assert.equal(a.text, 'BA');
  assert.equal(b.text, 'BA');
  assert.equal(a.state, 'synced');
  assert.equal(b.state, 'synced');
});

test('a commit whose ack was lost is recognised on catch-up and never applied twice', async () => {
  const w = world();
  const client = w.client('alice');
  const doc = await open(w, client, 'doc');
  const states = [];
  doc.on('state', (s) => states.push(s));
  w.server.loseAcks = 1;
  doc.edit(append('once'));
  w.run(); // committed, then the socket breaks before the ack
  assert.equal(client.state, 'offline');
  assert.equal(doc.state, 'offline');
  doc.edit(append('!')); // an offline edit, kept
  w.wait(200); // first reconnect: between 100 and 200 ms
  assert.equal(client.state, 'connected');
  const reopen = w.server.received.filter((m) => m.type === 'open').at(-1);
  assert.deepEqual(reopen, { type: 'open', doc: 'doc', rev: 0 });
  w.run();
  assert.equal(w.server.duplicateSubmits, 0, 'the committed op was recognised, not resent');
  assert.equal(w.server.documents.get('doc').text, 'once!');
  assert.equal(doc.text, 'once!');
  assert.equal(doc.revision, 2);
  assert.equal(doc.state, 'synced');
  assert.deepEqual(states, ['sending', 'offline', 'connecting', 'sending', 'synced']);
});

test('a long catch-up in ops messages of several ops: the own op among them, applied once', async () => {
  const w = world();
  const alice = w.client('alice');
  const bob = w.client('bob');
  const a = await open(w, alice, 'doc');
  const b = await open(w, bob, 'doc');
  w.server.catchUpPage = 2;
  w.server.loseAcks = 1;
  a.edit(append('A'));
  w.run(); // committed at revision 1, then alice's socket breaks before the ack
  assert.equal(a.state, 'offline');
  for (const ch of ['b', 'c', 'd', 'e', 'f']) {
    b.edit(append(ch));
    w.run();
  }
  a.edit(append('!')); // an offline edit, kept
  w.wait(200); // the reconnect: open {rev: 0}, then 6 missed ops as ops, ops, opened
  w.run();
  assert.equal(w.server.catchUpMessages, 2, 'revisions 1-2 and 3-4, then 5-6 in opened');
  assert.equal(w.server.duplicateSubmits, 0, 'the committed op was recognised, not resent');
  w.wait(1000);
  const text = w.server.documents.get('doc').text;
  assert.equal(text, 'A!bcdef'); // '!' was typed after 'A' and goes before the ops it missed
  assert.equal(a.text, text);
  assert.equal(b.text, text);
  assert.equal(a.revision, 7);
  assert.equal(a.state, 'synced');
});

test('an op lost on the way is resent with the same seq after the reconnect', async () => {
  const w = world();
  const client = w.client('alice');
  const doc = await open(w, client, 'doc');
  doc.edit(append('x'));
  w.network.loseInFlight(); // the submit never reaches the server
  w.network.cut();
  w.run();
  assert.equal(doc.state, 'offline');
  w.wait(1000);
  const submits = w.server.received.filter((m) => m.type === 'submit');
  assert.equal(submits.length, 1);
  assert.equal(submits[0].seq, 1);
  assert.equal(w.server.documents.get('doc').text, 'x');
  assert.equal(doc.state, 'synced');
});

test('a resubmission of a committed op gets its old ack and changes nothing', async () => {
  const w = world();
  const client = w.client('alice');
  const doc = await open(w, client, 'doc');
  doc.edit(append('x'));
  w.run();
  // the server had committed it: a duplicate submit (as after a lost ack) is answered, not applied
  w.network.sockets
    .at(-1)
    .send(JSON.stringify({ type: 'submit', doc: 'doc', rev: 0, op: ['x'], seq: 1 }));
  w.run();
  assert.equal(w.server.duplicateSubmits, 1);
  assert.equal(w.server.documents.get('doc').text, 'x');
  assert.equal(doc.revision, 1);
  assert.equal(doc.text, 'x');
});

test('reconnect delays grow with jitter up to a cap and start small after a welcome', async () => {
  const w = world();
  const client = w.client('alice', { initialBackoffMs: 100, maxBackoffMs: 1000, random: () => 0 });
  await open(w, client, 'doc');
  w.network.up = false;
  w.network.cut();
  w.run();
  const delays = [];
  for (let i = 0; i < 6; i++) {
    const [delay] = w.clock.pending();
    delays.push(delay);
    w.clock.advance(delay);
    w.run(); // the attempt fails: the server is down
  }
  assert.deepEqual(delays, [50, 100, 200, 400, 500, 500]); // half of min(cap, 100 * 2^n)
  w.network.up = true;
  const [delay] = w.clock.pending();
  w.wait(delay);
  assert.equal(client.state, 'connected');
  w.network.cut();
  w.run();
  assert.equal(w.clock.pending()[0], 50, 'a welcome resets the backoff');

  const jitter = new Backoff({ initialMs: 100, maxMs: 1000, random: random(7).nextDouble });
  for (let n = 0; n < 8; n++) {
    const ceiling = Math.min(1000, 100 * 2 ** n);
    const d = jitter.next();
    assert.ok(
      d >= ceiling / 2 && d <= ceiling,
      `attempt ${n}: ${d} ms within [${ceiling / 2}, ${ceiling}]`,
    );
  }
});

test('a silent server is detected by ping and the client reconnects', async () => {
  const w = world();
  const client = w.client('alice', { pingIntervalMs: 1000 });
  await open(w, client, 'doc');
  w.wait(1000);
  assert.ok(w.server.received.some((m) => m.type === 'ping'));
  assert.equal(client.state, 'connected', 'pong keeps it alive');
  const socket = w.network.sockets.at(-1);
  socket.deliver = () => {}; // the server's frames stop arriving
  w.wait(5000); // silent for more than two intervals: lost, then a reconnect after the backoff
  assert.notEqual(w.network.sockets.at(-1), socket, 'a new socket was opened');
  assert.equal(client.state, 'connected');
});

test('a server that never answers hello is left after two ping intervals and dialled again', async () => {
  const w = world();
  const client = w.client('alice', { pingIntervalMs: 1000 });
  const socket = w.network.sockets.at(-1);
  socket.deliver = () => {}; // the welcome never arrives
  const opened = client.open('doc');
  w.wait(2500);
  assert.equal(w.network.sockets.at(-1), socket, 'two intervals not yet over');
  assert.equal(client.state, 'connecting');
  assert.ok(!w.server.received.some((m) => m.type === 'ping'), 'no ping before a welcome');
  w.wait(2500);
  assert.notEqual(w.network.sockets.at(-1), socket, 'a new socket was opened');
  assert.equal(client.state, 'connected');
  await opened;
});

test('close code 1008 ends the client: no reconnect', async () => {
  const w = world();
  const client = w.client('alice');
  const doc = await open(w, client, 'doc');
  const errors = [];
  client.on('error', (e) => errors.push(e.code));
  w.server.closeAll(1008);
  w.run();
  assert.equal(client.state, 'closed');
  assert.equal(doc.state, 'closed');
  assert.deepEqual(errors, ['forbidden']);
  assert.deepEqual(w.clock.pending(), []);
  await assert.rejects(client.open('other'));
});

test('a server going away (1001) is reconnected and caught up', async () => {
  const w = world();
  const alice = w.client('alice');
  const bob = w.client('bob');
  const a = await open(w, alice, 'doc');
  const b = await open(w, bob, 'doc');
  w.server.closeAll(1001);
  w.run();
  a.edit(append('while '));
  b.edit(append('away'));
  w.wait(5000);
  assert.equal(a.text, b.text);
  assert.equal(a.text, w.server.documents.get('doc').text);
  assert.equal(codePointCount(a.text), 'while away'.length);
});

test('close 1013 after rate_limited (excess messages): reconnect, the op lands', async () => {
  const w = world();
  const client = w.client('alice');
  const doc = await open(w, client, 'doc');
  const errors = [];
  client.on('error', (e) => errors.push(e.code));
  doc.on('error', (e) => errors.push(e.code));
  const socket = w.network.sockets.at(-1);
  w.server.refuseCode = 'rate_limited';
  w.server.refuseSubmits = 1;
  doc.edit(append('x'));
  w.run(); // refused, then the server closes for excess messages before the retry
  w.server.closeAll(1013);
  w.wait(5000);
  assert.deepEqual(errors, ['rate_limited'], 'no forbidden: 1013 is not the end');
  assert.notEqual(w.network.sockets.at(-1), socket, 'reconnected on a new socket');
  assert.equal(client.state, 'connected');
  assert.equal(doc.state, 'synced');
  assert.equal(w.server.documents.get('doc').text, 'x');
  const seqs = w.server.received.filter((m) => m.type === 'submit').map((m) => m.seq);
  assert.ok(seqs.every((seq) => seq === 1), `one op, the same seq: ${seqs}`);
});

test('a retry due after the socket closed is stale: the reconnect resends the op once', async () => {
  const w = world();
  const client = w.client('alice');
  const doc = await open(w, client, 'doc');
  w.server.refuseCode = 'rate_limited';
  w.server.refuseSubmits = 3;
  doc.edit(append('x'));
  w.run();
  const submits = () => w.server.received.filter((m) => m.type === 'submit').length;
  for (let i = 0; i < 100 && submits() < 3; i++) {
    w.wait(50); // the retries come after growing pauses
  }
  assert.equal(submits(), 3, 'refused three times');
  // the third retry is due in about 600 ms; the socket closes now and the reconnect comes sooner,
  // its resend held so the op is still in flight when that retry would be due
  w.server.holding.add('doc');
  w.server.closeAll(1013);
  w.run();
  w.wait(5000);
  assert.equal(submits(), 4, 'three refused, one resend');
  assert.equal(w.server.held.length, 1);
  w.server.release('doc');
  w.run();
  assert.equal(doc.state, 'synced');
  assert.equal(w.server.documents.get('doc').text, 'x');
});

test('a retryable refusal is retried with the same seq after a backoff', async () => {
  const w = world();
  const client = w.client('alice');
  const doc = await open(w, client, 'doc');
  const errors = [];
  doc.on('error', (e) => errors.push([e.code, e.retryable, e.seq]));
  w.server.refuseSubmits = 2;
  doc.edit(append('x'));
  w.run();
  assert.deepEqual(errors, [['unavailable', true, 1]]);
  w.wait(10_000);
  const seqs = w.server.received.filter((m) => m.type === 'submit').map((m) => m.seq);
  assert.deepEqual(seqs, [1, 1, 1]);
  assert.equal(doc.state, 'synced');
  assert.equal(w.server.documents.get('doc').text, 'x');
});

test('a refused op resyncs the document to the server text', async () => {
  const w = world();
  const client = w.client('alice');
  const doc = await open(w, client, 'doc');
  const changes = [];
  doc.on('change', (c) => changes.push([c.origin, c.text]));
  const errors = [];
  doc.on('error', (e) => errors.push([e.code, e.retryable]));
  w.server.refuseInvalid = 1;
  doc.edit(append('local'));
  w.run(); // invalid_op, then close, closed, open without rev, opened with the server's text
  assert.deepEqual(errors, [['invalid_op', false]]);
  assert.deepEqual(changes, [
    ['local', 'local'],
    ['resync', ''],
  ]);
  assert.equal(doc.state, 'synced');
  const opens = w.server.received.filter((m) => m.type === 'open');
  assert.deepEqual(opens.at(-1), { type: 'open', doc: 'doc' });
  doc.edit(append('again'));
  w.run();
  assert.equal(w.server.documents.get('doc').text, 'again');
});

test('an op in flight whose base was pruned meanwhile (gone) is kept: reopened at its revision', async () => {
  const w = world();
  const alice = w.client('alice');
  const bob = w.client('bob');
  const a = await open(w, alice, 'doc');
  const b = await open(w, bob, 'doc');
  const errors = [];
  a.on('error', (e) => errors.push(e.code));
  w.server.holding.add('doc');
  a.edit(append('A'));
  w.run();
  const alicesSubmit = w.server.held.splice(0); // on base 0, answered only after the prune
  w.server.release('doc');
  b.edit(append('B'));
  w.run(); // committed at revision 1; alice takes it, her op stays in flight
  w.server.prunedBefore.set('doc', 1);
  w.server.holding.add('doc');
  w.server.held.push(...alicesSubmit);
  w.server.release('doc'); // base 0 < 1: gone
  w.run();
  await settle(w);
  assert.deepEqual(errors, ['gone']);
  const opens = w.server.received.filter((m) => m.type === 'open');
  assert.deepEqual(opens.at(-1), { type: 'open', doc: 'doc', rev: 1 }, 'at its revision');
  assert.equal(a.state, 'synced');
  assert.equal(w.server.documents.get('doc').text, 'AB', 'both edits');
  assert.equal(a.text, 'AB');
  assert.equal(b.text, 'AB');
});

test('a client offline across a prune resyncs from the head text and keeps its edits', async () => {
  const w = world();
  const alice = w.client('alice', { pingIntervalMs: 1000 });
  const bob = w.client('bob');
  const a = await open(w, alice, 'doc');
  const b = await open(w, bob, 'doc');
  a.edit(append('hello'));
  w.run();
  const changes = [];
  a.on('change', (c) => changes.push(c.origin));
  const socket = w.network.sockets.find((s) => s.peer?.clientId === 'alice');
  w.network.vanish(socket); // alice's network goes; she keeps typing
  a.edit((text) => TextOperation.builder().insert('>').retain(codePointCount(text)).build());
  a.edit(append('!'));
  b.edit(append(' world'));
  w.run();
  w.server.prunedBefore.set('doc', w.server.documents.get('doc').log.length); // past alice's rev
  w.wait(5000); // alice finds the socket dead by ping, reconnects, reopens below the prune
  await settle(w);
  // alice's "!" and bob's " world" went at the same place: the rebased op is the left one of the
  // transform, so hers comes first, as it would have without the prune
  assert.equal(w.server.documents.get('doc').text, '>hello! world');
  assert.equal(a.text, '>hello! world');
  assert.equal(b.text, '>hello! world');
  assert.ok(changes.includes('resync'), changes.join());
  assert.equal(a.state, 'synced');
  assert.equal(w.server.duplicateSubmits, 0);
});

// docs/decisions/0006's window, as ClientPruneTest has it through a real server: alice's op is
// on its way to the database when her network goes; she reconnects below a prune, and the seq the
// resync answers with does not have the op yet, so she rebases it and the edit buffered after it
// onto the head text and sends them. Then the op lands, transformed through the pruned history
// rather than the diff. It must be applied once.
test('an op in flight that lands after the resync is applied once', async () => {
  const w = world();
  const alice = w.client('alice', { pingIntervalMs: 1000 });
  const bob = w.client('bob');
  const a = await open(w, alice, 'doc');
  const b = await open(w, bob, 'doc');
  a.edit(append('a'));
  w.run();
  w.server.holding.add('doc');
  a.edit((text) => TextOperation.builder().retain(codePointCount(text)).insert('X').build());
  w.run(); // "aX": alice's op waits on the server, as behind a slow commit
  const slow = w.server.held.splice(0); // kept aside: bob's op commits first
  w.server.holding.delete('doc');
  w.network.vanish(w.network.sockets.find((s) => s.peer?.clientId === 'alice'));
  b.edit((text) => TextOperation.builder().insert('a').retain(codePointCount(text)).build());
  w.run(); // "aa" at revision 2, which alice never hears of
  w.server.prunedBefore.set('doc', 2);
  a.edit(append('Y')); // buffered behind "X"
  w.server.holding.add('doc'); // what alice sends after the resync waits too
  w.wait(5000); // alice finds the socket dead by ping, reconnects, reopens below the prune
  w.run();
  assert.equal(a.text, 'aXYa', 'rebased onto the head text "aa"');
  const [{ from, message }] = slow;
  w.server.submit(from, message); // her op lands now, on its own: "aaX"
  w.run();
  w.server.release('doc'); // her resend of it (seq_reused), and "Y"
  await settle(w);
  const text = w.server.documents.get('doc').text;
  assert.equal([...text].sort().join(''), 'XYaa', `each character once: ${text}`);
  assert.equal(a.text, text);
  assert.equal(b.text, text);
  assert.equal(a.state, 'synced');
});

test('a document deleted while open is closed, and the client\'s other documents go on', async () => {
  const w = world();
  const client = w.client('alice');
  const doomed = await open(w, client, 'doomed');
  const notes = await open(w, client, 'notes');
  doomed.edit(append('bye'));
  w.run();
  const errors = [];
  doomed.on('error', (e) => errors.push(e.code));
  doomed.edit(append(' unsent'));
  w.server.deleteDocument('doomed');
  w.run();
  assert.deepEqual(errors, ['not_found']);
  assert.equal(doomed.state, 'closed');
  await assert.rejects(doomed.whenSynchronized());
  notes.edit(append('ok'));
  w.run();
  assert.equal(notes.state, 'synced');
  assert.equal(w.server.documents.get('notes').text, 'ok');
});

test('presence is throttled, published once synchronized, shown with name and color', async () => {
  const w = world();
  const alice = w.client('alice', { presenceThrottleMs: 100 });
  const bob = w.client('bob');
  const a = await open(w, alice, 'doc');
  const b = await open(w, bob, 'doc');
  a.edit(append('hello'));
  w.run();
  const seen = [];
  b.on('presence', (p) => seen.push(p));
  a.setSelection([[5, 5]], { name: 'Alice' });
  a.setSelection([[4, 4]], { name: 'Alice' });
  a.setSelection([[3, 3]], { name: 'Alice' });
  w.run();
  assert.equal(seen.length, 1, 'the first goes out at once, the rest wait for the interval');
  w.wait(100);
  assert.equal(seen.length, 2, 'then only the latest');
  const presence = b.presences.get('alice');
  assert.deepEqual(presence.selection, [[3, 3]]);
  assert.equal(presence.name, 'Alice');
  assert.equal(presence.color, colorFor('alice'));
  assert.equal(presence.userId, 'user-alice');
  b.edit((text) => TextOperation.builder().insert('>> ').retain(codePointCount(text)).build());
  assert.deepEqual(b.presences.get('alice').selection, [[6, 6]], 'moved through a local edit');
  const left = [];
  b.on('presenceLeft', (id) => left.push(id));
  alice.close();
  w.run();
  assert.deepEqual(left, ['alice']);
});

test('a late joiner lists every client present at once, idle ones too, and is listed', async () => {
  const w = world();
  const alice = w.client('alice');
  const idle = w.client('idle');
  const a = await open(w, alice, 'doc');
  const i = await open(w, idle, 'doc');
  a.setSelection([[0, 0]], { name: 'Alice' });
  a.edit(append('hello')); // her caret moves with her typing; she publishes nothing more
  w.run();
  assert.deepEqual(i.presences.get('alice').selection, [[5, 5]]);

  const late = w.client('late');
  const l = await open(w, late, 'doc');
  assert.deepEqual([...l.presences.keys()].sort(), ['alice', 'idle']);
  assert.deepEqual(l.presences.get('alice').selection, [[5, 5]], 'moved to the head');
  assert.equal(l.presences.get('alice').name, 'Alice');
  assert.deepEqual(l.presences.get('idle').selection, [], 'idle: present, no caret yet');
  assert.equal(l.presences.get('idle').name, 'user-idle');
  assert.equal(l.presences.get('idle').color, colorFor('idle'));
  assert.ok(a.presences.has('late') && i.presences.has('late'), 'the joiner is announced');
});

test('a reconnecting client comes back in the others\' lists with its caret', async () => {
  const w = world();
  const alice = w.client('alice', { pingIntervalMs: 1000 });
  const bob = w.client('bob', { pingIntervalMs: 100_000 });
  const a = await open(w, alice, 'doc');
  const b = await open(w, bob, 'doc');
  a.edit(append('abc'));
  w.run();
  a.setSelection([[2, 2]], { name: 'Alice' });
  w.run();
  assert.deepEqual(b.presences.get('alice').selection, [[2, 2]]);
  const events = [];
  b.on('presence', (p) => events.push(['presence', p.clientId, p.selection]));
  b.on('presenceLeft', (id) => events.push(['left', id]));

  // alice's network vanishes: she finds out by ping and reconnects; the server still holds her
  // old socket, then finds it dead: bob keeps listing her all along, and sees her caret again
  const oldSocket = w.network.sockets.at(-2);
  w.network.vanish(oldSocket);
  w.wait(5000);
  assert.notEqual(w.network.sockets.at(-1), oldSocket, 'alice reconnected');
  assert.equal(a.state, 'synced');
  w.server.dead(oldSocket);
  w.run();
  assert.deepEqual(b.presences.get('alice').selection, [[2, 2]]);
  assert.ok(!events.some(([kind]) => kind === 'left'), JSON.stringify(events));
  assert.deepEqual(events.at(-1), ['presence', 'alice', [[2, 2]]]);
});

test('a client whose socket the server found dead leaves the others\' lists', async () => {
  const w = world();
  const alice = w.client('alice', { pingIntervalMs: 100_000 });
  const bob = w.client('bob', { pingIntervalMs: 100_000 });
  await open(w, alice, 'doc');
  const b = await open(w, bob, 'doc');
  assert.ok(b.presences.has('alice'));
  const left = [];
  b.on('presenceLeft', (id) => left.push(id));
  const socket = w.network.sockets.at(-2);
  w.network.vanish(socket);
  w.server.dead(socket); // the server's keep-alive: no pong within the timeout
  w.run();
  assert.deepEqual(left, ['alice']);
  assert.equal(b.presences.size, 0);
});

test('closing a document waits for its edits, then the server says closed', async () => {
  const w = world();
  const client = w.client('alice');
  const doc = await open(w, client, 'doc');
  doc.edit(append('last words'));
  const closed = doc.close();
  w.run(); // the ack
  await settle(w); // then close goes out and closed comes back
  await closed;
  assert.equal(doc.state, 'closed');
  assert.equal(w.server.documents.get('doc').text, 'last words');
  assert.deepEqual(w.server.received.at(-1), { type: 'close', doc: 'doc' });
  assert.throws(() => doc.edit(append('more')), /closed/);
});

test('seeded random faults and thefts: every client ends with the server text, nothing applied twice', async () => {
  let refusals = 0;
  let changes = 0;
  for (let seed = 1; seed <= 25; seed++) {
    const rnd = random(seed);
    const edits = new RandomEdits(rnd);
    const w = world();
    const clients = [];
    const docs = [];
    for (let i = 0; i < 3; i++) {
      const client = w.client(`c${i}`, { random: rnd.nextDouble, pingIntervalMs: 5000 });
      clients.push(client);
      client.on('clientIdChanged', () => changes++);
      docs.push(await open(w, client, 'doc'), await open(w, client, 'other'));
    }
    for (let step = 0; step < 150; step++) {
      const i = rnd.nextInt(docs.length);
      const action = rnd.nextInt(100);
      if (action < 40) {
        docs[i].edit((text) => edits.operation(text));
      } else if (action < 70) {
        w.run();
      } else if (action < 76) {
        steal(w, clients[Math.floor(i / 2)].clientId, rnd.nextInt(2) === 0 ? 'doc' : 'other');
      } else if (action < 80) {
        clients[Math.floor(i / 2)].dropConnection();
      } else if (action < 84) {
        w.server.loseAcks = 1;
      } else if (action < 88) {
        w.server.refuseSubmits = 1;
      } else if (action < 92) {
        w.network.loseInFlight();
        w.network.cut();
      } else {
        w.wait(rnd.nextInt(2000));
      }
    }
    w.wait(120_000); // long enough for every backoff and retry
    for (const docId of ['doc', 'other']) {
      const server = w.server.documents.get(docId);
      for (const doc of docs.filter((d) => d.id === docId)) {
        assert.equal(doc.state, 'synced', `seed ${seed}: ${doc.state}`);
        assert.equal(doc.text, server.text, `seed ${seed}: text of ${docId}`);
        assert.equal(doc.revision, server.log.length, `seed ${seed}: revision of ${docId}`);
      }
      const pairs = server.log.map((c) => `${c.client}/${c.seq}`);
      assert.equal(new Set(pairs).size, pairs.length, `seed ${seed}: a seq committed twice`);
    }
    refusals += w.server.seqReusedRefusals;
  }
  assert.ok(refusals > 0 && changes > 0, `thefts refused ${refusals}, new client ids ${changes}`);
});

/**
 * A raw socket that says `clientId` and commits an op at the start of `docId` under the next
 * three seqs after the largest that id has stored (the seqs its owner is about to use).
 */
function steal(w, clientId, docId) {
  const socket = new w.network.WebSocket('ws://tandem.test/ws');
  socket.addEventListener('open', () => {
    socket.send(JSON.stringify({ type: 'hello', token: '', client: clientId, protocol: 1 }));
    const logs = [...w.server.documents.values()].map((doc) => doc.log);
    const used = logs
      .flat()
      .filter((c) => c.client === clientId)
      .map((c) => c.seq);
    const last = Math.max(0, ...used);
    for (let seq = last + 1; seq <= last + 3; seq++) {
      const rev = w.server.document(docId).log.length;
      socket.send(JSON.stringify({ type: 'submit', doc: docId, rev, op: ['~'], seq }));
    }
    socket.close();
  });
}

/**
 * What a node that does not sequence `docId` answers: the owner's WebSocket URL.
 * @param {string} docId
 * @param {string} url
 */
function moved(docId, url) {
  const message = 'served by another node';
  return { type: 'error', doc: docId, code: 'moved', message, retryable: true, url };
}

test('moved: the document moves to a socket to its owner at once; the seed socket stays', async () => {
  const w = world();
  const seed = 'ws://tandem.test/ws';
  const owner = 'ws://owner.tandem.test/ws';
  const client = w.client('alice', { alternates: ['ws://b.tandem.test/ws'] });
  const errors = [];
  client.on('error', (e) => errors.push(e.code));
  const doc = await open(w, client, 'notes');
  doc.edit(append('a'));
  w.run();
  const [connection] = w.server.connections;
  w.server.owners.set('notes', owner); // the document's node stepped down, the owner took it
  connection.send(moved('notes', owner));
  w.run();
  await settle(w);
  const [seedSocket, ownerSocket] = w.network.sockets;
  assert.deepEqual(w.network.sockets.map((s) => s.url), [seed, owner], 'at once, no timer');
  assert.equal(seedSocket.readyState, 1, 'the seed socket stays');
  assert.equal(client.state, 'connected');
  doc.edit(append('b'));
  w.run();
  await settle(w);
  assert.equal(doc.text, 'ab');
  assert.equal(w.server.documents.get('notes').text, 'ab');
  assert.ok(ownerSocket.sent.some((frame) => JSON.parse(frame).type === 'submit'));
  assert.ok(seedSocket.sent.every((frame) => JSON.parse(frame).seq !== 2), 'b went to the owner');

  // the owner dies: its socket reconnects, cannot reach it, and the document goes back to the
  // seed socket, whose node takes it over
  w.network.unreachable.add(owner);
  w.server.owners.delete('notes');
  ownerSocket.serverClosed(1006);
  w.run();
  assert.equal(doc.state, 'offline');
  w.wait(5_000);
  await settle(w);
  assert.deepEqual(
    w.network.sockets.slice(2).map((s) => s.url),
    [owner],
    'one attempt at the owner, then the seed socket',
  );
  assert.equal(doc.state, 'synced');
  doc.edit(append('c'));
  w.run();
  await settle(w);
  assert.equal(w.server.documents.get('notes').text, 'abc');
  assert.equal(seedSocket.readyState, 1, 'the seed socket never left');

  // the seed node dies: to the first seed, which cannot be reached, then the next one
  w.network.up = false;
  w.network.cut();
  w.run();
  w.wait(5_000);
  assert.deepEqual(
    w.network.sockets.slice(3).map((s) => s.url).slice(0, 2),
    [seed, 'ws://b.tandem.test/ws'],
  );
  w.network.up = true;
  w.wait(5_000);
  await settle(w);
  assert.equal(client.state, 'connected');
  assert.equal(doc.state, 'synced');
  assert.deepEqual(errors, [], 'a redirect is no error');
});

test('a node that cannot be reached: its document goes back to the seed socket, the others there are not opened again', async () => {
  const w = world();
  const owner = 'ws://owner.tandem.test/ws';
  const client = w.client('alice');
  const errors = [];
  client.on('error', (e) => errors.push(e.code));
  const stay = await open(w, client, 'stay');
  const notes = await open(w, client, 'notes');
  w.network.unreachable.add(owner);
  const [connection] = w.server.connections;
  connection.send(moved('notes', owner));
  w.run();
  w.wait(5_000);
  await settle(w);
  const [seedSocket] = w.network.sockets;
  const opens = (docId) =>
    seedSocket.sent
      .map((frame) => JSON.parse(frame))
      .filter((m) => m.type === 'open' && m.doc === docId).length;
  assert.equal(opens('notes'), 2, 'opened, then again once its owner could not be reached');
  assert.equal(opens('stay'), 1, 'open on the seed socket all along');
  assert.equal(stay.state, 'synced');
  assert.equal(notes.state, 'synced');
  assert.deepEqual(errors, []);
});

test('two documents of two owners on one client: one redirect each, both open on their owners at once', async () => {
  const w = world();
  const seed = 'ws://tandem.test/ws';
  const a = 'ws://a.tandem.test/ws';
  const b = 'ws://b.tandem.test/ws';
  w.server.owners.set('one', a);
  w.server.owners.set('two', b);
  const alice = w.client('alice');
  const errors = [];
  alice.on('error', (e) => errors.push(e.code));
  const opening = [alice.open('one'), alice.open('two')];
  w.run();
  w.wait(10_000); // a client that moves its one socket is bounced between a and b meanwhile
  await settle(w);
  assert.equal(w.server.movedSent, 2, 'one redirect per document');
  const [one, two] = await Promise.all(opening);
  one.edit(append('1'));
  two.edit(append('2'));
  w.run();
  w.wait(10_000);
  await settle(w);
  assert.equal(w.server.movedSent, 2, 'still one redirect per document');
  assert.deepEqual(w.network.sockets.map((s) => s.url), [seed, a, b], 'one socket per node');
  assert.ok(w.network.sockets.every((s) => s.readyState === 1));
  assert.deepEqual(
    [w.server.subscribers('one'), w.server.subscribers('two')].map((subscribers) =>
      subscribers.map((c) => c.socket.url),
    ),
    [[a], [b]],
    'both subscriptions live at once',
  );
  assert.equal(w.server.documents.get('one').text, '1');
  assert.equal(w.server.documents.get('two').text, '2');
  assert.deepEqual([one.state, two.state], ['synced', 'synced']);

  // another client's edits reach each document on its own socket
  const bob = w.client('bob');
  const bobs = [bob.open('one'), bob.open('two')];
  w.run();
  await settle(w);
  const [bobOne, bobTwo] = await Promise.all(bobs);
  bobOne.edit(append('x'));
  bobTwo.edit(append('y'));
  w.run();
  await settle(w);
  assert.deepEqual([one.text, two.text], ['1x', '2y']);

  // a message on a socket the document left is dropped
  const seedSide = [...w.server.connections].find(
    (c) => c.clientId === 'alice' && c.socket.url === seed,
  );
  seedSide.sendBinary({
    type: 'ops',
    doc: 'one',
    ops: [{ rev: one.revision + 1, op: ['stale', 2], client: 'zed', seq: 1, user: 'user-zed' }],
  });
  w.run();
  assert.equal(one.text, '1x');

  // a node socket whose documents are all closed is closed
  const closing = one.close();
  await settle(w);
  await closing;
  assert.equal(w.network.sockets[1].readyState, 3, 'the socket to a');
  assert.equal(w.network.sockets[2].readyState, 1, 'the socket to b');
  assert.deepEqual(errors, []);
});

test('a document redirected back within a second reopens after a backoff, not at once', async () => {
  const w = world();
  const seed = 'ws://tandem.test/ws';
  const a = 'ws://a.tandem.test/ws';
  const client = w.client('alice');
  const doc = await open(w, client, 'notes');
  const opensOn = (url) =>
    w.network.sockets
      .filter((s) => s.url === url)
      .flatMap((s) => s.sent.map((frame) => JSON.parse(frame)))
      .filter((m) => m.type === 'open').length;
  w.server.owners.set('notes', a);
  doc.edit(append('x')); // the seed answers moved: at once to a
  w.run();
  assert.equal(opensOn(a), 1);
  assert.equal(w.server.movedSent, 1);
  // two nodes disagree for a moment: a sends it back to the seed at once (seed owns it again)
  w.server.owners.set('notes', seed);
  const [, aSide] = [...w.server.connections];
  aSide.send(moved('notes', seed));
  w.run();
  assert.equal(opensOn(seed), 1, 'not reopened on the seed yet: the backoff');
  assert.equal(w.network.sockets[1].readyState, 3, 'the socket to a, empty now, is closed');
  w.wait(1000);
  await settle(w);
  assert.equal(opensOn(seed), 2);
  assert.equal(doc.state, 'synced');
  assert.equal(w.server.documents.get('notes').text, 'x');
});

