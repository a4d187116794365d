package dev.tandem.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * An open Tandem database: a connection pool (HikariCP) on a PostgreSQL whose schema Flyway has
 * brought up to date from {@code db/migration}, and, when the configuration names no URL, the
 * embedded PostgreSQL it runs on. Closing it closes the pool, then stops the embedded server.
 * Thread-safe.
 */
public final class Database implements AutoCloseable {
  private final EmbeddedPostgres embedded;
  private final HikariDataSource pool;
  private final DatabaseConfig connection;
  private final OpLog opLog;
  private final CheckpointStore checkpoints;

  private Database(EmbeddedPostgres embedded, HikariDataSource pool, DatabaseConfig connection) {
    this.embedded = embedded;
    this.pool = pool;
    this.connection = connection;
    this.checkpoints = new CheckpointStore(pool);
    this.opLog = new OpLog(pool);
  }

  /**
   * Starts the embedded server if the configuration names no URL, opens the pool and migrates the
   * schema.
   *
   * @throws DatabaseUnavailableException if the database cannot be reached
   * @throws EmbeddedPostgresException if the embedded server cannot start (for instance its data
   *     directory is in use by another process)
   */
  public static Database open(DatabaseConfig config) {
    EmbeddedPostgres embedded =
        config.isEmbedded() ? EmbeddedPostgres.start(config.dataDirectory()) : null;
    DatabaseConfig connection =
        embedded == null
            ? config
            : new DatabaseConfig(
                embedded.jdbcUrl(),
                embedded.user(),
                embedded.password(),
                config.poolSize(),
                config.dataDirectory());
    HikariDataSource pool = null;
    try {
      pool = new HikariDataSource(hikariConfig(connection));
      migrate(connection);
      return new Database(embedded, pool, connection);
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

  /** The op log of every document. */
  public OpLog opLog() {
    return opLog;
  }

  /** The checkpoints of every document. */
  public CheckpointStore checkpoints() {
    return checkpoints;
  }

  /** The pool, for the few callers that need plain JDBC (benchmarks, health checks). */
  public DataSource dataSource() {
    return pool;
  }

  /**
   * How to connect to this same PostgreSQL as an external database (for a second pool, or a test
   * that opens its own {@code Database} on the shared embedded server).
   */
  public DatabaseConfig connectionConfig() {
    return connection;
  }

  public boolean isEmbedded() {
    return embedded != null;
  }

  @Override
  public void close() {
    try {
      pool.close();
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  private static HikariConfig hikariConfig(DatabaseConfig config) {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("tandem");
    hikari.setJdbcUrl(config.url());
    if (config.user() != null) {
      hikari.setUsername(config.user());
    }
    if (config.password() != null) {
      hikari.setPassword(config.password());
    }
    hikari.setMaximumPoolSize(config.poolSize());
    hikari.setMinimumIdle(Math.min(2, config.poolSize()));
    hikari.setConnectionTimeout(10_000);
    hikari.addDataSourceProperty("ApplicationName", "tandem");
    hikari.addDataSourceProperty("tcpKeepAlive", "true");
    hikari.addDataSourceProperty("connectTimeout", "10");
    return hikari;
  }

  /**
   * Flyway gets connections of its own, not the pool's: it holds two at once (the schema history
   * lock and the migration), which a pool of size 1 could never give.
   */
  private static void migrate(DatabaseConfig connection) {
    try {
      Flyway.configure()
          .dataSource(connection.url(), connection.user(), connection.password())
          .locations("classpath:db/migration")
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (FlywayException e) {
      throw new PersistenceException(
          "migrating the schema failed: " + e.getMessage(), null, null, e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
