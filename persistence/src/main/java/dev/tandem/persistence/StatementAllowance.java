package dev.tandem.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * How long the statements of a transaction that removes a document's ops (a delete, a prune) may
 * run: the database timeout, plus that much again for every {@value #OPS_PER_TIMEOUT} ops removed
 * (5 s + 50 s for 1,000,000 ops at the default timeout). Their time grows with the ops while every
 * other call's does not, and one transaction keeps them all or nothing; a fixed timeout would
 * refuse a long enough history for good. Lock waits are inside the allowance too: the one lock such
 * a transaction can wait long for is the same document's prune, which has its own allowance.
 */
record StatementAllowance(Duration timeout) {
  /** Ops removed per database timeout added. */
  static final long OPS_PER_TIMEOUT = 100_000;

  /** The socket's read timeout beyond the statement timeout, as for every call (see Database). */
  private static final long SOCKET_MARGIN_MILLIS = 1000;

  /** The allowance for removing {@code ops} ops; at most PostgreSQL's largest timeout. */
  Duration forOps(long ops) {
    double millis = timeout.toMillis() * (1 + (double) Math.max(0, ops) / OPS_PER_TIMEOUT);
    return Duration.ofMillis((long) Math.min(millis, Integer.MAX_VALUE - SOCKET_MARGIN_MILLIS));
  }

  /**
   * Gives the rest of the transaction on {@code connection} the allowance for {@code ops} ops: its
   * statement timeout ({@code SET LOCAL}, so the commit or the rollback ends it) and the socket's
   * read timeout (the pool restores it when the connection is returned).
   */
  void extend(Connection connection, long ops) throws SQLException {
    long millis = forOps(ops).toMillis();
    try (PreparedStatement set =
        connection.prepareStatement("SELECT set_config('statement_timeout', ?, true)")) {
      set.setString(1, Long.toString(millis));
      set.execute();
    }
    connection.setNetworkTimeout(Runnable::run, (int) (millis + SOCKET_MARGIN_MILLIS));
  }
}
