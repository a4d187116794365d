package dev.tandem.sequencer;

import static dev.tandem.sequencer.ClientHarness.assertDenseAndAcknowledged;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.ClientHarness.Editor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Twenty Java clients edit one document at once through a real server (WebSocket, sequencer,
 * embedded PostgreSQL): inserts with astral characters and deletes, random small delays. At the end
 * every client, a fresh client and the REST API agree on the text, revisions are dense and there is
 * one ack per committed op.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ClientConvergenceTest {
  private static final long SEED = 20_261_122L;

  @Test
  void twentyClientsConvergeOnTheServersText() throws Exception {
    String docId = Servers.freshDoc();
    try (TandemServer server = Servers.start();
        ClientHarness harness = new ClientHarness(SEED)) {
      List<Editor> editors = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        editors.add(harness.editor(server.webSocketUri(), "converge-" + i, docId));
      }
      Set<Integer> inserted = ConcurrentHashMap.newKeySet();

      ClientHarness.runEdits(editors, 15, SEED, true, inserted, () -> {});
      ClientHarness.awaitSynchronized(editors);

      JsonNode head = harness.restDocument(server.httpUri(), docId);
      long revision = head.path("rev").asLong();
      ClientHarness.awaitConverged(editors, revision);
      String text = head.path("text").asText();
      for (Editor editor : editors) {
        assertEquals(
            text, editor.document.text(), editor.client.clientId() + " (seed " + SEED + ")");
        assertEquals(List.of(), List.copyOf(editor.errors), editor.client.clientId() + " errors");
      }
      assertEquals(
          text, harness.editor(server.webSocketUri(), "late-reader", docId).document.text());
      assertEquals(
          text,
          EmbeddedPostgresExtension.database().opLog().loadDocument(docId).orElseThrow().text(),
          "the stored text (checkpoint plus replay)");
      assertDenseAndAcknowledged(harness.restOps(server.httpUri(), docId), editors);
      assertEquals(true, text.codePoints().anyMatch(Character::isSupplementaryCodePoint));
    }
  }
}
