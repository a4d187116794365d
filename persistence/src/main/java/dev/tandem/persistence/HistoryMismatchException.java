package dev.tandem.persistence;

/**
 * A document's history does not verify: the first revision where the stored checkpoints, ops or
 * hashes disagree with a replay, and why.
 */
public final class HistoryMismatchException extends PersistenceException {
  private final long firstBadRevision;
  private final String reason;

  public HistoryMismatchException(String docId, long firstBadRevision, String reason) {
    super(
        "document '" + docId + "' does not verify at revision " + firstBadRevision + ": " + reason,
        docId,
        firstBadRevision,
        null);
    this.firstBadRevision = firstBadRevision;
    this.reason = reason;
  }

  /** The first revision where the history is not what a replay makes of it. */
  public long firstBadRevision() {
    return firstBadRevision;
  }

  public String reason() {
    return reason;
  }
}
