package dev.tandem.sequencer.error;

/**
 * The one place that makes the server's errors, grouped by {@link ErrorCode}: a rule that refuses
 * something names its error here, so the same refusal reads the same wherever it is raised.
 * Messages are for the client; they may quote its input ({@link TandemException#wellFormed}).
 */
public final class Errors {
  private Errors() {}

  // ---- bad_request ------------------------------------------------------------------------------

  public static TandemException badRequest(String message) {
    return new TandemException(ErrorCode.BAD_REQUEST, message);
  }

  // ---- unauthorized, forbidden ------------------------------------------------------------------

  public static TandemException unauthorized(String message) {
    return new TandemException(ErrorCode.UNAUTHORIZED, message);
  }

  public static TandemException tokenExpired() {
    return unauthorized("token expired");
  }

  public static TandemException forbidden(String message) {
    return new TandemException(ErrorCode.FORBIDDEN, message);
  }

  // ---- moved ------------------------------------------------------------------------------------

  /**
   * Node {@code owner}, reached at {@code ownerUrl} ({@code http://host:port/}), has the document.
   */
  public static MovedException moved(String docId, String owner, String ownerUrl) {
    return new MovedException(docId, owner, ownerUrl);
  }

  // ---- not_found, already_exists ----------------------------------------------------------------

  public static TandemException noDocument(String docId) {
    return new TandemException(ErrorCode.NOT_FOUND, "no document '" + docId + "'");
  }

  /** What the subscribers of a document deleted while they followed it get. */
  public static TandemException documentDeleted(String docId) {
    return new TandemException(ErrorCode.NOT_FOUND, "document '" + docId + "' was deleted");
  }

  public static TandemException notFound(String message) {
    return new TandemException(ErrorCode.NOT_FOUND, message);
  }

  public static TandemException documentExists(String docId) {
    return new TandemException(ErrorCode.ALREADY_EXISTS, "document '" + docId + "' already exists");
  }

  // ---- rev_out_of_range -------------------------------------------------------------------------

  /**
   * A revision the document does not have: past its head, or below 0. The one rule for an open's
   * revision, a submit's base and a REST read's revision.
   */
  public static TandemException revOutOfRange(String docId, long revision, long head) {
    return new TandemException(
        ErrorCode.REV_OUT_OF_RANGE,
        revision < 0
            ? "rev " + revision + " is below 0 (document '" + docId + "' is at " + head + ")"
            : "rev " + revision + " is past the head of document '" + docId + "' (" + head + ")");
  }

  public static TandemException revOutOfRange(String message) {
    return new TandemException(ErrorCode.REV_OUT_OF_RANGE, message);
  }

  // ---- gone -------------------------------------------------------------------------------------

  /** A revision below the start of the document's pruned history. */
  public static TandemException gone(String message) {
    return new TandemException(ErrorCode.GONE, message);
  }

  public static TandemException gone(String docId, long revision, long start) {
    return gone(
        "document '"
            + docId
            + "' was pruned before revision "
            + start
            + ": revision "
            + revision
            + " is gone (expected: "
            + start
            + " or later)");
  }

  // ---- invalid_op, seq_reused -------------------------------------------------------------------

  public static TandemException invalidOp(String message) {
    return new TandemException(ErrorCode.INVALID_OP, message);
  }

  public static TandemException seqReused(String message) {
    return new TandemException(ErrorCode.SEQ_REUSED, message);
  }

  // ---- too_large --------------------------------------------------------------------------------

  /** {@code what} ("op inserts 12 code points") is over {@code limit}: the one wording. */
  public static TandemException tooLarge(String what, long limit) {
    return new TandemException(ErrorCode.TOO_LARGE, what + " (expected: at most " + limit + ")");
  }

  public static TandemException tooLarge(String message) {
    return new TandemException(ErrorCode.TOO_LARGE, message);
  }

  // ---- rate_limited -----------------------------------------------------------------------------

  public static TandemException rateLimited(String message) {
    return new TandemException(ErrorCode.RATE_LIMITED, message);
  }

  /** A document with too much work waiting; {@code why} says what. */
  public static TandemException busy(String docId, String why) {
    return rateLimited("document '" + docId + "' is busy: " + why);
  }

  // ---- unavailable ------------------------------------------------------------------------------

  public static TandemException unavailable(String message) {
    return new TandemException(ErrorCode.UNAVAILABLE, message);
  }

  public static TandemException unavailable(String message, Throwable cause) {
    return new TandemException(ErrorCode.UNAVAILABLE, message, cause);
  }

  public static TandemException shuttingDown() {
    return unavailable("the server is shutting down");
  }

  /** The database failed ({@code cause} says how); the client may retry. */
  public static TandemException databaseUnavailable(Throwable cause) {
    return unavailable("the database is unavailable: " + cause.getMessage(), cause);
  }

  // ---- internal ---------------------------------------------------------------------------------

  /** A bug met while serving a request: the client learns its type, the log its stack. */
  public static TandemException internal(Throwable bug) {
    return new TandemException(
        ErrorCode.INTERNAL, "internal error: " + bug.getClass().getSimpleName(), bug);
  }

  /** The op log lacks a revision it must hold. */
  public static TandemException gapAt(String docId, long revision) {
    return new TandemException(
        ErrorCode.INTERNAL, "op log of '" + docId + "' has no revision " + revision);
  }
}
