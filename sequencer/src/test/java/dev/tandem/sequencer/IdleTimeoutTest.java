package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sockets have no idle timeout, from the first message on. Regression: with the timeout set per
 * socket when it opened, Tyrus sometimes ran a timeout task scheduled before and closed a new
 * socket at once ("closed by the container because of the idle timeout").
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class IdleTimeoutTest {
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
  void manyNewSocketsStayOpen() throws InterruptedException {
    String doc = Servers.freshDoc();
    List<WsClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 50; i++) {
        WsClient client = WsClient.hello(server, "idle-" + i);
        client.send(Messages.open(doc));
        client.next("opened");
        clients.add(client);
      }
      Thread.sleep(500);
      for (WsClient client : clients) {
        client.send("{\"type\":\"ping\"}");
        client.next("pong");
        assertFalse(client.isClosed());
      }
    } finally {
      clients.forEach(WsClient::close);
    }
  }
}
