package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.ot.OperationJson;
import dev.tandem.persistence.DatabaseConfig;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.ClientHarness.Editor;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the cluster tests check on nodes sharing the tests' embedded PostgreSQL: a document's lease
 * as the database holds it, and a history with no gap, no double apply and nothing lost
 * (docs/scaling.md).
 */
final class ClusterChecks {
  private ClusterChecks() {}

  /** The server flags of a child node on the tests' embedded PostgreSQL, with this node id. */
  static List<String> nodeFlags(String nodeId, String... more) {
    DatabaseConfig shared = EmbeddedPostgresExtension.database().connectionConfig();
    List<String> flags = new ArrayList<>();
    flags.add("--database-url=" + shared.url());
    flags.add("--database-user=" + shared.user());
    flags.add("--database-password=" + shared.password());
    flags.add("--database-pool-size=4");
    flags.add("--node-id=" + nodeId);
    flags.addAll(List.of(more));
    return flags;
  }

  /** A document's lease: the node holding it (null if none) and its epoch. */
  record Lease(String owner, long epoch) {}

  /** The document's lease, from the database. */
  static Lease lease(String docId) throws Exception {
    try (Connection connection = EmbeddedPostgresExtension.database().dataSource().getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT lease_owner, lease_epoch FROM documents WHERE id = ?")) {
      select.setString(1, docId);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? new Lease(row.getString(1), row.getLong(2)) : new Lease(null, 0);
      }
    }
  }

  /** The node holding the document's lease, from the database. */
  static String owner(String docId) throws Exception {
    return lease(docId).owner();
  }

  /**
   * Over REST from the node at {@code http}: revisions 1..n with no gap, each (client, seq) once,
   * the log replays to the stored text, every editor of the document holds it, and it holds only
   * inserted code points, each once (nothing applied twice); {@link #codePoints} checks that none
   * is lost.
   */
  static List<JsonNode> verifyHistory(
      ClientHarness harness, URI http, String docId, List<Editor> editors, Set<Integer> inserted)
      throws Exception {
    List<JsonNode> ops = harness.restOps(http, docId);
    Set<String> submits = new HashSet<>();
    String replayed = "";
    for (int i = 0; i < ops.size(); i++) {
      JsonNode op = ops.get(i);
      assertEquals(i + 1, op.path("rev").asLong(), docId + ": revision at index " + i);
      assertTrue(
          submits.add(op.path("client").asText() + "/" + op.path("seq").asLong()),
          docId + ": " + op + " stored twice");
      replayed = OperationJson.parse(op.path("op").toString()).apply(replayed);
    }
    String text = harness.restDocument(http, docId).path("text").asText();
    assertEquals(replayed, text, docId + ": the log replays to the text");
    for (Editor editor : editors) {
      if (editor.document.id().equals(docId)) {
        assertEquals(text, editor.document.text(), editor.client.clientId() + " converged");
      }
    }
    Map<Integer, Integer> counts = new ConcurrentHashMap<>();
    text.codePoints().forEach(c -> counts.merge(c, 1, Integer::sum));
    for (Map.Entry<Integer, Integer> count : counts.entrySet()) {
      assertTrue(inserted.contains(count.getKey()), "unexpected code point " + count.getKey());
      assertEquals(1, count.getValue(), "code point " + count.getKey() + " once");
    }
    return ops;
  }

  /** Every code point of these documents' texts, read over REST from the node at {@code http}. */
  static Set<Integer> codePoints(ClientHarness harness, URI http, String... docIds)
      throws Exception {
    Set<Integer> all = new HashSet<>();
    for (String docId : docIds) {
      harness.restDocument(http, docId).path("text").asText().codePoints().forEach(all::add);
    }
    return all;
  }
}
