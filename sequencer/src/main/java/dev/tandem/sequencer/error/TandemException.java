package dev.tandem.sequencer.error;

import java.util.Objects;

/**
 * A failure with a stable {@link ErrorCode} and a message meant for the client. Thrown anywhere in
 * the server; the transports turn it into an {@code error} frame or an HTTP error body. {@link
 * Errors} makes them.
 */
public class TandemException extends RuntimeException {
  private final ErrorCode code;

  public TandemException(ErrorCode code, String message) {
    this(code, message, null);
  }

  /**
   * A refusal is answered, never debugged, so it records no stack trace: under Grizzly and Tyrus
   * one costs several microseconds, paid for every message a flooding socket gets refused. A bug
   * ({@code internal}) keeps its trace, and so does a failure with a cause.
   */
  public TandemException(ErrorCode code, String message, Throwable cause) {
    super(
        wellFormed(message),
        cause,
        true,
        cause != null || Objects.requireNonNull(code, "code") == ErrorCode.INTERNAL);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /**
   * Messages may quote client input; a lone surrogate in it is replaced by U+FFFD, since it could
   * not be sent as UTF-8.
   */
  public static String wellFormed(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else {
        out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
      }
    }
    return out.toString();
  }

  /** Same as {@link Errors#badRequest}, which new code calls. */
  public static TandemException badRequest(String message) {
    return Errors.badRequest(message);
  }

  /** Same as {@link Errors#internal}, which new code calls. */
  public static TandemException internal(Throwable bug) {
    return Errors.internal(bug);
  }
}
