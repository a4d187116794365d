package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.document.Faults;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A lone document's committed group is applied and delivered on the committer thread, not handed
 * back to the sequencer pool (one hand-off and one thread wake-up fewer per group).
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class CommitContinuationTest {
  /** The threads each document's groups were delivered on. */
  private static final Map<String, Set<String>> deliveredOn = new ConcurrentHashMap<>();

  private static TandemServer server;

  @BeforeAll
  static void start() {
    server =
        Servers.start(
            Servers.config().build(),
            (step, docId) -> {
              if (step == Faults.Step.DELIVER) {
                deliveredOn
                    .computeIfAbsent(docId, id -> ConcurrentHashMap.newKeySet())
                    .add(Thread.currentThread().getName());
              }
            });
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aLoneDocumentsGroupsAreDeliveredOnTheCommitterThread() {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"\"}").status());
    for (int seq = 1; seq <= 20; seq++) { // one at a time: each commit holds this group alone
      String op = seq == 1 ? "[\"x\"]" : "[\"x\"," + (seq - 1) + "]"; // an x before the text
      Http.Reply acked =
          Http.post(
              server,
              "/api/docs/" + doc + "/ops",
              "{\"rev\":"
                  + (seq - 1)
                  + ",\"op\":"
                  + op
                  + ",\"client\":\"lone\",\"seq\":"
                  + seq
                  + "}");
      assertEquals(200, acked.status(), acked.body().toString());
    }
    // At least one, not all: a commit that completes while the step that handed its group off is
    // still returning finds the document busy, and its continuation goes to the pool as before.
    assertTrue(
        deliveredOn.get(doc).contains("tandem-committer"), "delivered on " + deliveredOn.get(doc));
  }
}
