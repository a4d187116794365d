package dev.tandem.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.TandemServer;
import dev.tandem.sequencer.config.TandemConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The load generator's editors on two nodes of one database (docs/scaling.md): they follow {@code
 * moved} to the owner when they open the document on the other node, and again when the owner loses
 * the document with their ops in flight; every editor converges with the server.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class EditorsFollowMovedTest {
  private static final String RUN = Long.toString(System.currentTimeMillis(), 36);
  private static final String SECOND = "follow-second-" + RUN;
  private static TandemServer first;
  private static TandemServer second;

  @BeforeAll
  static void startTwoNodes() {
    first = node("follow-first-" + RUN, Duration.ofSeconds(1), Duration.ofSeconds(3));
    // no heartbeat within the test after the first: only the test declares it dead
    second = node(SECOND, Duration.ofMinutes(5), Duration.ofMinutes(10));
  }

  @AfterAll
  static void stopNodes() {
    first.close();
    second.close();
  }

  @Test
  void editorsFollowTheOwnerWhenTheyOpenAndWhenTheDocumentMoves() throws Exception {
    String docId = EmbeddedPostgresExtension.freshDocId("follow-moved");
    Target atFirst = Target.running(first.webSocketUri(), -1);
    Target atSecond = Target.running(second.webSocketUri(), -1);
    try (Editors editors = new Editors(1)) {
      List<Editor> all = new ArrayList<>();
      all.addAll(open(editors, atSecond, 0, docId)); // the second node takes the lease
      all.addAll(open(editors, atFirst, 1, docId)); // redirected to the second
      all.addAll(open(editors, atFirst, 2, docId));
      assertEquals(List.of(0, 1, 1), all.stream().map(Editor::moves).toList());
      type(all, 20);
      awaitAcknowledged(all);
      long committedOnSecond = all.get(0).revision();
      assertTrue(committedOnSecond > 0, "the redirected editors' ops are committed on the second");

      // The owner is dead for the others (as one paused beyond its timeout): an editor opening
      // the document on the first node takes it over; the second's next commit is fenced, and
      // its editors are moved to the first with their ops in flight.
      declareDead(SECOND);
      all.addAll(open(editors, atFirst, 3, docId));
      type(all, 20);

      Convergence convergence = Convergence.check(atFirst, all);
      assertTrue(convergence.converged(), convergence.describe());
      assertEquals(List.of(1, 2, 2, 0), all.stream().map(Editor::moves).toList());
      assertTrue(
          convergence.totalRevisions() > committedOnSecond,
          "ops committed on the first after the move: " + convergence.describe());
    }
  }

  /** Editor {@code index} on {@code docId}: a typist that keeps the text, or a light one. */
  private static List<Editor> open(Editors editors, Target target, int index, String docId)
      throws InterruptedException {
    return editors.open(
        target,
        index,
        1,
        i -> i % 2 == 0 ? Editor.Kind.TYPIST : Editor.Kind.LIGHT_TYPIST,
        i -> docId,
        7,
        new Editor.Observer() {});
  }

  /** Every editor types {@code rounds} times, a few milliseconds apart. */
  private static void type(List<Editor> editors, int rounds) throws InterruptedException {
    for (int round = 0; round < rounds; round++) {
      for (Editor editor : editors) {
        editor.edit();
      }
      Thread.sleep(5);
    }
  }

  /** Waits (at most 30 s) until no editor has an op in flight. */
  private static void awaitAcknowledged(List<Editor> editors) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!editors.stream().allMatch(Editor::isIdle)) {
      assertTrue(System.nanoTime() < deadline, "ops still in flight after 30 s");
      Thread.sleep(10);
    }
  }

  private static void declareDead(String nodeId) throws Exception {
    try (Connection connection = EmbeddedPostgresExtension.database().dataSource().getConnection();
        PreparedStatement update =
            connection.prepareStatement("UPDATE nodes SET expires_at = now() WHERE id = ?")) {
      update.setString(1, nodeId);
      assertEquals(1, update.executeUpdate());
    }
  }

  private static TandemServer node(String nodeId, Duration heartbeat, Duration deadAfter) {
    TandemConfig config =
        TandemConfig.defaults().toBuilder()
            .host("127.0.0.1")
            .port(0)
            .staticDir((Path) null)
            .shutdownGrace(Duration.ofSeconds(5))
            .nodeId(nodeId)
            .heartbeatInterval(heartbeat)
            .nodeDeadAfter(deadAfter)
            .build();
    return TandemServer.builder()
        .config(config)
        .database(EmbeddedPostgresExtension.database())
        .build()
        .start();
  }
}
