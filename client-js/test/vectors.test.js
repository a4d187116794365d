// The shared OT vectors of ot-core/src/test/resources/vectors/ (see the README.md there), the
// same files the Java VectorsTest reads: every case must pass here too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TextOperation, codePointCount } from '../src/index.js';
import { parse, toJson } from '../src/operation-json.js';

const VECTORS = new URL('../../ot-core/src/test/resources/vectors/', import.meta.url);

/**
 * The cases of one file, each with its line number for failure messages.
 * @param {string} name
 * @returns {{line: number, source: string, value: any}[]}
 */
function cases(name) {
  return readFileSync(new URL(name, VECTORS), 'utf8')
    .split('\n')
    .map((source, i) => ({ line: i + 1, source }))
    .filter(({ source }) => source.trim() !== '')
    .map((c) => ({ ...c, value: JSON.parse(c.source) }));
}

/** An op from a vector, read both ways: from parsed values and by the strict text parser. */
function op(values, where) {
  const fromValues = TextOperation.fromJSON(values);
  assert.ok(fromValues.equals(parse(JSON.stringify(values))), `${where}: strict parse agrees`);
  // vectors are canonical: reading one changes nothing
  assert.deepEqual(fromValues.toJSON(), values, `${where}: canonical`);
  return fromValues;
}

/**
 * Runs every case of a file, reporting its line.
 * @param {string} name
 * @param {(value: any, where: string) => void} check
 * @param {number} minimum
 */
function vectorTest(name, check, minimum) {
  test(name, () => {
    const all = cases(name);
    assert.ok(all.length >= minimum, `${name} has ${all.length} cases (expected >= ${minimum})`);
    for (const { line, source, value } of all) {
      const where = `${name}:${line} ${source}`;
      check(value, where);
    }
  });
}

vectorTest(
  'apply.jsonl',
  (c, where) => {
    const a = op(c.op, where);
    assert.equal(a.apply(c.text), c.result, where);
    assert.equal(a.baseLength, codePointCount(c.text), where);
    assert.equal(a.targetLength, codePointCount(c.result), where);
  },
  50,
);

vectorTest(
  'compose.jsonl',
  (c, where) => {
    const a = op(c.a, where);
    const b = op(c.b, where);
    const composed = a.compose(b);
    assert.deepEqual(composed.toJSON(), c.composed, where);
    assert.equal(composed.apply(c.text), b.apply(a.apply(c.text)), where);
  },
  50,
);

vectorTest(
  'transform.jsonl',
  (c, where) => {
    const a = op(c.a, where);
    const b = op(c.b, where);
    const { left, right } = TextOperation.transform(a, b);
    assert.deepEqual(left.toJSON(), c.a1, `${where}: a1`);
    assert.deepEqual(right.toJSON(), c.b1, `${where}: b1`);
    assert.equal(right.apply(a.apply(c.text)), c.result, `${where}: a then b1`);
    assert.equal(left.apply(b.apply(c.text)), c.result, `${where}: b then a1`);
  },
  50,
);

vectorTest(
  'invert.jsonl',
  (c, where) => {
    const a = op(c.op, where);
    const inverse = a.invert(c.text);
    assert.deepEqual(inverse.toJSON(), c.inverse, where);
    assert.equal(inverse.apply(a.apply(c.text)), c.text, where);
  },
  40,
);

vectorTest(
  'position.jsonl',
  (c, where) => {
    const a = op(c.op, where);
    assert.equal(a.transformPosition(c.position, c.side), c.result, where);
  },
  50,
);

test('every vector op writes the wire form Java writes', () => {
  for (const name of ['apply.jsonl', 'compose.jsonl', 'invert.jsonl']) {
    for (const { line, value } of cases(name)) {
      for (const values of [value.op, value.a, value.b, value.composed, value.inverse]) {
        if (values !== undefined) {
          const written = toJson(TextOperation.fromJSON(values));
          assert.equal(written, JSON.stringify(values), `${name}:${line}`);
          assert.ok(parse(written).equals(TextOperation.fromJSON(values)), `${name}:${line}`);
        }
      }
    }
  }
});
