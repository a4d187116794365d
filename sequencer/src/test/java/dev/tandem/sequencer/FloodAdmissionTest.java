package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ten new sockets flood a document with costly old-base submits up to its cost bound while it is
 * held at a commit; a new honest editor submits last. Its submit is admitted (the flooders' newest
 * make room for it), its look-up goes with the flooders' instead of after them, and it is sequenced
 * in the first round of the lanes: within a few revisions of the head it found, not after the
 * flood.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class FloodAdmissionTest {
  private static final int FLOODERS = 10;
  private static final int EACH = 5;
  private static final int HEAD = 50; // a base-0 submit then costs 51
  private static final int COST_LIMIT = 1_000; // about 19 of them

  private static final HandOffFreeze freeze = new HandOffFreeze();
  private static TandemServer server;

  @BeforeAll
  static void start() {
    server =
        Servers.start(
            Servers.config()
                .submitQueuePerConnection(EACH)
                .submitQueueCostPerDocument(COST_LIMIT)
                .historyInMemory(2 * HEAD)
                .build(),
            freeze);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aNewHonestEditorIsAdmittedAndServedInTheFirstRoundOfAFlood() throws Exception {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"\"}").status());
    for (int rev = 0; rev < HEAD; rev++) {
      String op = rev == 0 ? "[\"w\"]" : "[" + rev + ",\"w\"]";
      String body =
          "{\"rev\":" + rev + ",\"op\":" + op + ",\"client\":\"writer\",\"seq\":" + (rev + 1) + "}";
      assertEquals(200, Http.post(server, "/api/docs/" + doc + "/ops", body).status());
    }
    List<WsClient> flooders = new ArrayList<>();
    try (WsClient honest = WsClient.hello(server, "honest-new");
        WsClient trigger = WsClient.hello(server, "trigger")) {
      honest.send(Messages.open(doc));
      honest.next("opened");
      trigger.send(Messages.open(doc));
      trigger.next("opened");
      for (int i = 0; i < FLOODERS; i++) {
        WsClient flooder = WsClient.hello(server, "new-flooder-" + i);
        flooders.add(flooder);
        flooder.send(Messages.open(doc));
        flooder.next("opened");
      }

      // The document stops at its next hand-off; everything below waits for it, in this order.
      HandOffFreeze.Hold stopped = freeze.hold(doc);
      trigger.send(Messages.submit(doc, HEAD, "[" + HEAD + ",\"t\"]", 1));
      stopped.awaitHeld();
      long frozenHead = HEAD + 1;
      for (int seq = 1; seq <= EACH; seq++) {
        for (WsClient flooder : flooders) {
          flooder.send(Messages.submit(doc, 0, "[\"f\"]", seq)); // base 0: costs 51
        }
      }
      honest.send(Messages.submit(doc, frozenHead, "[" + frozenHead + ",\"H\"]", 1));
      ClientHarness.await(
          () -> server.sequencers().queuedSubmits() == FLOODERS * EACH + 2,
          () -> "queued submits: " + server.sequencers().queuedSubmits());
      stopped.release();

      ObjectNode answer = honest.nextOf("ack", "error");
      assertEquals("ack", answer.path("type").asText(), "the honest submit: " + answer);
      long honestRevision = answer.path("rev").asLong();
      int acked = 0;
      int refused = 0;
      for (WsClient flooder : flooders) {
        for (int n = 0; n < EACH; n++) {
          ObjectNode flood = flooder.nextOf("ack", "error");
          if (flood.path("type").asText().equals("ack")) {
            acked++;
          } else {
            assertEquals("rate_limited", flood.path("code").asText(), flood.toString());
            refused++;
          }
        }
      }
      System.out.printf(
          "FloodAdmissionTest: honest acked at revision %d, %d after the held head %d; flood"
              + " submits acked %d, refused at the cost bound %d%n",
          honestRevision, honestRevision - frozenHead, frozenHead, acked, refused);
      assertTrue(refused > 0, "the flood exceeded the cost bound: some were refused");
      assertTrue(acked >= FLOODERS, "every flooder keeps its first submit: " + acked);
      // Round-robin, look-ups together: before the honest submit go at most one submit of each
      // flooder's lane, and a second of the one whose look-up may have gone alone (in arrival
      // order, all 19 admitted flood submits would).
      assertTrue(
          honestRevision <= frozenHead + FLOODERS + 3,
          "honest at revision " + honestRevision + ", held head " + frozenHead);
    } finally {
      freeze.clear();
      flooders.forEach(WsClient::close);
    }
  }
}
