package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.ClientHarness.Editor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
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
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aResubmittedCommittedOpGetsItsOriginalRevision() throws Exception {
    String docId = Servers.freshDoc();
    String clientId = "resubmitter-" + docId;
    String submit =
        "{\"type\":\"submit\",\"doc\":\"" + docId + "\",\"rev\":0,\"op\":[\"a😀\"],\"seq\":1}";
    try (TandemServer server = Servers.start();
        ClientHarness harness = new ClientHarness(1)) {
      long original;
      try (RawSocket socket = RawSocket.open(server.webSocketUri(), clientId, docId)) {
        socket.send(submit);
        original = socket.next("ack").path("rev").asLong();
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
        JsonNode again = socket.next("ack");
        assertEquals(original, again.path("rev").asLong());
        assertEquals(1, again.path("seq").asLong());
      }
      try (RawSocket socket = RawSocket.open(server.webSocketUri(), clientId, docId)) {
        socket.send(submit); // and after a reconnect
        assertEquals(original, socket.next("ack").path("rev").asLong());
      }
      JsonNode head = harness.restDocument(server.httpUri(), docId);
      assertEquals("a😀b", head.path("text").asText());
      assertEquals(2, head.path("rev").asLong());
    }
  }

  /** A bare protocol client: hello, open, then whatever the test sends. */
  static final class RawSocket implements WebSocket.Listener, AutoCloseable {
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    static RawSocket open(URI uri, String clientId, String docId) throws Exception {
      RawSocket raw = new RawSocket();
      raw.socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(uri, raw)
              .get(30, TimeUnit.SECONDS);
      raw.send(
          "{\"type\":\"hello\",\"token\":\"\",\"client\":\"" + clientId + "\",\"protocol\":1}");
      raw.next("welcome");
      raw.send("{\"type\":\"open\",\"doc\":\"" + docId + "\"}");
      raw.next("opened");
      return raw;
    }

    void send(String text) throws Exception {
      socket.sendText(text, true).get(30, TimeUnit.SECONDS);
    }

    /** The next message of {@code type}, skipping others (ops of other clients, say). */
    JsonNode next(String type) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        String text = received.poll(100, TimeUnit.MILLISECONDS);
        if (text == null) {
          continue;
        }
        JsonNode message = JSON.readTree(text);
        if (message.path("type").asText().equals(type)) {
          return message;
        }
        if (message.path("type").asText().equals("error")) {
          fail("server answered an error while waiting for " + type + ": " + text);
        }
      }
      throw new AssertionError("no " + type + " within 30 s");
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        received.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public void close() {
      socket.abort();
    }
  }
}
