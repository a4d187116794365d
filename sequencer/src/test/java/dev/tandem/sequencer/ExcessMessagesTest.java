package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.client.ConnectionState;
import dev.tandem.client.TandemClient;
import dev.tandem.client.TandemDocument;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code excess-message-limit}: a socket answered {@code rate_limited} that many times within the
 * window kept sending instead of pausing, and is closed with 1013 (its flood then costs the server
 * nothing more); one that pauses keeps its socket, and client-java, which retries after a backoff,
 * keeps working, whether or not it was closed. Nothing acknowledged is lost either way.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ExcessMessagesTest {
  private static final int PER_SECOND = 10;
  private static final int EXCESS_LIMIT = 20;

  private static TandemServer server;

  @BeforeAll
  static void start() {
    server =
        Servers.start(
            Servers.config()
                .maxMessagesPerSecond(PER_SECOND)
                .excessMessageLimit(EXCESS_LIMIT)
                .build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aSocketThatSendsOnAfterRateLimitedIsClosedWith1013AndLosesNothingAcknowledged()
      throws Exception {
    String doc = Servers.freshDoc();
    Set<Long> acked = new HashSet<>();
    int refused = 0;
    try (WsClient flooder = WsClient.hello(server, "excess-flooder")) {
      flooder.send(Messages.open(doc));
      flooder.next("opened");
      try {
        for (int seq = 1; seq <= 200; seq++) {
          flooder.send(Messages.submit(doc, 0, "[\"x\"]", seq));
        }
      } catch (CompletionException closed) {
        // the server closed the socket while it was still sending: as it should
      }
      int code = flooder.awaitClose(); // or a reset, if its data still arrived at the close
      assertTrue(code == 1013 || code == -1, "closed with " + code);
      if (code == 1013) {
        assertTrue(flooder.closeReason().contains("rate_limited"), flooder.closeReason());
      }
      while (flooder.hasMessage()) {
        ObjectNode answer = flooder.next();
        if (answer.path("type").asText().equals("ack")) {
          acked.add(answer.path("seq").asLong());
        } else {
          assertEquals("rate_limited", answer.path("code").asText(), answer.toString());
          refused++;
        }
      }
    }
    // Frames still queued at the close are dropped (and a reset loses what the client had not
    // read): the client sees at most the limit's refusals, and the messages after the last of them
    // were neither applied nor answered. The server counts the close.
    assertTrue(refused <= EXCESS_LIMIT, refused + " refusals before the close");
    assertTrue(acked.size() + refused < 200, "every message was answered: " + acked.size());
    // The document and the server serve on.
    try (WsClient next = WsClient.hello(server, "excess-after")) {
      next.send(Messages.open(doc));
      long head = next.next("opened").path("rev").asLong();
      String op = head == 0 ? "[\"y\"]" : "[" + head + ",\"y\"]";
      next.send(Messages.submit(doc, head, op, 1));
      // A flood op that was still on its way may come first, as an op.
      assertTrue(next.nextOf("ack").path("rev").asLong() > head);
    }
    // A flood submit admitted before the close (the first of its lane stays) may still be on its
    // way to the database: the op list and the text agree once it landed.
    ClientHarness.await(
        () -> floodOps(doc).size() == xs(doc), () -> "the flood ops stored and the text disagree");
    // Every acknowledged submit is stored once; a submit admitted but unanswered when the socket
    // closed may be stored too (its client would send it again and get its ack). Acks that were
    // still to come when the socket closed are not sent, so there may be none.
    List<JsonNode> stored = floodOps(doc);
    Set<Long> storedSeqs = new HashSet<>();
    for (JsonNode op : stored) {
      assertTrue(storedSeqs.add(op.path("seq").asLong()), "stored twice: " + op);
    }
    assertTrue(storedSeqs.containsAll(acked), "acked " + acked + ", stored " + storedSeqs);
    String text = Http.get(server, "/api/docs/" + doc).body().path("text").asText();
    assertEquals(stored.size(), text.chars().filter(c -> c == 'x').count(), text);
    assertEquals("x".repeat(stored.size()) + "y", text.replace("y", "") + "y", text);
    assertTrue(metric("tandem_websocket_floods_closed_total") >= 1);
  }

  private static List<JsonNode> floodOps(String doc) {
    return storedOps(doc).stream()
        .filter(op -> op.path("client").asText().equals("excess-flooder"))
        .toList();
  }

  private static long xs(String doc) {
    return Http.get(server, "/api/docs/" + doc)
        .body()
        .path("text")
        .asText()
        .chars()
        .filter(c -> c == 'x')
        .count();
  }

  @Test
  void aSocketThatPausesAfterRateLimitedKeepsItsSocketAndEverySubmitLands() throws Exception {
    String doc = Servers.freshDoc();
    int submits = PER_SECOND + PER_SECOND / 2;
    try (WsClient client = WsClient.hello(server, "excess-patient")) {
      client.send(Messages.open(doc));
      client.next("opened");
      for (int seq = 1; seq <= submits; seq++) { // a second's worth goes at once, the rest not
        client.send(Messages.submit(doc, 0, "[\"x\"]", seq));
      }
      List<Long> waiting = new ArrayList<>();
      int refusals = 0;
      for (int i = 0; i < submits; i++) {
        ObjectNode answer = client.nextOf("ack", "error");
        if (answer.path("type").asText().equals("error")) {
          assertEquals("rate_limited", answer.path("code").asText(), answer.toString());
          waiting.add(answer.path("seq").asLong());
          refusals++;
        }
      }
      // Each refused submit goes again after a pause, one at a time, as clients retry.
      for (long seq : waiting) {
        while (true) {
          Thread.sleep(2 * 1000 / PER_SECOND);
          client.send(Messages.submit(doc, 0, "[\"x\"]", seq));
          ObjectNode answer = client.nextOf("ack", "error");
          if (answer.path("type").asText().equals("ack")) {
            break;
          }
          assertEquals("rate_limited", answer.path("code").asText(), answer.toString());
          refusals++;
        }
      }
      assertTrue(refusals < EXCESS_LIMIT, refusals + " refusals: the test did not pause enough");
      assertFalse(client.isClosed(), "closed although it paused");
    }
    assertEquals(
        "x".repeat(submits), Http.get(server, "/api/docs/" + doc).body().path("text").asText());
  }

  /**
   * client-java sends its next op as soon as the last is acknowledged; at two messages a second
   * with a limit of one refusal, a quick ack makes its next submit the refused one, and its socket
   * is closed with 1013. It reconnects with backoff, catches up and resends; it edits until that
   * happened (bounded by the deadline), and every edit lands exactly once.
   */
  @Test
  void clientJavaClosedWith1013ForExcessReconnectsAndKeepsEveryEdit() throws Exception {
    String doc = Servers.freshDoc();
    try (TandemServer strict =
            Servers.start(Servers.config().maxMessagesPerSecond(2).excessMessageLimit(1).build());
        TandemClient client =
            TandemClient.builder(strict.webSocketUri())
                .clientId("excess-java")
                .backoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .build()) {
      List<ConnectionState> states = new CopyOnWriteArrayList<>();
      client.addConnectionListener(states::add);
      TandemDocument document = client.open(doc).get(30, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + ClientHarness.DEADLINE.toNanos();
      int edits = 0;
      while (edits < 10 || !states.contains(ConnectionState.OFFLINE)) {
        assertTrue(System.nanoTime() < deadline, "never refused and closed: " + states);
        String mark = Character.toString('a' + edits % 26);
        document.edit(
            text ->
                TextOperation.builder()
                    .retain(text.codePointCount(0, text.length()))
                    .insert(mark)
                    .build());
        document.whenSynchronized().get(30, TimeUnit.SECONDS);
        edits++;
      }
      String expected = document.text();
      assertEquals(edits, expected.length());
      assertEquals(expected, Http.get(strict, "/api/docs/" + doc).body().path("text").asText());
      assertEquals(edits, storedOps(strict, doc).size(), "an edit stored twice or lost");
      assertEquals(ConnectionState.CONNECTED, client.connectionState());
    }
  }

  private static List<JsonNode> storedOps(String doc) {
    return storedOps(server, doc);
  }

  private static List<JsonNode> storedOps(TandemServer on, String doc) {
    List<JsonNode> ops = new ArrayList<>();
    for (long from = 1; ; ) {
      JsonNode page = Http.get(on, "/api/docs/" + doc + "/ops?from=" + from).body();
      page.path("ops").forEach(ops::add);
      if (page.path("next").isNull()) {
        return ops;
      }
      from = page.path("next").asLong();
    }
  }

  private static long metric(String name) {
    for (String line : server.sequencers().metrics().scrape().split("\n")) {
      if (line.startsWith(name + " ")) {
        return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    throw new AssertionError("no metric " + name);
  }
}
