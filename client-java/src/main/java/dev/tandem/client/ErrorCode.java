package dev.tandem.client;

/** The stable error codes of the wire protocol (DESIGN.md), as the server sends them. */
public enum ErrorCode {
  BAD_REQUEST("bad_request"),
  UNAUTHORIZED("unauthorized"),
  FORBIDDEN("forbidden"),
  NOT_FOUND("not_found"),
  INVALID_OP("invalid_op"),
  REV_OUT_OF_RANGE("rev_out_of_range"),
  /**
   * Another op is stored under the submitted (client id, seq): someone else used this client's id.
   * The client sends its op again under a fresh client id (see {@link ClientIdChange}).
   */
  SEQ_REUSED("seq_reused"),
  TOO_LARGE("too_large"),
  RATE_LIMITED("rate_limited"),
  UNAVAILABLE("unavailable"),
  /**
   * Another node of the cluster sequences the document; the client reconnects to it by itself (the
   * error carries its URL), so listeners rarely see this code.
   */
  MOVED("moved"),
  /**
   * The op's base revision is below where the document's pruned history starts; the client reopens
   * the document at its revision, which resyncs it and keeps its edits.
   */
  GONE("gone"),
  INTERNAL("internal"),
  /** A code this client does not know (a newer server), or a failure with no server code. */
  UNKNOWN("unknown");

  private final String wireName;

  ErrorCode(String wireName) {
    this.wireName = wireName;
  }

  /** The code as it appears in the {@code code} field of an {@code error} message. */
  public String wireName() {
    return wireName;
  }

  /** The code named {@code wireName}, or {@link #UNKNOWN}. */
  public static ErrorCode fromWire(String wireName) {
    for (ErrorCode code : values()) {
      if (code.wireName.equals(wireName)) {
        return code;
      }
    }
    return UNKNOWN;
  }
}
