package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.client.ConnectionState;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.ClientHarness.Editor;
import dev.tandem.sequencer.config.TandemConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Dead sockets are found (issue 12): the server pings silent sockets and closes one that answers
 * nothing within the timeout, and the others learn that its client left. A live idle socket, whose
 * WebSocket answers the pings by itself, stays.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class KeepAliveTest {
  private static final Duration INTERVAL = Duration.ofMillis(200);
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  @Test
  void aSocketWhosePeerVanishedIsClosedAndItsClientLeaves() throws Exception {
    String doc = Servers.freshDoc();
    TandemConfig config = Servers.config().pingInterval(INTERVAL).pingTimeout(TIMEOUT).build();
    try (TandemServer server = Servers.start(config);
        TcpProxy network = new TcpProxy("127.0.0.1", server.port());
        WsClient bob = WsClient.hello(server, "bob-k1");
        WsClient ada =
            WsClient.hello(URI.create("ws://127.0.0.1:" + network.port() + "/ws"), "ada-k1")) {
      bob.send(Messages.open(doc));
      bob.next("opened");
      ada.send(Messages.open(doc));
      ada.next("opened");
      assertEquals("ada-k1", bob.next("presence").path("client").asText());

      network.freeze(); // ada's network vanishes: no FIN, no answer
      ObjectNode left = bob.next("presence"); // bounded wait (WsClient.WAIT)
      assertEquals("ada-k1", left.path("client").asText());
      assertTrue(left.path("left").asBoolean());
      String metrics =
          Http.client()
              .send(
                  Http.request(server, "/metrics").GET().build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      assertTrue(metrics.contains("tandem_websocket_dead_total 1\n"), metrics);

      // bob, idle all along, answered every ping and is still served
      Thread.sleep(TIMEOUT.multipliedBy(3).toMillis());
      assertFalse(bob.isClosed());
      bob.send("{\"type\":\"ping\"}");
      bob.next("pong");
      bob.pingFrame();
    }
  }

  /**
   * A socket that answers every ping (the JDK's WebSocket does) but never says hello is closed with
   * 1008 after the ping timeout: it would otherwise hold a connection, and a place in
   * max-connections-per-address, for ever.
   */
  @Test
  void aSocketThatNeverSaysHelloIsClosed() throws Exception {
    TandemConfig config = Servers.config().pingInterval(INTERVAL).pingTimeout(TIMEOUT).build();
    try (TandemServer server = Servers.start(config);
        WsClient nameless = WsClient.connect(server);
        WsClient named = WsClient.hello(server, "named-k3")) {
      assertEquals(1008, nameless.awaitClose()); // bounded wait (WsClient.WAIT)
      assertTrue(nameless.closeReason().startsWith("no hello within"), nameless.closeReason());
      named.send("{\"type\":\"ping\"}");
      named.next("pong");
      assertFalse(named.isClosed());
    }
  }

  @Test
  void theJavaClientListsAClientUntilItsSocketIsFoundDead() throws Exception {
    String doc = Servers.freshDoc();
    TandemConfig config = Servers.config().pingInterval(INTERVAL).pingTimeout(TIMEOUT).build();
    try (TandemServer server = Servers.start(config);
        TcpProxy network = new TcpProxy("127.0.0.1", server.port());
        ClientHarness harness = new ClientHarness(12)) {
      Editor bob = harness.editor(server.webSocketUri(), "bob-k2", doc);
      List<ConnectionState> bobStates = new CopyOnWriteArrayList<>();
      bob.client.addConnectionListener(bobStates::add);
      try (WsClient ada =
          WsClient.hello(URI.create("ws://127.0.0.1:" + network.port() + "/ws"), "ada-k2")) {
        ada.send(Messages.open(doc));
        ada.next("opened");
        ClientHarness.await(
            () -> bob.document.presences().containsKey("ada-k2"),
            () -> "bob does not list ada: " + bob.document.presences());
        network.freeze();
        ClientHarness.await(
            () -> bob.document.presences().isEmpty(),
            () -> "bob still lists " + bob.document.presences());
      }
      // bob's socket, silent but for the JDK's pongs (its own pings are 2 s apart), stayed up
      assertEquals(ConnectionState.CONNECTED, bob.client.connectionState());
      assertEquals(List.of(), bobStates, "bob's socket never went");
    }
  }
}
