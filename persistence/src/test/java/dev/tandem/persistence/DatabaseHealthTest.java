package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What counts as the database being away, and the statement timeout, on a pool of its own to the
 * shared server.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class DatabaseHealthTest {
  @Test
  void aBusyPoolIsUnavailableButNotADatabaseAway(DatabaseConfig shared) throws Exception {
    String docId = EmbeddedPostgresExtension.freshDocId("busy-pool");
    DatabaseConfig config =
        DatabaseConfig.external(shared.url(), shared.user(), shared.password())
            .withPoolSize(1)
            .withTimeout(Duration.ofSeconds(1));
    try (Database database = Database.open(config)) {
      database.opLog().createDocument(docId, "a");
      try (Connection held = database.dataSource().getConnection()) {
        var busy =
            assertThrows(DatabaseUnavailableException.class, () -> database.opLog().head(docId));
        assertTrue(busy.getMessage().contains("request timed out"), busy.getMessage());
        assertTrue(database.health().status().reachable(), database.health().status().reason());
      }
      assertEquals(0, database.opLog().head(docId).getAsLong());
      assertTrue(database.health().status().reachable());
    }
  }

  @Test
  void aCancelledStatementIsUnavailableButNotADatabaseAway(DatabaseConfig shared) throws Exception {
    DatabaseConfig config =
        DatabaseConfig.external(shared.url(), shared.user(), shared.password())
            .withPoolSize(2)
            .withTimeout(Duration.ofSeconds(1));
    try (Database database = Database.open(config)) {
      try (Connection connection = database.dataSource().getConnection();
          var statement = connection.createStatement()) {
        var cancelled =
            assertThrows(
                java.sql.SQLException.class, () -> statement.execute("SELECT pg_sleep(3)"));
        assertEquals("57014", cancelled.getSQLState(), cancelled.getMessage());
      }
    }
  }
}
