package dev.tandem.bench.load;

import dev.tandem.ot.TextOperation;
import java.util.Random;

/**
 * Random edits anywhere in a document. {@link #edit}: a one-character insert or delete, as a
 * keystroke is; inserts outweigh deletes while the document is shorter than {@link #TARGET_LENGTH}
 * and deletes outweigh inserts above it, so a long run keeps the document near that length instead
 * of growing without end. {@link #typing}: characters typed at one place.
 */
final class RandomEdits {
  static final int TARGET_LENGTH = 2_000;
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz ";

  private RandomEdits() {}

  /** A one-character insert or delete in a document of {@code length} code points. */
  static TextOperation edit(Random random, int length) {
    double insertShare = length < TARGET_LENGTH ? 0.7 : 0.3;
    if (length == 0 || random.nextDouble() < insertShare) {
      return typing(random, length, 1);
    }
    int at = random.nextInt(length);
    return TextOperation.builder().retain(at).delete(1).retain(length - at - 1).build();
  }

  /** {@code characters} letters inserted at one random place of a document of {@code length}. */
  static TextOperation typing(Random random, int length, int characters) {
    StringBuilder typed = new StringBuilder(characters);
    for (int i = 0; i < characters; i++) {
      typed.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    int at = random.nextInt(length + 1);
    return TextOperation.builder().retain(at).insert(typed.toString()).retain(length - at).build();
  }
}
