package dev.tandem.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.postgresql.PGStatement;

/** Transactions and conversions shared by the op log and the checkpoint store. */
final class Jdbc {
  /** Work inside one transaction; may throw SQLException, which is translated. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Rows per round trip of a {@link #streaming} select. */
  static final int STREAM_FETCH_SIZE = 10_000;

  private Jdbc() {}

  /**
   * A select of many rows (a history's ops, a replay): fetched {@link #STREAM_FETCH_SIZE} rows a
   * round trip (inside a transaction the driver streams them, it never holds all), with numbers and
   * times sent in binary, which neither PostgreSQL has to format as text nor the driver to parse (a
   * negative prepare threshold forces binary from the first execution on).
   */
  static PreparedStatement streaming(Connection connection, String sql) throws SQLException {
    PreparedStatement select = connection.prepareStatement(sql);
    select.setFetchSize(STREAM_FETCH_SIZE);
    select.unwrap(PGStatement.class).setPrepareThreshold(-1);
    return select;
  }

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
