package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.protocol.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code open {rev}} far behind: the missed ops arrive a page at a time, the older ones in {@code
 * ops} messages of several ops (read here as one {@code op} event each) and the last page in {@code
 * opened}, in revision order with no gap and no duplicate, read from the database where memory no
 * longer holds them, paced by the socket; live ops follow.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class CatchUpTest {

  /** {@code count} ops by REST, each appending {@code insert} to a document of one-char inserts. */
  private static void appendOps(
      TandemServer server, String doc, int from, int count, String insert) {
    int length = 0;
    for (int rev = 0; rev < from + count; rev++) {
      if (rev >= from) {
        String op = length == 0 ? "[\"" + insert + "\"]" : "[" + length + ",\"" + insert + "\"]";
        Http.Reply reply =
            Http.post(
                server, "/api/docs/" + doc + "/ops", "{\"rev\":" + rev + ",\"op\":" + op + "}");
        assertEquals(rev + 1, reply.body().path("rev").asLong(), reply.body().toString());
      }
      length += insert.length();
    }
  }

  /** The revisions of the {@code op} messages, then of the ops in {@code opened}, checked dense. */
  private static List<Long> revisions(List<ObjectNode> messages, long after, long head) {
    List<Long> revisions = new ArrayList<>();
    ObjectNode opened = messages.get(messages.size() - 1);
    for (ObjectNode message : messages.subList(0, messages.size() - 1)) {
      assertEquals("op", message.path("type").asText(), message.toString());
      revisions.add(message.path("rev").asLong());
    }
    for (JsonNode op : opened.path("ops")) {
      revisions.add(op.path("rev").asLong());
    }
    assertEquals(head, opened.path("rev").asLong());
    for (int i = 0; i < revisions.size(); i++) {
      assertEquals(after + 1 + i, revisions.get(i), "revision at index " + i);
    }
    assertEquals(head - after, revisions.size());
    return revisions;
  }

  @Test
  void aClientFarBehindGetsOpMessagesThenTheLastPageInOpened() {
    String doc = Servers.freshDoc();
    // Memory keeps 25 ops: of the 120 missed, the first ones come from the database.
    try (TandemServer server =
            Servers.start(Servers.config().catchUpPage(10).historyInMemory(25).build());
        WsClient bob = WsClient.hello(server, "bob-catch")) {
      Http.put(server, "/api/docs/" + doc, "");
      appendOps(server, doc, 0, 123, "a");
      bob.send(Messages.open(doc, 3));
      List<ObjectNode> messages = bob.until("opened");
      revisions(messages, 3, 123);
      assertEquals(10, messages.get(messages.size() - 1).path("ops").size(), "the last page");

      appendOps(server, doc, 123, 1, "b");
      assertEquals(124, bob.next("op").path("rev").asLong(), "then live ops");
    }
  }

  @Test
  void aCatchUpAfterTheDocumentWasReloadedReadsTheDatabase() {
    String doc = Servers.freshDoc();
    try (TandemServer first = Servers.start()) {
      Http.put(first, "/api/docs/" + doc, "");
      appendOps(first, doc, 0, 30, "a");
    }
    try (TandemServer server = Servers.start(Servers.config().catchUpPage(8).build());
        WsClient bob = WsClient.hello(server, "bob-reload")) {
      bob.send(Messages.open(doc, 0)); // nothing in memory: every page is read
      revisions(bob.until("opened"), 0, 30);
      bob.send(Messages.submit(doc, 30, "[30,\"z\"]", 1));
      assertEquals(31, bob.next("ack").path("rev").asLong());
    }
  }

  @Test
  void openedStaysWithinTheMessageSizeLimit() {
    String doc = Servers.freshDoc();
    try (TandemServer server = Servers.start(Servers.config().maxMessageBytes(8192).build());
        WsClient bob = WsClient.hello(server, "bob-size")) {
      Http.put(server, "/api/docs/" + doc, "");
      appendOps(server, doc, 0, 20, "é".repeat(1000)); // 2,000 bytes of JSON each
      bob.send(Messages.open(doc, 0));
      List<ObjectNode> messages = bob.until("opened");
      revisions(messages, 0, 20);
      ObjectNode opened = messages.get(messages.size() - 1);
      assertTrue(opened.path("ops").size() >= 1, opened.path("ops").size() + " ops in opened");
      assertTrue(
          Json.utf8Length(opened.toString()) <= 8192,
          Json.utf8Length(opened.toString()) + " bytes of opened");
    }
  }

  @Test
  void missedPagesComeAsOpsFramesOfSeveralOpsWithinTheMessageSizeLimit() {
    String doc = Servers.freshDoc();
    try (TandemServer server =
            Servers.start(Servers.config().catchUpPage(50).maxMessageBytes(8192).build());
        WsClient bob = WsClient.hello(server, "bob-frames").rawOps()) {
      Http.put(server, "/api/docs/" + doc, "");
      appendOps(server, doc, 0, 100, "a");
      for (int rev = 100; rev < 130; rev++) { // 2,000 bytes of JSON each
        int length = 100 + (rev - 100) * 1000;
        String op = "[" + length + ",\"" + "é".repeat(1000) + "\"]";
        Http.Reply reply =
            Http.post(
                server, "/api/docs/" + doc + "/ops", "{\"rev\":" + rev + ",\"op\":" + op + "}");
        assertEquals(rev + 1, reply.body().path("rev").asLong(), reply.body().toString());
      }
      bob.send(Messages.open(doc, 0));
      List<ObjectNode> messages = bob.until("opened");
      List<Long> revisions = new ArrayList<>();
      for (ObjectNode message : messages) {
        assertTrue(
            Json.utf8Length(message.toString()) <= 8192,
            Json.utf8Length(message.toString()) + " bytes of " + message.path("type").asText());
        message.path("ops").forEach(op -> revisions.add(op.path("rev").asLong()));
      }
      assertEquals("ops", messages.get(0).path("type").asText());
      assertEquals(50, messages.get(0).path("ops").size(), "a page of small ops in one frame");
      assertTrue(
          messages.stream().skip(2).anyMatch(m -> m.path("ops").size() > 1),
          "large ops share frames too");
      for (int i = 0; i < revisions.size(); i++) {
        assertEquals(i + 1, revisions.get(i), "revision at index " + i + " of " + revisions);
      }
      assertEquals(130, revisions.size());
    }
  }

  @Test
  void opsCommittedDuringASlowCatchUpFollowItInOrder() {
    String doc = Servers.freshDoc();
    // A page of 2 at a time for a reader that does not read until the writer is done: the catch-up
    // waits for room while more ops are committed, and they come after it, each once.
    try (TandemServer server =
            Servers.start(Servers.config().outboundQueueLimit(8).historyInMemory(10).build());
        WsClient writer = WsClient.hello(server, "writer-slow");
        WsClient reader = WsClient.connectStalled(server)) {
      writer.send(Messages.open(doc));
      writer.next("opened");
      String chunk = "y".repeat(20_000);
      long length = 0;
      for (int seq = 1; seq <= 40; seq++) {
        String op = length == 0 ? "[\"" + chunk + "\"]" : "[" + length + ",\"" + chunk + "\"]";
        writer.send(Messages.submit(doc, seq - 1, op, seq));
        assertEquals(seq, writer.next("ack").path("rev").asLong());
        length += chunk.length();
        if (seq == 20) {
          reader.send("{\"type\":\"hello\",\"client\":\"reader-slow\",\"protocol\":1}");
          reader.send(Messages.open(doc, 0));
        }
      }
      reader.resume();
      reader.next("welcome");
      List<Long> seen = new ArrayList<>();
      boolean opened = false;
      while (seen.size() < 40) {
        ObjectNode message = reader.next();
        String type = message.path("type").asText();
        if (type.equals("op")) {
          seen.add(message.path("rev").asLong());
        } else {
          assertEquals("opened", type, message.toString());
          assertTrue(!opened, "one opened");
          opened = true;
          message.path("ops").forEach(op -> seen.add(op.path("rev").asLong()));
        }
      }
      assertTrue(opened);
      for (int i = 0; i < seen.size(); i++) {
        assertEquals(i + 1, seen.get(i), "revision at index " + i + " of " + seen);
      }
    }
  }

  @Test
  void anSseStreamFarBehindGetsEveryEventInOrderWithoutOverflowing() throws Exception {
    String doc = Servers.freshDoc();
    // 60 events behind a stream that may hold 8: paced, it is not ended as too slow.
    try (TandemServer server =
        Servers.start(Servers.config().outboundQueueLimit(8).historyInMemory(10).build())) {
      Http.put(server, "/api/docs/" + doc, "");
      appendOps(server, doc, 0, 60, "s");
      try (EventsTest.Stream stream =
          new EventsTest.Stream(server, "/api/docs/" + doc + "/events", "0")) {
        for (int rev = 1; rev <= 60; rev++) {
          EventsTest.Event event = stream.next();
          assertEquals("op", event.name());
          assertEquals(rev, event.id());
        }
        appendOps(server, doc, 60, 1, "t");
        assertEquals(61, stream.next().id());
      }
    }
  }
}
