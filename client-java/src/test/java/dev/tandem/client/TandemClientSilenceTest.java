package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A socket whose server says nothing after the handshake, against a stand-in server ({@link
 * FakeServer}): silence is judged from the socket's open, so a server that never answers hello
 * (hung, or whose close the JDK's WebSocket did not report) is left and dialled again, as a silent
 * socket after its welcome is.
 */
class TandemClientSilenceTest {

  @Test
  void aHelloWithoutAnswerIsLeftAfterTwoPingIntervals() throws Exception {
    try (FakeServer server = new FakeServer()) {
      server.ignoreHellos(1);
      try (TandemClient client =
          server.client("alice").pingInterval(Duration.ofMillis(200)).build()) {
        TandemDocument a = client.open("a").get(30, TimeUnit.SECONDS);
        a.whenSynchronized().get(30, TimeUnit.SECONDS);
        assertEquals(ConnectionState.CONNECTED, client.connectionState());
        assertEquals(List.of("alice", "alice"), server.hellos());
      }
    }
  }
}
