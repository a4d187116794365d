package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tandem.client.ConnectionState;
import dev.tandem.client.DocumentListener;
import dev.tandem.client.DocumentState;
import dev.tandem.client.ErrorCode;
import dev.tandem.client.Identity;
import dev.tandem.client.TandemClient;
import dev.tandem.client.TandemDocument;
import dev.tandem.client.TandemException;
import dev.tandem.client.TokenProvider;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.auth.HmacSecret;
import dev.tandem.sequencer.auth.TokenAuthorizer;
import dev.tandem.sequencer.auth.TokenVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Java client's tokens against a real server that checks signed tokens: a {@link TokenProvider}
 * asked at every connect, a refused hello retried with a fresh token, a client without a provider
 * ended by a refused token, the identity from {@code welcome}, a short-lived token refreshed with
 * {@code auth} on the same socket, one left to expire (close 1008) followed by a reconnect with a
 * fresh token, and a document the refreshed token may no longer read.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ClientTokenTest {
  private static final String SECRET = "client-token-secret-0123456789-abcdefghijklmnopq";
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  private static TandemServer server;
  private final List<TandemClient> clients = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    TokenVerifier verifier =
        TokenVerifier.builder()
            .secret(HmacSecret.fromValue(SECRET, "test"))
            .clockSkew(Duration.ZERO) // a token left to expire is closed at its exp
            .build();
    server =
        TandemServer.builder()
            .config(Servers.config().build())
            .database(EmbeddedPostgresExtension.database())
            .authorizer(new TokenAuthorizer(verifier))
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(TandemClient::close);
  }

  private static String token(String sub, Duration life, Map<String, String> docs) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(sub)
            .claim("name", sub.substring(0, 1).toUpperCase() + sub.substring(1))
            .claim("color", "#3366ff")
            .expirationTime(Date.from(Instant.now().plus(life)))
            .claim("tandem", Map.of("docs", docs))
            .build();
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  private static String token(String sub, Duration life) {
    return token(sub, life, Map.of("*", "write"));
  }

  /**
   * A client with fast reconnects; its connection states and errors are recorded from the first
   * connect on (the listeners are the builder's: a provider that fails at once is heard too).
   */
  private Recorded client(TandemClient.Builder builder) {
    Recorded recorded = new Recorded();
    TandemClient client =
        builder
            .backoff(Duration.ofMillis(20), Duration.ofMillis(400))
            .addConnectionListener(recorded.states::add)
            .addErrorListener(recorded.errors::add)
            .addIdentityListener(recorded.identities::add)
            .build();
    clients.add(client);
    return recorded.with(client);
  }

  private static TandemClient.Builder builder() {
    return TandemClient.builder(server.webSocketUri());
  }

  /** What one client went through. */
  private static final class Recorded {
    final ConcurrentLinkedQueue<ConnectionState> states = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<TandemException> errors = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Identity> identities = new ConcurrentLinkedQueue<>();
    TandemClient client;

    Recorded with(TandemClient client) {
      this.client = client;
      return this;
    }

    List<ErrorCode> errorCodes() {
      return errors.stream().map(TandemException::code).toList();
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + DEADLINE.toSeconds() + " s for " + what);
      }
      Thread.sleep(10);
    }
  }

  private static TextOperation append(String text, String insert) {
    return TextOperation.builder()
        .retain(text.codePointCount(0, text.length()))
        .insert(insert)
        .build();
  }

  @Test
  void theProviderGivesTheHelloTokenAtEveryConnectAndItsSubIsTheUser() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Recorded alice =
        client(
            builder()
                .tokenProvider(
                    () -> {
                      calls.incrementAndGet();
                      return token("alice", Duration.ofHours(1));
                    }));
    TandemDocument doc =
        alice.client.open(Servers.freshDoc()).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertEquals("alice", alice.client.identity().userId());
    assertEquals(1, calls.get());

    alice.client.dropConnection();
    await("the reconnect", () -> calls.get() == 2 && doc.state() == DocumentState.SYNCED);
    doc.edit(text -> append(text, "hi"));
    doc.whenSynchronized().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    String ops =
        Http.get(
                server,
                "/api/docs/"
                    + doc.id()
                    + "/ops?access_token="
                    + token("reader", Duration.ofHours(1)))
            .body()
            .toString();
    assertTrue(ops.contains("\"user\":\"alice\""), ops);
  }

  @Test
  void aRefusedHelloIsRetriedWithAFreshTokenFromTheProvider() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Recorded alice =
        client(
            builder()
                .tokenProvider(
                    () ->
                        calls.incrementAndGet() < 3
                            ? "not-a-token"
                            : token("alice", Duration.ofHours(1))));
    alice.client.whenConnected().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertEquals(3, calls.get());
    assertEquals(List.of(ErrorCode.UNAUTHORIZED, ErrorCode.UNAUTHORIZED), alice.errorCodes());
    assertEquals(ConnectionState.CONNECTED, alice.client.connectionState());
  }

  @Test
  void withoutAProviderARefusedTokenEndsTheClient() throws Exception {
    Recorded alice = client(builder().token("not-a-token"));
    await("the end", () -> alice.client.connectionState() == ConnectionState.CLOSED);
    assertEquals(List.of(ErrorCode.UNAUTHORIZED, ErrorCode.FORBIDDEN), alice.errorCodes());
  }

  @Test
  void aFailingProviderIsReportedAndTriedAgain() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    TokenProvider provider =
        () -> {
          if (calls.incrementAndGet() == 1) {
            throw new java.io.IOException("identity provider away");
          }
          return token("alice", Duration.ofHours(1));
        };
    Recorded alice = client(builder().tokenProvider(provider));
    alice.client.whenConnected().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertEquals(List.of(ErrorCode.UNAUTHORIZED), alice.errorCodes());
    assertTrue(
        alice.errors.peek().getMessage().contains("identity provider away"),
        alice.errors.peek().getMessage());
  }

  @Test
  void welcomeTellsTheNameColourAndExpiry() throws Exception {
    String token = token("alice", Duration.ofHours(1));
    Recorded alice = client(builder().token(token));
    alice.client.whenConnected().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    Identity identity = alice.client.identity();
    Instant exp = SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant();
    assertEquals(
        new Identity("alice", "Alice", Optional.of("#3366ff"), Optional.of(exp)), identity);
    assertEquals(List.of(identity), List.copyOf(alice.identities));
  }

  @Test
  void aShortLivedTokenIsRefreshedWithAuthOnTheSameSocket() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Recorded alice =
        client(
            builder()
                .tokenProvider(
                    () -> {
                      calls.incrementAndGet();
                      return token("alice", Duration.ofSeconds(4));
                    }));
    TandemDocument doc =
        alice.client.open(Servers.freshDoc()).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    // a 4 s token is refreshed 1 s after each welcome or authed (60 s before exp has passed)
    await("two refreshes", () -> alice.identities.size() >= 3);
    List<Instant> expiries =
        alice.identities.stream().map(i -> i.expiresAt().orElseThrow()).toList();
    assertTrue(expiries.get(2).isAfter(expiries.get(0)), expiries.toString());
    assertEquals(
        List.of(ConnectionState.CONNECTED),
        List.copyOf(alice.states),
        "one socket throughout: " + alice.errors);
    doc.edit(text -> append(text, "still here"));
    doc.whenSynchronized().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertTrue(alice.errors.isEmpty(), alice.errors.toString());
    assertTrue(calls.get() >= 3);
  }

  @Test
  void aTokenLeftToExpireClosesTheSocketAndTheProviderReconnects() throws Exception {
    AtomicBoolean expired = new AtomicBoolean();
    AtomicInteger calls = new AtomicInteger();
    TokenProvider provider =
        () ->
            calls.incrementAndGet() == 1 || expired.get()
                ? token("alice", Duration.ofSeconds(3))
                : token("mallory", Duration.ofHours(1)); // another sub: every refresh is refused
    Recorded alice = client(builder().tokenProvider(provider));
    alice.client.addConnectionListener(
        state -> {
          if (state == ConnectionState.OFFLINE) {
            expired.set(true);
          }
        });
    TandemDocument doc =
        alice.client.open(Servers.freshDoc()).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    await("the expiry and the reconnect", () -> expired.get() && alice.states.size() >= 4);
    await("connected again", () -> alice.client.connectionState() == ConnectionState.CONNECTED);
    assertEquals(
        List.of(
            ConnectionState.CONNECTED,
            ConnectionState.OFFLINE,
            ConnectionState.CONNECTING,
            ConnectionState.CONNECTED),
        List.copyOf(alice.states).subList(0, 4));
    assertTrue(alice.errorCodes().contains(ErrorCode.UNAUTHORIZED), alice.errors.toString());
    assertTrue(
        alice.errors.stream().anyMatch(e -> e.getMessage().contains("token expired")),
        alice.errors.toString());
    assertFalse(alice.errorCodes().contains(ErrorCode.FORBIDDEN), "not ended");
    doc.edit(text -> append(text, "after"));
    doc.whenSynchronized().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertEquals("after", doc.text());
  }

  @Test
  void aDocumentTheRefreshedTokenMayNotReadIsClosedWithForbidden() throws Exception {
    String kept = "kept-" + Servers.freshDoc();
    String lost = "lost-" + Servers.freshDoc();
    AtomicInteger calls = new AtomicInteger();
    TokenProvider provider =
        () ->
            calls.incrementAndGet() == 1
                ? token("alice", Duration.ofSeconds(4), Map.of("*", "write"))
                : token("alice", Duration.ofHours(1), Map.of("kept-*", "write"));
    Recorded alice = client(builder().tokenProvider(provider));
    TandemDocument keptDoc = alice.client.open(kept).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    TandemDocument lostDoc = alice.client.open(lost).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    ConcurrentLinkedQueue<ErrorCode> lostErrors = new ConcurrentLinkedQueue<>();
    lostDoc.addListener(
        new DocumentListener() {
          @Override
          public void onError(TandemException error) {
            lostErrors.add(error.code());
          }
        });
    await("the refresh", () -> alice.identities.size() >= 2);
    await("the forbidden document closed", () -> lostDoc.state() == DocumentState.CLOSED);
    assertEquals(List.of(ErrorCode.FORBIDDEN), List.copyOf(lostErrors));
    keptDoc.edit(text -> append(text, "ok"));
    keptDoc.whenSynchronized().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
  }
}
