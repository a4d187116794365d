package dev.tandem.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import com.zaxxer.hikari.pool.HikariPool;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.postgresql.Driver;

/**
 * An open Tandem database: a connection pool (HikariCP) on a PostgreSQL whose schema Flyway has
 * brought up to date from {@code db/migration}, and, when the configuration names no URL, the
 * embedded PostgreSQL it runs on, supervised. Every call of its {@link OpLog} and {@link
 * CheckpointStore} is bounded by the configuration's timeout and fails at once while {@link
 * #health()} knows the database is unreachable. Closing it closes the pool, then stops the embedded
 * server. Thread-safe.
 */
public final class Database implements AutoCloseable {
  private final CompletableFuture<Opened> opened;
  private final DatabaseHealth health;
  private final OpLog opLog;
  private final CheckpointStore checkpoints;
  private final Archive archive;
  private final Leases leases;
  private final CompositeMeterRegistry meters;

  /** What opening produced. */
  private record Opened(
      EmbeddedPostgres embedded, HikariDataSource pool, DatabaseConfig connection) {}

  private Database(
      CompletableFuture<Opened> opened,
      Duration timeout,
      DatabaseHealth health,
      CompositeMeterRegistry meters) {
    this.opened = opened;
    this.health = health;
    this.meters = meters;
    DataSource dataSource = opened.isDone() ? opened.join().pool() : new PoolOnceOpen(this);
    GuardedPool pool = new GuardedPool(dataSource, health);
    this.checkpoints = new CheckpointStore(pool);
    this.opLog = new OpLog(pool);
    this.archive = new Archive(pool, opLog, checkpoints, new StatementAllowance(timeout));
    this.leases = new Leases(pool);
  }

  /**
   * Starts the embedded server if the configuration names no URL, opens the pool and migrates the
   * schema.
   *
   * <p>The schema is brought up to date by {@link Migrations}: a query when it already is, Flyway
   * when it is not.
   *
   * @throws DatabaseUnavailableException if the database cannot be reached
   * @throws EmbeddedPostgresException if the embedded server cannot start (for instance its data
   *     directory is in use by another process)
   */
  public static Database open(DatabaseConfig config) {
    DatabaseHealth health = new DatabaseHealth();
    CompositeMeterRegistry meters = new CompositeMeterRegistry();
    return new Database(
        CompletableFuture.completedFuture(openNow(config, health, meters)),
        config.timeout(),
        health,
        meters);
  }

  /**
   * Opens the database as {@link #open} does, but on a thread of its own, and returns at once, so
   * that the caller can build what uses the database (handing it its {@link #opLog()} and {@link
   * #checkpoints()}) while it opens. {@link #awaitOpen()} then waits for it and throws what {@link
   * #open} would have thrown; until then, anything that reaches the database waits as well.
   */
  public static Database openInBackground(DatabaseConfig config) {
    CompletableFuture<Opened> opened = new CompletableFuture<>();
    DatabaseHealth health = new DatabaseHealth();
    CompositeMeterRegistry meters = new CompositeMeterRegistry();
    startThread(
        "tandem-database-open",
        () -> {
          try {
            opened.complete(openNow(config, health, meters));
          } catch (RuntimeException | Error e) {
            opened.completeExceptionally(e);
          }
        });
    return new Database(opened, config.timeout(), health, meters);
  }

  /**
   * Waits until the database is open (at once after {@link #open}) and returns it, or throws what
   * {@link #open} would have thrown; nothing is left running then.
   */
  public Database awaitOpen() {
    opened();
    return this;
  }

  private static Opened openNow(
      DatabaseConfig config, DatabaseHealth health, CompositeMeterRegistry meters) {
    EmbeddedPostgres embedded =
        config.isEmbedded() ? EmbeddedPostgres.start(config.dataDirectory(), health::down) : null;
    DatabaseConfig connection =
        embedded == null
            ? config
            : new DatabaseConfig(
                embedded.jdbcUrl(),
                embedded.user(),
                embedded.password(),
                config.poolSize(),
                config.dataDirectory(),
                config.timeout());
    HikariDataSource pool = null;
    try {
      pool =
          new HikariDataSource(
              hikariConfig(
                  connection, embedded == null ? connection::url : embedded::jdbcUrl, meters));
      if (embedded != null) {
        embedded.storeCheapVerifier(pool);
      }
      Migrations.apply(pool, connection);
      health.startProbing(pool, connection.timeout());
      return new Opened(embedded, pool, connection);
    } catch (RuntimeException e) {
      if (pool != null) {
        pool.close();
      }
      if (embedded != null) {
        embedded.close();
      }
      if (e instanceof HikariPool.PoolInitializationException) {
        throw new DatabaseUnavailableException(
            "cannot connect to " + connection.url() + ": " + rootMessage(e), null, null, e);
      }
      throw e;
    }
  }

  private Opened opened() {
    try {
      return opened.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      if (e.getCause() instanceof Error failure) {
        throw failure;
      }
      throw e;
    }
  }

  /**
   * Serves the pool's meters (HikariCP's {@code hikaricp_connections_*}, tagged {@code
   * pool="tandem"}) in {@code registry} too, until {@link #unbindMeters}: a database shared by
   * several servers (tests) shows its pool in each one's {@code /metrics}.
   */
  public void bindMeters(MeterRegistry registry) {
    meters.add(registry);
  }

  /** Stops serving the pool's meters in {@code registry}. */
  public void unbindMeters(MeterRegistry registry) {
    meters.remove(registry);
  }

  /** The op log of every document. */
  public OpLog opLog() {
    return opLog;
  }

  /** The checkpoints of every document. */
  public CheckpointStore checkpoints() {
    return checkpoints;
  }

  /** The nodes sharing this database and their document leases (docs/scaling.md). */
  public Leases leases() {
    return leases;
  }

  /** Whole documents: export, import, verify, delete, list. */
  public Archive archive() {
    return archive;
  }

  /**
   * Whether the database is reachable now, for health checks; while it is not, every call of the
   * {@link #opLog()} and the {@link #checkpoints()} fails at once with {@link
   * DatabaseUnavailableException}.
   */
  public DatabaseHealth health() {
    return health;
  }

  /** The pool, for the few callers that need plain JDBC (benchmarks, tests). */
  public DataSource dataSource() {
    return opened().pool();
  }

  /**
   * How to connect to this same PostgreSQL as an external database (for a second pool, or a test
   * that opens its own {@code Database} on the shared embedded server).
   */
  public DatabaseConfig connectionConfig() {
    Opened open = opened();
    DatabaseConfig connection = open.connection();
    if (open.embedded() == null) {
      return connection;
    }
    return new DatabaseConfig(
        open.embedded().jdbcUrl(), // its port as it is now: a restart may have moved it
        connection.user(),
        connection.password(),
        connection.poolSize(),
        connection.dataDirectory(),
        connection.timeout());
  }

  public boolean isEmbedded() {
    return opened().embedded() != null;
  }

  /** Closes the pool, then stops the embedded server; nothing to do if opening failed. */
  @Override
  public void close() {
    health.close();
    Opened open;
    try {
      open = opened();
    } catch (RuntimeException | Error failedToOpen) {
      return; // opening cleaned up after itself
    }
    try {
      open.pool().close();
    } finally {
      if (open.embedded() != null) {
        open.embedded().close();
      }
    }
  }

  /** The pool's configuration; {@code url} names the server as it is when a connection is made. */
  private static HikariConfig hikariConfig(
      DatabaseConfig config, Supplier<String> url, MeterRegistry meters) {
    // Every wait of a caller is bounded by the timeout: for a pooled connection, for a statement
    // (cancelled by the server), and for any answer at all (a stalled server), one second later so
    // that the server's own cancel, which keeps the connection, normally comes first. Connecting
    // and logging in, which the pool does in the background, have a bound of their own.
    Properties properties = new Properties();
    if (config.user() != null) {
      properties.setProperty("user", config.user());
    }
    if (config.password() != null) {
      properties.setProperty("password", config.password());
    }
    properties.setProperty("ApplicationName", "tandem");
    properties.setProperty("tcpKeepAlive", "true");
    properties.setProperty("connectTimeout", Long.toString(config.loginTimeoutSeconds()));
    properties.setProperty("loginTimeout", Long.toString(config.loginTimeoutSeconds()));
    properties.setProperty("socketTimeout", Long.toString(config.timeout().toSeconds() + 1));
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("tandem");
    hikari.setDataSource(new CurrentUrl(url, properties, config.loginTimeoutSeconds()));
    hikari.setMaximumPoolSize(config.poolSize());
    hikari.setMinimumIdle(Math.min(2, config.poolSize()));
    hikari.setConnectionTimeout(config.timeout().toMillis());
    hikari.setValidationTimeout(Math.max(250, config.timeout().toMillis() / 2));
    // Generic plans only: every statement here finds its rows through an index led by the
    // document id, which a generic plan uses as well as a custom one, while the plan cache would
    // plan the group commit anew at every commit once the tables have statistics (about 0.2 ms of
    // the database's time each: docs/performance.md, "The append's plan on a database with
    // statistics"). A statement whose best plan depends on its parameters' values needs a look.
    hikari.setConnectionInitSql(
        "SET statement_timeout = "
            + config.timeout().toMillis()
            + "; SET plan_cache_mode = force_generic_plan");
    hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(meters));
    return hikari;
  }

  private static Thread startThread(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }

  /**
   * The pool of a database opening in the background, for its {@link OpLog} and {@link
   * CheckpointStore}, which only ask for connections; each waits for the open.
   */
  private static final class PoolOnceOpen extends PlainDataSource {
    private final Database database;

    PoolOnceOpen(Database database) {
      this.database = database;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return database.opened().pool().getConnection();
    }
  }

  /**
   * New connections for the pool to the URL as it is now: a restarted embedded server may listen on
   * another port than before.
   */
  private static final class CurrentUrl extends PlainDataSource {
    private final Driver driver = new Driver();
    private final Supplier<String> url;
    private final Properties properties;
    private final int loginTimeoutSeconds;

    CurrentUrl(Supplier<String> url, Properties properties, long loginTimeoutSeconds) {
      this.url = url;
      this.properties = properties;
      this.loginTimeoutSeconds = (int) loginTimeoutSeconds;
    }

    @Override
    public Connection getConnection() throws SQLException {
      Connection connection = driver.connect(url.get(), properties);
      if (connection == null) {
        throw new SQLException("not a PostgreSQL URL: " + url.get(), "08001");
      }
      return connection;
    }

    /**
     * How long making a connection may take (the properties bound it): the pool waits that long at
     * its shutdown for one being made, so that none is made after it and left open.
     */
    @Override
    public int getLoginTimeout() {
      return loginTimeoutSeconds + 1;
    }
  }
}
