package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code ops} messages (the ops of a commit group in one frame, the client's own among them in
 * place of acks, for clients that say {@code batch: true}) next to plain clients, and the order of
 * ops and acks on every socket.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class BatchedOpsTest {
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

  @Test
  void welcomeSaysBatchOnlyToAClientThatAskedForIt() {
    try (Greeted batching = hello("batch-welcome-1", true);
        Greeted plain = hello("batch-welcome-2", false)) {
      assertTrue(batching.welcome.path("batch").asBoolean());
      assertFalse(plain.welcome.has("batch"));
    }
  }

  @Test
  void aBatchThatIsNotABooleanIsABadRequest() {
    try (WsClient client = WsClient.connect(server)) {
      client.send(
          "{\"type\":\"hello\",\"token\":\"\",\"client\":\"c\",\"protocol\":1,\"batch\":1}");
      ObjectNode error = client.next("error");
      assertEquals("bad_request", error.path("code").asText());
    }
  }

  /**
   * A batching client and a plain one submit 100 ops each back to back, so that commit groups form;
   * a second plain client only watches. Every socket must see every revision exactly once and in
   * order: the batching client all of them in {@code ops} frames, its own among them and no ack;
   * the plain ones as {@code op} frames and acks, never an {@code ops} frame.
   */
  @Test
  void everySocketSeesEveryRevisionOnceInOrder() {
    String doc = Servers.freshDoc();
    try (Greeted alice = hello("batch-alice", true);
        Greeted bob = hello("batch-bob", false);
        Greeted carol = hello("batch-carol", false)) {
      for (Greeted client : List.of(alice, bob, carol)) {
        client.socket.send(Messages.open(doc));
        client.socket.next("opened");
      }
      for (int seq = 1; seq <= SUBMITS_EACH; seq++) {
        alice.socket.send(Messages.submit(doc, 0, "[\"a\"]", seq)); // all on revision 0
        bob.socket.send(Messages.submit(doc, 0, "[\"b\"]", seq));
      }
      Seen seenByAlice = readAll(alice.socket, "batch-alice");
      Seen seenByBob = readAll(bob.socket, "batch-bob");
      Seen seenByCarol = readAll(carol.socket, "batch-carol");

      assertEquals(new Seen(0, SUBMITS_EACH, SUBMITS_EACH, 0), seenByAlice.withoutFrames());
      assertTrue(
          seenByAlice.opsFrames < 2 * SUBMITS_EACH,
          "200 submits sent back to back formed no commit group of more than one op");
      assertEquals(new Seen(SUBMITS_EACH, 0, SUBMITS_EACH, 0), seenByBob);
      assertEquals(new Seen(0, 0, 2 * SUBMITS_EACH, 0), seenByCarol);
      // ops messages come in binary frames (encoded once for all sockets), nothing else does
      assertEquals(seenByAlice.opsFrames, alice.socket.binaryMessages());
      assertEquals(0, bob.socket.binaryMessages());
      assertEquals(0, carol.socket.binaryMessages());
    }
  }

  /**
   * What one socket received, counted: acks, own ops inside ops frames, others' ops, ops frames.
   */
  private record Seen(int acks, int ownOps, int othersOps, int opsFrames) {
    Seen withoutFrames() {
      return new Seen(acks, ownOps, othersOps, 0);
    }
  }

  /** Reads until revisions 1..200 have all arrived, checking that each comes once, in order. */
  private static Seen readAll(WsClient client, String clientId) {
    long expected = 1;
    int acks = 0;
    int ownOps = 0;
    int othersOps = 0;
    int opsFrames = 0;
    while (expected <= 2L * SUBMITS_EACH) {
      ObjectNode frame = client.next();
      List<JsonNode> ops = new ArrayList<>();
      switch (frame.path("type").asText()) {
        case "ack" -> {
          assertEquals(expected++, frame.path("rev").asLong(), "ack out of order: " + frame);
          acks++;
          continue;
        }
        case "op" -> ops.add(frame);
        case "ops" -> {
          opsFrames++;
          frame.path("ops").forEach(ops::add);
        }
        default -> throw new AssertionError("unexpected frame " + frame);
      }
      for (JsonNode op : ops) {
        assertEquals(expected++, op.path("rev").asLong(), "op out of order: " + frame);
        if (op.path("client").asText().equals(clientId)) {
          ownOps++;
        } else {
          othersOps++;
        }
      }
    }
    assertFalse(client.hasMessage());
    return new Seen(acks, ownOps, othersOps, opsFrames);
  }

  /**
   * A batching client's own op in an {@code ops} frame is its ack, so it frees the submit's place
   * in {@code submit-queue-per-connection} as an ack does. It did not: after that many submits,
   * every later one was refused with {@code rate_limited} (the load generator's, for one).
   */
  @Test
  void ownOpsFreeTheSubmitQueueOfABatchingClient() {
    String doc = Servers.freshDoc();
    try (TandemServer small = Servers.start(Servers.config().submitQueuePerConnection(4).build());
        WsClient client = WsClient.connect(small)) {
      client.send(
          "{\"type\":\"hello\",\"token\":\"\",\"client\":\"batch-queue\",\"protocol\":1,"
              + "\"batch\":true}");
      client.next("welcome");
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

  private record Greeted(WsClient socket, ObjectNode welcome) implements AutoCloseable {
    @Override
    public void close() {
      socket.close();
    }
  }

  private static Greeted hello(String clientId, boolean batch) {
    WsClient client = WsClient.connect(server);
    client.send(
        "{\"type\":\"hello\",\"token\":\"\",\"client\":\""
            + clientId
            + "\",\"protocol\":1"
            + (batch ? ",\"batch\":true}" : "}"));
    return new Greeted(client, client.next("welcome"));
  }
}
