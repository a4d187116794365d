package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.ot.TextOperation;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A document another node owns, against two stand-in servers ({@link FakeServer}), the seed and the
 * owner: the client follows {@code moved} to a socket of the owner's, whose welcome is that
 * socket's only (the client's identity, state and backoff come from the seed socket).
 */
class TandemClientNodesTest {

  @Test
  void aNodesWelcomeIsNotTheClientsIdentity() throws Exception {
    List<Identity> identities = new CopyOnWriteArrayList<>();
    try (FakeServer seed = new FakeServer();
        FakeServer owner = new FakeServer();
        TandemClient client = seed.client("alice").addIdentityListener(identities::add).build()) {
      TandemDocument doc = client.open("a").get(30, TimeUnit.SECONDS);
      seed.moveTo("a", owner.uri());
      Await.until("the open on the owner", () -> owner.opens().equals(List.of("a")));
      doc.edit(text -> TextOperation.builder().insert("x").build()).get(30, TimeUnit.SECONDS);
      doc.whenSynchronized().get(30, TimeUnit.SECONDS);
      assertEquals(List.of("alice/1"), owner.committed("a"), "edited on the owner");
      assertEquals(List.of(), seed.committed("a"));
      assertEquals(1, identities.size(), "the seed's welcome only: " + identities);
      assertEquals(ConnectionState.CONNECTED, client.connectionState());
    }
  }

  /**
   * A document redirected twice within a second waits a backoff before it reopens; a socket to its
   * new owner that another document's redirect connects meanwhile does not open it early (and so
   * twice: once at its welcome, once after the backoff).
   */
  @Test
  void aWelcomeDuringARedirectsBackoffLeavesTheDocumentWaiting() throws Exception {
    try (FakeServer seed = new FakeServer();
        FakeServer first = new FakeServer();
        FakeServer second = new FakeServer();
        TandemClient client =
            seed.client("alice").backoff(Duration.ofMillis(400), Duration.ofSeconds(1)).build()) {
      TandemDocument a = client.open("a").get(30, TimeUnit.SECONDS);
      client.open("b").get(30, TimeUnit.SECONDS);
      seed.moveTo("a", first.uri());
      Await.until("a open on the first owner", () -> first.opens().equals(List.of("a")));
      first.moveTo("a", second.uri()); // a second redirect within a second: a backoff
      Await.until("a waiting", () -> a.state() == DocumentState.OFFLINE);
      seed.moveTo("b", second.uri()); // the first of b: a socket to the second owner at once
      Await.until("b open on the second owner", () -> second.opens().contains("b"));
      Await.until("a open on the second owner", () -> second.opens().contains("a"));
      a.whenSynchronized().get(30, TimeUnit.SECONDS);
      Thread.sleep(1_200); // past the longest backoff: a reopen it scheduled would have come
      List<String> opens = second.opens();
      assertEquals(1, opens.stream().filter("a"::equals).count(), "a once: " + opens);
      assertEquals(1, opens.stream().filter("b"::equals).count(), "b once: " + opens);
    }
  }

  /**
   * A node's lost socket is made again after a backoff; a document redirected to that node
   * meanwhile waits for it instead of dialling at once (a node that went away would be asked in a
   * tight loop).
   */
  @Test
  void aRedirectToANodeWhoseSocketIsBackingOffWaitsForIt() throws Exception {
    Duration initial = Duration.ofSeconds(2); // every backoff is at least half of it
    try (FakeServer seed = new FakeServer();
        FakeServer node = new FakeServer();
        TandemClient client =
            seed.client("alice")
                .backoff(initial, Duration.ofSeconds(4))
                // a socket whose end the JDK's WebSocket does not report is found dead by its pings
                // (one CI run waited 30 s for the dropped node socket with the default of 20 s)
                .pingInterval(Duration.ofMillis(200))
                .build()) {
      TandemDocument a = client.open("a").get(30, TimeUnit.SECONDS);
      TandemDocument b = client.open("b").get(30, TimeUnit.SECONDS);
      seed.moveTo("a", node.uri());
      Await.until("a open on the node", () -> node.opens().equals(List.of("a")));
      long lost = System.nanoTime();
      node.dropConnections();
      Await.until("a offline", () -> a.state() == DocumentState.OFFLINE);
      seed.moveTo("b", node.uri());
      Await.until("the node's socket made again", () -> node.hellos().size() == 2);
      long waited = System.nanoTime() - lost;
      assertTrue(
          waited >= initial.toNanos() / 2,
          "dialled " + waited / 1_000_000 + " ms after the loss, within its backoff");
      Await.until("a and b open on the node", () -> node.opens().containsAll(List.of("a", "b")));
      b.whenSynchronized().get(30, TimeUnit.SECONDS);
      assertEquals(List.of("alice", "alice"), node.hellos());
    }
  }
}
