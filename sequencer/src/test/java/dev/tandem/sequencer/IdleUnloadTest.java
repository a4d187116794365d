package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Documents nobody has open are unloaded after the idle time, and load again on next use. */
@ExtendWith(EmbeddedPostgresExtension.class)
class IdleUnloadTest {
  @Test
  void anIdleDocumentIsUnloadedAndReloadsOnNextUse() throws InterruptedException {
    String doc = Servers.freshDoc();
    try (TandemServer server =
        Servers.start(Servers.config().idleUnloadAfter(Duration.ofSeconds(1)).build())) {
      try (WsClient alice = WsClient.hello(server, "alice-u1")) {
        alice.send(Messages.open(doc));
        alice.next("opened");
        alice.send(Messages.submit(doc, 0, "[\"kept\"]", 1));
        alice.next("ack");
        alice.send(Messages.close(doc));
        alice.next("closed");
      }
      assertEquals(1, server.sequencers().loadedDocuments());
      ClientHarness.await(
          () -> server.sequencers().loadedDocuments() == 0, () -> "document still loaded");
      assertEquals(0, server.sequencers().loadedDocuments());
      try (WsClient bob = WsClient.hello(server, "bob-u1")) {
        bob.send(Messages.open(doc));
        assertEquals("kept", bob.next("opened").path("text").asText());
        bob.send(Messages.submit(doc, 1, "[4,\"!\"]", 1));
        assertEquals(2, bob.next("ack").path("rev").asLong());
      }
    }
  }
}
