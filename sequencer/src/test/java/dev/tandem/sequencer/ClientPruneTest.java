package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.client.ConnectionState;
import dev.tandem.client.DocumentListener;
import dev.tandem.client.TextChange;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.Database;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.ClientHarness.Editor;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Java client loses its socket and keeps editing offline; meanwhile another client commits many
 * ops and an admin prunes the history past the revision the offline client knows. When the network
 * is back the client is told to resynchronise, rebases its offline edits onto the head text and
 * sends them: both clients end with the server's text, every character typed by either exactly
 * once.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ClientPruneTest {
  private static final long SEED = 7_140L;

  @Test
  void aClientOfflineAcrossAPruneResyncsAndKeepsItsEdits() throws Exception {
    String docId = Servers.freshDoc();
    Set<Integer> inserted = ConcurrentHashMap.newKeySet();
    try (TandemServer server = Servers.start(Servers.config().historyInMemory(30).build());
        TcpProxy proxy = new TcpProxy("127.0.0.1", server.port());
        ClientHarness harness = new ClientHarness(SEED)) {
      Editor away =
          harness.editor(URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"), "away", docId);
      Editor busy = harness.editor(server.webSocketUri(), "busy", docId);
      AtomicInteger awayResyncs = resyncs(away);
      AtomicInteger busyResyncs = resyncs(busy);
      List<Editor> both = List.of(away, busy);
      ClientHarness.runEdits(both, 3, SEED, false, inserted, () -> {});
      ClientHarness.awaitSynchronized(both);
      long known = away.document.revision();

      proxy.cut();
      ClientHarness.await(
          () -> away.client.connectionState() != ConnectionState.CONNECTED,
          () -> "still connected through a cut proxy");
      ClientHarness.runEdits(List.of(away), 5, SEED + 1, false, inserted, () -> {});
      ClientHarness.runEdits(List.of(busy), 40, SEED + 2, false, inserted, () -> {});
      ClientHarness.awaitSynchronized(List.of(busy));
      long pruneAt = busy.document.revision() - 3;
      Http.Reply pruned =
          Http.post(server.httpUri(), "/api/docs/" + docId + "/prune?before=" + pruneAt, "");
      assertEquals(200, pruned.status(), pruned.body().toString());
      assertTrue(pruneAt > known);

      proxy.restore();
      JsonNode head = awaitConverged(harness, server, docId, both);
      Map<Integer, Integer> counts = codePointCounts(head.path("text").asText());
      assertEquals(inserted, counts.keySet(), "characters lost or invented (seed " + SEED + ")");
      counts.forEach((c, n) -> assertEquals(1, n, "U+" + Integer.toHexString(c) + " x" + n));
      assertEquals(1, awayResyncs.get(), "the offline client resynced once: " + away.errors);
      assertEquals(0, busyResyncs.get());
      assertEquals(
          0,
          EmbeddedPostgresExtension.database().archive().verify(docId).head()
              - head.path("rev").asLong(),
          "the chain verifies to the head");
    }
  }

  /**
   * The window of docs/decisions/0006: the op in flight of a client below the prune is in a group
   * commit that lands only after the server answered the client's reconnect with the resync, whose
   * seq does not have it yet. The client rebases it and the edit buffered after it onto the head
   * text and sends them; then its op lands as the server transformed it, not as the diff did. Each
   * character must still be there exactly once. The commit is held by a lock the test takes on the
   * document's row (the append's compare-and-set waits for it).
   */
  @Test
  void anOpInFlightThatLandsAfterTheResyncIsAppliedOnce() throws Exception {
    String docId = Servers.freshDoc();
    // The held commit must outlast the reconnect and its resync however slow the machine: a
    // statement timeout (5 s by default) would fail it, and the document's reload after that
    // failure would wait for the same lock.
    try (Database patient =
            Database.open(
                EmbeddedPostgresExtension.database()
                    .connectionConfig()
                    .withTimeout(Duration.ofMinutes(2)));
        TandemServer server = Servers.start(Servers.config().historyInMemory(30).build(), patient);
        TcpProxy proxy = new TcpProxy("127.0.0.1", server.port());
        ClientHarness harness = new ClientHarness(SEED)) {
      assertEquals(
          201, Http.put(server.httpUri(), "/api/docs/" + docId, "{\"text\":\"a\"}").status());
      Editor away = // it hears nothing for seconds below and must keep its socket until the cut
          harness.editor(
              URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"),
              List.of(),
              "away",
              docId,
              Duration.ofMinutes(1));
      Editor busy = harness.editor(server.webSocketUri(), "busy", docId);
      AtomicInteger awayResyncs = resyncs(away);

      proxy.pauseDownstream(); // away hears nothing more: it stays at revision 0
      busy.document.submit(TextOperation.builder().insert("a").retain(1).build());
      busy.document.whenSynchronized().get(30, TimeUnit.SECONDS);
      Http.Reply pruned = Http.post(server.httpUri(), "/api/docs/" + docId + "/prune?before=1", "");
      assertEquals(200, pruned.status(), pruned.body().toString());

      try (Connection lock = lockDocument(docId)) {
        assertEquals("a", away.document.text(), "away heard nothing after the pause");
        away.document.submit(TextOperation.builder().retain(1).insert("X").build()); // "aX"
        ClientHarness.await(
            () -> appendWaitsForLock(),
            () -> "the commit never waited; away: " + away.errors + ", " + sessions());
        away.document.submit(TextOperation.builder().retain(2).insert("Y").build()); // buffered
        proxy.cut();
        ClientHarness.await(
            () -> away.client.connectionState() != ConnectionState.CONNECTED,
            () -> "still connected through a cut proxy");
        proxy.resumeDownstream();
        proxy.restore();
        ClientHarness.await(() -> awayResyncs.get() > 0, () -> "no resync: " + away.errors);
        lock.rollback(); // the commit of "X" lands now, after the resync
      }

      String text =
          awaitConverged(harness, server, docId, List.of(away, busy)).path("text").asText();
      assertEquals(Map.of((int) 'a', 2, (int) 'X', 1, (int) 'Y', 1), codePointCounts(text), text);
    }
  }

  /** Waits until every editor has its edits acknowledged and holds the server's head text. */
  private static JsonNode awaitConverged(
      ClientHarness harness, TandemServer server, String docId, List<Editor> editors)
      throws Exception {
    ClientHarness.awaitSynchronized(editors);
    JsonNode head = harness.restDocument(server.httpUri(), docId);
    ClientHarness.awaitConverged(editors, head.path("rev").asLong());
    for (Editor editor : editors) {
      assertEquals(head.path("text").asText(), editor.document.text(), editor.client.clientId());
    }
    return head;
  }

  private static Map<Integer, Integer> codePointCounts(String text) {
    Map<Integer, Integer> counts = new HashMap<>();
    text.codePoints().forEach(c -> counts.merge(c, 1, Integer::sum));
    return counts;
  }

  /** A transaction of the test's own that holds the document's row until it ends. */
  private static Connection lockDocument(String docId) throws SQLException {
    Connection connection = EmbeddedPostgresExtension.database().dataSource().getConnection();
    connection.setAutoCommit(false);
    try (PreparedStatement lock =
        connection.prepareStatement("SELECT 1 FROM documents WHERE id = ? FOR UPDATE")) {
      lock.setString(1, docId);
      lock.executeQuery().close();
    }
    return connection;
  }

  /**
   * Whether the server's work for the op waits for the test's lock: its group commit (the append's
   * statement), or any statement before it that needs the row; either way "X" lands only after the
   * lock goes. (Only this test's server uses the database meanwhile.)
   */
  private static boolean appendWaitsForLock() {
    try (Connection connection = EmbeddedPostgresExtension.database().dataSource().getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND datname = current_database()");
        ResultSet row = select.executeQuery()) {
      row.next();
      return row.getLong(1) > 0;
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  /** What the database's sessions do, for a failure's message. */
  private static String sessions() {
    try (Connection connection = EmbeddedPostgresExtension.database().dataSource().getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT state, wait_event_type, left(query, 60) FROM pg_stat_activity"
                    + " WHERE datname = current_database()");
        ResultSet rows = select.executeQuery()) {
      StringBuilder found = new StringBuilder();
      while (rows.next()) {
        found.append(
            String.format("[%s %s %s] ", rows.getString(1), rows.getString(2), rows.getString(3)));
      }
      return found.toString();
    } catch (SQLException e) {
      return e.toString();
    }
  }

  private static AtomicInteger resyncs(Editor editor) {
    AtomicInteger resyncs = new AtomicInteger();
    editor.document.addListener(
        new DocumentListener() {
          @Override
          public void onChange(TextChange change) {
            if (change.origin() == TextChange.Origin.RESYNC) {
              resyncs.incrementAndGet();
            }
          }
        });
    return resyncs;
  }
}
