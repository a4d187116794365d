package dev.tandem.sequencer;

import static dev.tandem.sequencer.WebSocketTokenTest.claims;
import static dev.tandem.sequencer.WebSocketTokenTest.hello;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.auth.TokenAuthorizer;
import dev.tandem.sequencer.auth.TokenVerifier;
import dev.tandem.sequencer.auth.Tokens;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A key rotation at the identity provider while clients are connected: the connected keep working
 * (their tokens were verified at hello), a token signed with the new key is accepted at the next
 * hello without a restart, and one signed with the retired key is refused.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class JwksRotationLiveTest {
  private static final RSAKey FIRST = Tokens.rsaKey("live-2026-01");
  private static final RSAKey SECOND = Tokens.rsaKey("live-2026-02");
  private static final AtomicReference<List<JWK>> served =
      new AtomicReference<>(List.of(FIRST.toPublicJWK()));

  private static HttpServer identityProvider;
  private static TokenVerifier verifier;
  private static TandemServer server;

  @BeforeAll
  static void start() throws IOException {
    identityProvider =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    identityProvider.createContext(
        "/jwks.json",
        exchange -> {
          byte[] body = new JWKSet(served.get()).toString().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    identityProvider.start();
    verifier =
        TokenVerifier.builder()
            .jwks("http://127.0.0.1:" + identityProvider.getAddress().getPort() + "/jwks.json")
            .jwksRefreshInterval(Duration.ofHours(1))
            .jwksCacheTtl(Duration.ofHours(2))
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
    verifier.close();
    identityProvider.stop(0);
  }

  @Test
  void connectedClientsKeepWorkingAndTheNewKeyIsAcceptedWithoutARestart() {
    String doc = "team-42-" + Servers.freshDoc();
    Map<String, String> team = Map.of("team-42-*", "write");
    try (WsClient alice =
        hello(server, Tokens.rs256(FIRST, claims("alice", team).build()), "rotate-a")) {
      alice.next("welcome");
      alice.send(Messages.open(doc));
      alice.next("opened");
      alice.send(Messages.submit(doc, 0, "[\"a\"]", 1));
      assertEquals(1, alice.next("ack").path("rev").asLong());

      served.set(List.of(SECOND.toPublicJWK())); // the provider rotates and retires the first
      try (WsClient bob =
          hello(server, Tokens.rs256(SECOND, claims("bob", team).build()), "rotate-b")) {
        assertEquals("bob", bob.next("welcome").path("user").asText());
        bob.send(Messages.open(doc));
        bob.next("opened");

        alice.send(Messages.submit(doc, 1, "[1, \"b\"]", 2));
        assertEquals(2, alice.next("ack").path("rev").asLong(), "the connected keep working");
        assertEquals("alice", bob.next("op").path("user").asText());
      }
      try (WsClient late =
          hello(server, Tokens.rs256(FIRST, claims("carol", team).build()), "rotate-c")) {
        assertEquals("unauthorized", late.next("error").path("code").asText(), "retired key");
        assertEquals(1008, late.awaitClose());
      }
    }
  }

  /** The token may be fine: the client is told to come back later, not to stop. */
  @Test
  void aHelloWhoseKeysCannotBeFetchedIsUnavailableAndClosesWith1013() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (TokenVerifier unreachable =
            TokenVerifier.builder()
                .jwks("http://127.0.0.1:" + closedPort + "/jwks.json")
                .jwksHttpTimeout(Duration.ofSeconds(1))
                .build();
        TandemServer cut =
            TandemServer.builder()
                .config(Servers.config().build())
                .database(EmbeddedPostgresExtension.database())
                .authorizer(new TokenAuthorizer(unreachable))
                .build()
                .start();
        WsClient client =
            hello(
                cut,
                Tokens.rs256(FIRST, claims("alice", Map.of("*", "read")).build()),
                "unreachable")) {
      assertEquals("unavailable", client.next("error").path("code").asText());
      assertEquals(1013, client.awaitClose());
    }
  }
}
