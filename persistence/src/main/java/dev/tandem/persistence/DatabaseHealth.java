package dev.tandem.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database can be reached, as the calls and a background probe last found it. Asking
 * ({@link #status()}) never touches the database: a call that reached it in the last second counts,
 * and otherwise the probe (a pooled connection and a {@code SELECT}-like validation, bounded by the
 * database timeout) looks every half second while the database is idle or unreachable.
 *
 * <p>While the database is known to be unreachable, {@link GuardedPool} refuses calls at once, so
 * nobody waits for a pool timeout; the probe notices when it is back. Thread-safe.
 */
public final class DatabaseHealth implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DatabaseHealth.class);
  private static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long PROBE_INTERVAL_MILLIS = 500;

  /** What {@link #status()} reports. */
  public record Status(boolean reachable, String reason) {
    static final Status UP = new Status(true, "");
  }

  private volatile Status status = Status.UP;
  private volatile long lastSuccessNanos = System.nanoTime();
  private volatile DataSource pool;
  private volatile Duration timeout = DatabaseConfig.DEFAULT_TIMEOUT;
  private volatile Thread prober;

  DatabaseHealth() {}

  /** Whether the database was reachable when last seen, and if not, why. Never blocks. */
  public Status status() {
    return status;
  }

  /** A call reached the database. */
  void succeeded() {
    lastSuccessNanos = System.nanoTime();
    if (!status.reachable()) {
      up();
    }
  }

  /**
   * A call failed; a failure to reach the server (not a failure of the statement) marks it down.
   * While it is down already, the first reason stands: it says why better than the probe's failures
   * that follow it.
   */
  void failed(SQLException e) {
    if (status.reachable() && SqlErrors.isUnreachable(e)) {
      down("database unreachable: " + e.getMessage());
    }
  }

  /** The database is away for {@code reason} (it failed, or the embedded server is restarting). */
  void down(String reason) {
    Status was = status;
    status = new Status(false, reason);
    if (was.reachable()) {
      log.warn("{}; refusing database calls until it answers again", reason);
    }
  }

  private void up() {
    Status was = status;
    status = Status.UP;
    if (!was.reachable()) {
      log.info("database reachable again (was: {})", was.reason());
    }
  }

  /** Starts probing {@code raw} (the pool itself, not the guard) every half second. */
  void startProbing(DataSource raw, Duration callTimeout) {
    this.pool = raw;
    this.timeout = callTimeout;
    Thread thread = new Thread(this::probeLoop, "tandem-database-probe");
    thread.setDaemon(true);
    prober = thread;
    thread.start();
  }

  @Override
  public void close() {
    Thread thread = prober;
    prober = null;
    if (thread != null) {
      thread.interrupt();
    }
  }

  private void probeLoop() {
    while (prober == Thread.currentThread()) {
      try {
        Thread.sleep(PROBE_INTERVAL_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      if (!status.reachable() || System.nanoTime() - lastSuccessNanos > FRESH_NANOS) {
        probe();
      }
    }
  }

  /** One look at the database: a pooled connection that validates within the timeout. */
  private void probe() {
    try (Connection connection = pool.getConnection()) {
      if (connection.isValid((int) timeout.toSeconds())) {
        succeeded();
      } else if (status.reachable()) {
        down("database did not answer within " + timeout.toSeconds() + " s");
      }
    } catch (SQLException e) {
      failed(e); // a pool busy with slow calls is not a database away
    } catch (RuntimeException e) {
      // A pool closing under the probe, at shutdown.
      if (prober != null) {
        log.warn("database probe failed", e);
      }
    }
  }
}
