package dev.tandem.persistence;

/** A document with this id already exists; nothing was changed. */
public final class DocumentExistsException extends PersistenceException {
  public DocumentExistsException(String docId, Throwable cause) {
    super("document '" + docId + "' already exists", docId, null, cause);
  }
}
