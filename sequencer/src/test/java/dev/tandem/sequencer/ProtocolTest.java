package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.auth.Authorizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The shape rules of the WebSocket protocol, against a real server on an ephemeral port. */
@ExtendWith(EmbeddedPostgresExtension.class)
class ProtocolTest {
  private static TandemServer server;

  @BeforeAll
  static void start() {
    server = Servers.start(Servers.config().maxMessageBytes(4096).build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void helloIsAnsweredWithWelcome() {
    try (WsClient client = WsClient.connect(server)) {
      client.send("{\"type\":\"hello\",\"token\":\"\",\"client\":\"c-1\",\"protocol\":1}");
      ObjectNode welcome = client.next("welcome");
      assertEquals("c-1", welcome.path("client").asText());
      assertEquals(Authorizer.AllowAll.USER, welcome.path("user").asText());
    }
  }

  @Test
  void anythingBeforeHelloIsAnErrorAndClosesWith1008() {
    try (WsClient client = WsClient.connect(server)) {
      client.send("{\"type\":\"ping\"}");
      assertEquals("bad_request", client.next("error").path("code").asText());
      assertEquals(1008, client.awaitClose());
    }
  }

  @Test
  void aWrongProtocolVersionClosesWith1008() {
    try (WsClient client = WsClient.connect(server)) {
      client.send("{\"type\":\"hello\",\"client\":\"c-2\",\"protocol\":2}");
      assertEquals("bad_request", client.next("error").path("code").asText());
      assertEquals(1008, client.awaitClose());
    }
  }

  @Test
  void pingIsAnsweredWithPong() {
    try (WsClient client = WsClient.hello(server, "c-3")) {
      client.send("{\"type\":\"ping\"}");
      client.next("pong");
    }
  }

  @Test
  void badMessagesGetBadRequestAndTheConnectionStaysOpen() {
    try (WsClient client = WsClient.hello(server, "c-4")) {
      String[] bad = {
        "{not json",
        "[1,2,3]",
        "{\"type\":\"dance\"}",
        "{\"type\":42}",
        "{\"type\":\"open\",\"doc\":\"d\",\"rev\":\"1\"}",
        "{\"type\":\"open\",\"doc\":\"d\",\"rev\":1.0}",
        "{\"type\":\"open\",\"doc\":\"d\",\"rev\":-1}",
        "{\"type\":\"open\",\"doc\":\"no/slashes\"}",
        "{\"type\":\"ping\"} trailing",
      };
      for (String message : bad) {
        client.send(message);
        ObjectNode error = client.next("error");
        assertEquals("bad_request", error.path("code").asText(), message);
        assertFalse(error.path("retryable").asBoolean());
        client.send("{\"type\":\"ping\"}");
        client.next("pong");
      }
      assertFalse(client.isClosed());
    }
  }

  @Test
  void aSubmitWithAWrongFieldTypeNamesItsDocAndSeq() {
    try (WsClient client = WsClient.hello(server, "c-5")) {
      client.send("{\"type\":\"submit\",\"doc\":\"d-5\",\"rev\":0,\"op\":\"hi\",\"seq\":7}");
      ObjectNode error = client.next("error");
      assertEquals("bad_request", error.path("code").asText());
      assertEquals("d-5", error.path("doc").asText());
      assertEquals(7, error.path("seq").asLong());
      assertTrue(error.path("message").asText().contains("'op'"), error.toString());
    }
  }

  @Test
  void tenBadMessagesWithinTenSecondsCloseWith1008() {
    try (WsClient client = WsClient.hello(server, "c-6")) {
      for (int i = 0; i < 10; i++) {
        client.send("garbage " + i);
      }
      for (int i = 0; i < 10; i++) {
        client.next("error");
      }
      assertEquals(1008, client.awaitClose());
    }
  }

  @Test
  void aMessageOverTheSizeLimitClosesWith1009() {
    try (WsClient client = WsClient.hello(server, "c-7")) {
      client.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(5000) + "\"}");
      assertEquals(1009, client.awaitClose());
    }
  }

  /**
   * The JDK client sends this as four 16 KiB fragments. The server reads all of them before it
   * closes: closing after the first would leave unread data, answered by a reset (-1) instead of
   * 1009 whenever the later fragments were still on their way.
   */
  @Test
  void aMessageFarOverTheSizeLimitClosesWith1009() {
    try (WsClient client = WsClient.hello(server, "c-9")) {
      client.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(50_000) + "\"}");
      assertEquals(1009, client.awaitClose());
    }
  }

  @Test
  void anOversizedMessageIsReadToItsLastFragmentBeforeTheClose() {
    try (WsClient client = WsClient.hello(server, "c-10")) {
      client.sendFragment("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(5000), false);
      client.pingFrame(); // answered: past its limit, the server still reads the message
      client.sendFragment("x".repeat(5000), false);
      client.sendFragment("\"}", true);
      assertEquals(1009, client.awaitClose());
    }
  }

  @Test
  void aBinaryMessageIsABadRequestAndTheConnectionStaysOpen() {
    try (WsClient client = WsClient.hello(server, "c-12")) {
      client.sendBinary(new byte[20_000]); // over the limit too: still one answer, no close
      assertEquals("bad_request", client.next("error").path("code").asText());
      client.send("{\"type\":\"ping\"}");
      client.next("pong");
    }
  }

  @Test
  void aFragmentedMessageWithinTheLimitIsJoined() {
    try (WsClient client = WsClient.hello(server, "c-11")) {
      client.sendFragment("{\"type\":", false);
      client.sendFragment("\"ping\"}", true);
      client.next("pong");
    }
  }

  @Test
  void aSecondHelloIsABadRequest() {
    try (WsClient client = WsClient.hello(server, "c-8")) {
      client.send("{\"type\":\"hello\",\"client\":\"c-8\",\"protocol\":1}");
      assertEquals("bad_request", client.next("error").path("code").asText());
      client.send("{\"type\":\"ping\"}");
      client.next("pong");
    }
  }
}
