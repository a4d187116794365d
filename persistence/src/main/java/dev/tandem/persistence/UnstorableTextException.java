package dev.tandem.persistence;

/**
 * The text cannot be stored: it holds U+0000, which PostgreSQL's {@code text} cannot hold, or it is
 * not well-formed UTF-16 (a lone surrogate), which has no UTF-8 form. Tandem rejects U+0000 at the
 * edge; this is the second guard, so such text never reaches the database half-stored.
 */
public final class UnstorableTextException extends PersistenceException {
  public UnstorableTextException(String message, String docId, Long revision, Throwable cause) {
    super(message, docId, revision, cause);
  }
}
