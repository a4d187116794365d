package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.client.ConnectionState;
import dev.tandem.client.DocumentListener;
import dev.tandem.client.TextChange;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.ClientHarness.Editor;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
      ClientHarness.awaitSynchronized(both);
      JsonNode head = harness.restDocument(server.httpUri(), docId);
      ClientHarness.awaitConverged(both, head.path("rev").asLong());
      String text = head.path("text").asText();
      for (Editor editor : both) {
        assertEquals(text, editor.document.text(), editor.client.clientId());
      }
      Map<Integer, Integer> counts = new HashMap<>();
      text.codePoints().forEach(c -> counts.merge(c, 1, Integer::sum));
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
