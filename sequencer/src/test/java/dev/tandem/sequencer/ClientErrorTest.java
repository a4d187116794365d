package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.client.ConnectionState;
import dev.tandem.client.DocumentListener;
import dev.tandem.client.ErrorCode;
import dev.tandem.client.TandemClient;
import dev.tandem.client.TandemDocument;
import dev.tandem.client.TandemException;
import dev.tandem.client.TextChange;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.ClientHarness.Editor;
import dev.tandem.sequencer.auth.Authorizer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A refused op through a real server: the client reports the server's error code, resyncs to the
 * server's text (the refused edit and the edits buffered after it are dropped, and said so with a
 * RESYNC change), and keeps working; a refused hello (close code 1008) ends the client instead of
 * reconnecting forever.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ClientErrorTest {

  @Test
  void aRefusedOpIsReportedAndTheDocumentResyncs() throws Exception {
    String docId = Servers.freshDoc();
    try (TandemServer server = Servers.start(Servers.config().maxDocumentCodePoints(10).build());
        ClientHarness harness = new ClientHarness(9)) {
      Editor editor = harness.editor(server.webSocketUri(), "refused-" + docId, docId);
      List<TextChange> resyncs = new CopyOnWriteArrayList<>();
      editor.document.addListener(
          new DocumentListener() {
            @Override
            public void onChange(TextChange change) {
              if (change.origin() == TextChange.Origin.RESYNC) {
                resyncs.add(change);
              }
            }
          });

      editor.document.submit(TextOperation.builder().insert("0123456789😀").build()); // 11 > 10
      editor.document.whenSynchronized().get(30, TimeUnit.SECONDS);

      TandemException error = editor.errors.peek();
      assertEquals(ErrorCode.TOO_LARGE, error.code(), String.valueOf(editor.errors));
      assertFalse(error.retryable());
      assertEquals(docId, error.docId().orElseThrow());
      assertTrue(error.seq().isPresent());
      ClientHarness.await(() -> !resyncs.isEmpty(), () -> "no resync");
      assertEquals("", editor.document.text());
      assertEquals(0, editor.document.revision());

      editor.document.submit(TextOperation.builder().insert("ok").build());
      editor.document.whenSynchronized().get(30, TimeUnit.SECONDS);
      assertEquals(1, editor.document.revision());
      assertEquals("ok", harness.restDocument(server.httpUri(), docId).path("text").asText());
    }
  }

  /**
   * A document deleted while open is closed on the client (the server no longer follows it there):
   * its listener hears {@code not_found}, whoever waits for it to synchronize is told, and the
   * client's other documents go on. Left open it would wait forever for acks that never come.
   */
  @Test
  void aDocumentDeletedWhileOpenIsClosedAndItsOtherDocumentsGoOn() throws Exception {
    String docId = Servers.freshDoc();
    String otherId = Servers.freshDoc();
    try (TandemServer server = Servers.start();
        ClientHarness harness = new ClientHarness(13)) {
      Editor editor = harness.editor(server.webSocketUri(), "deleted-" + docId, docId);
      editor.document.submit(TextOperation.builder().insert("doomed").build());
      editor.document.whenSynchronized().get(30, TimeUnit.SECONDS);
      TandemDocument other = editor.client.open(otherId).get(30, TimeUnit.SECONDS);

      java.net.http.HttpResponse<String> deleted =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          server.httpUri().resolve("api/docs/" + docId))
                      .DELETE()
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, deleted.statusCode(), deleted.body());

      ClientHarness.await(
          () -> editor.document.state() == dev.tandem.client.DocumentState.CLOSED,
          () -> "still " + editor.document.state() + ", errors " + editor.errors);
      assertEquals(ErrorCode.NOT_FOUND, editor.errors.peek().code(), editor.errors.toString());
      assertTrue(editor.errors.peek().seq().isEmpty());
      ExecutionException waited =
          assertThrows(
              ExecutionException.class,
              () -> editor.document.whenSynchronized().get(30, TimeUnit.SECONDS));
      assertInstanceOf(IllegalStateException.class, waited.getCause());

      other.submit(TextOperation.builder().insert("alive").build());
      other.whenSynchronized().get(30, TimeUnit.SECONDS);
      assertEquals("alive", harness.restDocument(server.httpUri(), otherId).path("text").asText());
    }
  }

  @Test
  void aRefusedHelloClosesTheClientForGood() throws Exception {
    Authorizer noToken =
        new Authorizer() {
          @Override
          public String authenticate(String token) {
            throw new dev.tandem.sequencer.error.TandemException(
                dev.tandem.sequencer.error.ErrorCode.UNAUTHORIZED, "no token is good");
          }

          @Override
          public void checkRead(String user, String docId) {}

          @Override
          public void checkWrite(String user, String docId) {}
        };
    try (TandemServer server =
        TandemServer.builder()
            .config(Servers.config().build())
            .database(EmbeddedPostgresExtension.database())
            .authorizer(noToken)
            .build()
            .start()) {
      List<TandemException> errors = new CopyOnWriteArrayList<>();
      TandemClient client =
          TandemClient.builder(server.webSocketUri()).token("stolen").clientId("refused").build();
      client.addErrorListener(errors::add);
      CompletableFuture<TandemDocument> opening = client.open(Servers.freshDoc());
      try {
        ClientHarness.await(
            () -> client.connectionState() == ConnectionState.CLOSED,
            () -> "still " + client.connectionState() + ", errors " + errors);
        assertEquals(ErrorCode.UNAUTHORIZED, errors.get(0).code(), errors.toString());
        ExecutionException failed =
            assertThrows(ExecutionException.class, () -> opening.get(30, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, failed.getCause());
      } finally {
        client.close();
      }
    }
  }

  @Test
  void anOpOverTheServersMessageLimitIsRefusedOnceNotResentForever() throws Exception {
    String docId = Servers.freshDoc();
    try (TandemServer server = Servers.start(Servers.config().maxMessageBytes(4096).build());
        ClientHarness harness = new ClientHarness(11)) {
      Editor editor = harness.editor(server.webSocketUri(), "big-" + docId, docId);
      // the client assumes the default 1 MiB: the server closes with 1009, the client lowers
      // its limit, reconnects and refuses the resend itself
      editor.document.submit(TextOperation.builder().insert("x".repeat(5000)).build());
      editor.document.whenSynchronized().get(30, TimeUnit.SECONDS);

      TandemException error = editor.errors.peek();
      assertEquals(ErrorCode.TOO_LARGE, error.code(), String.valueOf(editor.errors));
      assertTrue(error.seq().isPresent());
      assertEquals("", editor.document.text());

      editor.document.submit(TextOperation.builder().insert("small").build());
      editor.document.whenSynchronized().get(30, TimeUnit.SECONDS);
      assertEquals("small", harness.restDocument(server.httpUri(), docId).path("text").asText());
    }
  }
}
