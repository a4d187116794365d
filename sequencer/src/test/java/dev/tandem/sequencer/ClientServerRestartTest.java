package dev.tandem.sequencer;

import static dev.tandem.sequencer.ClientHarness.assertDenseAndAcknowledged;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.client.ConnectionState;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.ClientHarness.Editor;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server stops (gracefully, closing sockets with 1001) while clients edit; they keep editing
 * offline, reconnect when a new server listens at the same address with the same database, reopen
 * from their last revision and continue. Every character inserted before, during and after the
 * restart ends up exactly once in the stored text.
 *
 * <p>The address is a {@link TcpProxy}'s, which refuses connections while no server runs: a freed
 * port may be taken by any other process meanwhile (another build's test server, say), and a client
 * reconnecting there would stay connected to it.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ClientServerRestartTest {
  private static final long SEED = 4_242L;

  @Test
  void clientsReconnectAfterARestartAndContinue() throws Exception {
    String docId = Servers.freshDoc();
    Set<Integer> inserted = ConcurrentHashMap.newKeySet();
    TandemServer first = Servers.start();
    try (TcpProxy proxy = new TcpProxy("127.0.0.1", first.port());
        ClientHarness harness = new ClientHarness(SEED)) {
      URI address = URI.create("ws://127.0.0.1:" + proxy.port() + "/ws");
      List<Editor> editors = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        editors.add(harness.editor(address, "restart-" + i, docId));
      }
      ClientHarness.runEdits(editors, 10, SEED, false, inserted, () -> {});
      proxy.refuseNew();
      first.close();
      ClientHarness.await(
          () ->
              editors.stream()
                  .noneMatch(e -> e.client.connectionState() == ConnectionState.CONNECTED),
          () -> "clients still connected to a stopped server");

      ClientHarness.runEdits(editors, 5, SEED + 1, false, inserted, () -> {}); // offline edits

      try (TandemServer second = Servers.start()) {
        proxy.retarget(second.port());
        proxy.restore();
        ClientHarness.runEdits(editors, 10, SEED + 2, false, inserted, () -> {});
        ClientHarness.awaitSynchronized(editors);

        JsonNode head = harness.restDocument(second.httpUri(), docId);
        ClientHarness.awaitConverged(editors, head.path("rev").asLong());
        String text = head.path("text").asText();
        for (Editor editor : editors) {
          assertEquals(text, editor.document.text(), editor.client.clientId());
        }
        Map<Integer, Integer> counts = new HashMap<>();
        text.codePoints().forEach(c -> counts.merge(c, 1, Integer::sum));
        assertEquals(inserted, counts.keySet(), "characters lost or invented across the restart");
        counts.forEach((c, n) -> assertEquals(1, n, "U+" + Integer.toHexString(c) + " x" + n));
        assertDenseAndAcknowledged(harness.restOps(second.httpUri(), docId), editors);
      }
    } finally {
      first.close();
    }
  }
}
