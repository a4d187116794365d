package dev.tandem.persistence;

import dev.tandem.ot.TextOperation;
import java.time.Instant;
import java.util.Random;

/** Small builders of ops for the persistence tests. */
final class Ops {
  private static final String[] ALPHABET = {"a", "b", "c", " ", "\n", "é", "😀", "𝒳", "中"};

  private Ops() {}

  /** An op that inserts {@code text} at the end of a text of {@code length} code points. */
  static TextOperation append(int length, String text) {
    return TextOperation.builder().retain(length).insert(text).build();
  }

  static StoredOp stored(String docId, long revision, TextOperation op, String client, long seq) {
    return new StoredOp(docId, revision, op, client, seq, "user-1", Instant.now());
  }

  /**
   * A random op on {@code text} (seeded, so a failure replays): a few retains, inserts (one in five
   * with an astral character) and deletes spanning the whole text.
   */
  static TextOperation random(Random random, String text) {
    int length = text.codePointCount(0, text.length());
    TextOperation.Builder builder = TextOperation.builder();
    int position = 0;
    while (position < length) {
      int span = 1 + random.nextInt(Math.min(8, length - position));
      switch (random.nextInt(3)) {
        case 0 -> builder.retain(span);
        case 1 -> builder.delete(span);
        default -> {
          builder.insert(randomText(random));
          builder.retain(span);
        }
      }
      position += span;
    }
    if (random.nextBoolean() || length == 0) {
      builder.insert(randomText(random));
    }
    return builder.build();
  }

  private static String randomText(Random random) {
    StringBuilder text = new StringBuilder();
    int size = 1 + random.nextInt(4);
    for (int i = 0; i < size; i++) {
      text.append(ALPHABET[random.nextInt(ALPHABET.length)]);
    }
    return text.toString();
  }
}
