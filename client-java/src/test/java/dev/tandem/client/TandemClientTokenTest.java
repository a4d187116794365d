package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tokens in the client, against the stand-in server checking tokens {@code USER:EXP}: the identity
 * from welcome, a short-lived token refreshed with {@code auth} on the same socket, a refused
 * refresh retried with backoff, and expiry (close 1008) answered by a reconnect with a fresh token
 * or, without a provider, by the end of the client. (The real server's side is in the sequencer
 * module's ClientTokenTest.)
 */
class TandemClientTokenTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  private FakeServer server;
  private TandemClient client;
  private final ConcurrentLinkedQueue<ConnectionState> states = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<TandemException> errors = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Identity> identities = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void start() throws Exception {
    server = new FakeServer();
    server.tokens(
        token -> {
          String[] parts = token.split(":");
          return parts.length == 2 && parts[1].matches("[0-9]+")
              ? new FakeServer.Principal(parts[0], parts[0].toUpperCase(), Long.parseLong(parts[1]))
              : null;
        });
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    server.close();
  }

  /** A token for {@code user} that expires {@code life} from now. */
  private static String token(String user, Duration life) {
    return user + ":" + Instant.now().plus(life).getEpochSecond();
  }

  private TandemClient connect(TandemClient.Builder builder) {
    client =
        builder
            .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
            .addConnectionListener(states::add)
            .addErrorListener(errors::add)
            .addIdentityListener(identities::add)
            .build();
    return client;
  }

  private List<ErrorCode> errorCodes() {
    return errors.stream().map(TandemException::code).toList();
  }

  @Test
  void welcomeTellsWhoTheClientIsAndAStaticTokenIsNeverRefreshed() throws Exception {
    String token = token("ada", Duration.ofSeconds(3));
    connect(TandemClient.builder(server.uri()).token(token));
    client.whenConnected().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    Identity ada =
        new Identity(
            "ada",
            "ADA",
            Optional.empty(),
            Optional.of(Instant.ofEpochSecond(Long.parseLong(token.split(":")[1]))));
    assertEquals(ada, client.identity());
    assertEquals("ada", client.userId());
    Await.until("the listener", () -> identities.size() == 1);
    assertEquals(List.of(ada), List.copyOf(identities));
    TandemDocument doc = client.open("notes").get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    doc.edit(text -> dev.tandem.ot.TextOperation.builder().insert("ok").build());
    doc.whenSynchronized().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertEquals(List.of(), server.auths(), "without a provider a token is never refreshed");
  }

  @Test
  void aShortLivedTokenIsRefreshedWithAuthOnTheSameSocket() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    connect(
        TandemClient.builder(server.uri())
            .tokenProvider(
                () -> {
                  calls.incrementAndGet();
                  return token("ada", Duration.ofSeconds(3 + calls.get()));
                }));
    TandemDocument doc = client.open("notes").get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    // a 4 s token: 60 s before exp has passed, so it is refreshed after the 1 s floor
    Await.until("two refreshes", () -> identities.size() >= 3);
    assertEquals(2, server.auths().size(), server.auths().toString());
    List<Instant> expiries = identities.stream().map(i -> i.expiresAt().orElseThrow()).toList();
    assertTrue(expiries.get(2).isAfter(expiries.get(0)), expiries.toString());
    assertEquals(1, server.hellos().size());
    assertEquals(List.of(ConnectionState.CONNECTED), List.copyOf(states));
    doc.edit(text -> dev.tandem.ot.TextOperation.builder().insert("ok").build());
    doc.whenSynchronized().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertEquals(List.of(), errorCodes());
  }

  @Test
  void aRefusedRefreshIsReportedAndRetriedWithBackoffWhileTheOldTokenServes() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    connect(
        TandemClient.builder(server.uri())
            .tokenProvider(
                () ->
                    switch (calls.incrementAndGet()) {
                      case 1 -> token("ada", Duration.ofSeconds(3));
                      case 2 -> token("mallory", Duration.ofHours(1)); // another sub: refused
                      case 3 -> "garbage";
                      default -> token("ada", Duration.ofHours(1));
                    }));
    client.whenConnected().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    Await.until("the third auth", () -> server.auths().size() >= 3 && identities.size() >= 2);
    assertEquals(List.of(ErrorCode.UNAUTHORIZED, ErrorCode.UNAUTHORIZED), errorCodes());
    assertEquals(List.of(ConnectionState.CONNECTED), List.copyOf(states));
    Instant refreshed = client.identity().expiresAt().orElseThrow();
    assertTrue(refreshed.isAfter(Instant.now().plus(Duration.ofMinutes(50))), refreshed.toString());
  }

  @Test
  void expiryWithAProviderReconnectsWithAFreshToken() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    connect(
        TandemClient.builder(server.uri())
            .tokenProvider(
                () -> {
                  calls.incrementAndGet();
                  return token("ada", Duration.ofHours(1));
                }));
    TandemDocument doc = client.open("notes").get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    server.expireAll();
    Await.until(
        "the reconnect", () -> server.hellos().size() == 2 && doc.state() == DocumentState.SYNCED);
    assertEquals(2, calls.get());
    assertEquals(
        List.of(
            ConnectionState.CONNECTED,
            ConnectionState.OFFLINE,
            ConnectionState.CONNECTING,
            ConnectionState.CONNECTED),
        List.copyOf(states));
    assertEquals(List.of(ErrorCode.UNAUTHORIZED), errorCodes());
  }

  @Test
  void expiryWithoutAProviderEndsTheClient() throws Exception {
    connect(TandemClient.builder(server.uri()).token(token("ada", Duration.ofHours(1))));
    client.whenConnected().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    server.expireAll();
    Await.until("the end", () -> client.connectionState() == ConnectionState.CLOSED);
    assertEquals(List.of(ErrorCode.UNAUTHORIZED, ErrorCode.FORBIDDEN), errorCodes());
    assertEquals(1, server.hellos().size());
  }

  @Test
  void aRefusedHelloOrAFailingProviderIsRetriedWithBackoff() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    connect(
        TandemClient.builder(server.uri())
            .tokenProvider(
                () ->
                    switch (calls.incrementAndGet()) {
                      case 1 -> "garbage";
                      case 2 -> throw new java.io.IOException("identity provider away");
                      default -> token("ada", Duration.ofHours(1));
                    }));
    client.whenConnected().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertEquals(3, calls.get());
    assertEquals(List.of(ErrorCode.UNAUTHORIZED, ErrorCode.UNAUTHORIZED), errorCodes());
    assertTrue(
        List.copyOf(errors).get(1).getMessage().contains("identity provider away"),
        errors.toString());
    assertEquals(2, server.hellos().size(), "no socket without a token");
  }

  @Test
  void aProviderWithNothingNewSendsNoAuthAndIsAskedAgainLater() throws Exception {
    String fixed = token("ada", Duration.ofSeconds(30));
    AtomicInteger calls = new AtomicInteger();
    connect(
        TandemClient.builder(server.uri())
            .tokenProvider(
                () -> calls.incrementAndGet() < 4 ? fixed : token("ada", Duration.ofSeconds(90))));
    client.whenConnected().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    // 30 s of life: the refresh comes after the 1 s floor, gets the same token, sends nothing,
    // and asks again after the refresh backoff until the provider has a new one
    Await.until("the new token", () -> identities.size() >= 2);
    assertEquals(4, calls.get());
    assertEquals(1, server.auths().size(), server.auths().toString());
    assertTrue(!server.auths().contains(fixed), "the same token is not sent again");
  }
}
