package dev.tandem.client;

import dev.tandem.ot.TextOperation;
import java.util.Random;

/**
 * Seeded random edits whose inserted code points are all distinct (one in five astral), so a test
 * can tell every character apart: a cursor standing before a character must stay before it.
 */
final class RandomEdits {
  private static final int BMP_FIRST = 0x4E00; // CJK unified ideographs: 20,000 distinct
  private static final int ASTRAL_FIRST = 0x20000; // CJK extension B: 42,000 distinct, astral

  private final Random random;
  private int nextBmp = BMP_FIRST;
  private int nextAstral = ASTRAL_FIRST;

  RandomEdits(Random random) {
    this.random = random;
  }

  /** Distinct code points never used before, {@code count} of them. */
  String fresh(int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      text.appendCodePoint(random.nextInt(5) == 0 ? nextAstral++ : nextBmp++);
    }
    return text.toString();
  }

  /** A random op on {@code text}: a few inserts and deletes at random places. */
  TextOperation operation(String text) {
    int length = text.codePointCount(0, text.length());
    TextOperation.Builder op = TextOperation.builder();
    int position = 0;
    int edits = 1 + random.nextInt(3);
    for (int i = 0; i < edits; i++) {
      int skip = random.nextInt(length - position + 1);
      if (skip > 0) {
        op.retain(skip);
        position += skip;
      }
      if (random.nextInt(3) > 0 || position == length) {
        op.insert(fresh(1 + random.nextInt(3)));
      } else {
        int count = 1 + random.nextInt(Math.min(4, length - position));
        op.delete(count);
        position += count;
      }
    }
    if (position < length) {
      op.retain(length - position);
    }
    return op.build();
  }

  int nextInt(int bound) {
    return random.nextInt(bound);
  }
}
