// Seeded random edits for the client tests, as the Java client's RandomEdits.

import { TextOperation, codePointCount } from '../../src/index.js';

/**
 * Seeded random edits whose inserted code points are all distinct (one in five astral), so a
 * test can tell every character apart: a cursor standing before a character must stay before it.
 */
export class RandomEdits {
  /** @param {import('./random.js').Random} rnd */
  constructor(rnd) {
    this.rnd = rnd;
    this.nextBmp = 0x4e00; // CJK unified ideographs: 20,000 distinct
    this.nextAstral = 0x20000; // CJK extension B: 42,000 distinct, astral
  }

  /** @param {number} count distinct code points never used before */
  fresh(count) {
    let text = '';
    for (let i = 0; i < count; i++) {
      text += String.fromCodePoint(this.rnd.nextInt(5) === 0 ? this.nextAstral++ : this.nextBmp++);
    }
    return text;
  }

  /** @param {string} text a random op on it: a few inserts and deletes at random places */
  operation(text) {
    const rnd = this.rnd;
    const length = codePointCount(text);
    const op = TextOperation.builder();
    let position = 0;
    const edits = 1 + rnd.nextInt(3);
    for (let i = 0; i < edits; i++) {
      const skip = rnd.nextInt(length - position + 1);
      op.retain(skip);
      position += skip;
      if (rnd.nextInt(3) > 0 || position === length) {
        op.insert(this.fresh(1 + rnd.nextInt(3)));
      } else {
        const count = 1 + rnd.nextInt(Math.min(4, length - position));
        op.delete(count);
        position += count;
      }
    }
    return op.retain(length - position).build();
  }
}
