package dev.tandem.ot;

/**
 * An operation, a component or an argument of the OT algebra is invalid: a zero or negative count,
 * an empty insert, a lone surrogate, malformed wire JSON, or lengths that do not fit together.
 *
 * <p>The message names the subject, the value and what was expected, for example {@code "op base
 * length 12 does not match text length 10"}, so it can be shown to a client as it is.
 */
public final class InvalidOperationException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that names the subject, the value and the expectation. */
  public InvalidOperationException(String message) {
    super(message);
  }
}
