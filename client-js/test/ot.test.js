// Hand-written examples of the OT algebra, mirroring the Java TextOperationTest,
// OperationJsonTest and CodePointsTest, including their exact error messages.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TextOperation,
  Side,
  InvalidOperationError,
  codePointCount,
  codePointOffset,
  utf16Offset,
  firstLoneSurrogate,
  isWellFormed,
} from '../src/index.js';
import { parse, toJson } from '../src/operation-json.js';

const EMOJI = '😀'; // U+1F600
const SCRIPT_X = '𝒳'; // U+1D4B3

/** An op from builder calls: a string inserts, n >= 0 retains, n < 0 deletes. */
function op(...components) {
  const builder = TextOperation.builder();
  for (const c of components) {
    if (typeof c === 'string') {
      builder.insert(c);
    } else if (c >= 0) {
      builder.retain(c);
    } else {
      builder.delete(-c);
    }
  }
  return builder.build();
}

/** Asserts that `action` throws an InvalidOperationError with exactly `message`. */
function assertInvalid(action, message) {
  assert.throws(action, (error) => {
    assert.ok(error instanceof InvalidOperationError, `${error} is an InvalidOperationError`);
    assert.equal(error.name, 'InvalidOperationError');
    if (message !== undefined) {
      assert.equal(error.message, message);
    }
    return true;
  });
}

function assertConverges(text, a, b, expected) {
  const t = TextOperation.transform(a, b);
  assert.equal(t.right.apply(a.apply(text)), expected, "b' after a");
  assert.equal(t.left.apply(b.apply(text)), expected, "a' after b");
}

// Code points

test('code points count pairs as one and lone surrogates as one', () => {
  assert.equal(codePointCount(''), 0);
  assert.equal(codePointCount('abc'), 3);
  assert.equal(codePointCount(EMOJI), 1);
  assert.equal(codePointCount(`a${EMOJI}${SCRIPT_X}é`), 4);
  assert.equal(codePointCount('a\uD83D'), 2);
  assert.equal(codePointCount('\uDE00\uD83D'), 2);
});

test('code point offsets convert both ways', () => {
  const text = `a${EMOJI}b${SCRIPT_X}`;
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((p) => utf16Offset(text, p)),
    [0, 1, 3, 4, 6],
  );
  assert.equal(codePointOffset(text, 0), 0);
  assert.equal(codePointOffset(text, 3), 2);
  assert.equal(codePointOffset(text, 6), 4);
  assert.equal(codePointOffset(text, 2), 2); // between the halves: the pair counts as started
  assertInvalid(
    () => utf16Offset(EMOJI, 2),
    'code point offset 2 is past the end of a text of 1 code points',
  );
  assertInvalid(() => utf16Offset('abc', -1), 'code point offset -1 is negative (expected >= 0)');
  assertInvalid(
    () => codePointOffset('abc', 4),
    'UTF-16 offset 4 is outside a text of 3 UTF-16 units (expected 0..3)',
  );
});

test('well-formed text has no lone surrogate', () => {
  assert.ok(isWellFormed(''));
  assert.ok(isWellFormed(`a${EMOJI}${SCRIPT_X}`));
  assert.equal(firstLoneSurrogate(EMOJI + EMOJI), -1);
  assert.equal(firstLoneSurrogate('a\uD83D'), 1);
  assert.equal(firstLoneSurrogate('\uDE00a'), 0);
  assert.equal(firstLoneSurrogate(`${EMOJI}\uDE00`), 2);
  assert.equal(firstLoneSurrogate('a\uD83D\uD83D\uDE00'), 1);
  assert.ok(!isWellFormed('\uDE00\uD83D')); // halves in the wrong order
});

// Builder and canonical form

test('builder merges neighbours of the same kind', () => {
  const merged = TextOperation.builder()
    .retain(1)
    .retain(2)
    .insert('a')
    .insert('b')
    .delete(1)
    .delete(2)
    .build();
  assert.deepEqual(merged.components(), [3, 'ab', -3]);
});

test('builder drops empty components', () => {
  const op0 = TextOperation.builder().retain(0).insert('').delete(0).retain(2).retain(0).build();
  assert.deepEqual(op0.components(), [2]);
});

test('builder puts an insert before a delete', () => {
  assert.deepEqual(TextOperation.builder().retain(1).delete(2).insert('x').build().components(), [
    1,
    'x',
    -2,
  ]);
  const merged = TextOperation.builder()
    .insert('a')
    .delete(1)
    .insert('b')
    .delete(1)
    .insert('c')
    .build();
  assert.deepEqual(merged.components(), ['abc', -2]);
});

test('many inserts in a row merge', () => {
  const builder = TextOperation.builder();
  let expected = '';
  for (let i = 0; i < 10_000; i++) {
    const piece = i % 5 === 0 ? EMOJI : 'x';
    builder.insert(piece).delete(1);
    expected += piece;
  }
  const built = builder.build();
  assert.deepEqual(built.components(), [expected, -10_000]);
  assert.equal(built.targetLength, 10_000);
});

test('builder may go on after build without changing the built op', () => {
  const builder = TextOperation.builder().retain(1).insert('a');
  const first = builder.build();
  const second = builder.insert('b').retain(2).build();
  assert.ok(first.equals(op(1, 'a')));
  assert.ok(second.equals(op(1, 'ab', 2)));
});

test('builder refuses negative and fractional counts, non-strings and lone surrogates', () => {
  assertInvalid(() => TextOperation.builder().retain(-1), 'retain count is -1 (expected >= 0)');
  assertInvalid(() => TextOperation.builder().delete(-2), 'delete count is -2 (expected >= 0)');
  assertInvalid(
    () => TextOperation.builder().retain(1.5),
    'retain count is 1.5 (expected an integer >= 0)',
  );
  assertInvalid(
    () => TextOperation.builder().delete('3'),
    'delete count is "3" (expected an integer >= 0)',
  );
  assertInvalid(
    () => TextOperation.builder().insert(null),
    'insert text is null (expected a non-empty string)',
  );
  assertInvalid(
    () => TextOperation.builder().insert('a\uD83D'),
    "insert text 'a\uD83D' has a lone surrogate U+D83D at UTF-16 index 1 (expected well-formed UTF-16)",
  );
  // two halves of a pair in two inserts: each insert is checked by itself
  assertInvalid(() => TextOperation.builder().insert('\uD83D').insert('\uDE00'));
});

test('lengths that overflow a Java int are refused', () => {
  const builder = TextOperation.builder().retain(2147483647);
  assertInvalid(
    () => builder.delete(1),
    'op base length 2147483648 is too large (expected <= 2147483647)',
  );
});

test('ops are immutable and made only by the builder', () => {
  const a = op(1, 'a');
  assert.ok(Object.isFrozen(a));
  a.components().push(5);
  assert.deepEqual(a.components(), [1, 'a']);
  assert.throws(() => new TextOperation(Symbol('x'), [], [], 0, 0), TypeError);
});

// Lengths, noop, apply

test('lengths count code points', () => {
  const a = op(2, `${EMOJI}a`, -3, 1);
  assert.equal(a.baseLength, 6);
  assert.equal(a.targetLength, 5);
  assert.equal(op().baseLength, 0);
  assert.equal(op().targetLength, 0);
});

test('noop only retains', () => {
  assert.ok(op().isNoop());
  assert.ok(op(5).isNoop());
  assert.ok(!op('a').isNoop());
  assert.ok(!op(-1).isNoop());
  assert.ok(!op(1, 'a', 1).isNoop());
});

test('applies to text', () => {
  assert.equal(op(5, ' world').apply('hello'), 'hello world');
  assert.equal(op(2, 'y', -2, 1).apply('hello'), 'heyo');
  assert.equal(op(-5).apply('hello'), '');
  assert.equal(op('abc').apply(''), 'abc');
  assert.equal(op().apply(''), '');
  assert.equal(op('x', 5, 'x').apply('hello'), 'xhellox');
});

test('applies across astral characters', () => {
  const text = `${EMOJI}a${SCRIPT_X}b`;
  assert.equal(op(1, -1, 2).apply(text), `${EMOJI}${SCRIPT_X}b`);
  assert.equal(op(2, EMOJI, -1, 1).apply(text), `${EMOJI}a${EMOJI}b`);
  assert.equal(op(-1, 2, -1).apply(text), `a${SCRIPT_X}`);
  assert.equal(op(SCRIPT_X).apply(''), SCRIPT_X);
});

test('apply refuses a text of another length', () => {
  assertInvalid(
    () => op(3, 'x').apply(`ab${EMOJI}c`),
    'op base length 3 does not match text length 4',
  );
  assertInvalid(() => op().apply('a'));
  assertInvalid(() => op().apply(undefined), 'text is undefined (expected a string)');
});

test('equality is structural over canonical form', () => {
  assert.ok(op(1, 1, 'a', 'b').equals(op(2, 'ab')));
  assert.ok(op(-1, 'x').equals(op('x', -1)));
  assert.ok(!op(2, 'ab').equals(op(2, 'ba')));
  assert.ok(!op(1).equals(op('a')));
  assert.ok(!op(1).equals([1]));
});

test('toString reads like ot.js', () => {
  assert.equal(op(2, 'lo', -5).toString(), "retain 2, insert 'lo', delete 5");
  assert.equal(op().toString(), '(empty)');
});

// Compose

test('composes sequential edits', () => {
  const ab = op(5, ' world').compose(op(-1, 'H', 10));
  assert.ok(ab.equals(op('H', -1, 4, ' world')));
  assert.equal(ab.apply('hello'), 'Hello world');
});

test('compose cancels an insert that the next op deletes', () => {
  assert.ok(
    op(2, 'abc', 1)
      .compose(op(3, -2, 1))
      .equals(op(2, 'a', 1)),
  );
});

test('compose cuts inserts between code points', () => {
  const a = op(EMOJI + SCRIPT_X + 'a' + EMOJI);
  assert.ok(a.compose(op(1, -2, 1)).equals(op(EMOJI + EMOJI)));
  assert.ok(a.compose(op(1, '!', 3)).equals(op(EMOJI + '!' + SCRIPT_X + 'a' + EMOJI)));
});

test('compose of empty document ops', () => {
  assert.ok(op().compose(op()).equals(op()));
  assert.ok(op('a').compose(op(1, 'b')).equals(op('ab')));
  assert.ok(op('a').compose(op(-1)).equals(op()));
});

test('compose refuses mismatched lengths', () => {
  assertInvalid(
    () => op(3, 'x').compose(op(3)),
    "compose needs the next op's base length to equal this op's target length:" +
      ' next base length 3, target length 4',
  );
  assertInvalid(() => op(1).compose([1]), 'next op is an array (expected a TextOperation)');
});

// Transform

test('transforms concurrent inserts at different places', () => {
  const t = TextOperation.transform(op(1, 'x', 2), op(3, 'y'));
  assert.ok(t.right.equals(op(4, 'y')));
  assert.ok(t.left.equals(op(1, 'x', 3)));
  assertConverges('abc', op(1, 'x', 2), op(3, 'y'), 'axbcy');
});

test('the left insert comes first on a tie', () => {
  assertConverges('xy', op(1, 'a', 1), op(1, 'b', 1), 'xaby');
  assertConverges('xy', op(1, 'b', 1), op(1, 'a', 1), 'xbay');
  const t = TextOperation.transform(op(1, 'a', 1), op(1, 'b', 1));
  assert.ok(t.left.equals(op(1, 'a', 2)));
  assert.ok(t.right.equals(op(2, 'b', 1)));
});

test('inserts at both ends', () => {
  assertConverges('mid', op('<', 3), op(3, '>'), '<mid>');
  assertConverges('mid', op(3, '>'), op('<', 3), '<mid>');
  assertConverges('mid', op('[', 3, ']'), op('(', 3, ')'), '[(mid])');
  assertConverges('', op('a'), op('b'), 'ab');
});

test('overlapping deletes delete once', () => {
  assertConverges('abcdef', op(1, -3, 2), op(2, -3, 1), 'af');
  assertConverges('abc', op(-3), op(-3), '');
  assertConverges('abcd', op(-4), op(1, -2, 1), '');
});

test('an insert inside a deleted range survives', () => {
  assertConverges('abcd', op(2, 'X', 2), op(1, -3), 'aX');
  assertConverges('abcd', op(1, -3), op(2, 'X', 2), 'aX');
});

test('transforms across astral characters', () => {
  const text = EMOJI + SCRIPT_X + EMOJI;
  assertConverges(text, op(1, SCRIPT_X, 2), op(1, -1, 1), EMOJI + SCRIPT_X + EMOJI);
  assertConverges(
    text,
    op(2, EMOJI, 1),
    op(2, SCRIPT_X, 1),
    EMOJI + SCRIPT_X + EMOJI + SCRIPT_X + EMOJI,
  );
});

test('transform of empty document ops', () => {
  const t = TextOperation.transform(op(), op());
  assert.ok(t.left.equals(op()) && t.right.equals(op()));
  const inserted = TextOperation.transform(op(), op(EMOJI));
  assert.ok(inserted.left.equals(op(1)));
  assert.ok(inserted.right.equals(op(EMOJI)));
});

test('transform refuses ops on different bases', () => {
  assertInvalid(
    () => TextOperation.transform(op(2), op(3, 'x')),
    'transform needs two ops on the same text: left base length 2, right base length 3',
  );
});

// Invert

test('invert undoes', () => {
  const text = `a${EMOJI}bc${SCRIPT_X}`;
  const a = op(1, -1, `x${EMOJI}`, 2, -1, '!');
  const inverse = a.invert(text);
  assert.ok(inverse.equals(op(1, EMOJI, -2, 2, SCRIPT_X, -1)));
  assert.equal(inverse.apply(a.apply(text)), text);
  assert.ok(op().invert('').equals(op()));
  assert.ok(
    op(EMOJI + 'a')
      .invert('')
      .equals(op(-2)),
  );
});

test('invert refuses the wrong text', () => {
  assertInvalid(() => op(2, -1).invert('ab'), 'op base length 3 does not match text length 2');
});

// Transform position

test('positions move through inserts and deletes', () => {
  const a = op(2, 'xy', 2, -2, 1); // "abcdefg" -> "abxycdg"
  const expected = [0, 1, 2, 5, 6, 6, 6, 7];
  for (let position = 0; position <= 7; position++) {
    const before = position === 2 ? 2 : expected[position];
    assert.equal(a.transformPosition(position, Side.BEFORE), before, `before at ${position}`);
    const after = position === 2 ? 4 : expected[position];
    assert.equal(a.transformPosition(position, Side.AFTER), after, `after at ${position}`);
  }
});

test('side decides only at an insert point', () => {
  const a = op(1, 'XY', -2, 1);
  assert.equal(a.transformPosition(1, 'before'), 1);
  assert.equal(a.transformPosition(1, 'after'), 3);
  assert.equal(a.transformPosition(2, 'before'), 3); // inside the deleted range
  assert.equal(a.transformPosition(3, 'before'), 3); // at the end of the deleted range
  assert.equal(a.transformPosition(4, 'after'), 4);
});

test('positions at the ends of the document', () => {
  const a = op(EMOJI, 3, SCRIPT_X);
  assert.equal(a.transformPosition(0, Side.BEFORE), 0);
  assert.equal(a.transformPosition(0, Side.AFTER), 1);
  assert.equal(a.transformPosition(3, Side.BEFORE), 4);
  assert.equal(a.transformPosition(3, Side.AFTER), 5);
  assert.equal(op().transformPosition(0, Side.AFTER), 0);
  assert.equal(op('ab').transformPosition(0, Side.AFTER), 2);
});

test('transformPosition refuses positions outside the base text and unknown sides', () => {
  assertInvalid(
    () => op(3).transformPosition(4, Side.AFTER),
    "position 4 is outside the op's base text (expected 0..3)",
  );
  assertInvalid(() => op(3).transformPosition(-1, Side.AFTER));
  assertInvalid(() => op(3).transformPosition(0.5, Side.AFTER));
  assertInvalid(
    () => op(3).transformPosition(1, 'AFTER'),
    'side is "AFTER" (expected "before" or "after")',
  );
  assertInvalid(() => op(3).transformPosition(1));
});

// Wire JSON

test('writes the compact wire form', () => {
  assert.equal(toJson(op(5, 'hi', -3, 10)), '[5,"hi",-3,10]');
  assert.equal(JSON.stringify(op(5, 'hi', -3, 10)), '[5,"hi",-3,10]');
  assert.equal(toJson(op()), '[]');
  assert.equal(toJson(op(EMOJI)), `["${EMOJI}"]`);
});

test('escapes what JSON requires, as Java does', () => {
  const text = 'q"b\\n\nr\rt\tb\bf\fz\u0001/';
  assert.equal(toJson(op(text)), String.raw`["q\"b\\n\nr\rt\tb\bf\fz\u0001/"]`);
  assert.ok(parse(toJson(op(text))).equals(op(text)));
});

test('parses the wire form', () => {
  assert.ok(parse('[5, "hi", -3, 10]').equals(op(5, 'hi', -3, 10)));
  assert.ok(parse('[]').equals(op()));
  assert.ok(parse(' \t\r\n[ \n]\n').equals(op()));
  assert.ok(parse('[2147483647]').equals(op(2147483647)));
  assert.ok(parse('[-2147483647]').equals(op(-2147483647)));
});

test('parsing canonicalizes valid input', () => {
  assert.ok(parse('[1,1]').equals(op(2)));
  assert.ok(parse('[1,-1,"a",-1,"b"]').equals(op(1, 'ab', -2)));
  assert.ok(TextOperation.fromJSON([1, -1, 'a', -1, 'b']).equals(op(1, 'ab', -2)));
});

test('unescapes strings including surrogate pairs', () => {
  assert.ok(parse(String.raw`["\uD83D\ude00"]`).equals(op(EMOJI)));
  assert.ok(parse(String.raw`["\ud835\udcb3\u00e9"]`).equals(op(SCRIPT_X + 'é')));
  assert.ok(parse(String.raw`["a\"\\\/\b\f\n\r\tb"]`).equals(op('a"\\/\b\f\n\r\tb')));
  assert.ok(parse(`["${EMOJI}x"]`).equals(op(EMOJI + 'x')));
});

// The same table as the Java OperationJsonTest: the same input gets the same message.
const REFUSED = [
  ['', "malformed op JSON at offset 0: expected '[' opening the op array, found the end of input"],
  ['{}', "malformed op JSON at offset 0: expected '[' opening the op array, found '{'"],
  ['[1', "malformed op JSON at offset 2: expected ',' or ']' after op[0], found the end of input"],
  ['[1,]', "malformed op JSON at offset 3: expected a number or a string for op[1], found ']'"],
  ['[,1]', "malformed op JSON at offset 1: expected a number or a string for op[0], found ','"],
  [
    '[1] x',
    "malformed op JSON at offset 4: expected the end of input after the op array, found 'x'",
  ],
  ['[1 2]', "malformed op JSON at offset 3: expected ',' or ']' after op[0], found '2'"],
  ['[01]', "malformed op JSON at offset 2: a number must not have a leading zero, found '1'"],
  ['[+1]', "malformed op JSON at offset 1: expected a number or a string for op[0], found '+'"],
  ['[-]', "malformed op JSON at offset 2: expected a digit, found ']'"],
  ['[1.]', "malformed op JSON at offset 3: expected a digit after the decimal point, found ']'"],
  ['[1e]', "malformed op JSON at offset 3: expected a digit in the exponent, found ']'"],
  ['["abc]', 'malformed op JSON at offset 6: unterminated string, found the end of input'],
  [String.raw`["a\x"]`, String.raw`malformed op JSON at offset 4: invalid escape '\x', found 'x'`],
  [
    String.raw`["\u12"]`,
    String.raw`malformed op JSON at offset 6: expected four hex digits after \u, found '"'`,
  ],
  ['[tru]', "malformed op JSON at offset 1: expected a number or a string for op[0], found 't'"],
  ['[0]', 'op[0] is 0 (expected a non-zero integer: n retains, -n deletes)'],
  ['[1, -0]', 'op[1] is -0 (expected a non-zero integer: n retains, -n deletes)'],
  ['[1.5]', 'op[0] is 1.5 (expected an integer without fraction or exponent)'],
  ['[1.0]', 'op[0] is 1.0 (expected an integer without fraction or exponent)'],
  ['[1e3]', 'op[0] is 1e3 (expected an integer without fraction or exponent)'],
  ['[2147483648]', 'op[0] is 2147483648 (expected an integer from -2147483647 to 2147483647)'],
  ['[-2147483648]', 'op[0] is -2147483648 (expected an integer from -2147483647 to 2147483647)'],
  [
    '[99999999999999999999999]',
    'op[0] is 99999999999999999999999 (expected an integer from -2147483647 to 2147483647)',
  ],
  ['[""]', 'op[0] is an empty string (expected a non-empty insert)'],
  ['[true]', 'op[0] is true (expected a non-zero integer or a non-empty string)'],
  ['[1, null]', 'op[1] is null (expected a non-zero integer or a non-empty string)'],
  ['[[1]]', 'op[0] is an array (expected a non-zero integer or a non-empty string)'],
  ['[{}]', 'op[0] is an object (expected a non-zero integer or a non-empty string)'],
  ['[2147483647, 1]', 'op[1]: op base length 2147483648 is too large (expected <= 2147483647)'],
];

test('refuses invalid JSON naming value and expectation, with the Java messages', () => {
  for (const [json, message] of REFUSED) {
    assertInvalid(() => parse(json), message);
  }
});

test('fromJSON follows the same rules on values JSON.parse already read', () => {
  for (const [json, message] of REFUSED) {
    let values;
    try {
      values = JSON.parse(json);
    } catch {
      continue; // not JSON at all: the socket layer refuses it before any op is read
    }
    if (!message.startsWith('op[') || ['[1.0]', '[1, -0]', '[1e3]'].includes(json)) {
      continue; // JSON.parse reads 1.0 as 1, 1e3 as 1000 and -0 as 0 (see below)
    }
    assertInvalid(() => TextOperation.fromJSON(values), message.replace(/9{23}/, '1e+23'));
  }
  assert.ok(TextOperation.fromJSON([1.0]).equals(op(1))); // indistinguishable from 1 once parsed
  assertInvalid(
    () => TextOperation.fromJSON([1, -0]),
    'op[1] is -0 (expected a non-zero integer: n retains, -n deletes)',
  );
  assertInvalid(
    () => TextOperation.fromJSON([NaN]),
    'op[0] is NaN (expected a non-zero integer or a non-empty string)',
  );
  assertInvalid(
    () => TextOperation.fromJSON('[1]'),
    'op is "[1]" (expected an array of components)',
  );
  assertInvalid(() => TextOperation.fromJSON(null), 'op is null (expected an array of components)');
});

test('refuses lone surrogates even when two inserts would pair up', () => {
  assertInvalid(
    () => parse(String.raw`["\ud83d"]`),
    "op[0]: insert text '\uD83D' has a lone surrogate U+D83D at UTF-16 index 0" +
      ' (expected well-formed UTF-16)',
  );
  assertInvalid(() => parse(String.raw`["\ud83d", "\ude00"]`));
  assertInvalid(() => parse('["a\uDE00"]'));
  assertInvalid(() => TextOperation.fromJSON(['\uD83D', '\uDE00']));
});

test('refuses unescaped control characters and non-strings', () => {
  assertInvalid(
    () => parse('["a\nb"]'),
    'malformed op JSON at offset 3: control character U+000A must be escaped inside a string,' +
      ' found U+000A',
  );
  assertInvalid(() => parse(null), 'op JSON is null (expected a JSON array)');
  assertInvalid(() => parse([1]), 'op JSON is object (expected a JSON array)');
});
