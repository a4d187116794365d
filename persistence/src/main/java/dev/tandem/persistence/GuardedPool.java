package dev.tandem.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import javax.sql.DataSource;

/**
 * The pool as the op log and the checkpoint store use it: refuses a connection at once while {@link
 * DatabaseHealth} knows the database is unreachable (rather than letting every call wait for the
 * pool's timeout), and tells it what each call found.
 */
final class GuardedPool {
  private final DataSource pool;
  private final DatabaseHealth health;

  GuardedPool(DataSource pool, DatabaseHealth health) {
    this.pool = pool;
    this.health = health;
  }

  /** A call refused because the database is known to be unreachable; it tells nothing new. */
  private static final class Refused extends SQLTransientConnectionException {
    Refused(String reason) {
      super(reason, "08000");
    }
  }

  Connection connection() throws SQLException {
    DatabaseHealth.Status status = health.status();
    if (!status.reachable()) {
      throw new Refused(status.reason());
    }
    return pool.getConnection();
  }

  void succeeded() {
    health.succeeded();
  }

  void failed(SQLException e) {
    if (!(e instanceof Refused)) {
      health.failed(e);
    }
  }
}
