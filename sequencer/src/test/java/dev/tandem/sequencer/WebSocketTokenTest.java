package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.auth.TokenAuthorizer;
import dev.tandem.sequencer.auth.TokenVerifier;
import dev.tandem.sequencer.auth.Tokens;
import dev.tandem.sequencer.protocol.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Signed tokens on the WebSocket, end to end: a real server with a {@link TokenAuthorizer} (HS256,
 * issuer and audience required, a clock skew of one second), real sockets, tokens signed in the
 * test. Every refusal has its exact code, changes nothing, and leaves the server serving.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class WebSocketTokenTest {
  private static final String ISSUER = "https://id.test.example";
  private static final String AUDIENCE = "tandem";
  private static final Duration SKEW = Duration.ofSeconds(1);

  private static TandemServer server;

  @BeforeAll
  static void start() {
    TokenVerifier verifier =
        TokenVerifier.builder()
            .secret(Tokens.SECRET)
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .clockSkew(SKEW)
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

  /** Valid claims for {@code sub}, for an hour from now. */
  static JWTClaimsSet.Builder claims(String sub, Map<String, String> docs) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .subject(sub)
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofHours(1))))
        .claim("tandem", Map.of("docs", docs));
  }

  static String token(String sub, Map<String, String> docs) {
    return Tokens.hs256(claims(sub, docs).build());
  }

  /** Connects and sends hello; the answer is left to read. */
  static WsClient hello(TandemServer server, String token, String clientId) {
    WsClient client = WsClient.connect(server);
    ObjectNode hello = Json.object();
    hello.put("type", "hello");
    hello.put("token", token);
    hello.put("client", clientId);
    hello.put("protocol", 1);
    client.send(hello);
    return client;
  }

  /** An expiry two to three seconds ahead, in whole seconds as a token carries it. */
  private static Instant soon() {
    return Instant.ofEpochSecond(Instant.now().getEpochSecond() + 3);
  }

  static String auth(String token) {
    ObjectNode auth = Json.object();
    auth.put("type", "auth");
    auth.put("token", token);
    return Json.write(auth);
  }

  private static String text(String doc) {
    String admin = URLEncoder.encode(token("admin", Map.of("*", "admin")), StandardCharsets.UTF_8);
    Http.Reply reply = Http.get(server, "/api/docs/" + doc + "?access_token=" + admin);
    return reply.status() == 404 ? null : reply.body().path("text").asText();
  }

  /** A document created by alice over the WebSocket, holding "hi". */
  private static String documentWithHi(String prefix) {
    String doc = prefix + Servers.freshDoc();
    try (WsClient alice = hello(server, token("alice", Map.of(prefix + "*", "write")), "setup")) {
      alice.next("welcome");
      alice.send(Messages.open(doc));
      alice.next("opened");
      alice.send(Messages.submit(doc, 0, "[\"hi\"]", 1));
      alice.next("ack");
    }
    return doc;
  }

  @Test
  void everyInvalidTokenIsUnauthorizedAtHelloAndClosesWith1008() {
    Instant now = Instant.now();
    Map<String, String> all = Map.of("*", "admin");
    Map<String, String> invalid =
        Map.of(
            "no token",
            "",
            "malformed",
            "not-a-jwt",
            "bad signature",
            Tokens.hs256(
                "another-secret-of-enough-length-0123456789abcdef", claims("alice", all).build()),
            "alg none",
            new PlainJWT(claims("alice", all).build()).serialize(),
            "expired",
            Tokens.hs256(
                claims("alice", all).expirationTime(Date.from(now.minusSeconds(60))).build()),
            "not yet valid",
            Tokens.hs256(
                claims("alice", all).notBeforeTime(Date.from(now.plusSeconds(60))).build()),
            "wrong issuer",
            Tokens.hs256(claims("alice", all).issuer("https://evil.example").build()),
            "wrong audience",
            Tokens.hs256(claims("alice", all).audience("not-tandem").build()));
    invalid.forEach(
        (what, token) -> {
          try (WsClient client = hello(server, token, "invalid-1")) {
            ObjectNode error = client.next("error");
            assertEquals("unauthorized", error.path("code").asText(), what + ": " + error);
            if (!token.isEmpty()) {
              assertFalse(error.path("message").asText().contains(token), "never quoted");
            }
            assertEquals(1008, client.awaitClose(), what);
          }
        });
    try (WsClient client = hello(server, token("alice", all), "invalid-1")) {
      ObjectNode welcome = client.next("welcome");
      assertEquals("alice", welcome.path("user").asText(), "still serving");
    }
  }

  @Test
  void rolesDecideOpenAndSubmitAndARefusalChangesNothing() {
    String doc = documentWithHi("team-42-");
    String elsewhere = "team-4-" + Servers.freshDoc();
    try (WsClient reader = hello(server, token("bob", Map.of("team-42-*", "read")), "roles-r");
        WsClient other = hello(server, token("carol", Map.of("handbook", "write")), "roles-o");
        WsClient writer = hello(server, token("alice", Map.of("team-42-*", "write")), "roles-w")) {
      reader.next("welcome");
      other.next("welcome");
      writer.next("welcome");

      reader.send(Messages.open(doc));
      reader.next("opened");
      reader.send(Messages.submit(doc, 1, "[2, \"!\"]", 1));
      ObjectNode refused = reader.next("error");
      assertEquals("forbidden", refused.path("code").asText(), "a read-only role writing");
      assertEquals(1, refused.path("seq").asLong());

      other.send(Messages.open(doc));
      assertEquals("forbidden", other.next("error").path("code").asText(), "a role elsewhere");

      writer.send(Messages.open(elsewhere));
      ObjectNode noRole = writer.next("error");
      assertEquals("forbidden", noRole.path("code").asText(), "team-42-* on team-4-");
      assertEquals(elsewhere, noRole.path("doc").asText());
      reader.send(Messages.open("team-42-" + Servers.freshDoc()));
      assertEquals("not_found", reader.next("error").path("code").asText(), "read cannot create");

      assertEquals("hi", text(doc), "nothing changed");
      assertEquals(null, text(elsewhere), "nothing created");
      writer.send(Messages.open(doc));
      writer.next("opened");
      writer.send(Messages.submit(doc, 1, "[2, \"!\"]", 1));
      assertEquals(2, writer.next("ack").path("rev").asLong(), "still serving");
      assertEquals("hi!", text(doc));
    }
  }

  @Test
  void opsAndPresenceCarryTheTokensSubAndNameWhateverTheClientSays() {
    String doc = "team-42-" + Servers.freshDoc();
    JWTClaimsSet aliceClaims =
        claims("alice", Map.of("team-42-*", "write"))
            .claim("name", "Alice Liddell")
            .claim("color", "#3366ff")
            .build();
    try (WsClient alice = hello(server, Tokens.hs256(aliceClaims), "who-a");
        WsClient bob = hello(server, token("bob", Map.of("team-42-*", "read")), "who-b")) {
      ObjectNode welcome = alice.next("welcome");
      assertEquals("alice", welcome.path("user").asText());
      assertEquals("Alice Liddell", welcome.path("name").asText());
      assertEquals("#3366ff", welcome.path("color").asText());
      assertEquals(
          aliceClaims.getExpirationTime().toInstant().getEpochSecond(),
          welcome.path("exp").asLong());
      ObjectNode bobWelcome = bob.next("welcome");
      assertEquals("bob", bobWelcome.path("name").asText(), "the name defaults to the sub");
      assertFalse(bobWelcome.has("color"));

      alice.send(Messages.open(doc));
      alice.next("opened");
      alice.send(Messages.submit(doc, 0, "[\"x\"]", 1));
      alice.next("ack");
      bob.send(Messages.open(doc));
      bob.next("opened");
      ObjectNode present = bob.next("presence"); // alice, before she publishes a presence
      assertEquals("alice", present.path("user").asText());
      assertEquals("Alice Liddell", present.path("meta").path("name").asText());
      assertEquals("#3366ff", present.path("meta").path("color").asText());
      ObjectNode joined = alice.next("presence"); // bob joins, with his token's name
      assertEquals("bob", joined.path("user").asText());
      assertEquals("bob", joined.path("meta").path("name").asText());

      alice.send(
          "{\"type\":\"presence\",\"doc\":\""
              + doc
              + "\",\"rev\":1,\"selection\":[[0,1]],\"user\":\"mallory\","
              + "\"meta\":{\"name\":\"Mallory\",\"color\":\"#000000\",\"mood\":\"sly\"}}");
      ObjectNode presence = bob.next("presence");
      assertEquals("alice", presence.path("user").asText());
      assertEquals("Alice Liddell", presence.path("meta").path("name").asText());
      assertEquals("#3366ff", presence.path("meta").path("color").asText());
      assertEquals("sly", presence.path("meta").path("mood").asText(), "the rest as sent");

      String admin = token("admin", Map.of("*", "admin"));
      Http.Reply ops = Http.get(server, "/api/docs/" + doc + "/ops?access_token=" + admin);
      assertEquals(200, ops.status());
      assertEquals("alice", ops.body().path("ops").path(0).path("user").asText());
    }
  }

  @Test
  void aClientIdUsedByOneUserIsForbiddenToAnother() {
    String doc = "team-42-" + Servers.freshDoc();
    Map<String, String> team = Map.of("team-42-*", "write");
    try (WsClient alice = hello(server, token("alice", team), "owned-1")) {
      alice.next("welcome");
      try (WsClient mallory = hello(server, token("mallory", team), "owned-1")) {
        assertEquals("forbidden", mallory.next("error").path("code").asText(), "at hello");
        assertEquals(1008, mallory.awaitClose());
      }
      alice.send(Messages.open(doc));
      alice.next("opened");
      Http.Reply submit =
          Http.send(
              Http.request(server, "/api/docs/" + doc + "/ops")
                  .header("Authorization", "Bearer " + token("mallory", team))
                  .POST(
                      java.net.http.HttpRequest.BodyPublishers.ofString(
                          "{\"rev\":0,\"op\":[\"x\"],\"client\":\"owned-1\",\"seq\":7}"))
                  .build());
      assertEquals(403, submit.status(), "at submit");
      assertEquals("forbidden", submit.body().path("code").asText());
      assertEquals("", text(doc), "nothing changed");
      alice.send(Messages.submit(doc, 0, "[\"a\"]", 1));
      assertEquals(1, alice.next("ack").path("rev").asLong(), "the owner still may");
    }
  }

  @Test
  void aRefusedAuthChangesNothingAndTheConnectionKeepsItsToken() {
    String doc = "team-42-" + Servers.freshDoc();
    Map<String, String> team = Map.of("team-42-*", "write");
    Instant now = Instant.now();
    try (WsClient alice = hello(server, token("alice", team), "refresh-bad")) {
      alice.next("welcome");
      alice.send(Messages.open(doc));
      alice.next("opened");
      for (String refused :
          new String[] {
            "",
            "garbage",
            token("mallory", team),
            new PlainJWT(claims("alice", team).build()).serialize(),
            Tokens.hs256(
                claims("alice", team).expirationTime(Date.from(now.minusSeconds(60))).build()),
            Tokens.hs256(claims("alice", team).issuer("https://evil.example").build())
          }) {
        alice.send(auth(refused));
        assertEquals("unauthorized", alice.next("error").path("code").asText());
      }
      alice.send(Messages.submit(doc, 0, "[\"a\"]", 1));
      assertEquals(1, alice.next("ack").path("rev").asLong(), "the old token still serves");
    }
  }

  @Test
  void aTokenLeftToExpireClosesTheSocketWith1008() {
    String doc = "team-42-" + Servers.freshDoc();
    String shortLived =
        Tokens.hs256(
            claims("alice", Map.of("team-42-*", "write"))
                .expirationTime(Date.from(soon()))
                .build());
    try (WsClient alice = hello(server, shortLived, "expiring")) {
      alice.next("welcome");
      alice.send(Messages.open(doc));
      alice.next("opened");
      ObjectNode expired = alice.next("error"); // at exp + skew, within four seconds
      assertEquals("unauthorized", expired.path("code").asText());
      assertEquals("token expired", expired.path("message").asText());
      assertEquals(1008, alice.awaitClose());
      assertEquals("token expired", alice.closeReason());
    }
  }

  @Test
  void aTokenRefreshedBeforeItsExpiryKeepsTheSocketOpenPastIt() throws InterruptedException {
    String doc = "team-42-" + Servers.freshDoc();
    Instant firstExpiry = soon();
    String shortLived =
        Tokens.hs256(
            claims("alice", Map.of("team-42-*", "write"))
                .expirationTime(Date.from(firstExpiry))
                .build());
    JWTClaimsSet fresh = claims("alice", Map.of("team-42-*", "write")).build();
    try (WsClient alice = hello(server, shortLived, "refreshing")) {
      alice.next("welcome");
      alice.send(Messages.open(doc));
      alice.next("opened");
      alice.send(auth(Tokens.hs256(fresh)));
      ObjectNode authed = alice.next("authed");
      assertEquals("alice", authed.path("user").asText());
      assertEquals(
          fresh.getExpirationTime().toInstant().getEpochSecond(), authed.path("exp").asLong());

      // Past the first token's expiry and skew: the close it had scheduled must not come.
      Thread.sleep(Duration.between(Instant.now(), firstExpiry.plus(SKEW)).toMillis() + 500);
      alice.send(Messages.submit(doc, 0, "[\"a\"]", 1));
      assertEquals(1, alice.next("ack").path("rev").asLong());
      assertFalse(alice.isClosed());
    }
  }

  @Test
  void aRefreshWithFewerRolesClosesTheDocumentsItNoLongerReads() {
    String kept = "team-42-" + Servers.freshDoc();
    String lost = "team-43-" + Servers.freshDoc();
    try (WsClient alice =
        hello(
            server, token("alice", Map.of("team-42-*", "write", "team-43-*", "write")), "narrow")) {
      alice.next("welcome");
      alice.send(Messages.open(kept));
      alice.next("opened");
      alice.send(Messages.open(lost));
      alice.next("opened");

      alice.send(auth(token("alice", Map.of("team-42-*", "write", "team-43-*", "none-of-it"))));
      assertEquals("unauthorized", alice.next("error").path("code").asText(), "a bad claim");
      alice.send(auth(token("alice", Map.of("team-42-*", "read"))));
      alice.next("authed");
      ObjectNode closed = alice.next("error");
      assertEquals("forbidden", closed.path("code").asText());
      assertEquals(lost, closed.path("doc").asText());

      alice.send(Messages.submit(lost, 0, "[\"a\"]", 1));
      assertEquals("bad_request", alice.next("error").path("code").asText(), "no longer open");
      alice.send(Messages.submit(kept, 0, "[\"a\"]", 2));
      assertEquals("forbidden", alice.next("error").path("code").asText(), "now read-only");
      assertEquals("", text(kept));
      assertEquals("", text(lost));
      assertFalse(alice.isClosed());
    }
  }
}
