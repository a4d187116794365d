package dev.tandem.persistence;

/** The document exists but has no revision {@code revision}: it is negative or past the head. */
public final class RevisionOutOfRangeException extends PersistenceException {
  private final long head;

  public RevisionOutOfRangeException(String docId, long revision, long head) {
    super(
        "document '" + docId + "' has no revision " + revision + " (expected: 0 to " + head + ")",
        docId,
        revision,
        null);
    this.head = head;
  }

  /** The document's head revision when the request was refused. */
  public long head() {
    return head;
  }
}
