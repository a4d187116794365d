package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.document.Faults;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A failure at any step of a document's work is answered, and the document keeps serving with
 * memory equal to the database: a failure is injected at each named {@link Faults.Step} in turn.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class FaultInjectionTest {
  /** One injected failure: at {@code step} of {@code docId}, once. */
  private record Armed(Faults.Step step, String docId, AtomicBoolean fired) {}

  private static final AtomicReference<Armed> armed = new AtomicReference<>();
  private static TandemServer server;

  @BeforeAll
  static void start() {
    // A checkpoint at every revision, and memory for two ops, so every step is reached.
    server =
        Servers.start(
            Servers.config().checkpointInterval(1).historyInMemory(2).build(),
            FaultInjectionTest::maybeFail);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void maybeFail(Faults.Step step, String docId) {
    Armed now = armed.get();
    if (now != null
        && now.step() == step
        && now.docId().equals(docId)
        && now.fired().compareAndSet(false, true)) {
      throw new IllegalStateException("injected failure at " + step);
    }
  }

  private static AtomicBoolean arm(Faults.Step step, String doc) {
    Armed failure = new Armed(step, doc, new AtomicBoolean());
    armed.set(failure);
    return failure.fired();
  }

  @ParameterizedTest
  @EnumSource(
      value = Faults.Step.class,
      names = {"CATCH_UP_READ_DONE"},
      mode = EnumSource.Mode.EXCLUDE)
  void aFailureAtAnyStepOfASubmitIsAnsweredAndTheDocumentKeepsServing(Faults.Step step)
      throws InterruptedException {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"hello\"}").status());
    boolean loadStep = step == Faults.Step.LOAD_READ || step == Faults.Step.LOADED;
    try (WsClient watcher = WsClient.hello(server, "watcher-" + step)) {
      if (!loadStep) { // a subscriber that must see every revision once (it loads the document)
        watcher.send(Messages.open(doc));
        watcher.next("opened");
      }
      AtomicBoolean fired = arm(step, doc);
      Http.Reply faulted = submit(doc, 0, "[5,\"!\"]", "faulted-" + step, 1);
      // At CHECKPOINT, after the ack: the reply may come first.
      ClientHarness.await(fired::get, () -> "the failure was injected at " + step);
      if (step == Faults.Step.CHECKPOINT) { // after the ack: the op is stored and acknowledged
        assertEquals(200, faulted.status(), faulted.body().toString());
      } else {
        assertEquals(500, faulted.status(), faulted.body().toString());
        assertEquals("internal", faulted.body().path("code").asText());
      }

      long head = assertTextIsReplayOfOps(doc);
      Http.Reply next = submit(doc, head, "[" + (5 + head) + ",\"?\"]", "next-" + step, 1);
      assertEquals(200, next.status(), "after a failure at " + step + ": " + next.body());
      assertEquals(head + 1, next.body().path("rev").asLong());
      assertEquals(head + 1, assertTextIsReplayOfOps(doc));
      assertTrue(text(doc).endsWith("?"), text(doc));

      if (!loadStep) {
        List<Long> seen = new ArrayList<>();
        while (seen.size() < head + 1) {
          ObjectNode message = watcher.next();
          if (message.path("type").asText().equals("op")) {
            seen.add(message.path("rev").asLong());
          }
        }
        List<Long> expected = new ArrayList<>();
        for (long rev = 1; rev <= head + 1; rev++) {
          expected.add(rev);
        }
        assertEquals(expected, seen, "the watcher sees every revision once, in order");
      }
    } finally {
      armed.set(null);
    }
  }

  @Test
  void aFailureWhileCatchingUpIsAnsweredAndTheNextOpenCatchesUp() {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "{\"text\":\"hello\"}");
    for (int rev = 0; rev < 3; rev++) { // memory keeps two: a catch-up from 0 reads the database
      assertEquals(200, submit(doc, rev, "[" + (5 + rev) + ",\"!\"]", "writer", rev + 1).status());
    }
    try (WsClient reader = WsClient.hello(server, "reader")) {
      AtomicBoolean fired = arm(Faults.Step.CATCH_UP_READ_DONE, doc);
      reader.send(Messages.open(doc, 0));
      ObjectNode error = reader.next("error");
      assertTrue(fired.get());
      assertEquals("internal", error.path("code").asText());
      assertEquals(doc, error.path("doc").asText());

      reader.send(Messages.open(doc, 0));
      List<ObjectNode> replies = reader.until("opened");
      int ops = replies.get(replies.size() - 1).path("ops").size() + replies.size() - 1;
      assertEquals(3, ops, replies.toString());
      assertEquals(3, replies.get(replies.size() - 1).path("rev").asLong());
    } finally {
      armed.set(null);
    }
  }

  @Test
  void aLoneSurrogateClientIdOverRestIsRefusedAndTheDocumentKeepsServing() {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "{\"text\":\"hello\"}");
    Http.Reply refused =
        Http.post(
            server,
            "/api/docs/" + doc + "/ops",
            "{\"rev\":0,\"op\":[5,\"!\"],\"client\":\"\\ud800\",\"seq\":1}");
    assertEquals(400, refused.status(), refused.body().toString());
    assertEquals("bad_request", refused.body().path("code").asText());
    Http.Reply next = submit(doc, 0, "[5,\"?\"]", "honest", 1);
    assertEquals(200, next.status(), next.body().toString());
    assertEquals("hello?", text(doc));
  }

  private static Http.Reply submit(String doc, long rev, String op, String client, long seq) {
    return RestOps.submit(server, doc, rev, op, client, seq);
  }

  private static String text(String doc) {
    Http.Reply read = Http.get(server, "/api/docs/" + doc);
    assertEquals(200, read.status(), read.body().toString());
    return read.body().path("text").asText();
  }

  private static long assertTextIsReplayOfOps(String doc) {
    return RestOps.assertTextIsReplayOfOps(server, doc, "hello");
  }
}
