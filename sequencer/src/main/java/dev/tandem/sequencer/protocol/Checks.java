package dev.tandem.sequencer.protocol;

import dev.tandem.sequencer.error.Errors;

/**
 * The checks a message's record makes in its constructor, on top of what JSON types say: each
 * failure is a {@code bad_request} naming the field as it is on the wire.
 */
public final class Checks {
  private Checks() {}

  /** {@code value}, which the message must have (an explicit {@code null} is no value). */
  public static <T> T required(T value, String field) {
    if (value == null) {
      throw Errors.badRequest("field '" + field + "' is required");
    }
    return value;
  }

  public static long nonNegative(long value, String field) {
    if (value < 0) {
      throw Errors.badRequest("field '" + field + "' : " + value + " (expected: >= 0)");
    }
    return value;
  }
}
