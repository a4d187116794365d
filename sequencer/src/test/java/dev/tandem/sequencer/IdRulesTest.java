package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.auth.Authorizer;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One rule for document, client and user ids ({@link dev.tandem.persistence.Ids}), checked at the
 * edge with {@code bad_request}: WebSocket hello/open/submit, REST, SSE and the {@link
 * Authorizer}'s answer. Nothing that breaks it reaches a document.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class IdRulesTest {
  private static TandemServer server;

  /** The token is the user id, except for a few tokens that name a user id breaking the rule. */
  private static final class EchoAuthorizer implements Authorizer {
    @Override
    public String authenticate(String token) {
      return switch (token) {
        case "empty" -> "";
        case "control" -> "a\nb";
        case "surrogate" -> "\ud800";
        case "null" -> null;
        default -> token.isEmpty() ? "anonymous" : token;
      };
    }

    @Override
    public void checkRead(String user, String docId) {}

    @Override
    public void checkWrite(String user, String docId) {}
  }

  @BeforeAll
  static void start() {
    server =
        TandemServer.builder()
            .config(Servers.config().build())
            .database(EmbeddedPostgresExtension.database())
            .authorizer(new EchoAuthorizer())
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void anAuthorizerNamingAnInvalidUserRefusesTheRequestAndNothingWedges() {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"hello\"}").status());
    for (String token : new String[] {"empty", "control", "surrogate", "null"}) {
      Http.Reply submit =
          Http.send(
              Http.request(server, "/api/docs/" + doc + "/ops")
                  .header("Authorization", "Bearer " + token)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"rev\":0,\"op\":[5,\"!\"]}"))
                  .build());
      assertEquals(400, submit.status(), token + ": " + submit.body());
      assertEquals("bad_request", submit.body().path("code").asText());
      assertTrue(
          submit.body().path("message").asText().contains("user id"), submit.body().toString());
      Http.Reply events =
          Http.send(
              Http.request(server, "/api/docs/" + doc + "/events?access_token=" + token)
                  .GET()
                  .build());
      assertEquals(400, events.status(), token + ": " + events.body());

      try (WsClient client = WsClient.connect(server)) {
        client.send(
            "{\"type\":\"hello\",\"token\":\"" + token + "\",\"client\":\"c\",\"protocol\":1}");
        assertEquals("bad_request", client.next("error").path("code").asText());
        assertEquals(1008, client.awaitClose());
      }
    }
    Http.Reply honest =
        Http.post(server, "/api/docs/" + doc + "/ops", "{\"rev\":0,\"op\":[5,\"!\"]}");
    assertEquals(200, honest.status(), honest.body().toString());
    assertEquals("hello!", Http.get(server, "/api/docs/" + doc).body().path("text").asText());
  }

  /** 200 code points, 400 UTF-16 units: an Authorizer's user id follows the one rule. */
  @Test
  void anAuthorizersUserIdOfTwoHundredCodePointsIsAccepted() {
    String longest = "😀".repeat(200);
    String doc = Servers.freshDoc();
    try (WsClient client = WsClient.connect(server)) {
      client.send(
          "{\"type\":\"hello\",\"token\":\"" + longest + "\",\"client\":\"u-200\",\"protocol\":1}");
      ObjectNode welcome = client.next("welcome");
      assertEquals(longest, welcome.path("user").asText());
      assertEquals(longest, welcome.path("name").asText());
      client.send(Messages.open(doc));
      client.next("opened");
      client.send(Messages.submit(doc, 0, "[\"a\"]", 1));
      assertEquals(1, client.next("ack").path("rev").asLong());
    }
    try (WsClient client = WsClient.connect(server)) {
      client.send(
          "{\"type\":\"hello\",\"token\":\""
              + "x".repeat(201)
              + "\",\"client\":\"u-201\",\"protocol\":1}");
      assertEquals("bad_request", client.next("error").path("code").asText());
      assertEquals(1008, client.awaitClose());
    }
  }

  @Test
  void clientIdsFollowTheRuleOnTheWebSocket() {
    String[] refused = {"", "\\ud800", "a\\u0007b", "x".repeat(65), "😀".repeat(65)};
    for (String clientId : refused) {
      try (WsClient client = WsClient.connect(server)) {
        client.send("{\"type\":\"hello\",\"client\":\"" + clientId + "\",\"protocol\":1}");
        ObjectNode error = client.next("error");
        assertEquals("bad_request", error.path("code").asText(), clientId);
        assertTrue(error.path("message").asText().contains("client id"), error.toString());
        assertEquals(1008, client.awaitClose());
      }
    }
    // 64 code points, 128 UTF-16 units: the rule counts code points, as PostgreSQL does.
    String doc = Servers.freshDoc();
    try (WsClient client = WsClient.hello(server, "😀".repeat(64))) {
      client.send(Messages.open(doc));
      client.next("opened");
      client.send(Messages.submit(doc, 0, "[\"a\"]", 1));
      assertEquals(1, client.next("ack").path("rev").asLong());
    }
  }

  @Test
  void documentIdsFollowTheRuleEverywhere() {
    try (WsClient client = WsClient.hello(server, "docs-1")) {
      for (String docId : new String[] {"", "a b", "a/b", "é", "d".repeat(129)}) {
        client.send(Messages.open(docId));
        assertEquals("bad_request", client.next("error").path("code").asText(), docId);
      }
    }
    assertEquals(400, Http.put(server, "/api/docs/" + "d".repeat(129), "").status());
    assertEquals(400, Http.get(server, "/api/docs/a%20b/events").status());
  }

  @Test
  void aRestSubmitThatNamesItsClientMustNameItsSeq() {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "{\"text\":\"ab\"}");
    String ops = "/api/docs/" + doc + "/ops";
    for (int i = 0; i < 2; i++) { // each was answered {"rev":1} and the second dropped
      Http.Reply noSeq = Http.post(server, ops, "{\"rev\":0,\"op\":[2,\"!\"],\"client\":\"me\"}");
      assertEquals(400, noSeq.status(), noSeq.body().toString());
      assertEquals("bad_request", noSeq.body().path("code").asText());
    }
    assertEquals(0, Http.get(server, "/api/docs/" + doc).body().path("rev").asLong());
    assertEquals(
        1,
        Http.post(server, ops, "{\"rev\":0,\"op\":[2,\"!\"],\"client\":\"me\",\"seq\":1}")
            .body()
            .path("rev")
            .asLong());
    assertEquals(
        2,
        Http.post(server, ops, "{\"rev\":1,\"op\":[3,\"?\"],\"client\":\"me\",\"seq\":2}")
            .body()
            .path("rev")
            .asLong());
    // Without a client, every POST is an op of its own.
    assertEquals(
        3, Http.post(server, ops, "{\"rev\":2,\"op\":[4,\"1\"]}").body().path("rev").asLong());
    assertEquals(
        4, Http.post(server, ops, "{\"rev\":3,\"op\":[5,\"2\"]}").body().path("rev").asLong());
    assertEquals("ab!?12", Http.get(server, "/api/docs/" + doc).body().path("text").asText());
  }
}
