// After a prune: the text diff, and a session that rebases its unacknowledged edits onto the
// server's head text (opened {resync: true}), as the Java DocumentSessionTest does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextOperation } from '../src/index.js';
import { DocumentSession } from '../src/client.js';
import { diff } from '../src/text-diff.js';
import { random } from './support/random.js';

function insert(before, text, after) {
  return TextOperation.builder().retain(before).insert(text).retain(after).build();
}

test('the diff turns one text into the other, by code points', () => {
  assert.equal(JSON.stringify(diff('hello', 'heXllo')), '[2,"X",3]');
  assert.equal(JSON.stringify(diff('hello', 'ho')), '[1,-3,1]');
  assert.equal(JSON.stringify(diff('a😀b', 'a😀b')), '[3]');
  assert.equal(JSON.stringify(diff('axbcdez', 'SabcdeE')), '["S",1,-1,4,"E",-1]');
  const source = random(5);
  const alphabet = ['a', 'b', 'c', '😀', '𝒳', '\n'];
  const text = () =>
    Array.from({ length: source.nextInt(30) }, () => alphabet[source.nextInt(6)]).join('');
  for (let i = 0; i < 300; i++) {
    const [from, to] = [text(), text()];
    assert.equal(diff(from, to).apply(from), to, `${from} -> ${to}`);
  }
  const far = ['x' + 'ab'.repeat(3000) + 'y', 'x' + 'ba'.repeat(3000) + 'z'];
  assert.equal(diff(far[0], far[1]).apply(far[0]), far[1]);
});

function session() {
  const sent = [];
  const changes = [];
  let seq = 1;
  const s = new DocumentSession({
    nextId: () => ({ clientId: 'me', seq: seq++ }),
    sink: {
      submit: (rev, op, opSeq) => sent.push({ rev, op: JSON.stringify(op), seq: opSeq }),
      changed: (change) => changes.push(change.origin),
    },
  });
  return { s, sent, changes };
}

test('unsent edits are rebased onto the head text, the op in flight again under its id', () => {
  const { s, sent, changes } = session();
  s.initialize(2, 'hello world');
  s.goOnline();
  s.applyClient(insert(5, ',', 6)); // seq 1 in flight: "hello, world"
  s.goOffline();
  s.applyClient(insert(12, '!', 0)); // buffered: "hello, world!"
  // meanwhile others made "Hi hello world" + " again", and the history was pruned past 2
  s.rebase(40, 'Hi hello world again', 'me', null);
  assert.equal(s.text, 'Hi hello, world! again');
  assert.equal(s.revision, 40);
  assert.deepEqual(changes.at(-1), 'resync');
  s.goOnline();
  assert.deepEqual(sent.at(-1), { rev: 40, op: '[8,",",12]', seq: 1 });
  s.acknowledge(41, 1, 'me');
  assert.deepEqual(sent.at(-1), { rev: 41, op: '[15,"!",6]', seq: 2 }); // then the buffer
});

// The window of docs/decisions/0006 (ClientPruneTest has it through a server): the seq the
// resync answered with did not have the op in flight, whose commit was still under way; it lands
// after the resync, transformed through the pruned ops where this client used the diff. It counts
// as the op in flight (never sent again under a fresh id, which would apply it twice), and the
// buffer is rebased onto it.
test('an op in flight that lands after the resync counts as itself; only the buffer goes again', () => {
  const { s, sent } = session();
  s.initialize(0, 'a');
  s.goOnline();
  s.applyClient(insert(1, 'X', 0)); // seq 1 in flight, its commit under way
  s.applyClient(insert(2, 'Y', 0)); // buffered
  s.goOffline();
  s.rebase(1, 'aa', 'me', null); // another client inserted "a" at 0; pruned past 0
  assert.equal(s.text, 'aXYa');
  s.goOnline();
  assert.deepEqual(sent.at(-1), { rev: 1, op: '[1,"X",1]', seq: 1 });

  s.applyServer(2, insert(2, 'X', 0), 'me', 1); // seq 1 as the server transformed it
  assert.equal(s.revision, 2);
  assert.equal(s.text, 'aYaX');
  assert.deepEqual(sent.at(-1), { rev: 2, op: '[1,"Y",2]', seq: 2 });
  assert.equal(s.seqReused(1, 'me'), false); // the resend of seq 1, refused: nothing to do
  assert.equal(s.text, 'aYaX');
});

test('an op in flight that landed is not sent again; only the buffer is', () => {
  const { s, sent } = session();
  s.initialize(2, 'abc');
  s.goOnline();
  s.applyClient(insert(3, 'd', 0)); // seq 1, committed before the socket went
  s.goOffline();
  s.applyClient(insert(0, '>', 4)); // buffered
  s.rebase(9, 'xxabcd', 'me', 1); // the head holds our "d" and others' "xx"
  assert.equal(s.text, '>xxabcd');
  s.goOnline();
  assert.deepEqual(sent.at(-1), { rev: 9, op: '[">",6]', seq: 2 });
});

test('with nothing unsent the session takes the head text and is synchronized', () => {
  const { s, sent } = session();
  s.initialize(1, 'old');
  s.rebase(7, 'new text', 'me', null);
  assert.equal(s.text, 'new text');
  assert.ok(s.isSynchronized);
  s.goOnline();
  assert.equal(sent.length, 0);
});
