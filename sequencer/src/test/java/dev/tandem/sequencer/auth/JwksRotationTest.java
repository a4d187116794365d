package dev.tandem.sequencer.auth;

import static dev.tandem.sequencer.auth.Tokens.CLOCK;
import static dev.tandem.sequencer.auth.Tokens.assertRefused;
import static dev.tandem.sequencer.auth.Tokens.claims;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.TandemException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JWKS served over loopback HTTP, as an identity provider serves it, or kept in a file: a key
 * rotation is picked up without a restart, and unknown key ids cannot make the server fetch the set
 * over and over.
 */
class JwksRotationTest {
  private static RSAKey first;
  private static RSAKey second;
  private static RSAKey stranger;

  private HttpServer server;
  private final AtomicReference<List<JWK>> served = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();

  @BeforeAll
  static void keys() {
    first = Tokens.rsaKey("key-2026-01");
    second = Tokens.rsaKey("key-2026-02");
    stranger = Tokens.rsaKey("not-ours");
  }

  @BeforeEach
  void serve() throws IOException {
    served.set(List.of(first.toPublicJWK()));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/.well-known/jwks.json",
        exchange -> {
          fetches.incrementAndGet();
          byte[] body = new JWKSet(served.get()).toString().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  /** Refetches for unknown kids at most twice an hour: no test runs that long. */
  private TokenVerifier verifier() {
    return TokenVerifier.builder()
        .jwks("http://127.0.0.1:" + server.getAddress().getPort() + "/.well-known/jwks.json")
        .jwksRefreshInterval(Duration.ofHours(1))
        .jwksCacheTtl(Duration.ofHours(2))
        .clock(CLOCK)
        .build();
  }

  @Test
  void aRotatedKeyIsFetchedOnceAndTheRetiredOneIsRefused() {
    try (TokenVerifier verifier = verifier()) {
      assertEquals("alice", verifier.verify(Tokens.rs256(first, claims().build())).userId());
      assertEquals("alice", verifier.verify(Tokens.rs256(first, claims().build())).userId());
      assertEquals(1, fetches.get());

      served.set(List.of(second.toPublicJWK()));
      assertEquals("alice", verifier.verify(Tokens.rs256(second, claims().build())).userId());
      assertEquals(2, fetches.get());
      for (int i = 0; i < 5; i++) {
        verifier.verify(Tokens.rs256(second, claims().build()));
      }
      assertEquals(2, fetches.get(), "the new key is cached");

      // The retired key is gone from the cached set; the refresh it asks for is rate-limited.
      assertRefused(
          ErrorCode.UNAUTHORIZED, () -> verifier.verify(Tokens.rs256(first, claims().build())));
      assertEquals(2, fetches.get());
    }
  }

  @Test
  void aFloodOfUnknownKeyIdsFetchesTheSetOnceMore() {
    try (TokenVerifier verifier = verifier()) {
      verifier.verify(Tokens.rs256(first, claims().build()));
      assertEquals(1, fetches.get());
      for (int i = 0; i < 50; i++) {
        RSAKey unknown = new RSAKey.Builder(stranger).keyID("unknown-" + i).build();
        TandemException e =
            assertRefused(
                ErrorCode.UNAUTHORIZED,
                () -> verifier.verify(Tokens.rs256(unknown, claims().build())));
        assertEquals(
            i == 0
                ? "token refused: no key matches its key id (kid) and algorithm"
                : "token refused: no key matches its key id (kid), and the key set was fetched"
                    + " too recently to fetch it again",
            e.getMessage());
      }
      assertEquals(2, fetches.get());
      assertEquals("alice", verifier.verify(Tokens.rs256(first, claims().build())).userId());
    }
  }

  @Test
  void aJwksFileIsReadAgainForAnUnknownKeyId(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("jwks.json");
    Files.writeString(file, new JWKSet(first.toPublicJWK()).toString());
    try (TokenVerifier verifier =
        TokenVerifier.builder().jwks(file.toString()).clock(CLOCK).build()) {
      assertEquals("alice", verifier.verify(Tokens.rs256(first, claims().build())).userId());
      Files.writeString(file, new JWKSet(second.toPublicJWK()).toString());
      assertEquals("alice", verifier.verify(Tokens.rs256(second, claims().build())).userId());
    }
  }

  @Test
  void anUnreachableKeySetIsUnavailableNotUnauthorized() {
    try (TokenVerifier verifier = verifier()) {
      server.stop(0);
      TandemException e =
          assertRefused(
              ErrorCode.UNAVAILABLE, () -> verifier.verify(Tokens.rs256(first, claims().build())));
      assertEquals("the key set (JWKS) that verifies tokens cannot be loaded", e.getMessage());
    }
  }
}
