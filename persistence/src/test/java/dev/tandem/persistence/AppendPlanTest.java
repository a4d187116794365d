package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The appends keep one plan once the tables have statistics: PostgreSQL's plan cache would
 * otherwise plan a one-document group anew at every commit (its custom plan looks cheaper than the
 * generic one, which takes unnest(?) for ten rows).
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class AppendPlanTest {

  @Test
  void appendsUseTheGenericPlanOnTablesWithStatistics() throws SQLException {
    try (EmbeddedPostgresExtension.ScratchDatabase scratch =
            EmbeddedPostgresExtension.scratchDatabase("plan");
        // one connection: the appends' prepared statement is the one the query below sees
        Database database = Database.open(scratch.config().withPoolSize(1))) {
      OpLog opLog = database.opLog();
      for (int i = 0; i < 50; i++) {
        opLog.createDocument("other-" + i, "");
      }
      opLog.createDocument("doc", "");
      try (Connection connection = database.dataSource().getConnection();
          Statement analyze = connection.createStatement()) {
        analyze.execute("ANALYZE");
      }

      // one op at a time (the one-op statement), then two at a time (the group's)
      for (long revision = 1; revision <= 12; revision++) {
        opLog.append(
            List.of(
                Ops.stored("doc", revision, Ops.append((int) revision - 1, "x"), "c", revision)));
      }
      for (long revision = 13; revision <= 36; revision += 2) {
        opLog.append(
            List.of(
                Ops.stored("doc", revision, Ops.append((int) revision - 1, "x"), "c", revision),
                Ops.stored(
                    "doc", revision + 1, Ops.append((int) revision, "y"), "c", revision + 1)));
      }

      try (Connection connection = database.dataSource().getConnection();
          Statement query = connection.createStatement();
          ResultSet plans =
              query.executeQuery(
                  "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                      + " WHERE statement LIKE '%WITH heads AS%'")) {
        int statements = 0;
        while (plans.next()) {
          statements++;
          assertEquals(0, plans.getLong("custom_plans"), "custom plans");
          assertTrue(plans.getLong("generic_plans") > 0, "generic plans");
        }
        assertEquals(2, statements, "both appends are prepared on the pool's one connection");
      }
      assertEquals(36, opLog.head("doc").getAsLong());
    }
  }
}
