// The laws of TextOperation on seeded random texts and operations, the same laws as the Java
// TextOperationLawsTest: SEEDS seeds of CASES_PER_SEED cases each per law. Every failure message
// starts with the seed and the case and names the text and the ops, so it replays.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextOperation, Side, codePointCount } from '../src/index.js';
import { parse, toJson } from '../src/operation-json.js';
import * as gen from './support/random.js';

const SEEDS = 100;
const CASES_PER_SEED = 50;

/**
 * Runs `body` for every case of every seed.
 * @param {(rnd: import('./support/random.js').Random, where: (text: string, ...ops: TextOperation[]) => string) => void} body
 */
function forEachCase(body) {
  for (let s = 0; s < SEEDS; s++) {
    const seed = 0x5eed0000 + s;
    const rnd = gen.random(seed);
    for (let i = 0; i < CASES_PER_SEED; i++) {
      const where = (text, ...ops) =>
        `seed ${seed} case ${i}: text = ${JSON.stringify(text)}` +
        ops.map((op, k) => `, ${'abcd'[k]} = ${JSON.stringify(op)}`).join('');
      body(rnd, where);
    }
  }
}

/**
 * A message built only if an assertion fails (node:assert turns it into a string then), so that
 * thousands of passing cases do not pay for describing themselves.
 * @param {() => string} describe
 */
function lazy(describe) {
  return { toString: describe };
}

/** No empty component, no two neighbours of the same kind, no insert right after a delete. */
function assertCanonical(op, detail) {
  const kind = (c) => (typeof c === 'string' ? 'insert' : c > 0 ? 'retain' : 'delete');
  const components = op.components();
  components.forEach((c, i) => {
    assert.ok(
      c !== '' && c !== 0,
      lazy(() => `${detail}: empty component ${i} in ${op}`),
    );
    if (i > 0) {
      const previous = kind(components[i - 1]);
      assert.notEqual(
        previous,
        kind(c),
        lazy(() => `${detail}: same kind at ${i} in ${op}`),
      );
      assert.ok(
        !(previous === 'delete' && kind(c) === 'insert'),
        lazy(() => `${detail}: insert after delete at ${i} in ${op}`),
      );
    }
  });
}

const codePoints = (text) => Array.from(text);

test('apply gives the target length', () => {
  forEachCase((rnd, where) => {
    const s = gen.text(rnd, 30);
    const a = gen.operation(rnd, s);
    const detail = lazy(() => where(s, a));
    assert.equal(codePointCount(a.apply(s)), a.targetLength, detail);
    assert.equal(a.baseLength, codePointCount(s), detail);
  });
});

test('compose then apply equals apply then apply', () => {
  forEachCase((rnd, where) => {
    const s = gen.text(rnd, 30);
    const a = gen.operation(rnd, s);
    const afterA = a.apply(s);
    const b = gen.operation(rnd, afterA);
    const ab = a.compose(b);
    const detail = lazy(() => `${where(s, a, b)}, a.compose(b) = ${JSON.stringify(ab)}`);
    assert.equal(ab.apply(s), b.apply(afterA), detail);
    assert.equal(ab.baseLength, a.baseLength, detail);
    assert.equal(ab.targetLength, b.targetLength, detail);
    assertCanonical(ab, detail);
  });
});

test('transform converges', () => {
  forEachCase((rnd, where) => {
    const s = gen.text(rnd, 20);
    const a = gen.operation(rnd, s);
    const b = gen.operation(rnd, s);
    const t = TextOperation.transform(a, b);
    const detail = lazy(() => `${where(s, a, b)}, transformed = ${JSON.stringify(t)}`);
    assert.equal(t.right.apply(a.apply(s)), t.left.apply(b.apply(s)), detail);
    assert.ok(a.compose(t.right).equals(b.compose(t.left)), detail);
    assertCanonical(t.left, detail);
    assertCanonical(t.right, detail);
  });
});

test('invert round-trips', () => {
  forEachCase((rnd, where) => {
    const s = gen.text(rnd, 30);
    const a = gen.operation(rnd, s);
    const after = a.apply(s);
    const inverse = a.invert(s);
    const detail = lazy(() => `${where(s, a)}, inverse = ${JSON.stringify(inverse)}`);
    assert.equal(inverse.apply(after), s, detail);
    assert.ok(inverse.invert(after).equals(a), detail);
    assert.equal(a.compose(inverse).apply(s), s, detail);
    assertCanonical(inverse, detail);
  });
});

test('builder output is canonical and keeps the effect', () => {
  forEachCase((rnd, where) => {
    const s = gen.text(rnd, 30);
    // Components in any order, empty ones included: a delete may come before an insert.
    const raw = [];
    const builder = TextOperation.builder();
    let left = codePointCount(s);
    while (left > 0 || rnd.nextInt(4) === 0) {
      const kind = rnd.nextInt(3);
      const n = left === 0 ? 0 : rnd.nextInt(Math.min(left, 5) + 1);
      if (kind === 0) {
        const inserted = rnd.nextInt(6) === 0 ? '' : gen.insertText(rnd);
        raw.push({ insert: inserted });
        builder.insert(inserted);
      } else if (kind === 1) {
        raw.push({ retain: n });
        builder.retain(n);
        left -= n;
      } else {
        raw.push({ delete: n });
        builder.delete(n);
        left -= n;
      }
    }
    const op = builder.build();
    const detail = lazy(() => `${where(s, op)}, components given = ${JSON.stringify(raw)}`);
    assertCanonical(op, detail);
    assert.equal(op.apply(s), naiveApply(s, raw), detail);
  });
});

test('transformPosition follows the kept code points', () => {
  forEachCase((rnd, where) => {
    const s = gen.text(rnd, 30);
    const a = gen.operation(rnd, s);
    const before = codePoints(s);
    const after = codePoints(a.apply(s));
    const kept = keptCodePoints(a);
    let previous = 0;
    for (let p = 0; p <= before.length; p++) {
      const moved = a.transformPosition(p, Side.AFTER);
      const detail = lazy(() => `${where(s, a)}, position ${p} -> ${moved}`);
      assert.ok(
        moved >= previous && moved <= after.length,
        lazy(() => `${detail} (monotonic, in range)`),
      );
      assert.ok(
        a.transformPosition(p, Side.BEFORE) <= moved,
        lazy(() => `${detail} (BEFORE <= AFTER)`),
      );
      if (p < before.length && kept[p]) {
        assert.equal(after[moved], before[p], detail);
      }
      previous = moved;
    }
  });
});

test('transformPosition agrees with transform on ties', () => {
  forEachCase((rnd, where) => {
    const s = gen.text(rnd, 20);
    const a = gen.operation(rnd, s);
    const length = codePointCount(s);
    const p = rnd.nextInt(length + 1);
    const cursor = gen.insertAt(p, '#', length);
    const afterA = a.apply(s);
    const detail = lazy(() => `${where(s, a)}, position ${p}`);
    const asLeft = TextOperation.transform(cursor, a).left.apply(afterA);
    const asRight = TextOperation.transform(a, cursor).right.apply(afterA);
    assert.equal(a.transformPosition(p, Side.BEFORE), markerPosition(asLeft, afterA), detail);
    assert.equal(a.transformPosition(p, Side.AFTER), markerPosition(asRight, afterA), detail);
  });
});

test('JSON round-trips', () => {
  forEachCase((rnd, where) => {
    const s = gen.text(rnd, 30);
    const a = gen.operation(rnd, s);
    const json = toJson(a);
    const detail = lazy(() => `${where(s, a)}, json = ${json}`);
    assert.ok(parse(json).equals(a), detail);
    assert.ok(TextOperation.fromJSON(JSON.parse(json)).equals(a), detail);
  });
});

/** Applies components given in any order, empty ones included, on code point arrays. */
function naiveApply(text, components) {
  const chars = codePoints(text);
  let out = '';
  let at = 0;
  for (const c of components) {
    if ('insert' in c) {
      out += c.insert;
    } else if ('retain' in c) {
      out += chars.slice(at, at + c.retain).join('');
      at += c.retain;
    } else {
      at += c.delete;
    }
  }
  assert.equal(at, chars.length, 'naive apply spans the text');
  return out;
}

/** For each code point of the base text, whether the operation keeps it. */
function keptCodePoints(op) {
  const kept = [];
  for (const c of op.components()) {
    if (typeof c === 'number') {
      for (let i = 0; i < Math.abs(c); i++) {
        kept.push(c > 0);
      }
    }
  }
  return kept;
}

/** The code point position of the one marker '#' that `marked` has and `plain` has not. */
function markerPosition(marked, plain) {
  const a = codePoints(marked);
  const b = codePoints(plain);
  assert.equal(a.length, b.length + 1, 'marked text has one more code point');
  let i = 0;
  while (i < b.length && a[i] === b[i]) {
    i++;
  }
  // '#' is not in the generators' alphabet, so the first difference is the marker itself
  assert.equal(a[i], '#', 'marker at the first difference');
  return i;
}
