package dev.tandem.persistence;

/**
 * The append was fenced: the document's lease epoch is no longer the one the caller holds (another
 * node took the document over). Nothing was stored; the caller must stop sequencing the document.
 */
public final class LeaseLostException extends PersistenceException {
  public LeaseLostException(String docId, long heldEpoch, long currentEpoch, Throwable cause) {
    super(
        "document '"
            + docId
            + "' was taken over: its lease is at epoch "
            + currentEpoch
            + ", this node held epoch "
            + heldEpoch,
        docId,
        null,
        cause);
  }
}
