package dev.tandem.persistence;

/**
 * An op with the same {@code (client, seq)} is already stored in the document: the submit is a
 * resubmit and must not be applied twice. The caller answers it with the stored op's revision
 * ({@link OpLog#findBySeq}).
 */
public final class DuplicateSubmitException extends PersistenceException {
  private final String clientId;
  private final long seq;

  public DuplicateSubmitException(
      String docId, long revision, String clientId, long seq, Throwable cause) {
    super(
        "document '"
            + docId
            + "' already has an op from client '"
            + clientId
            + "' with seq "
            + seq
            + " (appending revision "
            + revision
            + ")",
        docId,
        revision,
        cause);
    this.clientId = clientId;
    this.seq = seq;
  }

  public String clientId() {
    return clientId;
  }

  public long seq() {
    return seq;
  }
}
