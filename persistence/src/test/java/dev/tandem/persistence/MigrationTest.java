package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Flyway brings an empty database to the current schema, once; a start on a current schema skips
 * Flyway only when the history is exactly what Flyway wrote for these migrations.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class MigrationTest {
  @Test
  void migratesAnEmptyDatabaseAndLeavesAMigratedOneAlone() throws SQLException, IOException {
    try (EmbeddedPostgresExtension.ScratchDatabase scratch =
        EmbeddedPostgresExtension.scratchDatabase("empty")) {
      DatabaseConfig empty = scratch.config();
      try (Database database = Database.open(empty)) {
        assertEquals(migrations(), history(database));
        assertEquals(
            List.of(
                "checkpoints",
                "documents",
                "flyway_schema_history",
                "nodes",
                "operations",
                "pruned_clients"),
            query(
                database,
                "SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = 'public' ORDER BY table_name"));
        database.opLog().createDocument("d", "works");
      }
      try (Database again = Database.open(empty)) {
        assertEquals(migrations(), history(again));
        assertEquals("works", again.opLog().loadDocument("d").orElseThrow().text());
        // What Flyway recorded is what the start's check expects: later starts skip Flyway.
        assertEquals(
            Migrations.bundled(Migrations.class.getClassLoader()).orElseThrow(),
            Migrations.history(again.dataSource()));
        execute(
            again, "UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");
      }
      // A history the check does not recognise lets Flyway run, which validates as ever.
      var changed = assertThrows(PersistenceException.class, () -> Database.open(empty));
      assertTrue(changed.getMessage().contains("checksum mismatch"), changed.getMessage());
    }
  }

  /** V7 turns V5's three authorship arrays into {@link Authorship#encode}'s bytes, in SQL. */
  @Test
  void theMigrationEncodesStoredAuthorshipAsJavaDoes() throws SQLException {
    try (EmbeddedPostgresExtension.ScratchDatabase scratch =
        EmbeddedPostgresExtension.scratchDatabase("authors")) {
      scratch.migrateTo("6");
      String hash = "0".repeat(64);
      try (Connection old = scratch.connect()) {
        old.createStatement()
            .execute(
                "INSERT INTO documents (id, head_rev, head_hash) VALUES ('old', 0, '"
                    + hash
                    + "'), ('empty', 0, '"
                    + hash
                    + "'), ('none', 0, '"
                    + hash
                    + "');"
                    + " INSERT INTO checkpoints (doc_id, rev, content, sha256, chain, author_users,"
                    + " author_revs, author_lengths) VALUES"
                    + " ('old', 0, 'abcdé', '"
                    + TextChecks.sha256("abcdé")
                    + "', '"
                    + hash
                    + "', ARRAY[NULL, 'ann', '𝒳ö', 'ann'], ARRAY[0, 5000000000, 300, 129],"
                    + " ARRAY[1, 2, 1, 1]),"
                    + " ('empty', 0, '', '"
                    + TextChecks.sha256("")
                    + "', '"
                    + hash
                    + "', '{}', '{}', '{}'),"
                    + " ('none', 0, 'ab', '"
                    + TextChecks.sha256("ab")
                    + "', '"
                    + hash
                    + "', NULL, NULL, NULL)");
      }
      Authorship expected =
          Authorship.unknown(0, 1)
              .apply(Ops.append(1, "bc"), "ann", 5_000_000_000L)
              .apply(Ops.append(3, "d"), "𝒳ö", 300)
              .apply(Ops.append(4, "é"), "ann", 129);
      try (Database upgraded = Database.open(scratch.config());
          Connection connection = upgraded.dataSource().getConnection()) {
        assertEquals(expected.runs(), CheckpointStore.authorshipAt(connection, "old", 0).runs());
        assertEquals(List.of(), CheckpointStore.authorshipAt(connection, "empty", 0).runs());
        assertEquals(
            List.of(new AuthorRun(null, 0, 2)),
            CheckpointStore.authorshipAt(connection, "none", 0).runs());
        assertEquals(
            List.of("empty:true", "none:false", "old:true"),
            query(
                upgraded,
                "SELECT doc_id || ':' || (authorship IS NOT NULL) FROM checkpoints"
                    + " WHERE doc_id IN ('old', 'empty', 'none') ORDER BY doc_id"));
      }
    }
  }

  /** "version:true" for every file of db/migration, in version order. */
  private static List<String> migrations() throws IOException {
    Path directory = Path.of(System.getProperty("tandem.repo.root", ".."), "db", "migration");
    try (Stream<Path> files = Files.list(directory)) {
      return files
          .map(file -> file.getFileName().toString())
          .filter(name -> name.matches("V\\d+__.*\\.sql"))
          .map(name -> Integer.parseInt(name.substring(1, name.indexOf("__"))))
          .sorted()
          .map(version -> version + ":true")
          .toList();
    }
  }

  private static List<String> history(Database database) throws SQLException {
    return query(
        database,
        "SELECT version || ':' || success FROM flyway_schema_history"
            + " WHERE version IS NOT NULL ORDER BY installed_rank");
  }

  private static List<String> query(Database database, String sql) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return values;
    }
  }

  private static void execute(Database database, String sql) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
