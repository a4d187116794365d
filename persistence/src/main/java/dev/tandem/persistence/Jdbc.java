package dev.tandem.persistence;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;

/** Transactions and conversions shared by the op log and the checkpoint store. */
final class Jdbc {
  /** Work inside one transaction; may throw SQLException, which is translated. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private Jdbc() {}

  /**
   * Runs {@code work} in one transaction at {@code isolation} and commits it; on any failure rolls
   * back and throws a {@link PersistenceException} (the pool resets the connection's settings).
   */
  static <T> T inTransaction(
      GuardedPool pool, int isolation, String action, String docId, Long revision, Work<T> work) {
    try (Connection connection = pool.connection()) {
      connection.setAutoCommit(false);
      if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
        connection.setTransactionIsolation(isolation);
      }
      T result;
      try {
        result = work.run(connection);
        connection.commit();
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(connection, e);
        throw e;
      }
      pool.succeeded();
      return result;
    } catch (SQLException e) {
      pool.failed(e);
      throw SqlErrors.translate(e, action, docId, revision);
    }
  }

  /** Runs {@code work} on a connection in autocommit mode (one statement, one transaction). */
  static <T> T autoCommit(
      GuardedPool pool, String action, String docId, Long revision, Work<T> work) {
    try (Connection connection = pool.connection()) {
      T result = work.run(connection);
      pool.succeeded();
      return result;
    } catch (SQLException e) {
      pool.failed(e);
      throw SqlErrors.translate(e, action, docId, revision);
    }
  }

  static Instant instant(ResultSet row, String column) throws SQLException {
    return row.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static void rollbackQuietly(Connection connection, Throwable failure) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }
}
