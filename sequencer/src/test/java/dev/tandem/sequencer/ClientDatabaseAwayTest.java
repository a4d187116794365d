package dev.tandem.sequencer;

import static dev.tandem.sequencer.ClientHarness.assertDenseAndAcknowledged;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.client.ErrorCode;
import dev.tandem.persistence.Database;
import dev.tandem.persistence.DatabaseConfig;
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
 * The database goes away while Java clients edit (every connection to PostgreSQL cut through a
 * {@link TcpProxy}): their submits are refused with the retryable {@code unavailable}, they keep
 * editing and retry with the same seq after a backoff, and when the database is back every
 * character typed before, during and after ends up in the stored text exactly once.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ClientDatabaseAwayTest {
  private static final long SEED = 99L;

  @Test
  void clientsRetryThroughAnOutageAndLoseNothing() throws Exception {
    DatabaseConfig shared = EmbeddedPostgresExtension.database().connectionConfig();
    URI jdbc = URI.create(shared.url().substring("jdbc:".length()));
    String docId = Servers.freshDoc();
    Set<Integer> inserted = ConcurrentHashMap.newKeySet();
    try (TcpProxy proxy = new TcpProxy(jdbc.getHost(), jdbc.getPort());
        Database database =
            Database.open(
                new DatabaseConfig(
                    shared.url().replace(":" + jdbc.getPort() + "/", ":" + proxy.port() + "/"),
                    shared.user(),
                    shared.password(),
                    2,
                    shared.dataDirectory()));
        TandemServer server = Servers.start(Servers.config().build(), database);
        ClientHarness harness = new ClientHarness(SEED)) {
      List<Editor> editors = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        editors.add(harness.editor(server.webSocketUri(), "outage-" + i, docId));
      }
      ClientHarness.runEdits(editors, 5, SEED, false, inserted, () -> {});
      ClientHarness.awaitSynchronized(editors);

      proxy.cut();
      ClientHarness.runEdits(editors, 5, SEED + 1, false, inserted, () -> {});
      ClientHarness.await(
          () ->
              editors.stream()
                  .flatMap(e -> e.errors.stream())
                  .anyMatch(e -> e.code() == ErrorCode.UNAVAILABLE && e.retryable()),
          () ->
              "no unavailable error while the database is away: "
                  + ClientHarness.describe(editors));
      proxy.restore();

      ClientHarness.runEdits(editors, 5, SEED + 2, false, inserted, () -> {});
      ClientHarness.awaitSynchronized(editors);
      JsonNode head = harness.restDocument(server.httpUri(), docId);
      ClientHarness.awaitConverged(editors, head.path("rev").asLong());
      String text = head.path("text").asText();
      for (Editor editor : editors) {
        assertEquals(text, editor.document.text(), editor.client.clientId());
      }
      Map<Integer, Integer> counts = new HashMap<>();
      text.codePoints().forEach(c -> counts.merge(c, 1, Integer::sum));
      assertEquals(inserted, counts.keySet(), "characters lost or invented across the outage");
      counts.forEach((c, n) -> assertEquals(1, n, "U+" + Integer.toHexString(c) + " x" + n));
      assertDenseAndAcknowledged(harness.restOps(server.httpUri(), docId), editors);
      assertTrue(
          editors.stream().flatMap(e -> e.errors.stream()).allMatch(e -> e.retryable()),
          "only retryable errors expected: " + ClientHarness.describe(editors));
    }
  }
}
