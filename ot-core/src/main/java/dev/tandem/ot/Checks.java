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

  /** The text in quotes, shortened if long, for error messages. */
  static String quote(String text) {
    final int max = 40;
    if (text.length() <= max) {
      return "'" + text + "'";
    }
    int end = max;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return "'" + text.substring(0, end) + "…' (" + text.length() + " UTF-16 units)";
  }
}
