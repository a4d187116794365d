package dev.tandem.ot;

import java.util.Random;

/**
 * Seeded generators of texts and operations for the law tests, modelled on ot.js {@code
 * test/helpers.js}: plain functions of a {@link Random}, so a seed replays a failure exactly. One
 * generated insert in five holds an astral character (two UTF-16 units, one code point).
 */
public final class RandomOps {
  private RandomOps() {}

  /** Characters of one UTF-16 unit, including some that JSON must escape. */
  private static final String[] BMP = {
    "a", "b", "c", "d", "e", " ", "x", "y", "é", "中", "\"", "\\", "\n", "\t", "\u0001", "/"
  };

  /** Characters outside the Basic Multilingual Plane: emoji, math letters, Deseret. */
  private static final String[] ASTRAL = {"😀", "𝒳", "🎉", "𐐷", "👍"};

  /** A random code point as a string: astral one time in eight. */
  public static String character(Random rnd) {
    return rnd.nextInt(8) == 0 ? ASTRAL[rnd.nextInt(ASTRAL.length)] : BMP[rnd.nextInt(BMP.length)];
  }

  /** A random text of 0 to {@code maxLength} code points. */
  public static String text(Random rnd, int maxLength) {
    int length = rnd.nextInt(maxLength + 1);
    StringBuilder out = new StringBuilder(length * 2);
    for (int i = 0; i < length; i++) {
      out.append(character(rnd));
    }
    return out.toString();
  }

  /**
   * Text for one insert: 1 to 4 code points; one time in five it holds an astral character, the
   * other times none.
   */
  public static String insertText(Random rnd) {
    int length = 1 + rnd.nextInt(4);
    boolean astral = rnd.nextInt(5) == 0;
    int astralAt = astral ? rnd.nextInt(length) : -1;
    StringBuilder out = new StringBuilder(length * 2);
    for (int i = 0; i < length; i++) {
      out.append(i == astralAt ? ASTRAL[rnd.nextInt(ASTRAL.length)] : BMP[rnd.nextInt(BMP.length)]);
    }
    return out.toString();
  }

  /**
   * A random operation on {@code text}: runs of retains, inserts and deletes of up to 20 code
   * points until the text is spanned, sometimes with a final insert, as ot.js's {@code
   * randomOperation}.
   */
  public static TextOperation operation(Random rnd, String text) {
    int length = CodePoints.count(text);
    TextOperation.Builder builder = TextOperation.builder();
    int spanned = 0;
    while (spanned < length) {
      int left = length - spanned;
      int run = 1 + rnd.nextInt(Math.min(left, 20));
      double kind = rnd.nextDouble();
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

  /** An operation that inserts {@code inserted} at code point {@code position} of a text. */
  public static TextOperation insertAt(int position, String inserted, int textLength) {
    return TextOperation.builder()
        .retain(position)
        .insert(inserted)
        .retain(textLength - position)
        .build();
  }
}
