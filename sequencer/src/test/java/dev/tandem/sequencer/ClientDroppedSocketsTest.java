package dev.tandem.sequencer;

import static dev.tandem.sequencer.ClientHarness.assertDenseAndAcknowledged;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.ClientHarness.Editor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients insert distinct characters while their sockets are dropped at random moments (with ops in
 * flight, acks on the way, buffers waiting). Each client reconnects, catches up with {@code open
 * {rev}}, recognises its own committed ops and resends the rest with the same seq: at the end the
 * text holds every inserted character exactly once, and no (client, seq) was committed twice.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ClientDroppedSocketsTest {
  private static final long SEED = 7_331L;

  @Test
  void nothingIsLostAndNothingAppliedTwice() throws Exception {
    String docId = Servers.freshDoc();
    try (TandemServer server = Servers.start();
        ClientHarness harness = new ClientHarness(SEED)) {
      List<Editor> editors = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        editors.add(harness.editor(server.webSocketUri(), "dropped-" + i, docId));
      }
      Set<Integer> inserted = ConcurrentHashMap.newKeySet();
      Random chaos = new Random(SEED);
      AtomicInteger edits = new AtomicInteger();
      AtomicInteger drops = new AtomicInteger();
      Runnable dropNowAndThen =
          () -> {
            synchronized (chaos) {
              if (edits.incrementAndGet() % 4 == 0) {
                editors.get(chaos.nextInt(editors.size())).client.dropConnection();
                drops.incrementAndGet();
              }
            }
          };

      ClientHarness.runEdits(editors, 25, SEED, false, inserted, dropNowAndThen);
      ClientHarness.awaitSynchronized(editors);

      JsonNode head = harness.restDocument(server.httpUri(), docId);
      ClientHarness.awaitConverged(editors, head.path("rev").asLong());
      String text = head.path("text").asText();
      for (Editor editor : editors) {
        assertEquals(
            text, editor.document.text(), editor.client.clientId() + " (seed " + SEED + ")");
      }
      Map<Integer, Integer> counts = new HashMap<>();
      text.codePoints().forEach(c -> counts.merge(c, 1, Integer::sum));
      assertEquals(inserted, counts.keySet(), "characters lost or invented (seed " + SEED + ")");
      counts.forEach(
          (c, n) -> assertEquals(1, n, "U+" + Integer.toHexString(c) + " applied " + n + " times"));

      List<JsonNode> ops = harness.restOps(server.httpUri(), docId);
      assertDenseAndAcknowledged(ops, editors);
      Set<String> clientSeqs = new HashSet<>();
      for (JsonNode op : ops) {
        assertTrue(
            clientSeqs.add(op.path("client").asText() + "/" + op.path("seq").asLong()),
            "committed twice: " + op);
      }
      assertTrue(drops.get() >= 40, "only " + drops.get() + " sockets dropped");
    }
  }
}
