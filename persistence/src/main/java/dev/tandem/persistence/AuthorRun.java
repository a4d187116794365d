package dev.tandem.persistence;

/**
 * A run of {@code length} consecutive code points of a text last inserted by one op: that of {@code
 * userId} at {@code revision} ({@code userId} null and {@code revision} the first checkpoint's for
 * text whose author the history no longer knows, as the initial text).
 */
public record AuthorRun(String userId, long revision, int length) {
  public AuthorRun {
    if (length <= 0) {
      throw new IllegalArgumentException("length : " + length + " (expected: > 0)");
    }
    if (revision < 0) {
      throw new IllegalArgumentException("revision : " + revision + " (expected: >= 0)");
    }
  }
}
