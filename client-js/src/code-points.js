// Code point arithmetic on UTF-16 text. Tandem counts every length and position in Unicode code
// points; JavaScript strings index UTF-16 units. These helpers convert between the two at the
// edge, with the same rules as the Java ot-core's CodePoints: a surrogate pair is one code point,
// and a lone surrogate (which well-formed text never has) also counts as one.

import { InvalidOperationError } from './errors.js';

/** @param {number} unit */
const isHigh = (unit) => unit >= 0xd800 && unit <= 0xdbff;
/** @param {number} unit */
const isLow = (unit) => unit >= 0xdc00 && unit <= 0xdfff;

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The number of code points in `text`; a lone surrogate counts as one.
 * @param {string} text
 * @returns {number}
 */
export function codePointCount(text) {
  if (!SURROGATE.test(text)) {
    return text.length; // the common case: one unit per code point
  }
  let count = 0;
  for (let i = 0; i < text.length; i++, count++) {
    if (isHigh(text.charCodeAt(i)) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
      i++;
    }
  }
  return count;
}

/**
 * The UTF-16 index reached by moving `count` code points forward from UTF-16 index `index`.
 * The caller guarantees that the text has that many code points after `index`.
 * @param {string} text
 * @param {number} index
 * @param {number} count
 * @returns {number}
 */
export function advance(text, index, count) {
  for (let i = 0; i < count; i++) {
    index += isPairAt(text, index) ? 2 : 1;
  }
  return index;
}

/**
 * The UTF-16 index in `text` of the code point offset `codePointOffset`.
 * @param {string} text
 * @param {number} codePointOffset
 * @returns {number}
 * @throws {InvalidOperationError} if the offset is negative, not an integer or past the end
 */
export function utf16Offset(text, codePointOffset) {
  if (!Number.isInteger(codePointOffset)) {
    throw new InvalidOperationError(
      `code point offset ${codePointOffset} is not an integer (expected an integer >= 0)`,
    );
  }
  if (codePointOffset < 0) {
    throw new InvalidOperationError(
      `code point offset ${codePointOffset} is negative (expected >= 0)`,
    );
  }
  let index = 0;
  for (let i = 0; i < codePointOffset; i++) {
    if (index >= text.length) {
      throw new InvalidOperationError(
        `code point offset ${codePointOffset} is past the end of a text of ` +
          `${codePointCount(text)} code points`,
      );
    }
    index += isPairAt(text, index) ? 2 : 1;
  }
  return index;
}

/**
 * The code point offset of the UTF-16 index `utf16Index` in `text`. An index between the two
 * halves of a surrogate pair counts the pair as started (as Java's `Character.codePointCount`).
 * @param {string} text
 * @param {number} utf16Index
 * @returns {number}
 * @throws {InvalidOperationError} if the index is outside `0..text.length`
 */
export function codePointOffset(text, utf16Index) {
  if (!Number.isInteger(utf16Index) || utf16Index < 0 || utf16Index > text.length) {
    throw new InvalidOperationError(
      `UTF-16 offset ${utf16Index} is outside a text of ${text.length} UTF-16 units ` +
        `(expected 0..${text.length})`,
    );
  }
  let count = 0;
  for (let i = 0; i < utf16Index; i++, count++) {
    if (isHigh(text.charCodeAt(i)) && i + 1 < utf16Index && isLow(text.charCodeAt(i + 1))) {
      i++;
    }
  }
  return count;
}

/**
 * The UTF-16 index of the first lone surrogate in `text`, or -1 if it is well-formed.
 * @param {string} text
 * @returns {number}
 */
export function firstLoneSurrogate(text) {
  if (!SURROGATE.test(text)) {
    return -1;
  }
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (isHigh(unit) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
      i++; // a pair: skip its low half
    } else if (isHigh(unit) || isLow(unit)) {
      return i;
    }
  }
  return -1;
}

/**
 * Whether `text` has no lone surrogate.
 * @param {string} text
 * @returns {boolean}
 */
export function isWellFormed(text) {
  return firstLoneSurrogate(text) < 0;
}

/**
 * Whether UTF-16 index `index` of `text` stands between the two halves of a surrogate pair, where
 * no edit may cut.
 * @param {string} text
 * @param {number} index
 * @returns {boolean}
 */
export function splitsPair(text, index) {
  return index > 0 && isPairAt(text, index - 1);
}

/**
 * @param {string} text
 * @param {number} index
 */
function isPairAt(text, index) {
  return (
    isHigh(text.charCodeAt(index)) && index + 1 < text.length && isLow(text.charCodeAt(index + 1))
  );
}
