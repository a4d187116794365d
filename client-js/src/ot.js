// The OT algebra of Tandem, with exactly the semantics of the Java ot-core
// (dev.tandem.ot.TextOperation): every length and position counts Unicode code points, never
// UTF-16 units; operations are immutable and always canonical; the left argument's insert comes
// first on a transform tie. Both implementations pass the shared vectors in
// ot-core/src/test/resources/vectors/.

import { advance, codePointCount, firstLoneSurrogate } from './code-points.js';
import { InvalidOperationError } from './errors.js';

export { InvalidOperationError };

const MAX_LENGTH = 2147483647; // Java's Integer.MAX_VALUE: both sides refuse the same lengths

/**
 * Where `transformPosition` puts a position at which the operation inserts text. `BEFORE` keeps
 * it before the inserted text, as the left argument's insert of a transform would be (a remote
 * caret when the local user types there); `AFTER` moves it after, as the right argument's insert
 * (the caret of the user who typed the text).
 * @enum {'before' | 'after'}
 */
export const Side = Object.freeze({ BEFORE: 'before', AFTER: 'after' });

/**
 * A component in wire form: a positive integer n retains n code points, a non-empty string is
 * inserted, a negative integer -n deletes n code points.
 * @typedef {number | string} WireComponent
 */

/** Lets only Builder call the TextOperation constructor. */
const BUILD = Symbol('build');
/** Builder's unchecked insert of text known to be well-formed, with its code point length. */
const INSERT_KNOWN = Symbol('insertKnown');

/**
 * An edit of a whole document of Unicode code points: retains, inserts and deletes that walk the
 * document from its start to its end. Immutable and always canonical (no empty component, no two
 * adjacent components of the same kind, an insert directly before a delete rather than after
 * it), so `equals` is structural. Make one with `TextOperation.builder()` or
 * `TextOperation.fromJSON([5, "hi", -3, 10])`.
 *
 * Laws, for every text `s` of `a.baseLength` code points:
 * - length: `codePointCount(a.apply(s)) === a.targetLength`;
 * - compose: `b.apply(a.apply(s)) === a.compose(b).apply(s)`;
 * - convergence: with `t = TextOperation.transform(a, b)`,
 *   `t.right.apply(a.apply(s)) === t.left.apply(b.apply(s))`, `a`'s insert first on a tie;
 * - invert: `a.invert(s).apply(a.apply(s)) === s`;
 * - cursor: a code point at `p` that `a` keeps is at `a.transformPosition(p, Side.AFTER)` in
 *   `a.apply(s)`.
 *
 * Every invalid argument throws {@link InvalidOperationError}.
 */
export class TextOperation {
  // For component i: texts[i] !== null for an insert, whose code point length is spans[i];
  // otherwise spans[i] > 0 retains and spans[i] < 0 deletes -spans[i] code points.
  /** @type {readonly number[]} */ #spans;
  /** @type {readonly (string | null)[]} */ #texts;
  /** @type {number} */ #baseLength;
  /** @type {number} */ #targetLength;

  /**
   * @param {symbol} token
   * @param {number[]} spans
   * @param {(string | null)[]} texts
   * @param {number} baseLength
   * @param {number} targetLength
   */
  constructor(token, spans, texts, baseLength, targetLength) {
    if (token !== BUILD) {
      throw new TypeError('use TextOperation.builder() or TextOperation.fromJSON() to make an op');
    }
    this.#spans = Object.freeze(spans);
    this.#texts = Object.freeze(texts);
    this.#baseLength = baseLength;
    this.#targetLength = targetLength;
    Object.freeze(this);
  }

  /** A builder, used like ot.js: `TextOperation.builder().retain(2).insert('x').build()`. */
  static builder() {
    return new Builder();
  }

  /**
   * Parses the wire form, already read by `JSON.parse`: integers (positive retains, negative
   * deletes) and non-empty well-formed strings. A valid op that is not canonical (`[1, 1]`) is
   * canonicalized. The rules and messages are those of Java's `OperationJson.fromValues`.
   * @param {unknown} values
   * @returns {TextOperation}
   * @throws {InvalidOperationError}
   */
  static fromJSON(values) {
    if (!Array.isArray(values)) {
      throw new InvalidOperationError(
        `op is ${describe(values)} (expected an array of components)`,
      );
    }
    const builder = new Builder();
    values.forEach((value, index) => addWireComponent(builder, index, value));
    return builder.build();
  }

  /** The code point length of the text this operation applies to: retains plus deletes. */
  get baseLength() {
    return this.#baseLength;
  }

  /** The code point length of the text this operation produces: retains plus inserts. */
  get targetLength() {
    return this.#targetLength;
  }

  /** Whether this operation leaves every text unchanged: it only retains, or is empty. */
  isNoop() {
    const size = this.#spans.length;
    return size === 0 || (size === 1 && this.#texts[0] === null && this.#spans[0] > 0);
  }

  /**
   * The canonical components in wire form, in document order (a new array each call).
   * @returns {WireComponent[]}
   */
  components() {
    return this.#spans.map((span, i) => this.#texts[i] ?? span);
  }

  /**
   * The wire form, so that `JSON.stringify(op)` writes `[5,"hi",-3,10]`.
   * @returns {WireComponent[]}
   */
  toJSON() {
    return this.components();
  }

  /**
   * Applies this operation to `text`.
   * @param {string} text
   * @returns {string}
   * @throws {InvalidOperationError} if the text's code point length is not `baseLength`
   */
  apply(text) {
    const textLength = this.#requireBaseText(text);
    const unitPerCodePoint = textLength === text.length; // no surrogate pair: skip the walk
    const spans = this.#spans;
    const texts = this.#texts;
    let out = '';
    let index = 0; // UTF-16 index in text
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i];
      const inserted = texts[i];
      if (inserted !== null) {
        out += inserted;
      } else if (span > 0) {
        const end = unitPerCodePoint ? index + span : advance(text, index, span);
        out += text.slice(index, end);
        index = end;
      } else {
        index = unitPerCodePoint ? index - span : advance(text, index, -span);
      }
    }
    return out;
  }

  /**
   * The operation that has the effect of this operation followed by `next`.
   * Law: `next.apply(this.apply(s)) === this.compose(next).apply(s)`.
   * @param {TextOperation} next
   * @returns {TextOperation}
   * @throws {InvalidOperationError} if `next.baseLength !== this.targetLength`
   */
  compose(next) {
    requireOperation(next, 'next op');
    if (this.#targetLength !== next.baseLength) {
      throw new InvalidOperationError(
        "compose needs the next op's base length to equal this op's target length: next base" +
          ` length ${next.baseLength}, target length ${this.#targetLength}`,
      );
    }
    const [aSpans, aTexts] = [this.#spans, this.#texts];
    const [bSpans, bTexts] = [next.#spans, next.#texts];
    const out = new Builder();
    // Invariant: this op's cursor (component ai, aLeft code points of it unconsumed, aOffset
    // UTF-16 units into an insert's text) and next's cursor (bi, bLeft) stand at the same
    // position of the intermediate text, this.apply(s).
    let ai = 0;
    let aLeft = lengthAt(aSpans, 0);
    let aOffset = 0;
    let bi = 0;
    let bLeft = lengthAt(bSpans, 0);
    while (ai < aSpans.length || bi < bSpans.length) {
      if (ai < aSpans.length && aTexts[ai] === null && aSpans[ai] < 0) {
        out.delete(aLeft); // gone before next sees it
        aLeft = lengthAt(aSpans, ++ai);
        continue;
      }
      if (bi < bSpans.length && bTexts[bi] !== null) {
        out[INSERT_KNOWN](/** @type {string} */ (bTexts[bi]), bLeft);
        bLeft = lengthAt(bSpans, ++bi);
        continue;
      }
      const n = Math.min(aLeft, bLeft);
      const nextRetains = bSpans[bi] > 0;
      const inserted = aTexts[ai];
      if (inserted === null) {
        if (nextRetains) {
          out.retain(n);
        } else {
          out.delete(n);
        }
      } else {
        // cuts between code points only
        const end = inserted.length === aSpans[ai] ? aOffset + n : advance(inserted, aOffset, n);
        if (nextRetains) {
          out[INSERT_KNOWN](
            aOffset === 0 && end === inserted.length ? inserted : inserted.slice(aOffset, end),
            n,
          );
        } // else next deletes what this op inserted: neither appears
        aOffset = end;
      }
      aLeft -= n;
      bLeft -= n;
      if (aLeft === 0) {
        aLeft = lengthAt(aSpans, ++ai);
        aOffset = 0;
      }
      if (bLeft === 0) {
        bLeft = lengthAt(bSpans, ++bi);
      }
    }
    return out.build();
  }

  /**
   * Rebases two concurrent operations on the same text over each other: `left` (the left argument
   * rebased) applies after `right`, and `right` (the right argument rebased) after `left`.
   *
   * ```
   *            s
   *     left  / \  right
   *          /   \
   *          \   /
   *   .right  \ /  .left
   *            s'
   * ```
   *
   * Law (convergence): `t.right.apply(left.apply(s)) === t.left.apply(right.apply(s))`.
   * Tie rule: when both insert at the same position, the left argument's text comes first. The
   * server passes an incoming op as the left argument against each committed op, and a client
   * its own unacknowledged op as the left argument against each server op.
   * @param {TextOperation} left
   * @param {TextOperation} right
   * @returns {{left: TextOperation, right: TextOperation}}
   * @throws {InvalidOperationError} if the two base lengths differ
   */
  static transform(left, right) {
    requireOperation(left, 'left op');
    requireOperation(right, 'right op');
    if (left.#baseLength !== right.#baseLength) {
      throw new InvalidOperationError(
        'transform needs two ops on the same text: left base length ' +
          `${left.#baseLength}, right base length ${right.#baseLength}`,
      );
    }
    const [aSpans, aTexts] = [left.#spans, left.#texts];
    const [bSpans, bTexts] = [right.#spans, right.#texts];
    const leftOut = new Builder();
    const rightOut = new Builder();
    // Invariant: both cursors (component ai with aLeft code points unconsumed, bi with bLeft)
    // stand at the same position of the base text; inserts take no base text, so they go first,
    // the left one before the right one.
    let ai = 0;
    let aLeft = lengthAt(aSpans, 0);
    let bi = 0;
    let bLeft = lengthAt(bSpans, 0);
    while (ai < aSpans.length || bi < bSpans.length) {
      if (ai < aSpans.length && aTexts[ai] !== null) {
        leftOut[INSERT_KNOWN](/** @type {string} */ (aTexts[ai]), aLeft);
        rightOut.retain(aLeft);
        aLeft = lengthAt(aSpans, ++ai);
        continue;
      }
      if (bi < bSpans.length && bTexts[bi] !== null) {
        leftOut.retain(bLeft);
        rightOut[INSERT_KNOWN](/** @type {string} */ (bTexts[bi]), bLeft);
        bLeft = lengthAt(bSpans, ++bi);
        continue;
      }
      const n = Math.min(aLeft, bLeft);
      const leftRetains = aSpans[ai] > 0;
      const rightRetains = bSpans[bi] > 0;
      if (leftRetains && rightRetains) {
        leftOut.retain(n);
        rightOut.retain(n);
      } else if (leftRetains) {
        rightOut.delete(n); // right deletes text that left kept
      } else if (rightRetains) {
        leftOut.delete(n); // left deletes text that right kept
      } // else both delete it: nothing is left to delete on either side
      aLeft -= n;
      bLeft -= n;
      if (aLeft === 0) {
        aLeft = lengthAt(aSpans, ++ai);
      }
      if (bLeft === 0) {
        bLeft = lengthAt(bSpans, ++bi);
      }
    }
    return Object.freeze({ left: leftOut.build(), right: rightOut.build() });
  }

  /**
   * The operation that undoes this one: it applies to `this.apply(text)` and gives back `text`.
   * Law: `this.invert(s).apply(this.apply(s)) === s`.
   * @param {string} text the text this operation applies to (deleted text comes from it)
   * @returns {TextOperation}
   * @throws {InvalidOperationError} if the text's code point length is not `baseLength`
   */
  invert(text) {
    const textLength = this.#requireBaseText(text);
    const unitPerCodePoint = textLength === text.length;
    const out = new Builder();
    let index = 0; // UTF-16 index in text
    for (let i = 0; i < this.#spans.length; i++) {
      const span = this.#spans[i];
      if (this.#texts[i] !== null) {
        out.delete(span);
      } else if (span > 0) {
        out.retain(span);
        index = unitPerCodePoint ? index + span : advance(text, index, span);
      } else {
        const end = unitPerCodePoint ? index - span : advance(text, index, -span);
        out.insert(text.slice(index, end)); // checked: the text may hold a lone surrogate
        index = end;
      }
    }
    return out.build();
  }

  /**
   * Where `position` of the base text is in the target text: a position inside a deleted range
   * moves to where the range was, and `side` decides whether a position at which this operation
   * inserts text goes before or after it.
   *
   * Laws: a code point at `p` that this operation keeps is at `transformPosition(p, 'after')` in
   * `apply(s)`; `transformPosition(p, 'before')` is where an insert at `p` lands as the left
   * argument of a transform against this operation (`'after'`: as the right argument).
   * @param {number} position code points
   * @param {'before' | 'after'} side
   * @returns {number}
   * @throws {InvalidOperationError} if the position is outside `0..baseLength` or the side unknown
   */
  transformPosition(position, side) {
    if (!Number.isInteger(position) || position < 0 || position > this.#baseLength) {
      throw new InvalidOperationError(
        `position ${position} is outside the op's base text (expected 0..${this.#baseLength})`,
      );
    }
    if (side !== Side.BEFORE && side !== Side.AFTER) {
      throw new InvalidOperationError(`side is ${describe(side)} (expected "before" or "after")`);
    }
    let result = position;
    let remaining = position; // code points of the base text between this cursor and position
    for (let i = 0; i < this.#spans.length && remaining >= 0; i++) {
      const span = this.#spans[i];
      if (this.#texts[i] !== null) {
        if (remaining > 0 || side === Side.AFTER) {
          result += span; // inserted before the position, or at it and the position goes after
        }
      } else if (span > 0) {
        if (remaining < span) {
          break; // the position lies inside or at the start of this retain
        }
        remaining -= span;
      } else {
        result -= Math.min(remaining, -span);
        remaining += span;
      }
    }
    return result;
  }

  /**
   * Structural equality: canonical form makes two ops with the same effect equal.
   * @param {unknown} other
   * @returns {boolean}
   */
  equals(other) {
    if (!(other instanceof TextOperation)) {
      return false;
    }
    if (other === this) {
      return true;
    }
    const size = this.#spans.length;
    if (size !== other.#spans.length || this.#baseLength !== other.#baseLength) {
      return false;
    }
    for (let i = 0; i < size; i++) {
      if (this.#spans[i] !== other.#spans[i] || this.#texts[i] !== other.#texts[i]) {
        return false;
      }
    }
    return true;
  }

  /** Reads like ot.js: `retain 2, insert 'lo', delete 5`; `(empty)` for no component. */
  toString() {
    if (this.#spans.length === 0) {
      return '(empty)';
    }
    return this.#spans
      .map((span, i) => {
        const inserted = this.#texts[i];
        if (inserted !== null) {
          return `insert '${inserted}'`;
        }
        return span > 0 ? `retain ${span}` : `delete ${-span}`;
      })
      .join(', ');
  }

  /**
   * @param {unknown} text
   * @returns {number} the text's code point length
   */
  #requireBaseText(text) {
    if (typeof text !== 'string') {
      throw new InvalidOperationError(`text is ${describe(text)} (expected a string)`);
    }
    const textLength = codePointCount(text);
    if (textLength !== this.#baseLength) {
      throw new InvalidOperationError(
        `op base length ${this.#baseLength} does not match text length ${textLength}`,
      );
    }
    return textLength;
  }
}

/**
 * Builds a canonical {@link TextOperation} from components given in document order, like ot.js:
 * zero counts and empty inserts are dropped, neighbours of the same kind merge, and an insert
 * given after a delete is placed before it. Negative or fractional counts, a non-string text and
 * text with a lone surrogate throw {@link InvalidOperationError}. It may go on after `build()`,
 * which does not change operations already built.
 */
export class Builder {
  /** @type {number[]} */ #spans = [];
  /** @type {(string | null)[]} */ #texts = [];
  #baseLength = 0;
  #targetLength = 0;

  /**
   * Retains `count` code points; 0 adds nothing.
   * @param {number} count
   * @returns {this}
   */
  retain(count) {
    requireCount(count, 'retain count');
    if (count === 0) {
      return this;
    }
    this.#baseLength = addLength(this.#baseLength, count, 'base');
    this.#targetLength = addLength(this.#targetLength, count, 'target');
    const last = this.#spans.length - 1;
    if (last >= 0 && this.#texts[last] === null && this.#spans[last] > 0) {
      this.#spans[last] += count;
    } else {
      this.#push(count, null);
    }
    return this;
  }

  /**
   * Inserts `text`, which must be well-formed UTF-16; the empty string adds nothing.
   * @param {string} text
   * @returns {this}
   */
  insert(text) {
    if (text === '') {
      return this;
    }
    requireInsertText(text);
    this[INSERT_KNOWN](text, codePointCount(text));
    return this;
  }

  /**
   * Deletes `count` code points; 0 adds nothing.
   * @param {number} count
   * @returns {this}
   */
  delete(count) {
    requireCount(count, 'delete count');
    if (count === 0) {
      return this;
    }
    this.#baseLength = addLength(this.#baseLength, count, 'base');
    const last = this.#spans.length - 1;
    if (last >= 0 && this.#texts[last] === null && this.#spans[last] < 0) {
      this.#spans[last] -= count;
    } else {
      this.#push(-count, null);
    }
    return this;
  }

  /** The canonical operation built so far. */
  build() {
    return new TextOperation(
      BUILD,
      this.#spans.slice(),
      this.#texts.slice(),
      this.#baseLength,
      this.#targetLength,
    );
  }

  /**
   * Inserts text known to be well-formed with a known code point length: a whole insert of an
   * operation, or a part of one cut between code points.
   * @param {string} text
   * @param {number} length
   */
  [INSERT_KNOWN](text, length) {
    this.#targetLength = addLength(this.#targetLength, length, 'target');
    const spans = this.#spans;
    const texts = this.#texts;
    const last = spans.length - 1;
    if (last >= 0 && texts[last] !== null) {
      spans[last] += length;
      texts[last] += text;
    } else if (last >= 0 && spans[last] < 0) {
      // Canonical order puts the insert before the delete: the result is the same text.
      if (last >= 1 && texts[last - 1] !== null) {
        spans[last - 1] += length;
        texts[last - 1] += text;
      } else {
        const deleted = spans[last];
        spans[last] = length;
        texts[last] = text;
        this.#push(deleted, null);
      }
    } else {
      this.#push(length, text);
    }
  }

  /**
   * @param {number} span
   * @param {string | null} text
   */
  #push(span, text) {
    this.#spans.push(span);
    this.#texts.push(text);
  }
}

/**
 * Adds one wire-form component, with the messages of Java's `OperationJson`.
 * @param {Builder} builder
 * @param {number} index
 * @param {unknown} value
 */
function addWireComponent(builder, index, value) {
  if (typeof value === 'string') {
    addInsert(builder, index, value);
  } else if (typeof value === 'number' && Number.isFinite(value)) {
    const shown = Object.is(value, -0) ? '-0' : String(value);
    if (!Number.isInteger(value)) {
      throw new InvalidOperationError(
        `op[${index}] is ${shown} (expected an integer without fraction or exponent)`,
      );
    }
    addCount(builder, index, value, shown);
  } else {
    throw new InvalidOperationError(
      `op[${index}] is ${describe(value)} (expected a non-zero integer or a non-empty string)`,
    );
  }
}

/**
 * Adds a retain (positive) or a delete (negative) of the wire form; `shown` is the value as the
 * input wrote it. Shared with the strict JSON parser.
 * @param {Builder} builder
 * @param {number} index
 * @param {number} number an integer
 * @param {string} shown
 */
export function addCount(builder, index, number, shown) {
  if (number === 0) {
    throw new InvalidOperationError(
      `op[${index}] is ${shown} (expected a non-zero integer: n retains, -n deletes)`,
    );
  }
  if (number > MAX_LENGTH || number < -MAX_LENGTH) {
    throw new InvalidOperationError(
      `op[${index}] is ${shown} (expected an integer from -${MAX_LENGTH} to ${MAX_LENGTH})`,
    );
  }
  withIndex(index, () => (number > 0 ? builder.retain(number) : builder.delete(-number)));
}

/**
 * Adds an insert of the wire form. Shared with the strict JSON parser.
 * @param {Builder} builder
 * @param {number} index
 * @param {string} text
 */
export function addInsert(builder, index, text) {
  if (text === '') {
    throw new InvalidOperationError(
      `op[${index}] is an empty string (expected a non-empty insert)`,
    );
  }
  withIndex(index, () => builder.insert(text));
}

/**
 * Runs `add`, prefixing the message of its error with the component's index.
 * @param {number} index
 * @param {() => unknown} add
 */
function withIndex(index, add) {
  try {
    add();
  } catch (error) {
    if (error instanceof InvalidOperationError) {
      throw new InvalidOperationError(`op[${index}]: ${error.message}`);
    }
    throw error;
  }
}

/**
 * The code point length of component i, or 0 past the end.
 * @param {readonly number[]} spans
 * @param {number} i
 */
function lengthAt(spans, i) {
  if (i >= spans.length) {
    return 0;
  }
  const span = spans[i];
  return span < 0 ? -span : span;
}

/**
 * @param {unknown} count
 * @param {string} subject
 * @returns {asserts count is number}
 */
function requireCount(count, subject) {
  if (typeof count !== 'number' || !Number.isInteger(count)) {
    throw new InvalidOperationError(`${subject} is ${describe(count)} (expected an integer >= 0)`);
  }
  if (count < 0) {
    throw new InvalidOperationError(`${subject} is ${count} (expected >= 0)`);
  }
}

/**
 * @param {unknown} text
 * @returns {asserts text is string}
 */
function requireInsertText(text) {
  if (typeof text !== 'string') {
    throw new InvalidOperationError(
      `insert text is ${describe(text)} (expected a non-empty string)`,
    );
  }
  if (text === '') {
    throw new InvalidOperationError('insert text is empty (expected a non-empty string)');
  }
  const lone = firstLoneSurrogate(text);
  if (lone >= 0) {
    const unit = text.charCodeAt(lone).toString(16).toUpperCase();
    throw new InvalidOperationError(
      `insert text ${quote(text)} has a lone surrogate U+${unit} at UTF-16 index ${lone}` +
        ' (expected well-formed UTF-16)',
    );
  }
}

/**
 * @param {unknown} op
 * @param {string} subject
 * @returns {asserts op is TextOperation}
 */
function requireOperation(op, subject) {
  if (!(op instanceof TextOperation)) {
    throw new InvalidOperationError(`${subject} is ${describe(op)} (expected a TextOperation)`);
  }
}

/**
 * @param {number} length
 * @param {number} added
 * @param {string} which
 */
function addLength(length, added, which) {
  const sum = length + added;
  if (sum > MAX_LENGTH) {
    throw new InvalidOperationError(
      `op ${which} length ${sum} is too large (expected <= ${MAX_LENGTH})`,
    );
  }
  return sum;
}

/**
 * The text in quotes, shortened if long, for error messages (as Java's Checks.quote).
 * @param {string} text
 */
function quote(text) {
  const max = 40;
  if (text.length <= max) {
    return `'${text}'`;
  }
  let end = max;
  const unit = text.charCodeAt(end - 1);
  if (unit >= 0xd800 && unit <= 0xdbff) {
    end--;
  }
  return `'${text.slice(0, end)}…' (${text.length} UTF-16 units)`;
}

/**
 * A value as error messages show it.
 * @param {unknown} value
 */
export function describe(value) {
  if (value === null) {
    return 'null';
  }
  if (value === undefined) {
    return 'undefined';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'object') {
    return 'an object';
  }
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  return String(value);
}
