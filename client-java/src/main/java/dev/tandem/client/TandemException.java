package dev.tandem.client;

import java.util.Optional;

/**
 * An error the server answered (or the client detected), with its {@link ErrorCode}. {@link
 * #retryable()} says whether the same request may succeed later; the client retries retryable
 * submissions by itself, with the same seq.
 */
public final class TandemException extends RuntimeException {
  private final ErrorCode code;
  private final boolean retryable;
  private final String docId;
  private final Long seq;

  public TandemException(
      ErrorCode code, String message, boolean retryable, String docId, Long seq) {
    super(code.wireName() + ": " + message + (docId == null ? "" : " (doc " + docId + ")"));
    this.code = code;
    this.retryable = retryable;
    this.docId = docId;
    this.seq = seq;
  }

  public ErrorCode code() {
    return code;
  }

  public boolean retryable() {
    return retryable;
  }

  /** The document the error is about, if any. */
  public Optional<String> docId() {
    return Optional.ofNullable(docId);
  }

  /** The seq of the submission the error answers, if it answers one. */
  public Optional<Long> seq() {
    return Optional.ofNullable(seq);
  }
}
