package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.auth.HmacSecret;
import dev.tandem.sequencer.auth.TokenAuthorizer;
import dev.tandem.sequencer.auth.TokenVerifier;
import java.net.http.HttpRequest;
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
 * Signed tokens and per-document roles through the transports, with a {@link TokenAuthorizer}
 * handed to the server as it is (more on the WebSocket in {@link WebSocketTokenTest}).
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class TokenAuthorizationTest {
  private static final String SECRET = "end-to-end-secret-0123456789-abcdefghijklmnopqrstu";

  private static TandemServer server;

  @BeforeAll
  static void start() {
    TokenVerifier verifier =
        TokenVerifier.builder().secret(HmacSecret.fromValue(SECRET, "test")).build();
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

  private static JWTClaimsSet.Builder claims(String sub, Map<String, String> docs) {
    return new JWTClaimsSet.Builder()
        .subject(sub)
        .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))))
        .claim("tandem", Map.of("docs", docs));
  }

  private static String token(JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  private static WsClient hello(String token, String clientId) {
    WsClient client = WsClient.connect(server);
    client.send(
        "{\"type\":\"hello\",\"token\":\""
            + token
            + "\",\"client\":\""
            + clientId
            + "\",\"protocol\":1}");
    return client;
  }

  @Test
  void rolesFromTheTokenDecideOpenAndSubmitAndOpsCarryItsSub() {
    String doc = "team-42-" + Servers.freshDoc();
    String other = "team-4-" + Servers.freshDoc();
    try (WsClient writer =
            hello(token(claims("alice", Map.of("team-42-*", "write")).build()), "e-1w");
        WsClient reader =
            hello(
                token(claims("bob", Map.of("team-42-*", "read", "team-4-*", "read")).build()),
                "e-1r")) {
      assertEquals("alice", writer.next("welcome").path("user").asText());
      assertEquals("bob", reader.next("welcome").path("user").asText());

      reader.send(Messages.open(doc));
      assertEquals(
          "not_found", reader.next("error").path("code").asText(), "a reader cannot create");
      writer.send(Messages.open(doc));
      writer.next("opened");
      reader.send(Messages.open(doc));
      reader.next("opened");

      reader.send(Messages.submit(doc, 0, "[\"x\"]", 1));
      assertEquals("forbidden", reader.next("error").path("code").asText());
      writer.send(Messages.submit(doc, 0, "[\"hi\"]", 1));
      assertEquals(1, writer.next("ack").path("rev").asLong());
      ObjectNode op = reader.next("op");
      assertEquals("alice", op.path("user").asText());

      writer.send(Messages.open(other));
      assertEquals("forbidden", writer.next("error").path("code").asText(), "team-42-* vs team-4-");
    }
  }

  @Test
  void aBadOrExpiredTokenIsUnauthorizedAndClosesWith1008() {
    String unsigned = new PlainJWT(claims("alice", Map.of("*", "admin")).build()).serialize();
    String expired =
        token(
            claims("alice", Map.of("*", "admin"))
                .expirationTime(Date.from(Instant.now().minus(Duration.ofHours(1))))
                .build());
    for (String token : new String[] {"", "garbage", unsigned, expired}) {
      try (WsClient client = hello(token, "e-2")) {
        assertEquals("unauthorized", client.next("error").path("code").asText());
        assertEquals(1008, client.awaitClose());
      }
    }
  }

  @Test
  void restCallsCheckTheSameRoles() {
    String doc = "team-42-" + Servers.freshDoc();
    String writer = token(claims("alice", Map.of("team-42-*", "write")).build());
    String reader = token(claims("bob", Map.of("team-42-*", "read")).build());

    assertEquals(401, Http.get(server, "/api/docs/" + doc).status());
    assertEquals(403, put(doc, reader).status());
    assertEquals(201, put(doc, writer).status());
    assertEquals(200, Http.get(server, "/api/docs/" + doc + "?access_token=" + reader).status());
    Http.Reply elsewhere =
        Http.get(server, "/api/docs/team-4-" + Servers.freshDoc() + "?access_token=" + writer);
    assertEquals(403, elsewhere.status());
    assertEquals("forbidden", elsewhere.body().path("code").asText());
  }

  private static Http.Reply put(String doc, String token) {
    return Http.send(
        Http.request(server, "/api/docs/" + doc)
            .header("Authorization", "Bearer " + token)
            .PUT(HttpRequest.BodyPublishers.ofString(""))
            .build());
  }
}
