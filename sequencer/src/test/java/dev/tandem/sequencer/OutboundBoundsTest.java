package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.persistence.OpLog;
import dev.tandem.sequencer.config.TandemConfig;
import dev.tandem.sequencer.metrics.Metrics;
import dev.tandem.sequencer.server.OutboundBudget;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12, item 6: what waits for clients is bounded in bytes, per socket and in total. Clients
 * that never read are real sockets that complete the upgrade and then read nothing ({@link
 * StalledSocket}). The kernel's buffers take a few MB of what is sent to a socket that does not
 * read (its send buffer grows to {@code tcp_wmem}'s maximum, 4 MiB by default); what is beyond
 * stays waiting in the server, which is what the bounds count.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class OutboundBoundsTest {
  private static final long MIB = 1024 * 1024;
  private static final String HUGE = "x".repeat(6_000_000); // more than the kernel's buffers take

  @Test
  void aSocketThatNeverReadsIsClosedWith1013OnceOverItsByteBound() throws InterruptedException {
    String doc = Servers.freshDoc();
    try (TandemServer server = Servers.start(config().outboundSocketBytes(2 * MIB).build());
        WsClient writer = WsClient.hello(server, "writer-o1");
        StalledSocket stalled = StalledSocket.hello(server, "stalled-o1")) {
      Metrics metrics = server.sequencers().metrics();
      writer.send(Messages.open(doc));
      writer.next("opened");
      stalled.send(Messages.open(doc));
      // Ops of 100 KB each: the first ones wait in the network, the next ones here, until more
      // than 2 MiB would. The writer is never slowed.
      String chunk = "y".repeat(100_000);
      long length = 0;
      int seq = 0;
      while (metrics.slowConsumersClosed() == 0) {
        seq++;
        String op = length == 0 ? "[\"" + chunk + "\"]" : "[" + length + ",\"" + chunk + "\"]";
        writer.send(Messages.submit(doc, seq - 1, op, seq));
        assertEquals(seq, writer.next("ack").path("rev").asLong());
        length += chunk.length();
        assertTrue(seq < 500, "the stalled socket was never given up");
      }
      assertTrue(
          server.outboundBudget().used() <= 2 * MIB,
          server.outboundBudget().used() + " bytes still counted after the socket was given up");

      assertEquals(1013, stalled.readCloseCode()); // once it reads, the close frame is there
      ClientHarness.await(
          () -> server.outboundBudget().used() == 0,
          () -> server.outboundBudget().used() + " bytes stay counted");
    }
  }

  @Test
  void atTheTotalBoundOpensAreRefusedWhileAcksFlowAndServedAgainOnceTheLoadGoes(OpLog opLog)
      throws Exception {
    // One each: sockets that share a document get each other's presence, and would be closed as
    // behind (by the rule this test ends with) before the bound is shown.
    List<String> huge = docs(opLog, 4, HUGE);
    String honestDoc = Servers.freshDoc();
    String later = Servers.freshDoc();
    try (TandemServer server =
            Servers.start(
                config().outboundSocketBytes(8 * MIB).outboundTotalBytes(2 * MIB).build());
        WsClient honest = WsClient.hello(server, "honest-o2")) {
      OutboundBudget budget = server.outboundBudget();
      honest.send(Messages.open(honestDoc));
      honest.next("opened");
      List<StalledSocket> hostile = new ArrayList<>();
      try {
        // Each opens a huge document and never reads it: a few MB each stay waiting. A first
        // frame is never refused (the socket had nothing waiting), so none of them is closed.
        for (int i = 0; i < 4; i++) {
          StalledSocket socket = StalledSocket.hello(server, "hostile-o2-" + i);
          hostile.add(socket);
          socket.send(Messages.open(huge.get(i)));
        }
        ClientHarness.await(budget::isFull, () -> budget.used() + " bytes wait, not the bound");

        for (int seq = 1; seq <= 5; seq++) { // small frames for a client that reads still go
          String op = seq == 1 ? "[\"h\"]" : "[" + (seq - 1) + ",\"h\"]";
          honest.send(Messages.submit(honestDoc, seq - 1, op, seq));
          assertEquals(seq, honest.next("ack").path("rev").asLong());
        }
        honest.send(Messages.open(later));
        ObjectNode refused = honest.next();
        assertEquals(
            "error",
            refused.path("type").asText(),
            "open served with " + budget.used() + " waiting");
        assertEquals("unavailable", refused.path("code").asText(), refused.toString());
        assertTrue(refused.path("retryable").asBoolean());
        assertEquals(later, refused.path("doc").asText());
        Http.Reply stream = Http.get(server, "/api/docs/" + honestDoc + "/events");
        assertEquals(503, stream.status(), stream.toString());
        assertEquals("unavailable", stream.body().path("code").asText());

        // A socket that is behind while the bound is reached gets nothing more: even the small
        // error frame answering its open closes it.
        hostile.get(0).send(Messages.open(later));
        ClientHarness.await(
            () -> server.sequencers().metrics().slowConsumersClosed() == 1,
            () -> "the hostile socket that is behind was not closed");
        assertEquals(1013, hostile.get(0).readCloseCode());
      } finally {
        hostile.forEach(StalledSocket::close);
      }

      ClientHarness.await(() -> budget.used() == 0, () -> budget.used() + " bytes stay counted");
      honest.send(Messages.open(later));
      assertEquals(later, honest.next("opened").path("doc").asText());
      honest.send(Messages.open(huge.get(0)));
      assertEquals(HUGE.length(), honest.next("opened").path("text").asText().length());
      assertEquals(5, Http.get(server, "/api/docs/" + honestDoc).body().path("rev").asLong());
    }
  }

  @Test
  void aClientThatOpensManyLargeDocumentsAtOnceIsPacedNotClosed(OpLog opLog) throws Exception {
    String text = "z".repeat(800_000);
    List<String> docs = docs(opLog, 12, text);
    // Two answers at a time on top of half the bound: 2 MiB + 2 × 0.8 MB fit in 4 MiB; the 12
    // together (9.6 MB) do not, even with what the kernel's buffers take.
    try (TandemServer server = Servers.start(config().outboundSocketBytes(4 * MIB).build());
        TcpProxy proxy = TcpProxy.withSmallBuffers("127.0.0.1", server.port());
        WsClient client =
            WsClient.hello(URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"), "many-o4")) {
      proxy.pauseDownstream(); // the answers, for a client that reads none of them yet
      for (String doc : docs) {
        client.send(Messages.open(doc));
      }
      ClientHarness.await(
          () -> server.outboundBudget().used() > MIB, () -> "the answers did not start");
      proxy.resumeDownstream();
      Set<String> opened = new HashSet<>();
      while (opened.size() < docs.size()) {
        ObjectNode message = client.next();
        assertEquals("opened", message.path("type").asText(), message.path("code").asText());
        assertEquals(text.length(), message.path("text").asText().length());
        opened.add(message.path("doc").asText());
      }
      assertEquals(Set.copyOf(docs), opened);
      assertEquals(0, server.sequencers().metrics().slowConsumersClosed());
    }
  }

  @Test
  void aClientClosedAsSlowReconnectsAndCatchesUp() throws Exception {
    String doc = Servers.freshDoc();
    try (TandemServer server = Servers.start(config().outboundSocketBytes(256 * 1024).build());
        TcpProxy proxy = TcpProxy.withSmallBuffers("127.0.0.1", server.port());
        ClientHarness harness = new ClientHarness(12);
        WsClient writer = WsClient.hello(server, "writer-o3")) {
      Metrics metrics = server.sequencers().metrics();
      ClientHarness.Editor slow =
          harness.editor(URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"), "slow-o3", doc);
      writer.send(Messages.open(doc));
      writer.next("opened");

      proxy.pauseDownstream(); // the slow client stops reading
      String chunk = "y".repeat(50_000);
      long length = 0;
      int seq = 0;
      while (metrics.slowConsumersClosed() == 0) {
        seq++;
        String op = length == 0 ? "[\"" + chunk + "\"]" : "[" + length + ",\"" + chunk + "\"]";
        writer.send(Messages.submit(doc, seq - 1, op, seq));
        assertEquals(seq, writer.next("ack").path("rev").asLong());
        length += chunk.length();
        assertTrue(seq < 1000, "the slow client was never closed");
      }
      proxy.resumeDownstream(); // it reads the close (1013), reconnects and sends open {rev}

      String text = Http.get(server, "/api/docs/" + doc).body().path("text").asText();
      long head = seq;
      ClientHarness.await(
          () -> slow.document.revision() == head && slow.document.text().equals(text),
          () -> "the slow client is at revision " + slow.document.revision() + " of " + head);
      assertTrue(slow.errors.isEmpty(), slow.errors.toString());
    }
  }

  /**
   * Keep-alive pings that come due after the test: a socket that does not read answers none, and
   * the server would close it as dead, which is not what these tests look at.
   */
  private static TandemConfig.Builder config() {
    return Servers.config()
        .pingInterval(Duration.ofMinutes(10))
        .pingTimeout(Duration.ofMinutes(20));
  }

  private static List<String> docs(OpLog opLog, int count, String text) {
    List<String> docs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String doc = Servers.freshDoc();
      opLog.createDocument(doc, text);
      docs.add(doc);
    }
    return docs;
  }
}
