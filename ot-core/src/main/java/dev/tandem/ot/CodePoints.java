package dev.tandem.ot;

/**
 * Code point arithmetic on UTF-16 text. Tandem counts every length and position in Unicode code
 * points, Java strings index UTF-16 units; this class converts between the two at the edge.
 *
 * <p>Text is <em>well-formed</em> when every high surrogate is directly followed by a low surrogate
 * and every low surrogate directly follows a high one. Only well-formed text may be inserted.
 */
public final class CodePoints {
  private CodePoints() {}

  /** The number of code points in {@code text}; a lone surrogate counts as one. */
  public static int count(CharSequence text) {
    if (text instanceof String s) {
      return s.codePointCount(0, s.length()); // O(1) for Latin-1 strings
    }
    return Character.codePointCount(text, 0, text.length());
  }

  /**
   * The UTF-16 index in {@code text} of the code point offset {@code codePointOffset}.
   *
   * @throws InvalidOperationException if the offset is negative or past the end of the text
   */
  public static int utf16Offset(CharSequence text, int codePointOffset) {
    if (codePointOffset < 0) {
      throw new InvalidOperationException(
          "code point offset " + codePointOffset + " is negative (expected >= 0)");
    }
    int index = 0;
    int length = text.length();
    for (int i = 0; i < codePointOffset; i++) {
      if (index >= length) {
        throw new InvalidOperationException(
            "code point offset "
                + codePointOffset
                + " is past the end of a text of "
                + count(text)
                + " code points");
      }
      index += isPairAt(text, index) ? 2 : 1;
    }
    return index;
  }

  /**
   * The code point offset of the UTF-16 index {@code utf16Offset} in {@code text}. An index between
   * the two halves of a surrogate pair counts the pair as started.
   *
   * @throws InvalidOperationException if the index is negative or past the end of the text
   */
  public static int codePointOffset(CharSequence text, int utf16Offset) {
    if (utf16Offset < 0 || utf16Offset > text.length()) {
      throw new InvalidOperationException(
          "UTF-16 offset "
              + utf16Offset
              + " is outside a text of "
              + text.length()
              + " UTF-16 units (expected 0.."
              + text.length()
              + ")");
    }
    return Character.codePointCount(text, 0, utf16Offset);
  }

  /** Whether {@code text} contains no lone surrogate. */
  public static boolean isWellFormed(CharSequence text) {
    return firstLoneSurrogate(text) < 0;
  }

  /** The UTF-16 index of the first lone surrogate in {@code text}, or -1 if it is well-formed. */
  public static int firstLoneSurrogate(CharSequence text) {
    int length = text.length();
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (!Character.isSurrogate(c)) {
        continue;
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < length
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++; // a pair: skip its low half
        continue;
      }
      return i;
    }
    return -1;
  }

  private static boolean isPairAt(CharSequence text, int index) {
    return Character.isHighSurrogate(text.charAt(index))
        && index + 1 < text.length()
        && Character.isLowSurrogate(text.charAt(index + 1));
  }
}
