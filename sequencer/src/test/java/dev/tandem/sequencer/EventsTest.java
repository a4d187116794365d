package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.protocol.Json;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The SSE feed: snapshot, live ops with id = revision, and exact resume with Last-Event-ID. */
@ExtendWith(EmbeddedPostgresExtension.class)
class EventsTest {
  private static TandemServer server;

  @BeforeAll
  static void start() {
    server = Servers.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** One event as read off the stream. */
  record Event(String name, long id, ObjectNode data) {}

  /** Reads events off one SSE response, in order. */
  static final class Stream implements AutoCloseable {
    private final InputStream body;
    private final BufferedReader reader;

    Stream(String path, String lastEventId) {
      this(server, path, lastEventId);
    }

    Stream(TandemServer server, String path, String lastEventId) {
      this(
          Http.client()
              .sendAsync(
                  request(server, path, lastEventId), HttpResponse.BodyHandlers.ofInputStream())
              .orTimeout(WsClient.WAIT.toSeconds(), TimeUnit.SECONDS)
              .join());
    }

    /** Follows a response whose status and headers have arrived. */
    Stream(HttpResponse<InputStream> response) {
      assertEquals(200, response.statusCode());
      body = response.body();
      reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    /** {@code GET path} as an {@code EventSource} sends it. */
    static HttpRequest request(TandemServer server, String path, String lastEventId) {
      HttpRequest.Builder request =
          Http.request(server, path).header("Accept", "text/event-stream");
      if (lastEventId != null) {
        request.header("Last-Event-ID", lastEventId);
      }
      return request.GET().build();
    }

    Event next() {
      return CompletableFuture.supplyAsync(this::read)
          .orTimeout(WsClient.WAIT.toSeconds(), TimeUnit.SECONDS)
          .join();
    }

    private Event read() {
      try {
        String name = null;
        long id = -1;
        StringBuilder data = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
          if (line.isEmpty()) {
            if (name != null) {
              return new Event(name, id, Json.parseObject(data.toString()));
            }
          } else if (line.startsWith("event:")) {
            name = line.substring(6).trim();
          } else if (line.startsWith("id:")) {
            id = Long.parseLong(line.substring(3).trim());
          } else if (line.startsWith("data:")) {
            data.append(line.substring(5).trim());
          }
        }
        throw new AssertionError("the stream ended");
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    }

    /** Waits for the server to end the stream, reading whatever else comes first. */
    void awaitEnd() {
      CompletableFuture.runAsync(
              () -> {
                try {
                  while (reader.readLine() != null) {
                    // skipped: only the end matters
                  }
                } catch (java.io.IOException e) {
                  throw new AssertionError(e);
                }
              })
          .orTimeout(WsClient.WAIT.toSeconds(), TimeUnit.SECONDS)
          .join();
    }

    @Override
    public void close() throws Exception {
      body.close();
    }
  }

  private static void submit(String doc, long rev, String op) {
    Http.Reply reply =
        Http.post(server, "/api/docs/" + doc + "/ops", "{\"rev\":" + rev + ",\"op\":" + op + "}");
    assertEquals(rev + 1, reply.body().path("rev").asLong(), reply.body().toString());
  }

  @Test
  void aFeedStartsWithASnapshotThenFollowsEveryOp() throws Exception {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "{\"text\":\"ab\"}");
    submit(doc, 0, "[2,\"c\"]");
    try (Stream stream = new Stream("/api/docs/" + doc + "/events", null)) {
      Event snapshot = stream.next();
      assertEquals("snapshot", snapshot.name());
      assertEquals(1, snapshot.id());
      assertEquals("abc", snapshot.data().path("text").asText());
      submit(doc, 1, "[3,\"d\"]");
      submit(doc, 2, "[\"😀\",4]");
      Event first = stream.next();
      assertEquals("op", first.name());
      assertEquals(2, first.id());
      assertEquals("[3,\"d\"]", first.data().path("op").toString());
      Event second = stream.next();
      assertEquals(3, second.id());
      assertEquals(3, second.data().path("rev").asLong());
    }
  }

  @Test
  void lastEventIdResumesExactlyAfterThatRevision() throws Exception {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "");
    for (int i = 0; i < 4; i++) {
      submit(doc, i, i == 0 ? "[\"x\"]" : "[" + i + ",\"x\"]");
    }
    try (Stream stream = new Stream("/api/docs/" + doc + "/events", "2")) {
      assertEquals(3, stream.next().id(), "no snapshot, the op after 2 first");
      assertEquals(4, stream.next().id());
      submit(doc, 4, "[4,\"y\"]");
      Event live = stream.next();
      assertEquals("op", live.name());
      assertEquals(5, live.id());
    }
  }

  @Test
  void aLastEventIdPastTheHeadIsRefused() {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "");
    Http.Reply reply =
        Http.send(
            Http.request(server, "/api/docs/" + doc + "/events")
                .header("Last-Event-ID", "7")
                .GET()
                .build());
    assertEquals(400, reply.status());
    assertEquals("rev_out_of_range", reply.body().path("code").asText());
  }

  @Test
  void aNegativeLastEventIdIsRefused() {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "");
    Http.Reply reply =
        Http.send(
            Http.request(server, "/api/docs/" + doc + "/events")
                .header("Last-Event-ID", "-1")
                .GET()
                .build());
    assertEquals(400, reply.status());
    assertEquals("rev_out_of_range", reply.body().path("code").asText());
  }

  @Test
  void aMissingDocumentIs404() {
    Http.Reply reply = Http.get(server, "/api/docs/" + Servers.freshDoc() + "/events");
    assertEquals(404, reply.status());
    assertEquals("not_found", reply.body().path("code").asText());
  }
}
