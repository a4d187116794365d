package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code ops} messages, the one way committed ops reach a socket: the ops of a commit group in one
 * binary frame, everyone's, the client's own among them in place of acks; the order of ops on every
 * socket.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class OpsFramesTest {
  private static final int SUBMITS_EACH = 100;
  private static TandemServer server;

  @BeforeAll
  static void start() {
    server = Servers.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** {@code batch} (the former opt-in) is an unknown field now: ignored, whatever its value. */
  @Test
  void aHelloThatSaysBatchIsWelcomedAsAnyOther() {
    for (String batch : List.of("true", "false", "1")) {
      try (WsClient client = WsClient.connect(server)) {
        client.send(
            "{\"type\":\"hello\",\"token\":\"\",\"client\":\"c\",\"protocol\":1,\"batch\":"
                + batch
                + "}");
        ObjectNode welcome = client.next("welcome");
        assertFalse(welcome.has("batch"), welcome.toString());
      }
    }
  }

  /**
   * Two clients submit 100 ops each back to back, so that commit groups form; a third only watches.
   * Every socket must see every revision exactly once and in order, all of them in {@code ops}
   * frames (binary, nothing else is), the submitters their own ops among them and no ack.
   */
  @Test
  void everySocketSeesEveryRevisionOnceInOrder() {
    String doc = Servers.freshDoc();
    try (WsClient alice = hello("ops-alice");
        WsClient bob = hello("ops-bob");
        WsClient carol = hello("ops-carol")) {
      for (WsClient client : List.of(alice, bob, carol)) {
        client.send(Messages.open(doc));
        client.next("opened");
      }
      for (int seq = 1; seq <= SUBMITS_EACH; seq++) {
        alice.send(Messages.submit(doc, 0, "[\"a\"]", seq)); // all on revision 0
        bob.send(Messages.submit(doc, 0, "[\"b\"]", seq));
      }
      Seen seenByAlice = readAll(alice, "ops-alice");
      Seen seenByBob = readAll(bob, "ops-bob");
      Seen seenByCarol = readAll(carol, "ops-carol");

      assertEquals(new Seen(SUBMITS_EACH, SUBMITS_EACH), seenByAlice);
      assertEquals(new Seen(SUBMITS_EACH, SUBMITS_EACH), seenByBob);
      assertEquals(new Seen(0, 2 * SUBMITS_EACH), seenByCarol);
      for (WsClient client : List.of(alice, bob, carol)) {
        assertTrue(
            client.binaryMessages() < 2 * SUBMITS_EACH,
            "200 submits sent back to back formed no commit group of more than one op");
      }
    }
  }

  /** What one socket received, counted: own ops and others' ops inside ops frames. */
  private record Seen(int ownOps, int othersOps) {}

  /**
   * Reads until revisions 1..200 have all arrived, checking that each comes once, in order, in an
   * ops frame, and that each frame came in a binary one.
   */
  private static Seen readAll(WsClient client, String clientId) {
    long expected = 1;
    int ownOps = 0;
    int othersOps = 0;
    int opsFrames = 0;
    while (expected <= 2L * SUBMITS_EACH) {
      ObjectNode frame = client.next("ops");
      opsFrames++;
      for (JsonNode op : frame.path("ops")) {
        assertEquals(expected++, op.path("rev").asLong(), "op out of order: " + frame);
        if (op.path("client").asText().equals(clientId)) {
          ownOps++;
        } else {
          othersOps++;
        }
      }
    }
    assertFalse(client.hasMessage());
    assertEquals(opsFrames, client.binaryMessages());
    return new Seen(ownOps, othersOps);
  }

  /**
   * A client's own op in an {@code ops} frame is its ack, so it frees the submit's place in {@code
   * submit-queue-per-connection} as an ack does. It did not once: after that many submits, every
   * later one was refused with {@code rate_limited} (the load generator's, for one).
   */
  @Test
  void ownOpsFreeTheSubmitQueue() {
    String doc = Servers.freshDoc();
    try (TandemServer small = Servers.start(Servers.config().submitQueuePerConnection(4).build());
        WsClient client = WsClient.hello(small, "ops-queue").rawOps()) {
      client.send(Messages.open(doc));
      client.next("opened");
      for (int seq = 1; seq <= 12; seq++) { // three times the bound, one at a time
        String op = seq == 1 ? "[\"x\"]" : "[" + (seq - 1) + ",\"x\"]";
        client.send(Messages.submit(doc, seq - 1, op, seq));
        ObjectNode frame = client.next();
        assertEquals("ops", frame.path("type").asText(), "submit " + seq + ": " + frame);
        assertEquals(seq, frame.path("ops").get(0).path("rev").asLong());
      }
    }
  }

  private static WsClient hello(String clientId) {
    return WsClient.hello(server, clientId).rawOps();
  }
}
