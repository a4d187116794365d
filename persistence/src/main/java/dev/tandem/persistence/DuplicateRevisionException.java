package dev.tandem.persistence;

/**
 * The revision is already taken: another writer committed an op at it first. The op log is
 * unchanged by the failed append; the sequencer that sees this is no longer the document's only
 * writer (or its view of the head is stale) and must reload the document.
 */
public final class DuplicateRevisionException extends PersistenceException {
  public DuplicateRevisionException(String docId, long revision, Throwable cause) {
    super(
        "document '" + docId + "' already has an op at revision " + revision,
        docId,
        revision,
        cause);
  }
}
