package dev.tandem.bench.load;

import dev.tandem.ot.TextOperation;
import java.util.Random;

/**
 * Random one-character inserts and deletes anywhere in a document, as a keystroke is. Inserts
 * outweigh deletes while the document is shorter than {@link #TARGET_LENGTH} and deletes outweigh
 * inserts above it, so a long run keeps the document near that length instead of growing without
 * end (a growing document would make later figures incomparable with earlier ones).
 */
final class RandomEdits {
  static final int TARGET_LENGTH = 2_000;
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz ";

  private RandomEdits() {}

  /** A one-character edit of a document of {@code length} code points. */
  static TextOperation next(Random random, int length) {
    double insertShare = length < TARGET_LENGTH ? 0.7 : 0.3;
    if (length == 0 || random.nextDouble() < insertShare) {
      int at = random.nextInt(length + 1);
      String character = String.valueOf(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      return TextOperation.builder().retain(at).insert(character).retain(length - at).build();
    }
    int at = random.nextInt(length);
    return TextOperation.builder().retain(at).delete(1).retain(length - at - 1).build();
  }
}
