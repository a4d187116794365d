package dev.tandem.persistence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one embedded PostgreSQL per test run (per test JVM) and shares it with every test class
 * that uses {@code @ExtendWith(EmbeddedPostgresExtension.class)}; JUnit stops it when the run ends.
 * Test methods and constructors may take a {@link Database}, {@link OpLog}, {@link CheckpointStore}
 * or {@link DatabaseConfig} (how to connect to the same server, to open another pool) parameter.
 *
 * <p>The data directory is {@code target/embedded-postgres} of the module under test, kept across
 * runs so that only the first run pays for initdb. Tests share the database: give every test fresh
 * document ids with {@link #freshDocId}.
 *
 * <p>Other modules use it through persistence's test jar ({@code tandem-persistence}, {@code
 * <type>test-jar</type>}, test scope).
 */
public final class EmbeddedPostgresExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(EmbeddedPostgresExtension.class);
  private static final String RUN = Long.toString(System.currentTimeMillis(), 36);
  private static final AtomicLong DOCUMENTS = new AtomicLong();
  private static Database shared;

  /** The shared database, started on first use. */
  public static synchronized Database database() {
    if (shared == null) {
      shared = Database.open(DatabaseConfig.embedded(dataDirectory("embedded-postgres")));
    }
    return shared;
  }

  /**
   * A new, empty database on the shared server, for a test of what a start does to a database
   * (migrations, for one); closing it drops it.
   */
  public static ScratchDatabase scratchDatabase(String prefix) throws SQLException {
    String name = freshDocId(prefix).replace('-', '_').toLowerCase(Locale.ROOT);
    try (Connection connection = database().dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    }
    DatabaseConfig server = database().connectionConfig();
    return new ScratchDatabase(
        name,
        DatabaseConfig.external(
                server.url().replace("/postgres", "/" + name), server.user(), server.password())
            .withPoolSize(2));
  }

  /** A database of {@link #scratchDatabase}: {@code config} reaches it. */
  public record ScratchDatabase(String name, DatabaseConfig config) implements AutoCloseable {
    /** Brings the schema to migration {@code version} only, as an older Tandem left it. */
    public void migrateTo(String version) {
      Flyway.configure()
          .dataSource(config.url(), config.user(), config.password())
          .locations("classpath:" + Migrations.LOCATION)
          .target(version)
          .load()
          .migrate();
    }

    /** A connection of its own (no pool), for writing rows as an older Tandem did. */
    public Connection connect() throws SQLException {
      return DriverManager.getConnection(config.url(), config.user(), config.password());
    }

    @Override
    public void close() throws SQLException {
      try (Connection connection = database().dataSource().getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute("DROP DATABASE " + name + " WITH (FORCE)");
      }
    }
  }

  /** A document id no other test of any run has used: {@code prefix-run-n}. */
  public static String freshDocId(String prefix) {
    return prefix + "-" + RUN + "-" + DOCUMENTS.incrementAndGet();
  }

  /**
   * A directory under {@code target/} named {@code name}, for an embedded server (a test may start
   * one of its own). When the JVM runs as root, PostgreSQL runs as {@code nobody}; if {@code
   * nobody} cannot reach {@code target/} (a checkout under {@code /root}, say), the directory goes
   * under the system temporary directory instead.
   */
  public static Path dataDirectory(String name) {
    Path target = Path.of("target").toAbsolutePath();
    try {
      Files.createDirectories(target);
      var account = Users.postgresAccount();
      if (account.isPresent()) {
        Users.requireTraversable(target, account.get());
      }
      return target.resolve(name);
    } catch (EmbeddedPostgresException unreachable) {
      String key =
          UUID.nameUUIDFromBytes(target.toString().getBytes(StandardCharsets.UTF_8))
              .toString()
              .substring(0, 8);
      return Path.of(System.getProperty("java.io.tmpdir"), "tandem-test-" + key, name);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + target, e);
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(Stopper.class, key -> new Stopper(database()), Stopper.class);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == Database.class
        || type == OpLog.class
        || type == CheckpointStore.class
        || type == DatabaseConfig.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    Database database = database();
    if (type == OpLog.class) {
      return database.opLog();
    }
    if (type == CheckpointStore.class) {
      return database.checkpoints();
    }
    if (type == DatabaseConfig.class) {
      return database.connectionConfig();
    }
    return database;
  }

  /** Stops the shared server when the whole run ends (the root store closes it). */
  private record Stopper(Database database) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      synchronized (EmbeddedPostgresExtension.class) {
        database.close();
        shared = null;
      }
    }
  }
}
