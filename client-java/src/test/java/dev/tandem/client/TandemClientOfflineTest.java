package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The client with no server to talk to: it keeps trying with backoff, stays usable, and closes
 * cleanly. (Everything that needs a server runs against the real one in the sequencer module's
 * Client*Test end-to-end tests.)
 */
class TandemClientOfflineTest {

  /** A local port nothing listens on: bound, then released. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void retriesWhileNoServerListensAndClosesCleanly() throws Exception {
    URI uri = URI.create("ws://127.0.0.1:" + closedPort() + "/ws");
    List<ConnectionState> states = new CopyOnWriteArrayList<>();
    TandemClient client =
        TandemClient.builder(uri)
            .clientId("offline-1")
            .backoff(Duration.ofMillis(5), Duration.ofMillis(20))
            .build();
    client.addConnectionListener(states::add);
    CompletableFuture<TandemDocument> opening = client.open("doc");

    Await.until(
        () -> "a third connection attempt: " + states,
        () -> states.stream().filter(s -> s == ConnectionState.CONNECTING).count() >= 3);
    assertTrue(states.contains(ConnectionState.OFFLINE), states.toString());
    assertTrue(!opening.isDone(), "open waits for a connection");

    client.close();
    assertEquals(ConnectionState.CLOSED, client.connectionState());
    ExecutionException failed = assertThrows(ExecutionException.class, opening::get);
    assertInstanceOf(IllegalStateException.class, failed.getCause());
    assertThrows(ExecutionException.class, () -> client.whenConnected().get());
    ExecutionException afterClose =
        assertThrows(ExecutionException.class, () -> client.open("other").get(5, TimeUnit.SECONDS));
    assertInstanceOf(IllegalStateException.class, afterClose.getCause());
  }

  @Test
  void theBuildersListenersHearTheFirstAttempt() throws Exception {
    URI uri = URI.create("ws://127.0.0.1:" + closedPort() + "/ws");
    AtomicInteger calls = new AtomicInteger();
    List<String> errors = new CopyOnWriteArrayList<>();
    List<ConnectionState> states = new CopyOnWriteArrayList<>();
    TandemClient client =
        TandemClient.builder(uri)
            .backoff(Duration.ofMillis(5), Duration.ofMillis(20))
            .tokenProvider(
                () -> {
                  throw new IOException("identity provider away, call " + calls.incrementAndGet());
                })
            .addErrorListener(error -> errors.add(error.getMessage()))
            .addConnectionListener(states::add)
            .build();
    try {
      Await.until(
          () -> "a second attempt: " + errors + " " + states,
          () -> errors.size() >= 2 && states.contains(ConnectionState.CONNECTING));
      // the provider failed at once on the first attempt, before build() could return
      assertTrue(errors.get(0).contains("call 1"), errors.toString());
      assertEquals(ConnectionState.OFFLINE, states.get(0), states.toString());
    } finally {
      client.close();
    }
  }

  @Test
  void builderRefusesBadSettings() {
    TandemClient.Builder builder = TandemClient.builder(URI.create("ws://localhost/ws"));
    assertThrows(IllegalArgumentException.class, () -> builder.clientId(""));
    assertThrows(IllegalArgumentException.class, () -> builder.clientId("x".repeat(65)));
    for (String bad : List.of("a\u0000b", "tab\t", "\u007f", "c1\u0085", "\ud800", "x\udc00y")) {
      assertThrows(IllegalArgumentException.class, () -> builder.clientId(bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> builder.clientId("😀".repeat(65)));
    for (String good : List.of("a", "x".repeat(64), "😀".repeat(64), "émile-😀", "c-1 2")) {
      builder.clientId(good);
    }
    assertThrows(IllegalArgumentException.class, () -> builder.firstSeq(0));
    assertThrows(IllegalArgumentException.class, () -> builder.pingInterval(Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> builder.backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
  }
}
