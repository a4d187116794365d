package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Messages and bodies are bound to records by Jackson without coercion: each refusal is {@code
 * bad_request} with a message that names the field, what came and what was expected, the same over
 * REST and the WebSocket; unknown fields are ignored.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class StrictBindingTest {
  private static TandemServer server;

  @BeforeAll
  static void start() {
    server = Servers.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"rev\":\"0\",\"op\":[3]}   | field 'rev' is a string \"0\" (expected: an integer)",
        "{\"rev\":1.0,\"op\":[3]}     | field 'rev' is a number with a fraction or exponent 1.0"
            + " (expected: an integer)",
        "{\"rev\":null,\"op\":[3]}    | field 'rev' is null (expected: an integer)",
        "{\"op\":[3]}                 | field 'rev' is required",
        "{\"rev\":0}                  | field 'op' is required",
        "{\"rev\":0,\"op\":\"hi\"}    | field 'op' is a string \"hi\" (expected: an array)",
        "{\"rev\":-1,\"op\":[3]}      | field 'rev' : -1 (expected: >= 0)",
        "{\"rev\":0,\"op\":[3],\"client\":\"c\"} | field 'seq' is required with 'client' (a"
            + " resubmit is recognised by both)",
        "{\"rev\":0,\"op\":[3],\"seq\":true} | field 'seq' is a boolean true (expected: an"
            + " integer)",
        "[1]                          | expected a JSON object (got an array)",
      })
  void aBodyOfTheWrongShapeIsABadRequestNamingTheField(String body, String message) {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"abc\"}").status());
    Http.Reply posted = Http.post(server, "/api/docs/" + doc + "/ops", body);
    assertEquals(400, posted.status(), posted.body().toString());
    assertEquals("bad_request", posted.body().path("code").asText());
    assertEquals(message, posted.body().path("message").asText());
    assertEquals(0, Http.get(server, "/api/docs/" + doc).body().path("rev").asLong());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"rev\":99999999999999999999,\"op\":[3]}",
        "{\"rev\":0,\"rev\":0,\"op\":[3]}",
        "{\"rev\":0,\"op\":[3]} {}",
        "{\"rev\":0,\"op\":[3,\"\\ud800\"]}",
        "{\"rev\":0,\"op\":[3],\"client\":\"\\udc00\",\"seq\":1}",
      })
  void outOfRangeDuplicatesTrailingDataAndLoneSurrogatesChangeNothing(String body) {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"abc\"}").status());
    Http.Reply posted = Http.post(server, "/api/docs/" + doc + "/ops", body);
    assertEquals(400, posted.status(), posted.body().toString());
    assertTrue(
        Set.of("bad_request", "invalid_op").contains(posted.body().path("code").asText()),
        posted.body().toString());
    assertEquals(0, Http.get(server, "/api/docs/" + doc).body().path("rev").asLong());
  }

  @Test
  void unknownFieldsAreIgnored() {
    String doc = Servers.freshDoc();
    assertEquals(
        201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"abc\",\"later\":[1]}").status());
    Http.Reply posted =
        Http.post(server, "/api/docs/" + doc + "/ops", "{\"rev\":0,\"op\":[3,\"!\"],\"later\":{}}");
    assertEquals(200, posted.status(), posted.body().toString());
    assertEquals("abc!", Http.get(server, "/api/docs/" + doc).body().path("text").asText());
  }

  @Test
  void queryParametersOfTheWrongTypeAreBadRequests() {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "{\"text\":\"abc\"}");
    Http.Reply rev = Http.get(server, "/api/docs/" + doc + "?rev=x");
    assertEquals(400, rev.status(), rev.body().toString());
    assertEquals(
        "query parameter 'rev' is 'x' (expected: an integer)", rev.body().path("message").asText());
    Http.Reply at = Http.get(server, "/api/docs/" + doc + "?at=yesterday");
    assertEquals(400, at.status(), at.body().toString());
    assertEquals(
        "query parameter 'at' is 'yesterday' (expected: an ISO-8601 time with an offset, e.g."
            + " 2026-11-30T12:00:00Z)",
        at.body().path("message").asText());
    Http.Reply text = Http.put(server, "/api/docs/" + doc + "-t", "{\"text\":5}");
    assertEquals(
        "field 'text' is an integer 5 (expected: a string)", text.body().path("message").asText());
  }

  @Test
  void aWebSocketMessageIsBoundByTheSameRules() {
    try (WsClient client = WsClient.hello(server, "strict-binding")) {
      client.send("{\"type\":\"open\",\"doc\":\"d\",\"rev\":\"1\"}");
      ObjectNode error = client.next("error");
      assertEquals("bad_request", error.path("code").asText());
      assertEquals(
          "field 'rev' is a string \"1\" (expected: an integer)", error.path("message").asText());
      client.send("{\"type\":\"close\"}");
      assertEquals("field 'doc' is required", client.next("error").path("message").asText());
      client.send("null"); // binds to no record at all (found by FuzzTest)
      assertEquals("expected a JSON object", client.next("error").path("message").asText());
      client.send("{\"type\":\"ping\",\"later\":1}");
      client.next("pong");
    }
  }
}
