// The CodeMirror binding's conversions, with EditorState (no DOM needed): ChangeSets in UTF-16
// units to ops in code points and back, by example with astral characters and on seeded random
// texts and edits (the seed is in every failure message); remote changes as transactions that
// keep the local caret; remote presences as decorations that map through changes exactly as the
// document transforms them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ChangeSet, EditorSelection, EditorState } from '@codemirror/state';
import {
  changeTransaction,
  changesToOperation,
  operationToChanges,
  mapPresences,
  movesCaretOnly,
  presenceDecorations,
  selectionToCodePoints,
  toUtf16,
} from '../src/codemirror.js';
import {
  InvalidOperationError,
  TextOperation,
  codePointCount,
  colorFor,
  isWellFormed,
  utf16Offset,
} from '../src/index.js';
import { transformSelection } from '../src/client.js';
import * as gen from './support/random.js';

const SEEDS = 40;
const CASES_PER_SEED = 50;

/** A state as the binding configures it: lines split at "\n" only. */
const stateOf = (doc, selection) =>
  EditorState.create({
    doc,
    selection,
    extensions: [EditorState.lineSeparator.of('\n'), EditorState.allowMultipleSelections.of(true)],
  });

/** The op of `changes` (specs in UTF-16 units) on `text`, and the text they give. */
function opOf(text, changes) {
  const state = stateOf(text);
  const tr = state.update({ changes });
  return { op: changesToOperation(tr.changes, state.doc), after: tr.state.doc.toString() };
}

const op = (...components) => TextOperation.fromJSON(components);

test('a ChangeSet becomes an op in code points; an astral character is one', () => {
  // "a😀b": 😀 is UTF-16 units 1..3, code point 1
  assert.deepEqual(opOf('a😀b', { from: 3, insert: 'x' }).op.toJSON(), [2, 'x', 1]);
  assert.deepEqual(opOf('a😀b', { from: 1, to: 3 }).op.toJSON(), [1, -1, 1]);
  assert.deepEqual(opOf('a😀b', { from: 1, to: 3, insert: '𝒳🎉' }).op.toJSON(), [1, '𝒳🎉', -1, 1]);
  assert.deepEqual(
    opOf('😀\n😀\n', [
      { from: 0, insert: '>' },
      { from: 3, to: 5 },
      { from: 6, insert: '👍' },
    ]).op.toJSON(),
    ['>', 2, -1, 1, '👍'],
  );
  assert.deepEqual(opOf('', { from: 0, insert: 'a\r\nb' }).op.toJSON(), ['a\r\nb']);
});

test('an op becomes CodeMirror changes in UTF-16 units', () => {
  assert.deepEqual(operationToChanges(op(2, 'x', 1), 'a😀b'), [{ from: 3, insert: 'x' }]);
  assert.deepEqual(operationToChanges(op(1, '𝒳', -1, 1), 'a😀b'), [
    { from: 1, insert: '𝒳' },
    { from: 1, to: 3 },
  ]);
  assert.deepEqual(operationToChanges(op(-3), 'abc'), [{ from: 0, to: 3 }]);
  assert.throws(
    () => operationToChanges(op(4), 'a😀b'),
    new InvalidOperationError('op base length 4 does not match text length 3'),
  );
});

test('a change that cuts a surrogate pair becomes an op cut between code points', () => {
  // 😀 is D83D DE00 and 😁 is D83D DE01: replacing the low half changes the code point
  assert.deepEqual(opOf('a😀b', { from: 2, to: 3, insert: '\uDE01' }).op.toJSON(), [
    1,
    '😁',
    -1,
    1,
  ]);
  const joined = opOf('😀', { from: 1, insert: '\uDE01\uD83D' }); // D83D DE01 D83D DE00
  assert.equal(joined.after, '😁😀');
  assert.equal(joined.op.apply('😀'), '😁😀');
  assert.throws(() => opOf('a😀b', { from: 2, to: 3 }), InvalidOperationError);
  assert.throws(() => opOf('ab', { from: 1, insert: '\uD83D' }), InvalidOperationError);
});

test('random ops round-trip through CodeMirror changes', () => {
  forEachCase((rnd, where) => {
    const text = gen.text(rnd, 30);
    const expected = gen.operation(rnd, text);
    const { op: back, after } = opOf(text, operationToChanges(expected, text));
    assert.equal(after, expected.apply(text), where(text, expected));
    assert.ok(back.equals(expected), `${where(text, expected)}: came back as ${back}`);
  });
});

test('random ChangeSets at code point boundaries give ops that apply to the same text', () => {
  forEachCase((rnd, where) => {
    const text = gen.text(rnd, 30);
    const changes = randomChanges(rnd, text, { cutPairs: false });
    const { op: converted, after } = opOf(text, changes);
    const detail = `${where(text, converted)}, changes = ${JSON.stringify(changes)}`;
    assert.equal(converted.apply(text), after, detail);
    const again = stateOf(text).update({ changes: operationToChanges(converted, text) });
    assert.equal(again.state.doc.toString(), after, detail);
  });
});

test('random ChangeSets anywhere in UTF-16 give a valid op or are refused', () => {
  let refused = 0;
  forEachCase((rnd, where) => {
    const text = gen.text(rnd, 12);
    const changes = randomChanges(rnd, text, { cutPairs: true });
    const after = stateOf(text).update({ changes }).state.doc.toString();
    const detail = `${where(text)}, changes = ${JSON.stringify(changes)}`;
    if (isWellFormed(after)) {
      assert.equal(opOf(text, changes).op.apply(text), after, detail);
    } else {
      assert.throws(() => opOf(text, changes), InvalidOperationError, detail);
      refused++;
    }
  });
  assert.ok(refused > 0, 'some random changes leave a lone surrogate');
});

test('a remote change keeps the local caret and selection on their text', () => {
  const state = stateOf('one 😀 two', EditorSelection.create([EditorSelection.range(4, 6)]));
  const remote = { op: op('>> ', 4, '😁', 5), text: '>> one 😁😀 two', revision: 2 };
  const tr = state.update(changeTransaction(state, { ...remote, origin: 'remote' }));
  assert.equal(tr.state.doc.toString(), '>> one 😁😀 two');
  const { from, to } = tr.state.selection.main;
  assert.equal(tr.state.sliceDoc(from, to), '😀', 'text inserted at its edge stays out of it');
  const caret = stateOf('ab', EditorSelection.single(1));
  const typed = caret.update(
    changeTransaction(caret, { op: op(1, 'X', 1), text: 'aXb', revision: 1, origin: 'remote' }),
  );
  assert.equal(typed.state.selection.main.head, 1, 'text inserted at the caret goes after it');
});

test('an undo made in the view puts the caret at the end of its change', () => {
  const state = stateOf('😀 abc def', EditorSelection.single(0));
  const undo = { op: op(6, -3), text: '😀 abc ', revision: 3, origin: 'local' };
  const tr = state.update(changeTransaction(state, undo, { caretToChange: true }));
  assert.equal(tr.state.selection.main.head, 7);
  assert.equal(tr.state.doc.toString(), '😀 abc ');
});

test('only a transaction that just moves the selection is a caret move', () => {
  const state = stateOf('ab', EditorSelection.single(2));
  assert.ok(movesCaretOnly(state.update({ selection: { anchor: 0 }, userEvent: 'select' })));
  const typed = state.update({
    changes: { from: 2, insert: 'c' },
    selection: { anchor: 3 },
    userEvent: 'input.type',
  });
  assert.equal(movesCaretOnly(typed), false);
  const remote = { op: op('X', 2), text: 'Xab', revision: 1, origin: 'remote' };
  assert.equal(movesCaretOnly(state.update(changeTransaction(state, remote))), false);
  const undo = { op: op(1, -1), text: 'a', revision: 2, origin: 'local' };
  const undone = state.update(changeTransaction(state, undo, { caretToChange: true }));
  assert.equal(movesCaretOnly(undone), false);
  assert.equal(movesCaretOnly(state.update({ effects: [] })), false);
});

test('the selection is published in code points', () => {
  const state = stateOf(
    '😀a𝒳b',
    EditorSelection.create([EditorSelection.range(6, 2), EditorSelection.cursor(0)], 0),
  );
  assert.deepEqual(selectionToCodePoints(state.selection, state.doc.toString()), [
    [0, 0],
    [4, 1],
  ]);
});

test('remote presences become a caret and a mark in UTF-16 units, clamped to the text', () => {
  const presences = [
    presence('bob', [[3, 1]], 'Bob', 'hsl(200, 70%, 45%)'),
    presence('eve', [[99, 99]], 'Eve', 'red; background: url(x)'),
  ];
  // "😀a𝒳b": code points 1 and 3 are UTF-16 units 2 and 5; the end is 6
  assert.deepEqual(shown(presenceDecorations(toUtf16(presences, '😀a𝒳b'))), [
    'caret 2 Bob hsl(200, 70%, 45%)',
    'mark 2..5 --tandem-color: hsl(200, 70%, 45%)',
    `caret 6 Eve ${colorFor('eve')}`,
  ]);
});

test('remote selections move through random ops as the document transforms them', () => {
  forEachCase((rnd, where) => {
    const text = gen.text(rnd, 20);
    const length = codePointCount(text);
    const selection = [0, 1].map(() => [rnd.nextInt(length + 1), rnd.nextInt(length + 1)]);
    const edit = gen.operation(rnd, text);
    const after = edit.apply(text);
    const changes = ChangeSet.of(operationToChanges(edit, text), text.length, '\n');
    const mapped = mapPresences(toUtf16([presence('bob', selection)], text), changes);
    const moved = toUtf16([presence('bob', transformSelection(selection, edit))], after);
    const detail = `${where(text, edit)}, selection = ${JSON.stringify(selection)}`;
    assert.deepEqual(mapped, moved, detail);
  });
});

/**
 * Runs `body` for every case of every seed.
 * @param {(rnd: gen.Random, where: (text: string, ...ops: TextOperation[]) => string) => void} body
 */
function forEachCase(body) {
  for (let s = 0; s < SEEDS; s++) {
    const seed = 0xc0de0000 + s;
    const rnd = gen.random(seed);
    for (let i = 0; i < CASES_PER_SEED; i++) {
      body(
        rnd,
        (text, ...ops) =>
          `seed ${seed} case ${i}: text = ${JSON.stringify(text)}` +
          ops.map((o) => `, op = ${JSON.stringify(o)}`).join(''),
      );
    }
  }
}

/**
 * Up to three non-overlapping random change specs on `text`, in UTF-16 units, inserting text with
 * astral characters or lone halves of pairs; `cutPairs` allows ends between the halves of a pair.
 * @param {gen.Random} rnd
 * @param {string} text
 * @param {{cutPairs: boolean}} options
 */
function randomChanges(rnd, text, { cutPairs }) {
  const length = codePointCount(text);
  const at = (/** @type {number} */ codePoint) =>
    cutPairs ? rnd.nextInt(text.length + 1) : utf16Offset(text, codePoint);
  const ends = Array.from({ length: 2 * (1 + rnd.nextInt(3)) }, () =>
    at(rnd.nextInt(length + 1)),
  ).sort((a, b) => a - b);
  const changes = [];
  for (let i = 0; i < ends.length; i += 2) {
    const insert = rnd.nextInt(3) === 0 ? '' : gen.insertText(rnd);
    const half = cutPairs && rnd.nextInt(4) === 0 ? (rnd.nextInt(2) ? '\uD83D' : '\uDE01') : '';
    changes.push({ from: ends[i], to: ends[i + 1], insert: insert + half });
  }
  return changes;
}

/**
 * @param {string} clientId
 * @param {Array<[number, number]>} selection
 * @param {string} [name]
 * @param {string} [color]
 */
function presence(clientId, selection, name = clientId, color = 'blue') {
  return { clientId, userId: '', selection, meta: {}, name, color };
}

/**
 * The decorations of a set, in order, as readable strings.
 * @param {import('@codemirror/view').DecorationSet} set
 */
function shown(set) {
  const out = [];
  for (const cursor = set.iter(); cursor.value !== null; cursor.next()) {
    const spec = cursor.value.spec;
    out.push(
      spec.widget
        ? `caret ${cursor.from} ${spec.widget.name} ${spec.widget.color}`
        : `mark ${cursor.from}..${cursor.to} ${spec.attributes.style}`,
    );
  }
  return out;
}

test('a view of another copy of @codemirror/view or @codemirror/state is refused, saying so', async () => {
  // a real second copy of both packages, as an app that bundles its own next to ours would have
  const { bindCodeMirror } = await import('../src/codemirror.js');
  const { EditorView } = await import('@codemirror/view');
  const root = mkdtempSync(join(tmpdir(), 'tandem-two-codemirrors-'));
  try {
    const modules = join(root, 'node_modules');
    const ours = fileURLToPath(new URL('../node_modules/', import.meta.url));
    for (const name of ['@codemirror/state', '@codemirror/view']) {
      cpSync(join(ours, name), join(modules, name), { recursive: true });
    }
    for (const name of ['@marijn', 'crelt', 'style-mod', 'w3c-keyname']) {
      symlinkSync(join(ours, name), join(modules, name));
    }
    const copy = (name) => import(pathToFileURL(join(modules, name, 'dist', 'index.js')).href);
    const otherState = await copy('@codemirror/state');
    const otherView = await copy('@codemirror/view');
    assert.notEqual(otherState.EditorState, EditorState, 'a second copy, not the same module');

    const viewLike = (prototype, state) =>
      Object.create(prototype, { state: { value: state }, dispatch: { value: () => {} } });
    const doc = {}; // never reached: the check comes first
    assert.throws(
      () => bindCodeMirror(viewLike(otherView.EditorView.prototype, stateOf('')), doc),
      /another copy of @codemirror\/view .*npm ls @codemirror\/view/s,
    );
    assert.throws(
      () => bindCodeMirror(viewLike(EditorView.prototype, otherState.EditorState.create()), doc),
      /another copy of @codemirror\/state .*npm ls @codemirror\/state/s,
    );
    assert.throws(() => bindCodeMirror({}, doc), /needs an EditorView \(got an object\)/);
    assert.throws(() => bindCodeMirror(undefined, doc), /needs an EditorView \(got undefined\)/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
