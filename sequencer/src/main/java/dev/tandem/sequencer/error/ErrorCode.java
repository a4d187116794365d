package dev.tandem.sequencer.error;

/**
 * The stable error codes of the wire protocol and the REST API, each with whether a client may
 * retry the same request and the HTTP status that carries it. This enum is the one place that maps
 * a code to a WebSocket {@code error} frame and an HTTP response.
 */
public enum ErrorCode {
  // The client's fault: fix the request, do not retry it unchanged.
  BAD_REQUEST("bad_request", false, 400),
  UNAUTHORIZED("unauthorized", false, 401),
  FORBIDDEN("forbidden", false, 403),
  NOT_FOUND("not_found", false, 404),
  ALREADY_EXISTS("already_exists", false, 409),
  /** The client id and seq name a different stored op: resubmit under a fresh client id. */
  SEQ_REUSED("seq_reused", false, 409),
  INVALID_OP("invalid_op", false, 400),
  REV_OUT_OF_RANGE("rev_out_of_range", false, 400),
  /** A revision below where the document's pruned history starts: its text and ops are gone. */
  GONE("gone", false, 410),
  TOO_LARGE("too_large", false, 413),
  RATE_LIMITED("rate_limited", true, 429),

  // The server's side: the same request may succeed later.
  UNAVAILABLE("unavailable", true, 503),
  INTERNAL("internal", false, 500);

  private final String code;
  private final boolean retryable;
  private final int httpStatus;

  ErrorCode(String code, boolean retryable, int httpStatus) {
    this.code = code;
    this.retryable = retryable;
    this.httpStatus = httpStatus;
  }

  /** The code as it appears on the wire, e.g. {@code "rev_out_of_range"}. */
  public String code() {
    return code;
  }

  /** Whether the same request may succeed when sent again later. */
  public boolean retryable() {
    return retryable;
  }

  /** The HTTP status of a REST response carrying this code. */
  public int httpStatus() {
    return httpStatus;
  }

  /**
   * Whether the error shows a misbehaving client (malformed or impossible input); such errors count
   * towards closing a connection that keeps sending garbage.
   */
  public boolean isClientFault() {
    return this == BAD_REQUEST
        || this == INVALID_OP
        || this == REV_OUT_OF_RANGE
        || this == TOO_LARGE;
  }
}
