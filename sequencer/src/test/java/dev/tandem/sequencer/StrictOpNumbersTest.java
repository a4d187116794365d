package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12, item 9: every number in an op is a JSON integer in range, over the WebSocket and REST.
 * {@code 1e999} used to be stored as the insert {@code "Infinity"}: Jackson read it as an infinite
 * double, and the op was written back to JSON (as the string "Infinity") before it was parsed.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class StrictOpNumbersTest {
  private static TandemServer server;

  @BeforeAll
  static void start() {
    server = Servers.start(Servers.config().badMessageLimit(1000).build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "[1e999]",
        "[3,-1e999]",
        "[3,\"x\",1e999]",
        "[1.5,1.5]",
        "[3.0]",
        "[1e3]",
        "[3E0]",
        "[-0,3]",
        "[-0.0,3]",
        "[3,2147483648]",
        "[-2147483648,3]",
        "[3,-9223372036854775809]",
        "[3,100000000000000000000000000000]",
        "[true,3]",
        "[null,3]",
        "[[3]]",
        "[{\"n\":3}]",
      })
  void aNumberThatIsNotAnIntegerInRangeIsAnInvalidOpAndChangesNothing(String op) {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"abc\"}").status());

    Http.Reply posted =
        Http.post(server, "/api/docs/" + doc + "/ops", "{\"rev\":0,\"op\":" + op + "}");
    assertEquals(400, posted.status(), posted.body().toString());
    assertEquals("invalid_op", posted.body().path("code").asText(), posted.body().toString());
    assertTrue(posted.body().path("message").asText().startsWith("op["), posted.body().toString());

    try (WsClient client = WsClient.hello(server, "strict-" + Math.abs(op.hashCode()))) {
      client.send(Messages.open(doc));
      client.next("opened");
      client.send(Messages.submit(doc, 0, op, 1));
      ObjectNode error = client.next("error");
      assertEquals("invalid_op", error.path("code").asText(), error.toString());
      assertEquals(doc, error.path("doc").asText());
      assertEquals(1, error.path("seq").asLong());
      assertEquals(posted.body().path("message").asText(), error.path("message").asText());
      // The socket stays usable, and a valid op is then taken at revision 1.
      client.send(Messages.submit(doc, 0, "[3,\"!\"]", 2));
      assertEquals(1, client.next("ack").path("rev").asLong());
    }
    ObjectNode text = Http.get(server, "/api/docs/" + doc).body();
    assertEquals("abc!", text.path("text").asText(), "nothing but the valid op was applied");
    assertEquals(1, Http.get(server, "/api/docs/" + doc + "/ops").body().path("ops").size());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[\"x\",-3]           | x",
        "[3,\"1e999\"]        | abc1e999",
        "[1,1,1,\"Infinity\"] | abcInfinity",
      })
  void integersAndStringsAreTakenAsBefore(String op, String expected) {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"abc\"}").status());
    Http.Reply posted =
        Http.post(server, "/api/docs/" + doc + "/ops", "{\"rev\":0,\"op\":" + op + "}");
    assertEquals(200, posted.status(), posted.body().toString());
    assertEquals(expected, Http.get(server, "/api/docs/" + doc).body().path("text").asText());
  }

  @Test
  void theLargestIntegerIsInRangeAndJudgedByTheDocumentsLength() {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"abc\"}").status());
    Http.Reply posted =
        Http.post(server, "/api/docs/" + doc + "/ops", "{\"rev\":0,\"op\":[2147483647]}");
    assertEquals("invalid_op", posted.body().path("code").asText(), posted.body().toString());
    assertTrue(
        posted.body().path("message").asText().contains("base length"), posted.body().toString());
  }
}
