package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.ClientHarness.Editor;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A submit repeated after its op was committed (what a client does when the ack was lost) is
 * answered with the ack of its original revision, on the same socket and on a new one, and is never
 * applied twice, while a Java client edits the same document in between.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ClientResubmitTest {
  @Test
  void aResubmittedCommittedOpGetsItsOriginalRevision() throws Exception {
    String docId = Servers.freshDoc();
    String clientId = "resubmitter-" + docId;
    String submit =
        "{\"type\":\"submit\",\"doc\":\"" + docId + "\",\"rev\":0,\"op\":[\"a😀\"],\"seq\":1}";
    try (TandemServer server = Servers.start();
        ClientHarness harness = new ClientHarness(1)) {
      long original;
      try (WsClient socket = open(server.webSocketUri(), clientId, docId)) {
        socket.send(submit);
        original = nextAck(socket).path("rev").asLong(); // its own op, come back
        assertEquals(1, original);

        Editor editor = harness.editor(server.webSocketUri(), "other-" + docId, docId);
        editor.document.edit(
            text ->
                TextOperation.builder()
                    .retain(text.codePointCount(0, text.length()))
                    .insert("b")
                    .build());
        editor.document.whenSynchronized().get(30, TimeUnit.SECONDS);

        socket.send(submit); // the same doc, client and seq: the ack was "lost"
        JsonNode again = nextAck(socket);
        assertEquals(original, again.path("rev").asLong());
        assertEquals(1, again.path("seq").asLong());
      }
      try (WsClient socket = open(server.webSocketUri(), clientId, docId)) {
        socket.send(submit); // and after a reconnect
        assertEquals(original, nextAck(socket).path("rev").asLong());
      }
      JsonNode head = harness.restDocument(server.httpUri(), docId);
      assertEquals("a😀b", head.path("text").asText());
      assertEquals(2, head.path("rev").asLong());
    }
  }

  /** A bare protocol client: hello, open, then whatever the test sends. */
  private static WsClient open(URI uri, String clientId, String docId) {
    WsClient socket = WsClient.hello(uri, clientId);
    socket.send("{\"type\":\"open\",\"doc\":\"" + docId + "\"}");
    socket.next("opened");
    return socket;
  }

  /** The next ack, skipping others' ops; an error instead fails. */
  private static JsonNode nextAck(WsClient socket) {
    JsonNode message = socket.nextOf("ack", "error");
    assertEquals("ack", message.path("type").asText(), message.toString());
    return message;
  }
}
