package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.OperationJson;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ten sockets flooding a document with valid submits on an old base revision, beside an honest
 * editor: the flooders are bounded per connection ({@code rate_limited}), the honest submit is
 * sequenced with at most one flood submit per flooder ahead of it however deep their queues, old
 * bases beyond memory are read without stalling the others, and nothing is left unanswered.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class FairQueueTest {
  private static final int FLOODERS = 10;
  private static final int PER_CONNECTION = 20;

  /** While set, the next hand-off of a group to the committer for that document waits for it. */
  private static final HandOffFreeze freeze = new HandOffFreeze();

  private static TandemServer server;

  @BeforeAll
  static void start() {
    server =
        Servers.start(
            Servers.config()
                // The flooders send on whatever they are refused, to keep their queues full:
                // they must not be closed for it here (ExcessMessagesTest covers that).
                .excessMessageLimit(0)
                .submitQueuePerConnection(PER_CONNECTION)
                .historyInMemory(64)
                .build(),
            freeze);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void anHonestEditorIsNotQueuedBehindTenFloodingSockets() throws Exception {
    String doc = Servers.freshDoc();
    List<WsClient> flooders = new ArrayList<>();
    try (WsClient honest = WsClient.hello(server, "honest")) {
      honest.send(Messages.open(doc));
      honest.next("opened");
      honest.send(Messages.submit(doc, 0, "[\"h\"]", 1));
      assertEquals(1, honest.next("ack").path("rev").asLong());
      for (int i = 0; i < FLOODERS; i++) {
        WsClient flooder = WsClient.hello(server, "flood-" + i);
        flooders.add(flooder);
        flooder.send(Messages.open(doc));
        flooder.next("opened");
        flooder.send(Messages.submit(doc, 0, "[\"f\"]", 1)); // base 0: old, always valid
        assertEquals("ack", flooder.nextOf("ack", "error").path("type").asText());
      }
      long head = 1 + FLOODERS;

      // The document stops at its next hand-off, so that the queues fill while it waits.
      HandOffFreeze.Hold stopped = freeze.hold(doc);
      flooders.get(0).send(Messages.submit(doc, 0, "[\"f\"]", 2));
      stopped.awaitHeld();
      head++; // that op, at revision 12
      int sentEach = 2 * PER_CONNECTION;
      for (int i = 0; i < FLOODERS; i++) {
        for (int seq = 3; seq < 3 + sentEach; seq++) {
          flooders.get(i).send(Messages.submit(doc, 0, "[\"f\"]", seq));
        }
      }
      int refused = 0;
      for (int i = 0; i < FLOODERS; i++) { // refused at once, while the document waits
        int admitted = i == 0 ? PER_CONNECTION - 1 : PER_CONNECTION;
        for (int n = 0; n < sentEach - admitted; n++) {
          ObjectNode error = flooders.get(i).nextOf("error");
          assertEquals("rate_limited", error.path("code").asText(), error.toString());
          assertTrue(error.path("retryable").asBoolean());
          refused++;
        }
      }
      honest.send(Messages.submit(doc, 1, "[1,\"H\"]", 2));
      int queued = FLOODERS * PER_CONNECTION; // the flooders' queues, the frozen op included
      ClientHarness.await(
          () -> server.sequencers().queuedSubmits() == queued + 1,
          () -> "queued submits: " + server.sequencers().queuedSubmits());

      // Another document is served meanwhile, however stuck this one is.
      String other = Servers.freshDoc();
      honest.send(Messages.open(other));
      assertEquals(other, honest.nextOf("opened").path("doc").asText());
      honest.send(Messages.submit(other, 0, "[\"o\"]", 100));
      ObjectNode otherAck = honest.nextOf("ack", "error");
      assertEquals("ack", otherAck.path("type").asText(), otherAck.toString());
      assertEquals(other, otherAck.path("doc").asText(), "the other document's ack comes first");

      long released = System.nanoTime();
      stopped.release();
      long honestRevision = honest.nextOf("ack").path("rev").asLong();
      System.out.printf(
          "FairQueueTest: honest ack %.1f ms after the release, at revision %d; %d flood"
              + " submits queued, %d refused with rate_limited%n",
          (System.nanoTime() - released) / 1e6, honestRevision, queued, refused);
      // Round-robin: one submit of each flooder's lane at most goes first (FIFO: all ~200).
      assertTrue(
          honestRevision <= head + FLOODERS + 1,
          "honest at revision " + honestRevision + ", after the frozen head " + head);

      // A live flood beyond memory's 64 ops, while the honest editor types one op at a time.
      List<Long> latencies = new ArrayList<>();
      long[] sent = new long[FLOODERS];
      for (int round = 0; round < 20; round++) {
        for (int i = 0; i < FLOODERS; i++) {
          for (int k = 0; k < 5; k++) {
            flooders.get(i).send(Messages.submit(doc, 0, "[\"f\"]", 1000 + sent[i]++));
          }
        }
        long base = lastRevision(honest, honestRevision);
        long start = System.nanoTime();
        honest.send(Messages.submit(doc, base, "[\"H\"," + base + "]", 3 + round));
        ObjectNode answer = honest.nextOf("ack", "error");
        assertEquals("ack", answer.path("type").asText(), answer.toString());
        honestRevision = answer.path("rev").asLong();
        latencies.add((System.nanoTime() - start) / 1_000_000);
      }
      System.out.println("FairQueueTest: honest ack latencies in order (ms): " + latencies);
      latencies.sort(null);
      System.out.printf(
          "FairQueueTest: honest acks under a live flood: median %d ms, max %d ms%n",
          latencies.get(latencies.size() / 2), latencies.get(latencies.size() - 1));

      // Every flood submit is answered (acked or refused), and the stored text is the op log's.
      for (int i = 0; i < FLOODERS; i++) {
        for (long answered = 0; answered < PER_CONNECTION + sent[i]; answered++) {
          flooders.get(i).nextOf("ack", "error");
        }
      }
      assertTextIsReplayOfOps(doc);
    } finally {
      freeze.clear();
      flooders.forEach(WsClient::close);
    }
  }

  /**
   * A socket that closes with submits waiting (here while the document is held at a hand-off)
   * leaves only the first of them, which may be under way; the rest are never applied, and the
   * document serves on.
   */
  @Test
  void aClosedSocketsWaitingSubmitsAreDroppedAllButItsFirst() throws Exception {
    String doc = Servers.freshDoc();
    try (WsClient honest = WsClient.hello(server, "honest-drop")) {
      honest.send(Messages.open(doc));
      honest.next("opened");
      WsClient flooder = WsClient.hello(server, "flood-drop");
      flooder.send(Messages.open(doc));
      flooder.next("opened");
      HandOffFreeze.Hold stopped = freeze.hold(doc);
      honest.send(Messages.submit(doc, 0, "[\"h\"]", 1));
      stopped.awaitHeld();
      for (int seq = 1; seq <= PER_CONNECTION; seq++) {
        flooder.send(Messages.submit(doc, 0, "[\"f\"]", seq));
      }
      ClientHarness.await(
          () -> server.sequencers().queuedSubmits() == PER_CONNECTION + 1,
          () -> "queued submits: " + server.sequencers().queuedSubmits());
      flooder.close();
      ClientHarness.await(
          () -> metrics().contains("tandem_websocket_connections 1.0\n"),
          () -> "the flooder's socket is still counted");
      stopped.release();

      assertEquals(1, honest.nextOf("ack").path("rev").asLong());
      ClientHarness.await(
          () -> server.sequencers().queuedSubmits() == 0,
          () -> "queued submits: " + server.sequencers().queuedSubmits());
      honest.send(Messages.submit(doc, 1, "[1,\"H\"]", 2));
      long last = honest.nextOf("ack").path("rev").asLong();
      assertEquals(3, last, "the flooder's first submit, and only it, went before");
      String text = Http.get(server, "/api/docs/" + doc).body().path("text").asText();
      assertEquals(1, text.chars().filter(c -> c == 'f').count(), text);
      assertTextIsReplayOfOps(doc);
    } finally {
      freeze.clear();
    }
  }

  private static String metrics() {
    try {
      return Http.client()
          .send(
              Http.request(server, "/metrics").GET().build(),
              java.net.http.HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The highest revision among the ops {@code client} received so far (without waiting). */
  private static long lastRevision(WsClient client, long known) {
    long last = known;
    while (client.hasMessage()) {
      ObjectNode message = client.next();
      if (message.path("type").asText().equals("op")) {
        last = Math.max(last, message.path("rev").asLong());
      }
    }
    return last;
  }

  private static void assertTextIsReplayOfOps(String doc) {
    Http.Reply read = Http.get(server, "/api/docs/" + doc);
    String replayed = "";
    long next = 1;
    while (true) {
      Http.Reply page = Http.get(server, "/api/docs/" + doc + "/ops?from=" + next);
      for (JsonNode op : page.body().path("ops")) {
        replayed = OperationJson.parse(op.path("op").toString()).apply(replayed);
        next++;
      }
      if (page.body().path("next").isNull()) {
        break;
      }
    }
    assertEquals(read.body().path("rev").asLong(), next - 1);
    assertEquals(replayed, read.body().path("text").asText());
  }
}
