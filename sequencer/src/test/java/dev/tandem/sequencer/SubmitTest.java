package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.OperationJson;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.persistence.OpLog;
import dev.tandem.persistence.StoredOp;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The submit path over a real WebSocket: sequencing, transform, dedupe, errors, broadcast. */
@ExtendWith(EmbeddedPostgresExtension.class)
class SubmitTest {
  private static TandemServer server;

  @BeforeAll
  static void start() {
    server =
        Servers.start(
            Servers.config()
                .maxDocumentCodePoints(20)
                .maxOpCodePoints(12)
                .maxOpenDocumentsPerConnection(3)
                .build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void openCreatesAnEmptyDocumentAndASubmitIsAckedAndBroadcast() {
    String doc = Servers.freshDoc();
    try (WsClient alice = WsClient.hello(server, "alice-1");
        WsClient bob = WsClient.hello(server, "bob-1")) {
      alice.send(Messages.open(doc));
      ObjectNode opened = alice.next("opened");
      assertEquals(0, opened.path("rev").asLong());
      assertEquals("", opened.path("text").asText());
      bob.send(Messages.open(doc));
      bob.next("opened");

      alice.send(Messages.submit(doc, 0, "[\"hi 😀\"]", 1));
      ObjectNode ack = alice.next("ack");
      assertEquals(1, ack.path("rev").asLong());
      assertEquals(1, ack.path("seq").asLong());
      assertEquals(doc, ack.path("doc").asText());

      ObjectNode op = bob.next("op");
      assertEquals(1, op.path("rev").asLong());
      assertEquals("[\"hi 😀\"]", op.path("op").toString());
      assertEquals("alice-1", op.path("client").asText());
      assertEquals(1, op.path("seq").asLong());
      assertFalse(alice.hasMessage(), "the sender gets no op message of its own op");
    }
  }

  @Test
  void concurrentOpsAreTransformedAndConverge() {
    String doc = Servers.freshDoc();
    try (WsClient alice = WsClient.hello(server, "alice-2");
        WsClient bob = WsClient.hello(server, "bob-2")) {
      alice.send(Messages.open(doc));
      alice.next("opened");
      alice.send(Messages.submit(doc, 0, "[\"abc\"]", 1));
      alice.next("ack");
      bob.send(Messages.open(doc));
      assertEquals("abc", bob.next("opened").path("text").asText());

      // Both edit revision 1: alice appends, bob prepends.
      alice.send(Messages.submit(doc, 1, "[3,\"A\"]", 2));
      assertEquals(2, alice.next("ack").path("rev").asLong());
      bob.send(Messages.submit(doc, 1, "[\"B\",3]", 1));
      List<ObjectNode> toBob = bob.until("ack");
      assertEquals("op", toBob.get(0).path("type").asText(), "the op before the ack");
      assertEquals(2, toBob.get(0).path("rev").asLong());
      assertEquals(3, toBob.get(1).path("rev").asLong());
      ObjectNode transformed = alice.next("op");
      assertEquals("[\"B\",4]", transformed.path("op").toString());

      try (WsClient carol = WsClient.hello(server, "carol-2")) {
        carol.send(Messages.open(doc));
        ObjectNode opened = carol.next("opened");
        assertEquals(3, opened.path("rev").asLong());
        assertEquals("BabcA", opened.path("text").asText());
      }
    }
  }

  @Test
  void aResubmittedOpGetsItsOriginalRevisionAndIsAppliedOnce() {
    String doc = Servers.freshDoc();
    try (WsClient alice = WsClient.hello(server, "alice-3")) {
      alice.send(Messages.open(doc));
      alice.next("opened");
      alice.send(Messages.submit(doc, 0, "[\"x\"]", 5));
      assertEquals(1, alice.next("ack").path("rev").asLong());
      alice.send(Messages.submit(doc, 1, "[1,\"y\"]", 6));
      assertEquals(2, alice.next("ack").path("rev").asLong());
    }
    // A reconnect that resends seq 5 (with its old base) gets the old ack, nothing is applied.
    try (WsClient again = WsClient.hello(server, "alice-3")) {
      again.send(Messages.open(doc, 0));
      ObjectNode opened = again.next("opened");
      assertEquals(2, opened.path("ops").size());
      again.send(Messages.submit(doc, 0, "[\"x\"]", 5));
      ObjectNode ack = again.next("ack");
      assertEquals(1, ack.path("rev").asLong());
      assertEquals(5, ack.path("seq").asLong());
      again.send(Messages.close(doc));
      again.next("closed");
      again.send(Messages.open(doc));
      assertEquals("xy", again.next("opened").path("text").asText());
    }
  }

  @Test
  void aResubmitAfterTheDocumentWasReloadedIsFoundInTheDatabase() {
    String doc = Servers.freshDoc();
    try (WsClient alice = WsClient.hello(server, "alice-4")) {
      alice.send(Messages.open(doc));
      alice.next("opened");
      alice.send(Messages.submit(doc, 0, "[\"x\"]", 1));
      alice.next("ack");
    }
    // the same node started again (its id): it takes the document back with an empty memory
    try (TandemServer other =
            Servers.start(Servers.config().nodeId(server.sequencers().nodeId()).build());
        WsClient again = WsClient.hello(other, "alice-4")) {
      again.send(Messages.open(doc, 1));
      again.next("opened");
      again.send(Messages.submit(doc, 0, "[\"x\"]", 1));
      assertEquals(1, again.next("ack").path("rev").asLong());
    }
  }

  @Test
  void errorsCarryTheirCodesAndTheConnectionStaysOpen() {
    String doc = Servers.freshDoc();
    try (WsClient alice = WsClient.hello(server, "alice-5")) {
      alice.send(Messages.submit(doc, 0, "[\"x\"]", 1));
      assertEquals("bad_request", alice.next("error").path("code").asText(), "not open");
      alice.send(Messages.open(doc));
      alice.next("opened");

      alice.send(Messages.submit(doc, 7, "[\"x\"]", 1));
      ObjectNode future = alice.next("error");
      assertEquals("rev_out_of_range", future.path("code").asText());
      assertEquals(1, future.path("seq").asLong());
      assertEquals(doc, future.path("doc").asText());

      alice.send(Messages.submit(doc, 0, "[3,\"x\"]", 2));
      assertEquals("invalid_op", alice.next("error").path("code").asText(), "base length");
      alice.send(Messages.submit(doc, 0, "[\"\\ud800\"]", 3));
      assertEquals("invalid_op", alice.next("error").path("code").asText(), "lone surrogate");
      alice.send(Messages.submit(doc, 0, "[0]", 4));
      assertEquals("invalid_op", alice.next("error").path("code").asText(), "zero retain");
      alice.send(Messages.submit(doc, 0, "[\"a\\u0000b\"]", 5));
      assertEquals("invalid_op", alice.next("error").path("code").asText(), "U+0000");
      alice.send(Messages.submit(doc, 0, "[\"" + "😀".repeat(13) + "\"]", 6));
      ObjectNode tooLarge = alice.next("error");
      assertEquals("too_large", tooLarge.path("code").asText());
      assertFalse(tooLarge.path("retryable").asBoolean());
      assertTrue(
          tooLarge.path("message").asText().contains("op inserts 13 code points"),
          tooLarge.toString());

      alice.send(Messages.open(doc + "-x", 3));
      ObjectNode past = alice.next("error");
      assertEquals("rev_out_of_range", past.path("code").asText());

      // Nothing of the above was applied.
      alice.send(Messages.submit(doc, 0, "[1,1]".replace("[1,1]", "[\"ok\"]"), 7));
      assertEquals(1, alice.next("ack").path("rev").asLong());
    }
  }

  @Test
  void aDocumentCannotGrowPastItsLimit() {
    String doc = Servers.freshDoc();
    try (WsClient alice = WsClient.hello(server, "alice-12")) {
      alice.send(Messages.open(doc));
      alice.next("opened");
      alice.send(Messages.submit(doc, 0, "[\"" + "😀".repeat(10) + "\"]", 1));
      alice.next("ack");
      alice.send(Messages.submit(doc, 1, "[10,\"" + "b".repeat(10) + "\"]", 2));
      alice.next("ack");
      alice.send(Messages.submit(doc, 2, "[20,\"c\"]", 3));
      ObjectNode error = alice.next("error");
      assertEquals("too_large", error.path("code").asText());
      assertTrue(
          error.path("message").asText().contains("document would have 21 code points"),
          error.toString());
      alice.send(Messages.submit(doc, 2, "[19,-1]", 4)); // shrinking is fine
      assertEquals(3, alice.next("ack").path("rev").asLong());
    }
  }

  @Test
  void aSubmitOnABaseOlderThanMemoryIsTransformedAgainstTheStoredOps() {
    String doc = Servers.freshDoc();
    try (TandemServer small = Servers.start(Servers.config().historyInMemory(2).build());
        WsClient alice = WsClient.hello(small, "alice-13");
        WsClient bob = WsClient.hello(small, "bob-13")) {
      alice.send(Messages.open(doc));
      alice.next("opened");
      bob.send(Messages.open(doc));
      bob.next("opened");
      for (int rev = 0; rev < 6; rev++) {
        alice.send(
            Messages.submit(doc, rev, rev == 0 ? "[\"a\"]" : "[" + rev + ",\"a\"]", rev + 1));
        assertEquals(rev + 1, alice.next("ack").path("rev").asLong());
      }
      // Memory keeps revisions 5 and 6: bob's op on revision 0 meets 1 to 4 from the database.
      bob.send(Messages.submit(doc, 0, "[\"B\"]", 1));
      assertEquals(7, bob.until("ack").get(6).path("rev").asLong());
      // A resubmit of alice's first op, no longer in memory, is found in the database.
      alice.send(Messages.submit(doc, 0, "[\"a\"]", 1));
      List<ObjectNode> replies = alice.until("ack");
      assertEquals(1, replies.get(replies.size() - 1).path("rev").asLong(), replies.toString());
      assertEquals("Baaaaaa", Http.get(small, "/api/docs/" + doc).body().path("text").asText());
    }
  }

  @Test
  void aNonCanonicalOpIsAcceptedAndCanonicalised() {
    String doc = Servers.freshDoc();
    try (WsClient alice = WsClient.hello(server, "alice-6");
        WsClient bob = WsClient.hello(server, "bob-6")) {
      alice.send(Messages.open(doc));
      alice.next("opened");
      bob.send(Messages.open(doc));
      bob.next("opened");
      alice.send(Messages.submit(doc, 0, "[\"a\",\"b\"]", 1));
      alice.next("ack");
      assertEquals("[\"ab\"]", bob.next("op").path("op").toString());
      alice.send(Messages.submit(doc, 1, "[1,1]", 2));
      alice.next("ack");
      assertEquals("[2]", bob.next("op").path("op").toString());
    }
  }

  @Test
  void openWithARevisionReceivesExactlyTheOpsAfterIt() {
    String doc = Servers.freshDoc();
    try (WsClient alice = WsClient.hello(server, "alice-7")) {
      alice.send(Messages.open(doc));
      alice.next("opened");
      for (int i = 0; i < 5; i++) {
        alice.send(Messages.submit(doc, i, i == 0 ? "[\"a\"]" : "[" + i + ",\"a\"]", i + 1));
        assertEquals(i + 1, alice.next("ack").path("rev").asLong());
      }
    }
    try (WsClient bob = WsClient.hello(server, "bob-7")) {
      bob.send(Messages.open(doc, 2));
      ObjectNode opened = bob.next("opened");
      assertEquals(5, opened.path("rev").asLong());
      assertEquals(3, opened.path("ops").size());
      for (int i = 0; i < 3; i++) {
        ObjectNode op = (ObjectNode) opened.path("ops").get(i);
        assertEquals(i + 3, op.path("rev").asLong());
        assertEquals("alice-7", op.path("client").asText());
        assertEquals(i + 3, op.path("seq").asLong());
      }
    }
  }

  @Test
  void presenceIsRelayedNotEchoedAndLeftOnClose() {
    String doc = Servers.freshDoc();
    try (WsClient alice = WsClient.hello(server, "alice-8");
        WsClient bob = WsClient.hello(server, "bob-8")) {
      alice.send(Messages.open(doc));
      alice.next("opened");
      bob.send(Messages.open(doc));
      bob.next("opened");
      assertEquals("alice-8", bob.next("presence").path("client").asText(), "present on join");
      assertEquals("bob-8", alice.next("presence").path("client").asText(), "the joiner");
      alice.send(Messages.presence(doc, 0, 0, 0));
      ObjectNode presence = bob.next("presence");
      assertEquals("alice-8", presence.path("client").asText());
      assertEquals("[[0,0]]", presence.path("selection").toString());
      assertEquals("Ada", presence.path("meta").path("name").asText());
      alice.send("{\"type\":\"ping\"}");
      alice.next("pong");
      assertFalse(alice.hasPresence(), "no echo of the presence came before the pong");

      try (WsClient carol = WsClient.hello(server, "carol-8")) {
        carol.send(Messages.open(doc));
        carol.next("opened");
        ObjectNode current = carol.next("presence");
        assertEquals("alice-8", current.path("client").asText(), "current presence");
        assertEquals("[[0,0]]", current.path("selection").toString());
        assertEquals("bob-8", carol.next("presence").path("client").asText(), "idle, present");
        carol.send(Messages.close(doc));
        carol.next("closed");
      }
      for (WsClient other : List.of(alice, bob)) {
        assertEquals("carol-8", other.next("presence").path("client").asText(), "joined");
        ObjectNode carolLeft = other.next("presence");
        assertEquals("carol-8", carolLeft.path("client").asText());
        assertTrue(carolLeft.path("left").asBoolean());
      }
      alice.send(Messages.close(doc));
      alice.next("closed");
      ObjectNode left = bob.next("presence");
      assertEquals("alice-8", left.path("client").asText());
      assertTrue(left.path("left").asBoolean());
    }
  }

  @Test
  void aDisconnectRemovesPresence() {
    String doc = Servers.freshDoc();
    try (WsClient bob = WsClient.hello(server, "bob-9")) {
      bob.send(Messages.open(doc));
      bob.next("opened");
      WsClient alice = WsClient.hello(server, "alice-9");
      alice.send(Messages.open(doc));
      alice.next("opened");
      assertEquals("alice-9", bob.next("presence").path("client").asText(), "joined");
      alice.close();
      ObjectNode left = bob.next("presence");
      assertEquals("alice-9", left.path("client").asText());
      assertTrue(left.path("left").asBoolean());
    }
  }

  @Test
  void theNumberOfOpenDocumentsPerConnectionIsLimited() {
    try (WsClient alice = WsClient.hello(server, "alice-10")) {
      for (int i = 0; i < 3; i++) {
        alice.send(Messages.open(Servers.freshDoc()));
        alice.next("opened");
      }
      alice.send(Messages.open(Servers.freshDoc()));
      assertEquals("too_large", alice.next("error").path("code").asText());
    }
  }

  @Test
  void revisionsAreDenseAndTheTextEqualsTheReplay(OpLog opLog) {
    String doc = Servers.freshDoc();
    try (WsClient alice = WsClient.hello(server, "alice-11");
        WsClient bob = WsClient.hello(server, "bob-11")) {
      alice.send(Messages.open(doc));
      alice.next("opened");
      bob.send(Messages.open(doc));
      bob.next("opened");
      // Both submit against revision 0 without waiting; the server orders them.
      for (int i = 0; i < 5; i++) {
        alice.send(Messages.submit(doc, 0, "[\"a\"]", 100 + i));
        bob.send(Messages.submit(doc, 0, "[\"b\"]", 200 + i));
      }
      int acks = alice.until("ack").size() > 0 ? 1 : 0;
      for (; acks < 5; acks++) {
        alice.until("ack");
      }
      for (int i = 0; i < 5; i++) {
        bob.until("ack");
      }
    }
    List<StoredOp> ops = opLog.readRange(doc, 1, 100);
    assertEquals(10, ops.size());
    String text = "";
    for (int i = 0; i < ops.size(); i++) {
      assertEquals(i + 1, ops.get(i).revision());
      text = ops.get(i).op().apply(text);
    }
    assertEquals(opLog.loadDocument(doc).orElseThrow().text(), text);
    assertEquals(10, text.length());
    assertEquals(
        "[1]", OperationJson.toJson(dev.tandem.ot.TextOperation.builder().retain(1).build()));
  }
}
