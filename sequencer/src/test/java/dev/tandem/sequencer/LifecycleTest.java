package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.Database;
import dev.tandem.persistence.DatabaseConfig;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.persistence.OpLog;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Shutdown, restart, a slow consumer and a database that goes away and comes back. */
@ExtendWith(EmbeddedPostgresExtension.class)
class LifecycleTest {

  @Test
  void shutdownClosesSocketsWith1001AndARestartContinuesFromTheStoredHead() {
    String doc = Servers.freshDoc();
    TandemServer first = Servers.start();
    WsClient alice = WsClient.hello(first, "alice-l1");
    alice.send(Messages.open(doc));
    alice.next("opened");
    alice.send(Messages.submit(doc, 0, "[\"abc\"]", 1));
    alice.next("ack");
    alice.send(Messages.submit(doc, 1, "[3,\"d\"]", 2));
    alice.next("ack");
    first.close();
    assertEquals(1001, alice.awaitClose());
    alice.close();

    try (TandemServer second = Servers.start();
        WsClient again = WsClient.hello(second, "alice-l1")) {
      again.send(Messages.open(doc));
      ObjectNode opened = again.next("opened");
      assertEquals(2, opened.path("rev").asLong());
      assertEquals("abcd", opened.path("text").asText());
      again.send(Messages.submit(doc, 2, "[4,\"e\"]", 3));
      assertEquals(3, again.next("ack").path("rev").asLong());
    }
  }

  /**
   * Issue 12, item 10: every client reads 1001, not 1006. Grizzly's shutdown closed the transport,
   * and with it every socket whose close frame was not written yet.
   */
  @Test
  void everySocketReads1001AtShutdown() {
    String doc = Servers.freshDoc();
    TandemServer server = Servers.start();
    List<WsClient> clients = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      WsClient client = WsClient.hello(server, "shutdown-" + i);
      client.send(Messages.open(doc + "-" + (i % 4)));
      client.next("opened");
      clients.add(client);
    }
    server.close();
    List<Integer> codes = clients.stream().map(WsClient::awaitClose).toList();
    clients.forEach(WsClient::close);
    assertEquals(java.util.Collections.nCopies(20, 1001), codes);
  }

  @Test
  void twoServersOnOneDatabaseShareADocumentByLeaseAndHandItOverAtShutdown() {
    String doc = Servers.freshDoc();
    try (TandemServer second = Servers.start();
        WsClient bob = WsClient.hello(second, "bob-l4")) {
      try (TandemServer first = Servers.start();
          WsClient alice = WsClient.hello(first, "alice-l4")) {
        alice.send(Messages.open(doc));
        alice.next("opened");
        alice.send(Messages.submit(doc, 0, "[\"a\"]", 1));
        assertEquals(1, alice.next("ack").path("rev").asLong());

        // The first server holds the document's lease: the second sends bob there.
        bob.send(Messages.open(doc));
        ObjectNode moved = bob.next("error");
        assertEquals("moved", moved.path("code").asText(), moved.toString());
        assertEquals(
            first.webSocketUri().getPort(), URI.create(moved.path("url").asText()).getPort());
      }
      // The first stopped gracefully and gave its documents up: the second takes it at once.
      bob.send(Messages.open(doc));
      assertEquals(1, bob.next("opened").path("rev").asLong());
      bob.send(Messages.submit(doc, 1, "[1,\"b\"]", 1));
      assertEquals(2, bob.next("ack").path("rev").asLong());
    }
    OpLog opLog = EmbeddedPostgresExtension.database().opLog();
    assertEquals("ab", opLog.loadDocument(doc).orElseThrow().text());
  }

  @Test
  void aSlowSubscriberIsClosedWith1013AndNeverSlowsTheWriter() {
    String doc = Servers.freshDoc();
    try (TandemServer server = Servers.start(Servers.config().outboundQueueLimit(4).build());
        WsClient writer = WsClient.hello(server, "writer-l2");
        WsClient stalled = WsClient.connectStalled(server)) {
      writer.send(Messages.open(doc));
      writer.next("opened");
      stalled.send("{\"type\":\"hello\",\"client\":\"stalled-l2\",\"protocol\":1}");
      stalled.send(Messages.open(doc));
      // Let the server take the stalled client's open before the writer starts.
      writer.send(Messages.presence(doc, 0, 0, 0));
      String chunk = "x".repeat(100_000);
      long length = 0;
      for (int seq = 1; seq <= 80; seq++) {
        String op = length == 0 ? "[\"" + chunk + "\"]" : "[" + length + ",\"" + chunk + "\"]";
        writer.send(Messages.submit(doc, seq - 1, op, seq));
        assertEquals(seq, writer.next("ack").path("rev").asLong());
        length += chunk.length();
      }
      stalled.resume();
      assertEquals(1013, stalled.awaitClose());
    }
  }

  @Test
  void whenTheDatabaseIsAwaySubmitsGetUnavailableAndNothingAckedIsLost() throws Exception {
    DatabaseConfig shared = EmbeddedPostgresExtension.database().connectionConfig();
    URI jdbc = URI.create(shared.url().substring("jdbc:".length()));
    String doc = Servers.freshDoc();
    try (TcpProxy proxy = new TcpProxy(jdbc.getHost(), jdbc.getPort());
        Database database =
            Database.open(
                new DatabaseConfig(
                    shared.url().replace(":" + jdbc.getPort() + "/", ":" + proxy.port() + "/"),
                    shared.user(),
                    shared.password(),
                    2,
                    shared.dataDirectory()));
        TandemServer server = Servers.start(Servers.config().build(), database);
        WsClient alice = WsClient.hello(server, "alice-l3")) {
      alice.send(Messages.open(doc));
      alice.next("opened");
      alice.send(Messages.submit(doc, 0, "[\"a\"]", 1));
      assertEquals(1, alice.next("ack").path("rev").asLong());

      proxy.cut();
      alice.send(Messages.submit(doc, 1, "[1,\"b\"]", 2));
      ObjectNode error = alice.next("error");
      assertEquals("unavailable", error.path("code").asText(), error.toString());
      assertTrue(error.path("retryable").asBoolean());
      assertEquals(2, error.path("seq").asLong());

      proxy.restore();
      // The client retries the same op with the same seq until the database is back.
      long deadline = System.nanoTime() + 2 * WsClient.WAIT.toNanos();
      ObjectNode reply;
      do {
        alice.send(Messages.submit(doc, 1, "[1,\"b\"]", 2));
        reply = alice.next();
      } while (!"ack".equals(reply.path("type").asText()) && System.nanoTime() < deadline);
      assertEquals("ack", reply.path("type").asText(), reply.toString());
      assertEquals(2, reply.path("rev").asLong());
      alice.send(Messages.submit(doc, 2, "[2,\"c\"]", 3));
      assertEquals(3, alice.next("ack").path("rev").asLong());
      // What the server holds in memory (served at the head) is what the database holds.
      assertEquals("abc", Http.get(server, "/api/docs/" + doc).body().path("text").asText());
    }
    OpLog opLog = EmbeddedPostgresExtension.database().opLog();
    assertEquals("abc", opLog.loadDocument(doc).orElseThrow().text());
    assertEquals(
        List.of(1L, 2L, 3L), opLog.readRange(doc, 1, 10).stream().map(o -> o.revision()).toList());
  }
}
