package dev.tandem.ot;

/** One-line argument checks whose messages name the subject, the value and the expectation. */
final class Checks {
  private Checks() {}

  static int requirePositive(int value, String subject) {
    if (value <= 0) {
      throw new InvalidOperationException(subject + " is " + value + " (expected > 0)");
    }
    return value;
  }

  static String requireInsertText(String text) {
    if (text == null) {
      throw new InvalidOperationException("insert text is null (expected a non-empty string)");
    }
    if (text.isEmpty()) {
      throw new InvalidOperationException("insert text is empty (expected a non-empty string)");
    }
    int lone = CodePoints.firstLoneSurrogate(text);
    if (lone >= 0) {
      throw new InvalidOperationException(
          "insert text "
              + quote(text)
              + " has a lone surrogate U+"
              + Integer.toHexString(text.charAt(lone)).toUpperCase(java.util.Locale.ROOT)
              + " at UTF-16 index "
              + lone
              + " (expected well-formed UTF-16)");
    }
    return text;
  }

  /**
   * The text in quotes for an error message: shortened if long, and with every lone surrogate
   * written as a Java escape (backslash, u, four hex digits), so that the message itself is
   * well-formed UTF-16 and can go into a JSON error frame.
   */
  static String quote(String text) {
    final int max = 40;
    int end = Math.min(text.length(), max);
    if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
      end--; // do not cut a pair
    }
    StringBuilder out = new StringBuilder(end + 16).append('\'');
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      boolean pair =
          Character.isHighSurrogate(c)
              && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(i + 1));
      if (pair) {
        out.append(c).append(text.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    if (end < text.length()) {
      out.append("…' (").append(text.length()).append(" UTF-16 units)");
    } else {
      out.append('\'');
    }
    return out.toString();
  }
}
