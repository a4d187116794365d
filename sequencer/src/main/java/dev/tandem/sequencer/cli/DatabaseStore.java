package dev.tandem.sequencer.cli;

import dev.tandem.persistence.Archive;
import dev.tandem.persistence.ArchiveVisitor;
import dev.tandem.persistence.CheckpointInfo;
import dev.tandem.persistence.Database;
import dev.tandem.persistence.DatabaseConfig;
import dev.tandem.persistence.DocumentSnapshot;
import dev.tandem.persistence.DocumentSummary;
import dev.tandem.persistence.EmbeddedPostgresException;
import dev.tandem.persistence.HistoryMismatchException;
import dev.tandem.persistence.HistoryVerifier;
import dev.tandem.persistence.PersistenceException;
import dev.tandem.sequencer.archive.ArchiveReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * A stopped server's database, opened by the command itself: the embedded one of a data directory
 * (whose lock refuses it while a server holds the directory) or an external PostgreSQL (refused
 * while a Tandem server is connected to it). The schema is brought up to date as a server would.
 */
final class DatabaseStore implements Store {
  /** What the server's pool calls its connections ({@code ApplicationName}). */
  private static final String SERVER_APPLICATION = "tandem";

  private final Database database;

  private DatabaseStore(Database database) {
    this.database = database;
  }

  /**
   * Opens the database; {@code mayCreate}: an embedded one may be made in a new directory (an
   * import's target), else the directory must hold one.
   */
  static DatabaseStore open(DatabaseConfig config, boolean mayCreate) {
    if (config.isEmbedded()) {
      Path cluster = config.dataDirectory().resolve("postgres");
      if (!mayCreate && !Files.isDirectory(cluster)) {
        throw new CommandFailure(
            "no Tandem database in " + config.dataDirectory() + " (it has no postgres/ directory)");
      }
    } else {
      refuseWhileAServerIsConnected(config);
    }
    try {
      return new DatabaseStore(Database.open(config));
    } catch (EmbeddedPostgresException e) {
      throw new CommandFailure(
          e.getMessage() + "; while a server runs, use --server URL instead", e);
    } catch (PersistenceException e) {
      throw new CommandFailure(e.getMessage(), e);
    }
  }

  /**
   * The command never changes a running server's data behind its sequencers' back: an external
   * database with a Tandem server's connections is refused (use {@code --server}).
   */
  private static void refuseWhileAServerIsConnected(DatabaseConfig config) {
    Properties properties = new Properties();
    if (config.user() != null) {
      properties.setProperty("user", config.user());
    }
    if (config.password() != null) {
      properties.setProperty("password", config.password());
    }
    properties.setProperty("ApplicationName", "tandem-cli");
    properties.setProperty("connectTimeout", "10");
    try (Connection connection = DriverManager.getConnection(config.url(), properties);
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND application_name = ?")) {
      select.setString(1, SERVER_APPLICATION);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        long connections = row.getLong(1);
        if (connections > 0) {
          throw new CommandFailure(
              "a Tandem server is connected to "
                  + config.url()
                  + " ("
                  + connections
                  + " connections); stop it first, or use --server URL");
        }
      }
    } catch (SQLException e) {
      throw new CommandFailure("cannot connect to " + config.url() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<DocumentSummary> list(String after, int limit) {
    return call(() -> database.archive().list(after, limit));
  }

  @Override
  public DocumentSnapshot text(String docId, OptionalLong revision) {
    return call(
        () ->
            revision.isPresent()
                ? database.opLog().textAt(docId, revision.getAsLong())
                : database
                    .opLog()
                    .loadDocument(docId)
                    .orElseThrow(
                        () -> new CommandFailure("document '" + docId + "' does not exist")));
  }

  @Override
  public long revisionAt(String docId, Instant time) {
    return call(() -> database.archive().revisionAt(docId, time));
  }

  @Override
  public List<CheckpointInfo> checkpoints(String docId) {
    return call(
        () -> {
          database.archive().header(docId); // not found: say so, not "no checkpoints"
          return database.checkpoints().list(docId);
        });
  }

  @Override
  public CheckpointInfo createCheckpoint(String docId, OptionalLong revision) {
    return call(
        () ->
            database
                .archive()
                .checkpointAt(
                    docId,
                    revision.isPresent()
                        ? revision.getAsLong()
                        : database.archive().header(docId).head()));
  }

  @Override
  public void export(String docId, ArchiveVisitor visitor) {
    call(
        () -> {
          database.archive().export(docId, visitor);
          return null;
        });
  }

  @Override
  public HistoryVerifier.Summary importFile(Path file, String asDocId, Progress progress) {
    return call(
        () ->
            database
                .archive()
                .importDocument(
                    visitor -> {
                      try (BufferedReader in =
                          Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                        new ArchiveReader(in, asDocId).readInto(new Tee(visitor, progress));
                      } catch (IOException e) {
                        throw new UncheckedIOException(e);
                      }
                    }));
  }

  @Override
  public Archive.PruneSummary prune(String docId, OptionalLong before) {
    return call(
        () ->
            database
                .archive()
                .prune(docId, before.isPresent() ? before.getAsLong() : latestCheckpoint(docId)));
  }

  private long latestCheckpoint(String docId) {
    database.archive().header(docId); // not found: say so
    List<CheckpointInfo> checkpoints = database.checkpoints().list(docId);
    return checkpoints.get(checkpoints.size() - 1).revision();
  }

  @Override
  public boolean delete(String docId) {
    return call(() -> database.archive().delete(docId));
  }

  @Override
  public void close() {
    database.close();
  }

  /**
   * Runs {@code work}; a persistence failure becomes the user's message, but a history that does
   * not verify stays what it is (verify reports it).
   */
  private static <T> T call(Supplier<T> work) {
    try {
      return work.get();
    } catch (HistoryMismatchException e) {
      throw e;
    } catch (PersistenceException e) {
      throw new CommandFailure(e.getMessage(), e);
    }
  }
}
