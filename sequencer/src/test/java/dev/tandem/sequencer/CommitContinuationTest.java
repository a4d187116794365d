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
 * A lone document's group, handed over while no other commit is being written or waits, is written,
 * applied and delivered on the thread that sequenced it: no hand-off to the committer thread and
 * back, and no thread woken for it.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class CommitContinuationTest {
  /** The thread that last handed each document's group to the committer. */
  private static final Map<String, String> handedOffOn = new ConcurrentHashMap<>();

  /** The threads that delivered a document's group after handing it off themselves. */
  private static final Map<String, Set<String>> deliveredWhereHandedOff = new ConcurrentHashMap<>();

  private static TandemServer server;

  @BeforeAll
  static void start() {
    server =
        Servers.start(
            Servers.config().build(),
            (step, docId) -> {
              String thread = Thread.currentThread().getName();
              if (step == Faults.Step.HAND_OFF) {
                handedOffOn.put(docId, thread);
              } else if (step == Faults.Step.DELIVER && thread.equals(handedOffOn.get(docId))) {
                deliveredWhereHandedOff
                    .computeIfAbsent(docId, id -> ConcurrentHashMap.newKeySet())
                    .add(thread);
              }
            });
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aLoneDocumentsGroupsAreWrittenAndDeliveredOnTheThreadThatSequencedThem() {
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
    // At least one, not all: a commit handed over while the committer thread still completes
    // the one before it waits for that thread, as every commit did before.
    Set<String> threads = deliveredWhereHandedOff.get(doc);
    assertTrue(threads != null, "every group went through another thread");
    assertTrue(
        threads.stream().allMatch(name -> name.startsWith("tandem-sequencer")),
        "delivered on " + threads);
  }
}
