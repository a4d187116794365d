package dev.tandem.persistence;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * A failure of the op log or the checkpoint store. Unchecked; the subclasses are the failures a
 * caller can act on, and every one names the document and revision it concerns when there is one.
 * No {@link java.sql.SQLException} leaves this package other than as a cause.
 */
public class PersistenceException extends RuntimeException {
  private final String docId;
  private final Long revision;

  public PersistenceException(String message, String docId, Long revision, Throwable cause) {
    super(message, cause);
    this.docId = docId;
    this.revision = revision;
  }

  /** The document concerned, if the failure concerns one. */
  public Optional<String> docId() {
    return Optional.ofNullable(docId);
  }

  /** The revision concerned, if the failure concerns one. */
  public OptionalLong revision() {
    return revision == null ? OptionalLong.empty() : OptionalLong.of(revision);
  }
}
