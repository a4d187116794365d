package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.auth.MetricsToken;
import dev.tandem.sequencer.auth.Role;
import dev.tandem.sequencer.auth.TokenAuthorizer;
import dev.tandem.sequencer.auth.TokenVerifier;
import dev.tandem.sequencer.auth.Tokens;
import dev.tandem.sequencer.protocol.Json;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every REST call and the SSE feed against a server that verifies signed tokens ({@link
 * TokenAuthorizer}): each refused token and each missing role gets its exact status and code and
 * changes nothing; the stored op's user is the token's {@code sub}; an SSE stream ends when its
 * token expires; {@code /metrics} needs its own token.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class RestAuthorizationTest {
  private static final String ISSUER = "https://id.tandem.test";
  private static final String AUDIENCE = "tandem";
  private static final String METRICS_TOKEN = "metrics-token-for-tests-0123456789";
  private static final Duration CLOCK_SKEW = Duration.ofSeconds(1);

  private static TandemServer server;
  private static String doc; // team-42-…: the document the refused calls aim at
  private static String teamFour; // team-4-…: what team-42-* must not reach

  @BeforeAll
  static void start() {
    TokenVerifier verifier =
        TokenVerifier.builder()
            .secret(Tokens.SECRET)
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .clockSkew(CLOCK_SKEW)
            .build();
    server =
        TandemServer.builder()
            .config(
                Servers.config()
                    .metricsToken(MetricsToken.fromValue(METRICS_TOKEN, "test"))
                    .build())
            .database(EmbeddedPostgresExtension.database())
            .authorizer(new TokenAuthorizer(verifier))
            .build()
            .start();
    doc = "team-42-" + Servers.freshDoc();
    teamFour = "team-4-" + Servers.freshDoc();
    for (String id : new String[] {doc, teamFour}) {
      createWithOneOp(id);
    }
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  // ---- tokens ----------------------------------------------------------------------------------

  private static JWTClaimsSet.Builder claims(String sub, Map<String, String> docs) {
    return new JWTClaimsSet.Builder()
        .subject(sub)
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))))
        .claim("tandem", Map.of("docs", docs));
  }

  private static String token(String sub, Map<String, String> docs) {
    return Tokens.hs256(claims(sub, docs).build());
  }

  private static String admin() {
    return token("root", Map.of("*", "admin"));
  }

  /** Tokens that every call refuses with {@code unauthorized}, each granting admin on all. */
  private static Map<String, String> refusedTokens() {
    Map<String, String> tokens = new LinkedHashMap<>();
    Map<String, String> all = Map.of("*", "admin");
    Instant now = Instant.now();
    tokens.put("no token", null);
    tokens.put("malformed", "not.a.jwt");
    tokens.put(
        "bad signature",
        Tokens.hs256(
            "another-secret-of-enough-length-0123456789abcdef", claims("eve", all).build()));
    tokens.put("alg none", new PlainJWT(claims("eve", all).build()).serialize());
    tokens.put(
        "expired",
        Tokens.hs256(
            claims("eve", all).expirationTime(Date.from(now.minus(Duration.ofHours(1)))).build()));
    tokens.put(
        "not yet valid",
        Tokens.hs256(
            claims("eve", all).notBeforeTime(Date.from(now.plus(Duration.ofHours(1)))).build()));
    tokens.put(
        "wrong issuer", Tokens.hs256(claims("eve", all).issuer("https://evil.test").build()));
    tokens.put("wrong audience", Tokens.hs256(claims("eve", all).audience("other").build()));
    String genuine = Tokens.hs256(claims("eve", all).build());
    tokens.put("signature cut off", genuine.substring(0, genuine.lastIndexOf('.') + 1));
    return tokens;
  }

  // ---- the calls -------------------------------------------------------------------------------

  /** Every REST call and the SSE feed, with the role each needs. */
  enum Call {
    TEXT("GET", "", null, Role.READ),
    TEXT_AT_REVISION("GET", "?rev=0", null, Role.READ),
    OPS("GET", "/ops", null, Role.READ),
    CHECKPOINTS("GET", "/checkpoints", null, Role.READ),
    EVENTS("GET", "/events", null, Role.READ),
    CREATE("PUT", "", "{\"text\":\"overwritten?\"}", Role.WRITE),
    SUBMIT("POST", "/ops", "{\"rev\":1,\"op\":[\"x\",11]}", Role.WRITE),
    CREATE_CHECKPOINT("POST", "/checkpoints", "", Role.ADMIN),
    TEXT_AT_TIME("GET", "?at=2026-01-01T00:00Z", null, Role.READ),
    DIFF("GET", "/diff?from=0&to=1", null, Role.READ),
    CHECKPOINT_AT_REVISION("POST", "/checkpoints?rev=1", "", Role.ADMIN),
    EXPORT("GET", "/export", null, Role.ADMIN),
    IMPORT("POST", "/import", "{\"format\":\"tandem-history\"}", Role.ADMIN),
    DELETE("DELETE", "", null, Role.ADMIN);

    final String method;
    final String suffix;
    final String body;
    final Role role;

    Call(String method, String suffix, String body, Role role) {
      this.method = method;
      this.suffix = suffix;
      this.body = body;
      this.role = role;
    }

    /** This call on {@code docId} with {@code token} as a bearer token (none if null). */
    Http.Reply send(String docId, String token) {
      HttpRequest.Builder request = Http.request(server, "/api/docs/" + docId + suffix);
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      return Http.send(
          request
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body))
              .build());
    }
  }

  /** What a document holds, as an admin sees it: refused calls must leave it as it is. */
  record State(String text, long rev, String ops, String checkpoints) {}

  private static State state(String docId) {
    Function<String, ObjectNode> get =
        suffix -> {
          Http.Reply reply =
              Http.get(server, "/api/docs/" + docId + suffix + accessToken(suffix, admin()));
          assertEquals(200, reply.status(), reply.body().toString());
          return reply.body();
        };
    ObjectNode text = get.apply("");
    return new State(
        text.path("text").asText(),
        text.path("rev").asLong(),
        get.apply("/ops").path("ops").toString(),
        get.apply("/checkpoints").path("checkpoints").toString());
  }

  private static String accessToken(String pathSoFar, String token) {
    return (pathSoFar.contains("?") ? "&" : "?")
        + "access_token="
        + URLEncoder.encode(token, StandardCharsets.UTF_8);
  }

  private static void createWithOneOp(String docId) {
    Http.Reply created = send("PUT", "/api/docs/" + docId, "{\"text\":\"hello\"}", admin());
    assertEquals(201, created.status(), created.body().toString());
    long rev = created.body().path("rev").asLong();
    Http.Reply acked =
        send(
            "POST",
            "/api/docs/" + docId + "/ops",
            "{\"rev\":" + rev + ",\"op\":[5,\" world\"]}",
            admin());
    assertEquals(200, acked.status(), acked.body().toString());
  }

  private static Http.Reply send(String method, String path, String body, String token) {
    return Http.send(
        Http.request(server, path)
            .header("Authorization", "Bearer " + token)
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private static void assertRefused(int status, String code, Http.Reply reply, String what) {
    assertEquals(status, reply.status(), what + ": " + reply.body());
    assertEquals(code, reply.body().path("code").asText(), what + ": " + reply.body());
    assertFalse(reply.body().path("message").asText().isEmpty(), what);
  }

  private static void assertServerUp() {
    assertEquals(200, Http.get(server, "/healthz").status());
  }

  // ---- refusals --------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Call.class)
  void everyRefusedTokenIsUnauthorizedAndChangesNothing(Call call) {
    State before = state(doc);
    for (Map.Entry<String, String> refused : refusedTokens().entrySet()) {
      Http.Reply reply = call.send(doc, refused.getValue());
      assertRefused(401, "unauthorized", reply, call + " with " + refused.getKey());
      if (refused.getValue() != null) {
        assertFalse(
            reply.body().toString().contains(refused.getValue()), "the message quotes the token");
      }
    }
    assertEquals(before, state(doc));
    assertServerUp();
  }

  @ParameterizedTest
  @EnumSource(Call.class)
  void aRoleBelowTheOneNeededIsForbiddenAndChangesNothing(Call call) {
    State before = state(doc);
    for (Role held : Role.values()) {
      if (!held.includes(call.role)) {
        String token = token("mallory", Map.of("team-42-*", held.claimValue()));
        assertRefused(403, "forbidden", call.send(doc, token), call + " with " + held);
      }
    }
    assertEquals(before, state(doc));
    assertServerUp();
  }

  @ParameterizedTest
  @EnumSource(Call.class)
  void aRoleOnAnotherDocumentIsForbiddenAndChangesNothing(Call call) {
    State before = state(doc);
    String elsewhere = token("mallory", Map.of("handbook", "admin", "team-42-other", "admin"));
    assertRefused(403, "forbidden", call.send(doc, elsewhere), call + " with another document");
    String noDocs = Tokens.hs256(claims("mallory", Map.of()).build());
    assertRefused(403, "forbidden", call.send(doc, noDocs), call + " with no roles at all");
    assertEquals(before, state(doc));
    assertServerUp();
  }

  @ParameterizedTest
  @EnumSource(Call.class)
  void team42GrantsNothingOnTeam4(Call call) {
    State before = state(teamFour);
    String token = token("mallory", Map.of("team-42-*", "admin"));
    assertRefused(403, "forbidden", call.send(teamFour, token), call + " on " + teamFour);
    assertEquals(before, state(teamFour));
    assertServerUp();
  }

  // ---- what each role may do -------------------------------------------------------------------

  /** The document list holds only what the caller may read; no token is no list. */
  @Test
  void theDocumentListHoldsOnlyReadableDocuments() {
    String reader = token("rita", Map.of("team-42-*", "read"));
    Http.Reply near = listFrom(doc, reader);
    assertEquals(200, near.status(), near.body().toString());
    assertTrue(
        near.body().path("docs").toString().contains("\"" + doc + "\""), near.body().toString());
    Http.Reply other = listFrom(teamFour, reader);
    assertEquals(200, other.status(), other.body().toString());
    assertFalse(
        other.body().path("docs").toString().contains("\"" + teamFour + "\""),
        other.body().toString());
    for (Map.Entry<String, String> refused : refusedTokens().entrySet()) {
      assertRefused(
          401, "unauthorized", listFrom(doc, refused.getValue()), "list with " + refused.getKey());
    }
  }

  /** A page of the list that starts just before {@code id} (after its prefix less one char). */
  private static Http.Reply listFrom(String id, String token) {
    String after = URLEncoder.encode(id.substring(0, id.length() - 1), StandardCharsets.UTF_8);
    HttpRequest.Builder request = Http.request(server, "/api/docs?limit=100&after=" + after);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return Http.send(request.GET().build());
  }

  @Test
  void eachRoleMayDoWhatItAllows() {
    String id = "team-42-" + Servers.freshDoc();
    String reader = token("rita", Map.of("team-42-*", "read"));
    String writer = token("walt", Map.of("team-42-*", "write"));
    String owner = token("ada", Map.of("team-42-*", "admin"));

    assertEquals(201, send("PUT", "/api/docs/" + id, "{\"text\":\"ab\"}", writer).status());
    Http.Reply acked =
        send("POST", "/api/docs/" + id + "/ops", "{\"rev\":0,\"op\":[2,\"c\"]}", writer);
    assertEquals(200, acked.status(), acked.body().toString());
    assertEquals(201, send("POST", "/api/docs/" + id + "/checkpoints", "", owner).status());
    assertEquals("abc", Call.TEXT.send(id, reader).body().path("text").asText());
    assertEquals(200, Call.OPS.send(id, reader).status());
    Http.Reply checkpoints = Call.CHECKPOINTS.send(id, reader);
    assertTrue(
        checkpoints.body().path("checkpoints").findValuesAsText("rev").contains("1"),
        checkpoints.body().toString()); // the admin's, at the head
  }

  @Test
  void accessTokenWorksForRestGetAndEvents() throws Exception {
    String reader = token("rita", Map.of("team-42-*", "read"));
    Http.Reply text = Http.get(server, "/api/docs/" + doc + accessToken("", reader));
    assertEquals(200, text.status(), text.body().toString());
    assertEquals("hello world", text.body().path("text").asText());
    Http.Reply atRevision =
        Http.get(server, "/api/docs/" + doc + "?rev=0" + accessToken("?", reader));
    assertEquals(200, atRevision.status(), atRevision.body().toString());

    try (EventsTest.Stream stream =
        new EventsTest.Stream(
            server, "/api/docs/" + doc + "/events" + accessToken("", reader), null)) {
      EventsTest.Event snapshot = stream.next();
      assertEquals("snapshot", snapshot.name());
      assertEquals("hello world", snapshot.data().path("text").asText());
    }
    Http.Reply writeByQuery =
        Http.send(
            Http.request(server, "/api/docs/" + doc + "/ops" + accessToken("", reader))
                .POST(HttpRequest.BodyPublishers.ofString("{\"rev\":1,\"op\":[\"x\",11]}"))
                .build());
    assertRefused(403, "forbidden", writeByQuery, "a read token in access_token writing");
  }

  @Test
  void theStoredOpsUserIsTheTokensSubWhateverTheBodySays() {
    String id = "team-42-" + Servers.freshDoc();
    String alice = token("alice", Map.of("team-42-*", "write"));
    assertEquals(201, send("PUT", "/api/docs/" + id, "", alice).status());
    Http.Reply acked =
        send(
            "POST",
            "/api/docs/" + id + "/ops",
            "{\"rev\":0,\"op\":[\"hi\"],\"user\":\"mallory\",\"client\":\"c-alice\",\"seq\":1}",
            alice);
    assertEquals(200, acked.status(), acked.body().toString());
    ObjectNode op = (ObjectNode) Call.OPS.send(id, alice).body().path("ops").get(0);
    assertEquals("alice", op.path("user").asText());
    assertEquals("c-alice", op.path("client").asText());
  }

  @Test
  void aClientIdOfOneUserIsForbiddenToAnother() {
    String id = "team-42-" + Servers.freshDoc();
    String client = "shared-" + Servers.freshDoc();
    String alice = token("alice", Map.of("team-42-*", "write"));
    String bob = token("bob", Map.of("team-42-*", "write"));
    assertEquals(201, send("PUT", "/api/docs/" + id, "", alice).status());
    Http.Reply first =
        send(
            "POST",
            "/api/docs/" + id + "/ops",
            "{\"rev\":0,\"op\":[\"a\"],\"client\":\"" + client + "\",\"seq\":1}",
            alice);
    assertEquals(200, first.status(), first.body().toString());
    State before = state(id);
    Http.Reply taken =
        send(
            "POST",
            "/api/docs/" + id + "/ops",
            "{\"rev\":1,\"op\":[1,\"b\"],\"client\":\"" + client + "\",\"seq\":2}",
            bob);
    assertRefused(403, "forbidden", taken, "bob using alice's client id");
    assertEquals(before, state(id));
  }

  // ---- expiry
  // ------------------------------------------------------------------------------------

  @Test
  void anEventStreamEndsWhenItsTokenExpires() throws Exception {
    // exp has whole seconds: 2 s ahead, plus the 1 s skew, and the stream ends within about 3 s
    Instant exp = Instant.now().plusSeconds(2);
    String shortLived =
        Tokens.hs256(
            claims("rita", Map.of("team-42-*", "read")).expirationTime(Date.from(exp)).build());
    String path = "/api/docs/" + doc + "/events" + accessToken("", shortLived);
    try (EventsTest.Stream stream = new EventsTest.Stream(server, path, null)) {
      assertEquals("snapshot", stream.next().name());
      EventsTest.Event expired = stream.next();
      assertEquals("expired", expired.name());
      assertEquals("unauthorized", expired.data().path("code").asText());
      assertEquals("token expired", expired.data().path("message").asText());
      stream.awaitEnd();
      assertTrue(
          !Instant.now().isBefore(exp.plus(CLOCK_SKEW).minusMillis(999)),
          "ended before exp + skew"); // exp is truncated to the second in the token
    }
    Http.Reply again =
        Http.send(Http.request(server, path).header("Last-Event-ID", "1").GET().build());
    assertRefused(401, "unauthorized", again, "reconnecting with the expired token");
    assertServerUp();
  }

  // ---- /metrics
  // ----------------------------------------------------------------------------------

  @Test
  void metricsNeedTheMetricsToken() {
    for (String wrong : new String[] {null, "", "wrong-" + METRICS_TOKEN, admin()}) {
      HttpResponse<String> refused = metrics(server, wrong);
      assertEquals(401, refused.statusCode(), refused.body());
      assertEquals("unauthorized", Json.parseObject(refused.body()).path("code").asText());
      assertFalse(refused.body().contains("tandem_"), refused.body());
    }
    HttpResponse<String> scraped = metrics(server, METRICS_TOKEN);
    assertEquals(200, scraped.statusCode(), scraped.body());
    assertTrue(scraped.body().contains("# TYPE tandem_ops_committed_total counter"));
    assertTrue(scraped.body().contains("tandem_errors_total{code=\"unauthorized\"}"));
  }

  @Test
  void withoutAMetricsTokenMetricsAreClosedWhileAuthIsOn() {
    TokenVerifier verifier = TokenVerifier.builder().secret(Tokens.SECRET).build();
    try (TandemServer closed =
        TandemServer.builder()
            .config(Servers.config().build())
            .database(EmbeddedPostgresExtension.database())
            .authorizer(new TokenAuthorizer(verifier))
            .build()
            .start()) {
      HttpResponse<String> refused = metrics(closed, admin());
      assertEquals(401, refused.statusCode(), refused.body());
      ObjectNode body = Json.parseObject(refused.body());
      assertEquals("unauthorized", body.path("code").asText());
      assertTrue(body.path("message").asText().contains("--metrics-token-file"), refused.body());
      assertTrue(body.path("message").asText().contains("TANDEM_METRICS_TOKEN"), refused.body());
    }
  }

  @Test
  void withAuthNoneMetricsAreOpenUnlessAMetricsTokenIsSet() {
    try (TandemServer open = Servers.start()) {
      assertEquals(200, metrics(open, null).statusCode());
    }
    try (TandemServer guarded =
        Servers.start(
            Servers.config().metricsToken(MetricsToken.fromValue(METRICS_TOKEN, "test")).build())) {
      assertEquals(401, metrics(guarded, null).statusCode());
      assertEquals(200, metrics(guarded, METRICS_TOKEN).statusCode());
    }
  }

  /** {@code GET /metrics} with {@code token} as a bearer token (none if null). */
  private static HttpResponse<String> metrics(TandemServer target, String token) {
    HttpRequest.Builder request = Http.request(target, "/metrics");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return Http.client().send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
