package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.ot.TextOperation;
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
}
