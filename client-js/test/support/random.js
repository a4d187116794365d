// Seeded random sources and generators for the law tests, modelled on the Java ot-core's
// RandomOps (itself modelled on ot.js test/helpers.js): plain functions of a seeded source, so
// the seed in a failure message replays it exactly.

import { TextOperation, codePointCount } from '../../src/index.js';

/**
 * A seeded pseudo-random source (mulberry32: 32-bit state, good enough for test generation).
 * @param {number} seed
 */
export function random(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    /** A double in [0, 1). */
    nextDouble: next,
    /** @param {number} bound an integer in [0, bound) */
    nextInt: (bound) => Math.floor(next() * bound),
  };
}

/** @typedef {ReturnType<typeof random>} Random */

/** Characters of one UTF-16 unit, including some that JSON must escape. */
const BMP = [
  'a',
  'b',
  'c',
  'd',
  'e',
  ' ',
  'x',
  'y',
  'é',
  '中',
  '"',
  '\\',
  '\n',
  '\t',
  '\u0001',
  '/',
];

/** Characters outside the Basic Multilingual Plane: emoji, math letters, Deseret. */
const ASTRAL = ['😀', '𝒳', '🎉', '𐐷', '👍'];

/** @param {Random} rnd a random code point as a string: astral one time in eight */
export function character(rnd) {
  return rnd.nextInt(8) === 0 ? ASTRAL[rnd.nextInt(ASTRAL.length)] : BMP[rnd.nextInt(BMP.length)];
}

/**
 * A random text of 0 to `maxLength` code points.
 * @param {Random} rnd
 * @param {number} maxLength
 */
export function text(rnd, maxLength) {
  const length = rnd.nextInt(maxLength + 1);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += character(rnd);
  }
  return out;
}

/**
 * Text for one insert: 1 to 4 code points; one time in five it holds an astral character, the
 * other times none.
 * @param {Random} rnd
 */
export function insertText(rnd) {
  const length = 1 + rnd.nextInt(4);
  const astralAt = rnd.nextInt(5) === 0 ? rnd.nextInt(length) : -1;
  let out = '';
  for (let i = 0; i < length; i++) {
    out += i === astralAt ? ASTRAL[rnd.nextInt(ASTRAL.length)] : BMP[rnd.nextInt(BMP.length)];
  }
  return out;
}

/**
 * A random operation on `text`: runs of retains, inserts and deletes of up to 20 code points
 * until the text is spanned, sometimes with a final insert.
 * @param {Random} rnd
 * @param {string} text
 */
export function operation(rnd, text) {
  const length = codePointCount(text);
  const builder = TextOperation.builder();
  let spanned = 0;
  while (spanned < length) {
    const run = 1 + rnd.nextInt(Math.min(length - spanned, 20));
    const kind = rnd.nextDouble();
    if (kind < 0.2) {
      builder.insert(insertText(rnd));
    } else if (kind < 0.4) {
      builder.delete(run);
      spanned += run;
    } else {
      builder.retain(run);
      spanned += run;
    }
  }
  if (rnd.nextDouble() < 0.3) {
    builder.insert(insertText(rnd));
  }
  return builder.build();
}

/**
 * An operation that inserts `inserted` at code point `position` of a text of `textLength`.
 * @param {number} position
 * @param {string} inserted
 * @param {number} textLength
 */
export function insertAt(position, inserted, textLength) {
  return TextOperation.builder()
    .retain(position)
    .insert(inserted)
    .retain(textLength - position)
    .build();
}
