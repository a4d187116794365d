package dev.tandem.persistence;

/**
 * The embedded PostgreSQL could not be started or stopped: its data directory is in use by another
 * process, cannot be entered by the user PostgreSQL runs as, holds a cluster of another major
 * version, or PostgreSQL itself failed (the message then quotes the end of its log).
 */
public final class EmbeddedPostgresException extends PersistenceException {
  public EmbeddedPostgresException(String message, Throwable cause) {
    super(message, null, null, cause);
  }

  public EmbeddedPostgresException(String message) {
    this(message, null);
  }
}
