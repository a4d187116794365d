package dev.tandem.persistence;

/** No document has this id (or no checkpoint or op exists at the revision asked for). */
public final class DocumentNotFoundException extends PersistenceException {
  public DocumentNotFoundException(String docId, Long revision, String message) {
    super(message, docId, revision, null);
  }

  public DocumentNotFoundException(String docId) {
    this(docId, null, "document '" + docId + "' does not exist");
  }
}
