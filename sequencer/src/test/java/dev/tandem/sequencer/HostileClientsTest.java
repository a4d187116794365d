package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.client.DocumentListener;
import dev.tandem.ot.TextOperation;
import dev.tandem.sequencer.ClientHarness.Editor;
import dev.tandem.sequencer.Http.Reply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile clients against a server in a child JVM with a small heap ({@code -Xmx256m}): sockets
 * that never read while they open many large documents, and a flood of valid submits on an old base
 * revision. The server must stay up and keep acknowledging honest editors. Latencies are printed,
 * never asserted: every wait is for an event, with a deadline.
 */
class HostileClientsTest {
  private static final int LARGE_DOCUMENTS = 8;
  private static final int HALF = 800_000; // code points: a large document is 2 × HALF ≈ 1.6 MB
  private static final int HOSTILE_SOCKETS = 40;
  private static final int FLOODERS = 10;
  private static final int FLOOD_SECONDS = 10;
  private static final String RUN = Long.toString(System.currentTimeMillis(), 36);
  private static ChildServer server; // static: the helpers below use it

  /**
   * A server of its own per test, so one test's damage cannot fail the other. The system property
   * {@code tandem.hostile.flags} adds server flags, to compare settings side by side (for instance
   * {@code -Dtandem.hostile.flags=--excess-message-limit=0}, the flood before that limit).
   */
  @BeforeEach
  void startServer() throws Exception {
    List<String> flags =
        Arrays.stream(System.getProperty("tandem.hostile.flags", "").split(" "))
            .filter(flag -> !flag.isBlank())
            .toList();
    server = ChildServer.start("hostile-server", List.of("-Xmx256m"), flags);
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /**
   * Forty sockets that never read open eight documents of 1.6 MB each (512 MB of {@code opened}
   * frames, twice the heap; the documents themselves take about 50 MB of it) while two honest
   * editors of small documents keep submitting.
   */
  @Test
  void neverReadingSocketsOfLargeDocumentsNeitherKillTheServerNorStallOthers() throws Exception {
    long started = System.nanoTime();
    List<String> large = new ArrayList<>();
    for (int i = 0; i < LARGE_DOCUMENTS; i++) {
      large.add("large-" + RUN + "-" + i);
      createLargeDocument(large.get(i));
    }
    List<HonestEditor> honest = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      honest.add(new HonestEditor("honest-" + RUN + "-" + i, "small-" + RUN + "-" + i));
    }
    honest.forEach(HonestEditor::start);
    ClientHarness.await(
        () -> honest.stream().allMatch(h -> h.acks() >= 5), () -> "honest editors not acked");

    List<WsClient> hostile = new ArrayList<>();
    long acksBefore = honest.stream().mapToLong(HonestEditor::acks).sum();
    try {
      for (int s = 0; s < HOSTILE_SOCKETS; s++) {
        WsClient socket = WsClient.connectStalled(server.webSocketUri());
        hostile.add(socket);
        socket.send(
            "{\"type\":\"hello\",\"token\":\"\",\"client\":\"hostile-"
                + RUN
                + "-"
                + s
                + "\",\"protocol\":1}");
        for (String docId : large) {
          socket.send(Messages.open(docId));
        }
      }
      // The honest editors keep being acknowledged while the server holds (or sheds) the backlog.
      long target = acksBefore + 40;
      ClientHarness.await(
          () -> honest.stream().mapToLong(HonestEditor::acks).sum() >= target,
          () -> "honest editors stalled by never-reading sockets: " + honest);
      Thread.sleep(3_000); // let the server encode and queue whatever it will
      assertTrue(server.isAlive(), "the server died");
    } finally {
      hostile.forEach(WsClient::close);
    }
    long acksDuring = honest.stream().mapToLong(HonestEditor::acks).sum() - acksBefore;
    honest.forEach(HonestEditor::stop);

    // After the hostile sockets went, the server serves normally, large documents included.
    assertEquals(200, Http.get(server.httpUri(), "/healthz").status());
    try (WsClient fresh = WsClient.hello(server.webSocketUri(), "after-" + RUN)) {
      fresh.send(Messages.open(large.get(0)));
      ObjectNode opened = fresh.next("opened");
      assertEquals(2 * HALF, opened.path("text").asText().length());
      String small = "small-after-" + RUN;
      fresh.send(Messages.open(small));
      fresh.next("opened");
      fresh.send(Messages.submit(small, 0, "[\"ok\"]", 1));
      assertEquals(1, fresh.next("ack").path("rev").asLong());
    }
    List<Long> latencies = new ArrayList<>();
    honest.forEach(h -> latencies.addAll(h.latenciesMillis));
    System.out.printf(
        "HostileClientsTest never-reading: %d sockets x %d documents of %d code points, honest"
            + " acks during the attack %d, honest ack latency ms %s, %.1f s%n",
        HOSTILE_SOCKETS,
        LARGE_DOCUMENTS,
        2 * HALF,
        acksDuring,
        summary(latencies),
        (System.nanoTime() - started) / 1e9);
    String output = server.output();
    assertFalse(output.contains("OutOfMemoryError"), "the server ran out of memory");
    assertTrue(server.isAlive(), "the server died");
  }

  /**
   * Ten sockets flood one document with valid submits on base revision 0 (each must be transformed
   * through everything since), sending on whatever they are answered; an honest client-java editor
   * of the same document makes ten edits, one after the other, and each is acknowledged, in order.
   * Each flooder is closed with 1013 once it was refused {@code excess-message-limit} times (or
   * once it has more than 1,024 messages waiting to be handled); nothing acknowledged to anyone is
   * lost, nothing is stored twice, and the document serves on. The order that keeps the honest
   * editor's wait short is asserted without timing by InboundTurnsTest (its message waits for at
   * most one message per flooder), ArrivalsTest (its submit reaches its lane in the next step) and
   * FairQueueTest (at most one flood submit per flooder is sequenced before it).
   */
  @Test
  void aFloodOfOldBaseSubmitsDoesNotStallAnHonestEditor() throws Exception {
    long started = System.nanoTime();
    String docId = "flood-" + RUN;
    assertEquals(
        201, Http.put(server.httpUri(), "/api/docs/" + docId, "{\"text\":\"flood\"}").status());
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicLong floodSent = new AtomicLong();
    List<Thread> flooders = new ArrayList<>();
    List<WsClient> sockets = new ArrayList<>();
    List<Long> latencies = new ArrayList<>();
    List<Long> ackRevisions = new CopyOnWriteArrayList<>();
    try (ClientHarness harness = new ClientHarness(7L)) {
      // The honest editor is at work when the flood begins.
      Editor editor = harness.editor(server.webSocketUri(), "honest-flood-" + RUN, docId);
      editor.document.addListener(
          new DocumentListener() {
            @Override
            public void onAcknowledged(long revision, long seq) {
              ackRevisions.add(revision);
            }
          });
      for (int f = 0; f < FLOODERS; f++) {
        WsClient socket = WsClient.hello(server.webSocketUri(), "flooder-" + RUN + "-" + f);
        socket.send(Messages.open(docId));
        socket.next("opened");
        sockets.add(socket);
        Thread flooder = new Thread(() -> flood(socket, docId, flooding, floodSent), "flooder");
        flooder.setDaemon(true);
        flooders.add(flooder);
      }
      flooders.forEach(Thread::start);
      ClientHarness.await(() -> floodSent.get() >= 2_000, () -> "the flood did not start");
      for (int i = 0; i < 10; i++) {
        long sent = System.nanoTime();
        String mark = "h" + i;
        editor.document.edit(
            text ->
                TextOperation.builder()
                    .retain(text.codePointCount(0, text.length()))
                    .insert(mark)
                    .build());
        try {
          editor
              .document
              .whenSynchronized()
              .get(ClientHarness.DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          fail(
              "honest edit "
                  + i
                  + " not acknowledged within "
                  + ClientHarness.DEADLINE
                  + " under the flood ("
                  + floodSent.get()
                  + " flood submits sent)");
        }
        latencies.add((System.nanoTime() - sent) / 1_000_000);
      }
      long sentDuring = floodSent.get();
      flooding.set(false);
      for (Thread flooder : flooders) {
        flooder.join(10_000);
      }
      assertEquals(10, ackRevisions.size(), "acks of the honest editor: " + ackRevisions);
      List<Long> sorted = new ArrayList<>(ackRevisions);
      Collections.sort(sorted);
      assertEquals(sorted, ackRevisions, "the honest editor's acks out of order");
      assertEquals(ackRevisions.size(), sorted.stream().distinct().count(), "repeated revision");
      assertTrue(server.isAlive(), "the server died");
      assertEquals(200, Http.get(server.httpUri(), "/healthz").status());
      System.out.printf(
          "HostileClientsTest flood: %d sockets sent %d submits on base revision 0, honest acks"
              + " at revisions %s, honest ack latency ms %s, %.1f s%n",
          FLOODERS, sentDuring, ackRevisions, latencies, (System.nanoTime() - started) / 1e9);

      // Every flooder kept sending after rate_limited, and was closed for it: with 1013, or with
      // a reset when its data was still arriving as the server closed (-1 here, 1006 in a browser).
      for (WsClient socket : sockets) {
        int code = socket.awaitClose();
        assertTrue(code == 1013 || code == -1, "a flooder's close: " + code);
      }
      assertTrue(
          metrics().contains("tandem_websocket_floods_closed_total " + FLOODERS + ".0\n"),
          "not every flooder was closed for its flood");
      // The honest text becomes the server's, once the closed flooders' waiting submits are done.
      ClientHarness.await(
          () -> editor.document.text().equals(serverText(docId)),
          () -> "the honest editor's text is not the server's: " + editor.document.text());
      // Nothing acknowledged is lost, nothing is stored twice.
      Set<String> stored = new HashSet<>();
      for (JsonNode op : storedOps(docId)) {
        String id = op.path("client").asText() + "/" + op.path("seq").asLong();
        assertTrue(stored.add(id), "stored twice: " + id);
      }
      for (int f = 0; f < FLOODERS; f++) {
        WsClient socket = sockets.get(f);
        while (socket.hasMessage()) {
          ObjectNode answer = socket.next();
          if (answer.path("type").asText().equals("ack")) {
            String id = "flooder-" + RUN + "-" + f + "/" + answer.path("seq").asLong();
            assertTrue(stored.contains(id), "acknowledged but not stored: " + id);
          }
        }
      }
    } finally {
      flooding.set(false);
      sockets.forEach(WsClient::close);
    }
  }

  /**
   * Bursts of 60 submits every 10 ms (the flood), each inserting at 0 of the document's
   * first text, for at most {@link #FLOOD_SECONDS}.
   */
  private static void flood(
      WsClient socket, String docId, AtomicBoolean flooding, AtomicLong sent) {
    long seq = 1;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(FLOOD_SECONDS);
    try {
      while (flooding.get() && !socket.isClosed() && System.nanoTime() < end) {
        for (int i = 0; i < 60; i++) {
          socket.send(Messages.submit(docId, 0, "[\"x\",5]", seq++));
          sent.incrementAndGet();
        }
        Thread.sleep(10);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException closed) {
      // the server closed the socket (for instance for flooding): the flood of this one ends
    }
  }

  private static String metrics() throws Exception {
    return Http.client()
        .send(
            Http.request(server.httpUri(), "/metrics").GET().build(),
            java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static String serverText(String docId) {
    return Http.get(server.httpUri(), "/api/docs/" + docId).body().path("text").asText();
  }

  /** Every stored op of {@code docId}, page by page. */
  private static List<JsonNode> storedOps(String docId) {
    List<JsonNode> ops = new ArrayList<>();
    for (long from = 1; ; ) {
      JsonNode page =
          Http.get(server.httpUri(), "/api/docs/" + docId + "/ops?from=" + from + "&limit=10000")
              .body();
      page.path("ops").forEach(ops::add);
      if (page.path("next").isNull()) {
        return ops;
      }
      from = page.path("next").asLong();
    }
  }

  /** {@code PUT} of 800,000 code points, then an op that appends as many again. */
  private static void createLargeDocument(String docId) {
    String half = "0123456789abcdef".repeat(HALF / 16);
    Reply created = Http.put(server.httpUri(), "/api/docs/" + docId, "{\"text\":\"" + half + "\"}");
    assertEquals(201, created.status(), created.body().toString());
    Reply appended =
        Http.post(
            server.httpUri(),
            "/api/docs/" + docId + "/ops",
            "{\"rev\":0,\"op\":[" + HALF + ",\"" + half + "\"]}");
    assertEquals(200, appended.status(), appended.body().toString());
  }

  private static String summary(List<Long> millis) {
    if (millis.isEmpty()) {
      return "none";
    }
    List<Long> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    return String.format(
        "n=%d p50=%d p99=%d max=%d",
        sorted.size(),
        sorted.get(sorted.size() / 2),
        sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))),
        sorted.get(sorted.size() - 1));
  }

  /** A raw editor of its own small document: submit, wait for the ack, submit again. */
  private static final class HonestEditor {
    private final String clientId;
    private final String docId;
    private final List<Long> latenciesMillis = new CopyOnWriteArrayList<>();
    private final AtomicLong acks = new AtomicLong();
    private volatile boolean running = true;
    private volatile Throwable failure;
    private Thread thread;

    HonestEditor(String clientId, String docId) {
      this.clientId = clientId;
      this.docId = docId;
    }

    void start() {
      thread = new Thread(this::edit, clientId);
      thread.setDaemon(true);
      thread.start();
    }

    long acks() {
      if (failure != null) {
        throw new AssertionError(clientId + " failed", failure);
      }
      return acks.get();
    }

    void stop() {
      running = false;
      try {
        thread.join(WsClient.WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      acks();
    }

    private void edit() {
      try (WsClient socket = WsClient.hello(server.webSocketUri(), clientId)) {
        socket.send(Messages.open(docId));
        socket.next("opened");
        for (long seq = 1; running; seq++) {
          long sent = System.nanoTime();
          String op = seq == 1 ? "[\"a\"]" : "[" + (seq - 1) + ",\"a\"]";
          socket.send(Messages.submit(docId, seq - 1, op, seq));
          ObjectNode ack = socket.next("ack");
          assertEquals(seq, ack.path("rev").asLong(), ack.toString());
          latenciesMillis.add((System.nanoTime() - sent) / 1_000_000);
          acks.incrementAndGet();
          Thread.sleep(20);
        }
      } catch (Throwable e) {
        failure = e;
      }
    }

    @Override
    public String toString() {
      return clientId + " acks " + acks.get() + (failure == null ? "" : " failed: " + failure);
    }
  }
}
