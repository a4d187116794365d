package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.auth.Authorizer;
import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.TandemException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every transport asks the one {@link Authorizer}: a token it refuses is {@code unauthorized}, a
 * document it refuses is {@code forbidden}, on the WebSocket and over REST and SSE alike.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class AuthorizationTest {
  private static TandemServer server;

  /** The threads that called {@link TestAuthorizer#checkWrite}. */
  private static final List<String> checkedOn = new CopyOnWriteArrayList<>();

  /** Tokens are user names; "reader" may only read, "writer" may write, others are refused. */
  private static final class TestAuthorizer implements Authorizer {
    @Override
    public String authenticate(String token) {
      if (!token.equals("reader") && !token.equals("writer")) {
        throw new TandemException(ErrorCode.UNAUTHORIZED, "unknown token");
      }
      return token;
    }

    @Override
    public void checkRead(String user, String docId) {
      if (docId.startsWith("secret")) {
        throw new TandemException(ErrorCode.FORBIDDEN, user + " may not read " + docId);
      }
    }

    @Override
    public void checkWrite(String user, String docId) {
      checkedOn.add(Thread.currentThread().getName());
      checkRead(user, docId);
      if (!user.equals("writer")) {
        throw new TandemException(ErrorCode.FORBIDDEN, user + " may not write " + docId);
      }
    }
  }

  @BeforeAll
  static void start() {
    server =
        TandemServer.builder()
            .config(Servers.config().build())
            .database(EmbeddedPostgresExtension.database())
            .authorizer(new TestAuthorizer())
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    server.close();
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
  void aRefusedTokenIsUnauthorizedAndClosesWith1008() {
    try (WsClient client = hello("nobody", "a-1")) {
      assertEquals("unauthorized", client.next("error").path("code").asText());
      assertEquals(1008, client.awaitClose());
    }
  }

  @Test
  void aReaderMayOpenButNotSubmitNorCreate() {
    String doc = Servers.freshDoc();
    try (WsClient writer = hello("writer", "a-2w");
        WsClient reader = hello("reader", "a-2r")) {
      assertEquals("writer", writer.next("welcome").path("user").asText());
      reader.next("welcome");

      reader.send(Messages.open(doc));
      assertEquals("not_found", reader.next("error").path("code").asText(), "may not create");
      writer.send(Messages.open(doc));
      writer.next("opened");
      reader.send(Messages.open(doc));
      reader.next("opened");

      reader.send(Messages.submit(doc, 0, "[\"x\"]", 1));
      ObjectNode refused = reader.next("error");
      assertEquals("forbidden", refused.path("code").asText());
      assertEquals(1, refused.path("seq").asLong());
      writer.send(Messages.submit(doc, 0, "[\"x\"]", 1));
      assertEquals(1, writer.next("ack").path("rev").asLong());
      assertEquals(1, reader.next("op").path("rev").asLong());

      reader.send(Messages.open("secret-" + doc));
      assertEquals("forbidden", reader.next("error").path("code").asText());
    }
  }

  /**
   * A custom authorizer may wait (a session store, a service), so its checks never run on the
   * thread that reads the sockets, though a quiet socket's messages are handled there with one that
   * checks from memory ({@code Authorizer.checksFromMemory()}, false unless it says so).
   */
  @Test
  void aCustomAuthorizersChecksNeverRunOnTheThreadsThatReadSockets() {
    String doc = Servers.freshDoc();
    checkedOn.clear();
    try (WsClient writer = hello("writer", "a-4")) {
      writer.next("welcome");
      writer.send(Messages.open(doc));
      writer.next("opened");
      for (int seq = 1; seq <= 5; seq++) {
        writer.send(
            Messages.submit(doc, seq - 1, seq == 1 ? "[\"x\"]" : "[" + (seq - 1) + ",\"x\"]", seq));
        assertEquals(seq, writer.next("ack").path("rev").asLong());
      }
    }
    assertTrue(checkedOn.size() >= 5, "an open that may create, and every submit: " + checkedOn);
    assertTrue(
        checkedOn.stream().allMatch(thread -> thread.startsWith("tandem-inbound-")),
        checkedOn.toString());
  }

  @Test
  void restAndSseAskTheAuthorizerToo() {
    String doc = Servers.freshDoc();
    assertEquals(401, Http.get(server, "/api/docs/" + doc).status());
    Http.Reply unauthorized =
        send(
            Http.request(server, "/api/docs/" + doc)
                .header("Authorization", "Bearer nobody")
                .GET());
    assertEquals(401, unauthorized.status());
    assertEquals("unauthorized", unauthorized.body().path("code").asText());

    Http.Reply forbidden =
        send(
            Http.request(server, "/api/docs/" + doc)
                .header("Authorization", "Bearer reader")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("")));
    assertEquals(403, forbidden.status());
    assertEquals("forbidden", forbidden.body().path("code").asText());

    Http.Reply created =
        send(
            Http.request(server, "/api/docs/" + doc)
                .header("Authorization", "Bearer writer")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("")));
    assertEquals(201, created.status());
    assertEquals(200, Http.get(server, "/api/docs/" + doc + "?access_token=reader").status());
    assertEquals(
        403, Http.get(server, "/api/docs/secret-" + doc + "/events?access_token=reader").status());
    assertEquals(401, Http.get(server, "/api/docs/" + doc + "/events").status());
  }

  private static Http.Reply send(java.net.http.HttpRequest.Builder request) {
    return Http.send(request.build());
  }
}
