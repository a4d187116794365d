package dev.tandem.sequencer;

import static dev.tandem.sequencer.ClientHarness.assertDenseAndAcknowledged;
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
 * A Java client loses its socket (cut in a {@link TcpProxy}) and keeps editing offline while
 * another client commits far more ops than the server keeps in memory and than fit in one page.
 * When the network is back it reconnects, catches up through pages of {@code op} messages and
 * {@code opened}, resends its offline edits, and both end with the server's text: nothing lost,
 * nothing applied twice, no resync.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ClientCatchUpTest {
  private static final long SEED = 5_150L;

  @Test
  void aClientThatMissedManyOpsCatchesUpAndKeepsItsOfflineEdits() throws Exception {
    String docId = Servers.freshDoc();
    Set<Integer> inserted = ConcurrentHashMap.newKeySet();
    try (TandemServer server =
            Servers.start(Servers.config().catchUpPage(8).historyInMemory(30).build());
        TcpProxy proxy = new TcpProxy("127.0.0.1", server.port());
        ClientHarness harness = new ClientHarness(SEED)) {
      Editor away =
          harness.editor(URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"), "away", docId);
      Editor busy = harness.editor(server.webSocketUri(), "busy", docId);
      AtomicInteger resyncs = new AtomicInteger();
      away.document.addListener(
          new DocumentListener() {
            @Override
            public void onChange(TextChange change) {
              if (change.origin() == TextChange.Origin.RESYNC) {
                resyncs.incrementAndGet();
              }
            }
          });
      List<Editor> both = List.of(away, busy);
      ClientHarness.runEdits(both, 3, SEED, false, inserted, () -> {});
      ClientHarness.awaitSynchronized(both);
      long before = away.document.revision();

      long cutAt = System.nanoTime();
      proxy.cut();
      ClientHarness.await(
          () -> away.client.connectionState() != ConnectionState.CONNECTED,
          () -> "still connected through a cut proxy");
      System.out.printf(
          "the cut was noticed after %d ms%n", (System.nanoTime() - cutAt) / 1_000_000);
      ClientHarness.runEdits(List.of(away), 5, SEED + 1, false, inserted, () -> {});
      ClientHarness.runEdits(List.of(busy), 100, SEED + 2, false, inserted, () -> {});
      ClientHarness.awaitSynchronized(List.of(busy));
      long missed = busy.document.revision() - before;
      assertTrue(missed > 30 + 8, "only " + missed + " ops missed");

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
      assertDenseAndAcknowledged(harness.restOps(server.httpUri(), docId), both);
      assertEquals(0, resyncs.get(), "resynced instead of catching up: " + away.errors);
    }
  }
}
