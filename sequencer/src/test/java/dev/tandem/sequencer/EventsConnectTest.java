package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.Database;
import dev.tandem.persistence.DatabaseConfig;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.persistence.OpLog;
import dev.tandem.sequencer.protocol.Json;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An SSE connect waits for its document without a Grizzly worker thread: the request is suspended
 * and answered from the document's sequencer, with the stream once the document is loaded or with
 * the error (here {@code unavailable}) if it cannot be. More connects than the server has worker
 * threads, all waiting for a held load, leave the server answering other requests.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class EventsConnectTest {
  /** Generous: a held connect answers only when the test lets its load go. */
  private static final Duration HELD = Duration.ofSeconds(120);

  /** One connection per request, so each connect holds its own socket as a browser's would. */
  private static final HttpClient HTTP_1_1 =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  @Test
  void connectsWaitingForALoadHoldNoWorkerThread(OpLog opLog) throws Exception {
    String held = Servers.freshDoc();
    String loaded = Servers.freshDoc();
    opLog.createDocument(held, "held");
    opLog.createDocument(loaded, "loaded");
    DataSource dataSource = EmbeddedPostgresExtension.database().dataSource();
    try (TandemServer server = Servers.start()) {
      assertEquals("loaded", Http.get(server, "/api/docs/" + loaded).body().path("text").asText());
      int connects = server.httpWorkerThreads() + 4;
      List<CompletableFuture<HttpResponse<InputStream>>> responses = new ArrayList<>();
      try (Connection lock = dataSource.getConnection()) {
        lock.setAutoCommit(false);
        try (Statement statement = lock.createStatement()) {
          // A load reads the checkpoints table: every load waits until this transaction ends.
          statement.execute("LOCK TABLE checkpoints IN ACCESS EXCLUSIVE MODE");
        }
        for (int i = 0; i < connects; i++) {
          // Half start with a snapshot, half resume after revision 0 (a catch-up with no op).
          String lastEventId = i % 2 == 0 ? null : "0";
          responses.add(
              HTTP_1_1.sendAsync(
                  heldRequest(server, "/api/docs/" + held + "/events", lastEventId),
                  HttpResponse.BodyHandlers.ofInputStream()));
        }
        ClientHarness.await(
            () -> server.sequencers().streams() == connects,
            () ->
                server.sequencers().streams()
                    + " of "
                    + connects
                    + " connects were handed to the document (the rest hold a worker thread)");
        ClientHarness.await(
            () -> waitingForLocks(dataSource) >= 1, () -> "the document's load is not held");

        // Every worker thread is free: Grizzly's own handler and a Jersey call both answer.
        Http.Reply health = Http.get(server, "/healthz");
        assertEquals(200, health.status(), health.body().toString());
        Http.Reply text = Http.get(server, "/api/docs/" + loaded);
        assertEquals(200, text.status(), text.body().toString());
        assertEquals("loaded", text.body().path("text").asText());
        assertFalse(
            responses.stream().anyMatch(CompletableFuture::isDone),
            "a connect was answered before its document loaded");
        lock.rollback();
      }

      List<EventsTest.Stream> streams = new ArrayList<>();
      try {
        for (CompletableFuture<HttpResponse<InputStream>> response : responses) {
          streams.add(new EventsTest.Stream(response.get(HELD.toSeconds(), TimeUnit.SECONDS)));
        }
        for (int i = 0; i < streams.size(); i += 2) {
          EventsTest.Event snapshot = streams.get(i).next();
          assertEquals("snapshot", snapshot.name());
          assertEquals("held", snapshot.data().path("text").asText());
        }
        Http.Reply submitted =
            Http.post(server, "/api/docs/" + held + "/ops", "{\"rev\":0,\"op\":[4,\"!\"]}");
        assertEquals(1, submitted.body().path("rev").asLong(), submitted.body().toString());
        for (EventsTest.Stream stream : streams) {
          EventsTest.Event op = stream.next();
          assertEquals("op", op.name());
          assertEquals(1, op.id());
        }
      } finally {
        for (EventsTest.Stream stream : streams) {
          stream.close();
        }
      }
    }
  }

  @Test
  void aConnectWhileTheDatabaseIsAwayIsUnavailableThenStreamsOnceItIsBack(OpLog opLog)
      throws Exception {
    String doc = Servers.freshDoc();
    opLog.createDocument(doc, "away");
    DatabaseConfig shared = EmbeddedPostgresExtension.database().connectionConfig();
    URI jdbc = URI.create(shared.url().substring("jdbc:".length()));
    try (TcpProxy proxy = new TcpProxy(jdbc.getHost(), jdbc.getPort());
        Database database =
            Database.open(
                new DatabaseConfig(
                    shared.url().replace(":" + jdbc.getPort() + "/", ":" + proxy.port() + "/"),
                    shared.user(),
                    shared.password(),
                    2,
                    shared.dataDirectory()));
        TandemServer server = Servers.start(Servers.config().build(), database)) {
      proxy.cut();
      HttpResponse<String> refused =
          HTTP_1_1.send(
              heldRequest(server, "/api/docs/" + doc + "/events", null),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(503, refused.statusCode(), refused.body());
      ObjectNode error = Json.parseObject(refused.body());
      assertEquals("unavailable", error.path("code").asText(), refused.body());

      proxy.restore();
      // The client retries, as for any unavailable: the pool may still hold connections cut while
      // the database was away, each of which fails one more load before it is replaced.
      List<HttpResponse<InputStream>> back = new ArrayList<>();
      ClientHarness.await(
          () -> {
            HttpResponse<InputStream> response =
                HTTP_1_1
                    .sendAsync(
                        heldRequest(server, "/api/docs/" + doc + "/events", null),
                        HttpResponse.BodyHandlers.ofInputStream())
                    .join();
            if (response.statusCode() == 200) {
              back.add(response);
              return true;
            }
            assertEquals(503, response.statusCode());
            closeQuietly(response.body());
            return false;
          },
          () -> "no stream since the database came back");
      try (EventsTest.Stream stream = new EventsTest.Stream(back.get(0))) {
        assertEquals("away", stream.next().data().path("text").asText());
      }
    }
  }

  private static HttpRequest heldRequest(TandemServer server, String path, String lastEventId) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.httpUri() + path.substring(1)))
            .timeout(HELD)
            .header("Accept", "text/event-stream");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    return request.GET().build();
  }

  private static void closeQuietly(InputStream body) {
    try {
      body.close();
    } catch (java.io.IOException e) {
      // the response is discarded anyway
    }
  }

  private static int waitingForLocks(DataSource dataSource) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")) {
      rows.next();
      return rows.getInt(1);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }
}
