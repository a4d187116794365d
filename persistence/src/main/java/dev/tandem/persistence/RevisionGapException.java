package dev.tandem.persistence;

/**
 * The appended revision is not the document's head + 1: revisions are 1, 2, 3 ... with no gap, so
 * the append is refused and nothing is stored.
 */
public final class RevisionGapException extends PersistenceException {
  public RevisionGapException(String docId, long revision, long head) {
    super(
        "document '"
            + docId
            + "' is at revision "
            + head
            + "; cannot append revision "
            + revision
            + " (expected: "
            + (head + 1)
            + ")",
        docId,
        revision,
        null);
  }
}
