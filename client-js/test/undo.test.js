// Undo and redo of the local user's own edits only: the UndoManager by example, and documents
// of the protocol client against the in-test server, by example and under seeded random edits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextOperation, codePointCount } from '../src/index.js';
import { UndoManager } from '../src/undo.js';
import { TandemClient } from '../src/connection.js';
import { FakeClock, FakeNetwork } from './support/fake-network.js';
import { random } from './support/random.js';
import { RandomEdits } from './support/random-edits.js';

const op = (...components) => TextOperation.fromJSON(components);

test('undo reverts the last local edit and redo reapplies it', () => {
  const undo = new UndoManager();
  let text = 'ab';
  const edit = op(1, '😀', 1);
  undo.record(edit.invert(text));
  text = edit.apply(text);
  assert.ok(undo.canUndo && !undo.canRedo);
  const revert = undo.popUndo();
  undo.recordUndone(revert.invert(text));
  text = revert.apply(text);
  assert.equal(text, 'ab');
  const again = undo.popRedo();
  undo.recordRedone(again.invert(text));
  text = again.apply(text);
  assert.equal(text, 'a😀b');
  assert.ok(undo.canUndo && !undo.canRedo);
  assert.equal(undo.popRedo(), null);
});

test('merged edits undo in one step; a new edit clears redo', () => {
  const undo = new UndoManager();
  let text = '';
  for (const [i, ch] of ['h', 'i', '!'].entries()) {
    const edit = TextOperation.builder().retain(i).insert(ch).build();
    undo.record(edit.invert(text), { merge: true });
    text = edit.apply(text);
  }
  const revert = undo.popUndo();
  assert.equal(revert.apply(text), '');
  assert.equal(undo.canUndo, false);
  undo.recordUndone(revert.invert(text));
  undo.record(op('x').invert(''));
  assert.equal(undo.canRedo, false);
});

test('a remote edit moves the stacks so undo keeps the other user text', () => {
  const undo = new UndoManager();
  let text = 'abc';
  const mine = op(3, ' mine');
  undo.record(mine.invert(text));
  text = mine.apply(text); // "abc mine"
  const theirs = op('>> ', 8, '!');
  text = theirs.apply(text); // ">> abc mine!"
  undo.transform(theirs);
  const revert = undo.popUndo();
  assert.equal(revert.apply(text), '>> abc!');
  // an edit whose text the other user deleted entirely leaves nothing to undo
  const gone = new UndoManager();
  gone.record(op(3, 'x').invert('abc'));
  gone.transform(op(3, -1)); // the other user deleted the x
  assert.equal(gone.canUndo, false);
});

/** Two clients on one document of an in-test server. */
async function twoClients(options = {}) {
  const network = new FakeNetwork();
  const clock = new FakeClock();
  const make = (clientId) =>
    new TandemClient('ws://tandem.test/ws', {
      clientId,
      WebSocket: network.WebSocket,
      timers: clock,
      now: () => clock.now,
      ...options,
    });
  const alice = make('alice');
  const bob = make('bob');
  const a = alice.open('doc');
  const b = bob.open('doc');
  network.run();
  return { network, clock, a: await a, b: await b, run: () => network.run() };
}

const append = (s) => (t) => TextOperation.builder().retain(codePointCount(t)).insert(s).build();

test("undo undoes only the local user's edit, on every client", async () => {
  const { a, b, run, clock } = await twoClients();
  a.edit(append('hello'));
  run();
  b.edit(append(' world'));
  run();
  assert.equal(a.text, 'hello world');
  assert.ok(a.undo());
  run();
  assert.equal(a.text, ' world');
  assert.equal(b.text, ' world');
  assert.ok(a.redo());
  run();
  assert.equal(b.text, 'hello world');
  assert.equal(a.canRedo, false);
  assert.equal(b.canUndo, true);
  assert.ok(b.undo());
  run();
  assert.equal(a.text, 'hello');
  // typing within the merge interval is one step; after a pause, a new one
  clock.advance(5000);
  a.edit(append(' a'));
  clock.advance(100);
  a.edit(append('b'));
  clock.advance(5000);
  a.edit(append('c'));
  run();
  assert.equal(a.text, 'hello abc');
  a.undo();
  assert.equal(a.text, 'hello ab');
  a.undo();
  assert.equal(a.text, 'hello');
});

test('endUndoStep splits typing into two undo steps; a remote edit does not', async () => {
  const { a, b, run } = await twoClients(); // the clock stands still: all within undoMergeMs
  a.edit(append('a'));
  a.edit(append('b'));
  run();
  b.edit(append('X'));
  run();
  a.edit(append('c')); // the remote X came between: still the same step as "ab"
  a.endUndoStep(); // say, the user clicked elsewhere
  a.edit(append('d'));
  assert.equal(a.text, 'abXcd');
  a.undo();
  assert.equal(a.text, 'abXc');
  a.undo();
  assert.equal(a.text, 'X');
});

test('undo works on concurrent edits before they are acknowledged', async () => {
  const { a, b, run } = await twoClients();
  a.edit(append('A'));
  b.edit(append('B'));
  a.undo(); // while its edit is still in flight and B is on the way
  run();
  assert.equal(a.text, 'B');
  assert.equal(b.text, 'B');
  assert.equal(a.state, 'synced');
});

test('undoing every local edit under random concurrent edits removes exactly what it typed', async () => {
  for (let seed = 1; seed <= 30; seed++) {
    const rnd = random(seed);
    const edits = new RandomEdits(rnd);
    const { a, b, run } = await twoClients({ undoMergeMs: 0 });
    const typedByAlice = new Set();
    for (let step = 0; step < 40; step++) {
      const action = rnd.nextInt(10);
      if (action < 4) {
        const op = a.edit((text) => edits.operation(text));
        for (const c of op.components()) {
          if (typeof c === 'string') {
            Array.from(c).forEach((ch) => typedByAlice.add(ch));
          }
        }
      } else if (action < 8) {
        b.edit((text) => edits.operation(text));
      } else {
        run();
      }
    }
    while (a.undo()) {
      if (rnd.nextInt(3) === 0) {
        run();
      }
    }
    run();
    const where = `seed ${seed}: ${JSON.stringify(a.text)}`;
    assert.equal(a.text, b.text, where);
    const left = Array.from(a.text).filter((ch) => typedByAlice.has(ch));
    assert.deepEqual(left, [], `${where}: alice's text remains`);
    assert.equal(a.canUndo, false, where);
  }
});
