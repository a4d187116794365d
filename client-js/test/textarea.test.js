// The <textarea> binding, with a stand-in textarea (value, selection, events) and documents of
// the protocol client against the in-test server: UTF-16 offsets become code points at the edge,
// the caret stays put across remote edits, Ctrl+Z undoes only the local user's edit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TandemClient } from '../src/connection.js';
import { bindTextarea, diffToOperation } from '../src/textarea.js';
import { FakeClock, FakeNetwork } from './support/fake-network.js';
import { random } from './support/random.js';

/** What the binding uses of an HTMLTextAreaElement. */
class FakeTextarea extends EventTarget {
  value = '';
  selectionStart = 0;
  selectionEnd = 0;
  selectionDirection = 'none';

  setSelectionRange(start, end, direction = 'none') {
    this.selectionStart = start;
    this.selectionEnd = end;
    this.selectionDirection = direction;
  }

  /** The user types `text` over the selection, as a browser would. */
  type(text) {
    const v = this.value;
    this.value = v.slice(0, this.selectionStart) + text + v.slice(this.selectionEnd);
    const caret = this.selectionStart + text.length;
    this.setSelectionRange(caret, caret);
    this.dispatchEvent(new Event('input'));
  }

  /** The user clicks at `position` (a UTF-16 index), as a browser reports it. */
  click(position) {
    this.setSelectionRange(position, position);
    this.dispatchEvent(new Event('mouseup'));
  }

  /** The user presses a key with modifiers. */
  key(key, modifiers = {}) {
    const event = new Event('keydown', { cancelable: true });
    Object.assign(event, { key, ctrlKey: false, metaKey: false, shiftKey: false, ...modifiers });
    this.dispatchEvent(event);
    return event.defaultPrevented;
  }
}

async function twoBoundTextareas() {
  const network = new FakeNetwork();
  const clock = new FakeClock();
  const make = (clientId) =>
    new TandemClient('ws://tandem.test/ws', {
      clientId,
      WebSocket: network.WebSocket,
      timers: clock,
      now: () => clock.now,
    });
  const opening = [make('alice').open('doc'), make('bob').open('doc')];
  network.run();
  const [a, b] = await Promise.all(opening);
  const ta = new FakeTextarea();
  const tb = new FakeTextarea();
  const unbind = [bindTextarea(ta, a, { meta: { name: 'Alice' } }), bindTextarea(tb, b)];
  return { network, clock, a, b, ta, tb, unbind, run: () => network.run() };
}

test('the diff of two texts is one op cut between code points, placed at the caret', () => {
  assert.deepEqual(diffToOperation('aa', 'aaa', 1).toJSON(), ['a', 2]);
  assert.deepEqual(diffToOperation('aa', 'aaa').toJSON(), [2, 'a']);
  assert.deepEqual(diffToOperation('a😀b', 'a😁b', 3).toJSON(), [1, '😁', -1, 1]);
  assert.deepEqual(diffToOperation('😀', '😀😀', 2).toJSON(), ['😀', 1]);
  assert.deepEqual(diffToOperation('😀', '😀😀', 4).toJSON(), [1, '😀']);
  assert.deepEqual(diffToOperation('😀😀', '😀', 0).toJSON(), [-1, 1]);
  assert.deepEqual(diffToOperation('x😀y', 'xy', 1).toJSON(), [1, -1, 1]);
  assert.deepEqual(diffToOperation('abc', 'abc').toJSON(), [3]);
  // U+1F600 and U+1FA00 share their low surrogate: the suffix must not start inside the pair
  const chessKing = String.fromCodePoint(0x1fa00);
  assert.deepEqual(diffToOperation('a😀', `a${chessKing}`, 1).toJSON(), [1, chessKing, -1]);
});

test('random replacements diff into ops that give the new text', () => {
  const rnd = random(42);
  const alphabet = ['a', 'b', '😀', '😁', '𝒳', 'é', String.fromCodePoint(0x1fa00)];
  const pick = (n) =>
    Array.from({ length: n }, () => alphabet[rnd.nextInt(alphabet.length)]).join('');
  for (let i = 0; i < 2000; i++) {
    const before = pick(rnd.nextInt(8));
    const after = pick(rnd.nextInt(8));
    const caret = rnd.nextInt(after.length + 1);
    const op = diffToOperation(before, after, caret);
    assert.equal(op.apply(before), after, `case ${i}: ${JSON.stringify([before, after, caret])}`);
  }
});

test('typing goes to every client; code points on the wire, UTF-16 in the textarea', async () => {
  const { a, b, ta, tb, network, run } = await twoBoundTextareas();
  ta.type('h😀');
  ta.type('i');
  run();
  assert.equal(tb.value, 'h😀i');
  assert.equal(b.text, 'h😀i');
  const submits = network.server.received.filter((m) => m.type === 'submit');
  assert.deepEqual(submits[0].op, ['h😀']);
  assert.deepEqual(a.text, 'h😀i');
});

test('the local caret and selection stay put across remote edits', async () => {
  const { ta, tb, run } = await twoBoundTextareas();
  ta.type('one two');
  run();
  ta.setSelectionRange(4, 7, 'backward'); // "two" selected, in alice's textarea
  tb.setSelectionRange(0, 0);
  tb.type('😀😀 '); // bob types at the start: 5 UTF-16 units, 3 code points
  run();
  assert.equal(ta.value, '😀😀 one two');
  assert.equal(ta.value.slice(ta.selectionStart, ta.selectionEnd), 'two');
  assert.equal(ta.selectionDirection, 'backward');
  // bob types exactly at alice's caret: her caret stays before his text
  ta.setSelectionRange(ta.value.length, ta.value.length);
  tb.setSelectionRange(tb.value.length, tb.value.length);
  tb.type('!');
  run();
  assert.equal(ta.value, '😀😀 one two!');
  assert.equal(ta.selectionStart, ta.value.length - 1);
});

test('the selection is published in code points with the meta', async () => {
  const { b, ta, run, clock } = await twoBoundTextareas();
  ta.type('😀abc');
  run();
  ta.setSelectionRange(2, 4, 'forward'); // "ab" in UTF-16 units 2..4
  ta.dispatchEvent(new Event('select'));
  clock.advance(1000, run);
  run();
  const presence = b.presences.get('alice');
  assert.deepEqual(presence.selection, [[1, 3]]);
  assert.equal(presence.name, 'Alice');
});

test("Ctrl+Z undoes only the local user's edit; Ctrl+Y and Ctrl+Shift+Z redo", async () => {
  const { ta, tb, run } = await twoBoundTextareas();
  ta.type('mine ');
  run();
  tb.setSelectionRange(tb.value.length, tb.value.length);
  tb.type('theirs');
  run();
  assert.equal(ta.key('z', { ctrlKey: true }), true, 'the browser history is not used');
  run();
  assert.equal(ta.value, 'theirs');
  assert.equal(tb.value, 'theirs');
  ta.key('y', { ctrlKey: true });
  run();
  assert.equal(tb.value, 'mine theirs');
  ta.key('z', { metaKey: true });
  ta.key('z', { metaKey: true, shiftKey: true });
  run();
  assert.equal(tb.value, 'mine theirs');
  assert.equal(ta.key('x', { ctrlKey: true }), false, 'other shortcuts are left alone');
});

test('a click ends the undo step; typing and remote edits moving the caret do not', async () => {
  const { ta, tb, run } = await twoBoundTextareas(); // the clock stands still: within undoMergeMs
  ta.type('ab');
  ta.dispatchEvent(new Event('keyup')); // the caret where typing left it
  run();
  tb.setSelectionRange(0, 0);
  tb.type('X'); // moves alice's caret
  run();
  ta.dispatchEvent(new Event('keyup'));
  ta.type('c');
  ta.click(1); // between X and a
  ta.type('d');
  run();
  assert.equal(ta.value, 'Xdabc');
  ta.key('z', { ctrlKey: true });
  assert.equal(ta.value, 'Xabc');
  ta.key('z', { ctrlKey: true });
  assert.equal(ta.value, 'X');
});

test('unbinding stops both directions', async () => {
  const { ta, tb, unbind, run } = await twoBoundTextareas();
  unbind[0]();
  ta.type('ignored');
  run();
  assert.equal(tb.value, '');
  tb.type('x');
  run();
  assert.equal(ta.value, 'ignored');
});
