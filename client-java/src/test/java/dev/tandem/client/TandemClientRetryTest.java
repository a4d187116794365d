package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.ot.TextOperation;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Retryable refusals against a stand-in server ({@link FakeServer}): the op in flight goes again
 * after a pause on the same socket; once the socket is closed, the reconnect's resend is its only
 * retry, so a client the server closed for sending too much does not provoke it again at once.
 */
class TandemClientRetryTest {

  @Test
  void aRetryPendingWhenTheSocketClosesDoesNotResendOnTheNextOne() throws Exception {
    try (FakeServer server = new FakeServer();
        TandemClient client =
            TandemClient.builder(server.uri())
                .clientId("alice")
                .backoff(Duration.ofMillis(10), Duration.ofSeconds(1))
                .build()) {
      TandemDocument doc = client.open("a").get(30, TimeUnit.SECONDS);
      // four refusals each retried on the same socket after a growing pause (up to 80 ms); the
      // fifth closes it with 1013, its retry due after 80-160 ms, while the reconnect (10 ms) and
      // its resend come sooner; the resend is held, so the op is still in flight when that is due
      server.refuse("a", 5);
      server.hold("a");
      doc.edit(text -> TextOperation.builder().insert("x").build()).get(30, TimeUnit.SECONDS);
      Await.until("the resend after the reconnect", () -> server.heldIds().size() == 1);
      assertEquals(List.of("alice", "alice"), server.hellos());
      Thread.sleep(500); // past the last retry's due time
      assertEquals(Collections.nCopies(6, "alice/1"), server.submits(), "five refused, one resend");
      assertEquals(List.of("alice/1"), server.heldIds());

      server.release("a");
      doc.whenSynchronized().get(30, TimeUnit.SECONDS);
      assertEquals(List.of("alice/1"), server.committed("a"));
      assertEquals("x", doc.text());
      assertEquals(ConnectionState.CONNECTED, client.connectionState());
    }
  }
}
