package dev.tandem.persistence;

/**
 * The document's history before {@code start} was pruned: the text and ops below that revision are
 * gone (the checkpoint at {@code start} and the ops after it remain).
 */
public final class RevisionPrunedException extends PersistenceException {
  private final long start;

  public RevisionPrunedException(String docId, long revision, long start) {
    super(
        "document '"
            + docId
            + "' was pruned before revision "
            + start
            + ": revision "
            + revision
            + " is gone (expected: "
            + start
            + " or later)",
        docId,
        revision,
        null);
    this.start = start;
  }

  /** The first revision the document still has (its first checkpoint's). */
  public long start() {
    return start;
  }
}
