package dev.tandem.persistence;

/**
 * The database could not be reached or could not finish the work for a reason that may pass:
 * connection refused or lost, pool timeout, server shutting down, too many connections, a deadlock
 * or serialization failure. Retryable; nothing of the failed call was committed.
 */
public final class DatabaseUnavailableException extends PersistenceException {
  public DatabaseUnavailableException(
      String message, String docId, Long revision, Throwable cause) {
    super(message, docId, revision, cause);
  }
}
