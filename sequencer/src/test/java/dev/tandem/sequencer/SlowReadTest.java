package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.persistence.OpLog;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Database reads never run on the sequencers' threads: while PostgreSQL holds up the loads of many
 * documents (a lock on the checkpoints table, which a load reads), more of them than the sequencer
 * pool has threads, a loaded document keeps sequencing and committing.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class SlowReadTest {

  @Test
  void aDocumentKeepsSequencingWhileTheLoadsOfOthersAreHeldUp(OpLog opLog) throws Exception {
    String busy = Servers.freshDoc();
    List<String> held = new ArrayList<>();
    for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors() + 4; i++) {
      held.add(Servers.freshDoc());
      opLog.createDocument(held.get(i), "held");
    }
    DataSource dataSource = EmbeddedPostgresExtension.database().dataSource();
    try (TandemServer server = Servers.start();
        WsClient bob = WsClient.hello(server, "bob-slow");
        WsClient reader = WsClient.hello(server, "reader-slow")) {
      bob.send(Messages.open(busy));
      bob.next("opened");
      bob.send(Messages.submit(busy, 0, "[\"a\"]", 1));
      assertEquals(1, bob.next("ack").path("rev").asLong()); // bob's next seqs need no lookup

      try (Connection lock = dataSource.getConnection()) {
        lock.setAutoCommit(false);
        try (Statement statement = lock.createStatement()) {
          statement.execute("LOCK TABLE checkpoints IN ACCESS EXCLUSIVE MODE");
        }
        for (String doc : held) {
          reader.send(Messages.open(doc));
        }
        ClientHarness.await(
            () -> waitingForLocks(dataSource) >= 2, () -> "no load waits for the lock");

        for (int seq = 2; seq <= 5; seq++) {
          bob.send(Messages.submit(busy, seq - 1, "[" + (seq - 1) + ",\"a\"]", seq));
          assertEquals(seq, bob.next("ack").path("rev").asLong());
        }
        assertFalse(reader.hasMessage(), "a held load answered while the lock is held");
        lock.rollback();
      }
      for (int i = 0; i < held.size(); i++) {
        assertEquals("held", reader.next("opened").path("text").asText());
      }
    }
  }

  private static int waitingForLocks(DataSource dataSource) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")) {
      rows.next();
      return rows.getInt(1);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }
}
