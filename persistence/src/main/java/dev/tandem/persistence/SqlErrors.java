package dev.tandem.persistence;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Turns a {@link SQLException} into the {@link PersistenceException} a caller can act on. */
final class SqlErrors {
  private SqlErrors() {}

  static PersistenceException translate(
      SQLException e, String action, String docId, Long revision) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (isUnavailable(e, state)) {
      return new DatabaseUnavailableException(
          "database unavailable while trying to " + action + ": " + e.getMessage(),
          docId,
          revision,
          e);
    }
    String constraint = constraint(e);
    if (state.equals("23505") && "documents_pkey".equals(constraint)) {
      return new DocumentExistsException(docId, e);
    }
    if (state.equals("23505") && "operations_pkey".equals(constraint)) {
      return new DuplicateRevisionException(docId, revision == null ? -1 : revision, e);
    }
    if (state.equals("23503")) {
      return new DocumentNotFoundException(docId);
    }
    if (state.equals("22021") || state.equals("22P05")) {
      return new UnstorableTextException(
          "cannot " + action + ": " + e.getMessage(), docId, revision, e);
    }
    return new PersistenceException(
        "cannot " + action + " (SQLState " + state + "): " + e.getMessage(), docId, revision, e);
  }

  static String constraint(SQLException e) {
    if (e instanceof PSQLException psql) {
      ServerErrorMessage message = psql.getServerErrorMessage();
      return message == null ? null : message.getConstraint();
    }
    return null;
  }

  /**
   * Failures that say the server cannot be reached at all, rather than that a statement failed: a
   * connection error (class 08, which includes a socket timeout and a pool timeout caused by one)
   * or the server shutting down or crashed (57P01-57P03).
   */
  static boolean isUnreachable(SQLException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08")
            || state.equals("57P01")
            || state.equals("57P02")
            || state.equals("57P03")) {
          return true;
        }
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  /**
   * Failures that may pass: the server unreachable ({@link #isUnreachable}), too many connections
   * or out of resources (53), a cancelled statement (57014, as the statement timeout cancels one),
   * a deadlock or serialization failure (40), and the driver's and the pool's transient failures.
   */
  private static boolean isUnavailable(SQLException e, String state) {
    return isUnreachable(e)
        || state.startsWith("53")
        || state.startsWith("40")
        || state.equals("57014")
        || e instanceof SQLTransientException
        || e instanceof SQLRecoverableException
        || e instanceof SQLNonTransientConnectionException;
  }
}
