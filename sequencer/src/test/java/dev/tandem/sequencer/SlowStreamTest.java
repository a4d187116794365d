package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An SSE stream whose client stops reading never slows the document it follows, and the server does
 * not buffer the document's history for it: once {@code outbound-socket-bytes} wait for the
 * network, the stream is ended (the client would reconnect with its last id).
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class SlowStreamTest {
  private static final int OPS = 120;

  @Test
  void aStalledStreamIsEndedAndNeverSlowsTheWriter() throws Exception {
    String doc = Servers.freshDoc();
    try (TandemServer server =
            Servers.start(Servers.config().outboundSocketBytes(512 * 1024).build());
        WsClient writer = WsClient.hello(server, "writer-sse")) {
      writer.send(Messages.open(doc));
      writer.next("opened");
      HttpResponse<InputStream> stalled =
          Http.client()
              .sendAsync(
                  Http.request(server, "/api/docs/" + doc + "/events")
                      .header("Accept", "text/event-stream")
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofInputStream())
              .orTimeout(WsClient.WAIT.toSeconds(), TimeUnit.SECONDS)
              .join();
      assertEquals(200, stalled.statusCode()); // and then it reads nothing until the writer is done
      String chunk = "x".repeat(100_000);
      long length = 0;
      for (int seq = 1; seq <= OPS; seq++) {
        String op = length == 0 ? "[\"" + chunk + "\"]" : "[" + length + ",\"" + chunk + "\"]";
        writer.send(Messages.submit(doc, seq - 1, op, seq));
        assertEquals(seq, writer.next("ack").path("rev").asLong());
        length += chunk.length();
      }
      int events =
          CompletableFuture.supplyAsync(() -> eventsUntilTheEnd(stalled.body()))
              .orTimeout(ClientHarness.DEADLINE.toSeconds(), TimeUnit.SECONDS)
              .join();
      assertTrue(events < 1 + OPS, "the stream was not ended: " + events + " events");
    }
  }

  /** Counts the events of a stream until the server ends it. */
  private static int eventsUntilTheEnd(InputStream body) {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      int events = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.startsWith("event:")) {
          events++;
        }
      }
      return events;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
