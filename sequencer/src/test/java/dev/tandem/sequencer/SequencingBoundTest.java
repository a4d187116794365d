package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.document.Faults;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A group stops taking submits after 20 ms of sequencing, but never while it is empty: a group that
 * ended empty (its first submit refused after the time was up) once left the ready submit behind it
 * waiting for good, since every sender waited for its ack and nothing else woke the document (a
 * many-docs load run's "editors did not reach the server's head").
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class SequencingBoundTest {
  private static final HandOffFreeze freeze = new HandOffFreeze();

  /** The document whose next transform takes longer than the time bound, then fails. */
  private static final AtomicReference<String> slowFailure = new AtomicReference<>();

  private static TandemServer server;

  @BeforeAll
  static void start() {
    server = Servers.start(Servers.config().build(), SequencingBoundTest::at);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void at(Faults.Step step, String docId) {
    freeze.at(step, docId);
    String slow = slowFailure.get();
    if (step == Faults.Step.TRANSFORM
        && docId.equals(slow)
        && slowFailure.compareAndSet(slow, null)) {
      try {
        Thread.sleep(50); // past the group's 20 ms of sequencing
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("injected slow failure");
    }
  }

  @Test
  void aSubmitBehindOneRefusedAfterTheTimeBoundIsStillSequenced() throws Exception {
    String doc = Servers.freshDoc();
    try (WsClient first = WsClient.hello(server, "first");
        WsClient second = WsClient.hello(server, "second");
        WsClient third = WsClient.hello(server, "third")) {
      for (WsClient client : List.of(first, second, third)) {
        client.send(Messages.open(doc));
        client.next("opened");
      }
      // The first op's group is held at its hand-off while the other two arrive behind it.
      HandOffFreeze.Hold held = freeze.hold(doc);
      first.send(Messages.submit(doc, 0, "[\"a\"]", 1));
      held.awaitHeld();
      slowFailure.set(doc);
      second.send(Messages.submit(doc, 0, "[\"b\"]", 1));
      third.send(Messages.submit(doc, 0, "[\"c\"]", 1));
      ClientHarness.await(
          () -> server.sequencers().queuedSubmits() == 3,
          () -> "queued submits: " + server.sequencers().queuedSubmits());
      held.release();
      assertEquals(1, first.next("ack").path("rev").asLong());

      // The next group: whichever of the two comes first fails slowly; the other must follow.
      List<String> answers = new ArrayList<>();
      for (WsClient client : List.of(second, third)) {
        ObjectNode answer = client.nextOf("ack", "error");
        answers.add(
            answer.path("type").asText().equals("ack")
                ? "ack " + answer.path("rev").asLong()
                : "error " + answer.path("code").asText());
      }
      answers.sort(null);
      assertEquals(List.of("ack 2", "error internal"), answers);
    } finally {
      freeze.clear();
      slowFailure.set(null);
    }
  }
}
