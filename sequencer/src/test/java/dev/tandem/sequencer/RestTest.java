package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.OperationJson;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The REST API against a real server and the embedded PostgreSQL. */
@ExtendWith(EmbeddedPostgresExtension.class)
class RestTest {
  private static TandemServer server;

  @BeforeAll
  static void start() {
    server = Servers.start(Servers.config().checkpointInterval(5).maxMessageBytes(4096).build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void createThenReadThenConflict() {
    String doc = Servers.freshDoc();
    Http.Reply created = Http.put(server, "/api/docs/" + doc, "{\"text\":\"héllo 😀\"}");
    assertEquals(201, created.status(), created.body().toString());
    assertEquals(0, created.body().path("rev").asLong());
    Http.Reply read = Http.get(server, "/api/docs/" + doc);
    assertEquals(200, read.status());
    assertEquals("héllo 😀", read.body().path("text").asText());
    assertEquals(doc, read.body().path("id").asText());

    Http.Reply again = Http.put(server, "/api/docs/" + doc, "");
    assertEquals(409, again.status());
    assertEquals("already_exists", again.body().path("code").asText());
  }

  @Test
  void errorsHaveTheirStatusAndBody() {
    String doc = Servers.freshDoc();
    assertError(Http.get(server, "/api/docs/" + doc), 404, "not_found");
    Http.put(server, "/api/docs/" + doc, "{\"text\":\"abc\"}");
    assertError(Http.get(server, "/api/docs/" + doc + "?rev=1"), 400, "rev_out_of_range");
    assertError(Http.get(server, "/api/docs/" + doc + "?rev=x"), 400, "bad_request");
    assertError(
        Http.post(server, "/api/docs/" + doc + "/ops", "{\"rev\":\"0\",\"op\":[3]}"),
        400,
        "bad_request");
    assertError(
        Http.post(server, "/api/docs/" + doc + "/ops", "{\"rev\":0,\"op\":[4]}"),
        400,
        "invalid_op");
    assertError(
        Http.post(server, "/api/docs/" + doc + "/ops", "{\"rev\":9,\"op\":[3]}"),
        400,
        "rev_out_of_range");
    assertError(Http.post(server, "/api/docs/" + doc + "/ops", "{nope"), 400, "bad_request");
    assertError(
        Http.post(
            server,
            "/api/docs/" + doc + "/ops",
            "{\"rev\":0,\"op\":[\"" + "x".repeat(5000) + "\",3]}"),
        413,
        "too_large");
    assertError(
        Http.put(server, "/api/docs/" + doc + "-n", "{\"text\":\"a\\u0000\"}"), 400, "bad_request");
    assertError(Http.get(server, "/api/docs/" + doc + "/ops?limit=0"), 400, "bad_request");
    assertError(Http.get(server, "/api/docs/" + doc + "-missing/ops"), 404, "not_found");
  }

  /**
   * Issue 12, item 10: the body limit (4096 here) counts UTF-8 bytes, as the WebSocket's does; it
   * used to count UTF-16 units, so 1,021 emoji (2,042 units, 4,084 bytes) and more passed.
   */
  @Test
  void theBodyLimitCountsUtf8Bytes() {
    String emoji = "\uD83D\uDE00"; // 4 bytes, 2 UTF-16 units
    String atTheLimit = "{\"text\":\"" + emoji.repeat(1021) + "a\"}"; // 11 + 4,084 + 1 bytes
    assertEquals(4096, atTheLimit.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    String doc = Servers.freshDoc();
    Http.Reply created = Http.put(server, "/api/docs/" + doc, atTheLimit);
    assertEquals(201, created.status(), created.body().toString());
    assertEquals(
        emoji.repeat(1021) + "a",
        Http.get(server, "/api/docs/" + doc).body().path("text").asText());

    String overTheLimit = "{\"text\":\"" + emoji.repeat(1021) + "ab\"}";
    Http.Reply refused = Http.put(server, "/api/docs/" + doc + "-over", overTheLimit);
    assertError(refused, 413, "too_large");
    assertEquals(
        "request body of 4097 bytes (expected: at most 4096)",
        refused.body().path("message").asText());
    String opOverTheLimit = "{\"rev\":0,\"op\":[2043,\"" + "é".repeat(2036) + "a\"]}";
    assertEquals(4097, opOverTheLimit.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    assertError(Http.post(server, "/api/docs/" + doc + "/ops", opOverTheLimit), 413, "too_large");
  }

  @Test
  void postedOpsGoThroughTheSequencerAndAreDeduplicated() {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "{\"text\":\"abc\"}");
    Http.Reply first =
        Http.post(
            server,
            "/api/docs/" + doc + "/ops",
            "{\"rev\":0,\"op\":[3,\"d\"],\"client\":\"r1\",\"seq\":1}");
    assertEquals(200, first.status(), first.body().toString());
    assertEquals(1, first.body().path("rev").asLong());
    // Concurrent with the first (same base): transformed.
    Http.Reply second =
        Http.post(
            server,
            "/api/docs/" + doc + "/ops",
            "{\"rev\":0,\"op\":[\"X\",3],\"client\":\"r2\",\"seq\":1}");
    assertEquals(2, second.body().path("rev").asLong());
    Http.Reply resubmit =
        Http.post(
            server,
            "/api/docs/" + doc + "/ops",
            "{\"rev\":0,\"op\":[3,\"d\"],\"client\":\"r1\",\"seq\":1}");
    assertEquals(1, resubmit.body().path("rev").asLong(), "the original revision");
    assertEquals("Xabcd", Http.get(server, "/api/docs/" + doc).body().path("text").asText());
  }

  @Test
  void historyPagesAndTheTextAtEveryRevisionEqualsTheReplay() {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "");
    List<String> texts = new ArrayList<>();
    texts.add("");
    String text = "";
    for (int i = 0; i < 12; i++) {
      String insert = i % 3 == 0 ? "😀" : "ab";
      TextOperation op =
          TextOperation.builder()
              .retain(text.codePointCount(0, text.length()) / 2)
              .insert(insert)
              .retain(
                  text.codePointCount(0, text.length()) - text.codePointCount(0, text.length()) / 2)
              .build();
      Http.Reply reply =
          Http.post(
              server,
              "/api/docs/" + doc + "/ops",
              "{\"rev\":" + i + ",\"op\":" + OperationJson.toJson(op) + "}");
      assertEquals(i + 1, reply.body().path("rev").asLong(), reply.body().toString());
      text = op.apply(text);
      texts.add(text);
    }
    // Pages of 5: revisions 1-5, 6-10, 11-12, dense and in order.
    List<Long> revisions = new ArrayList<>();
    String replay = "";
    JsonNode next = null;
    String path = "/api/docs/" + doc + "/ops?limit=5";
    int pages = 0;
    do {
      ObjectNode page = Http.get(server, path).body();
      for (JsonNode op : page.path("ops")) {
        revisions.add(op.path("rev").asLong());
        replay = OperationJson.parse(op.path("op").toString()).apply(replay);
        assertTrue(op.path("time").asText().endsWith("Z"), op.toString());
      }
      next = page.path("next");
      path = "/api/docs/" + doc + "/ops?limit=5&from=" + next.asLong();
      pages++;
    } while (!next.isNull());
    assertEquals(3, pages);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L), revisions);
    assertEquals(text, replay);
    for (int rev = 0; rev <= 12; rev++) {
      ObjectNode at = Http.get(server, "/api/docs/" + doc + "?rev=" + rev).body();
      assertEquals(texts.get(rev), at.path("text").asText(), "rev " + rev);
      assertEquals(rev, at.path("rev").asLong());
    }
  }

  @Test
  void checkpointsAreWrittenEveryNRevisionsAndOnRequest() throws InterruptedException {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "");
    for (int i = 0; i < 6; i++) {
      Http.post(
          server,
          "/api/docs/" + doc + "/ops",
          "{\"rev\":" + i + ",\"op\":[" + (i == 0 ? "" : i + ",") + "\"a\"]}");
    }
    // The automatic checkpoint at revision 5 is written in the background: poll for it.
    ClientHarness.await(
        () -> checkpointRevisions(doc).contains(5L),
        () -> "checkpoints " + checkpointRevisions(doc));
    assertEquals(List.of(0L, 5L), checkpointRevisions(doc));

    Http.Reply created = Http.post(server, "/api/docs/" + doc + "/checkpoints", "");
    assertEquals(201, created.status(), created.body().toString());
    assertEquals(6, created.body().path("rev").asLong());
    assertEquals(64, created.body().path("sha256").asText().length());
    assertEquals(List.of(0L, 5L, 6L), checkpointRevisions(doc));
  }

  /**
   * While an automatic checkpoint is being written, the intervals crossed meanwhile are skipped:
   * concurrent writes would each store the text's authorship, a read and replay of up to 50,000
   * ops. The test holds the first write back by inserting its row uncommitted (PostgreSQL makes the
   * server's insert of the same key wait for this transaction).
   */
  @Test
  void intervalsCrossedWhileACheckpointIsWrittenAreSkipped() throws Exception {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "");
    try (Connection connection =
        EmbeddedPostgresExtension.database().dataSource().getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement hold =
          connection.prepareStatement(
              "INSERT INTO checkpoints (doc_id, rev, content, sha256, chain) VALUES (?, 5, '', ?, ?)")) {
        hold.setString(1, doc);
        hold.setString(2, "0".repeat(64));
        hold.setString(3, "0".repeat(64));
        hold.executeUpdate();
      }
      appendLetters(doc, 0, 15); // crosses 5 (held back), 10 and 15
      connection.rollback();
    }
    ClientHarness.await(
        () -> checkpointRevisions(doc).contains(5L),
        () -> "checkpoints " + checkpointRevisions(doc));
    appendLetters(doc, 15, 20);
    ClientHarness.await(
        () -> checkpointRevisions(doc).contains(20L),
        () -> "checkpoints " + checkpointRevisions(doc));
    assertEquals(List.of(0L, 5L, 20L), checkpointRevisions(doc));
  }

  /**
   * Appends one letter per op over REST, moving the document from revision {@code from} to {@code
   * to}.
   */
  private static void appendLetters(String doc, int from, int to) {
    for (int rev = from; rev < to; rev++) {
      Http.Reply reply =
          Http.post(
              server,
              "/api/docs/" + doc + "/ops",
              "{\"rev\":" + rev + ",\"op\":[" + (rev == 0 ? "" : rev + ",") + "\"a\"]}");
      assertEquals(200, reply.status(), reply.body().toString());
    }
  }

  /**
   * Jersey warns at start about a resource registered as an object ("will be ignored", jersey
   * #3700), though it serves it; {@code RestApplication} registers every resource as a class.
   */
  @Test
  void startsWithoutWarningsFromJersey() {
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler recorder =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
              warnings.add(record.getLoggerName() + ": " + record.getMessage());
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger jersey = Logger.getLogger("org.glassfish.jersey");
    jersey.addHandler(recorder);
    try (TandemServer started = Servers.start()) {
      String doc = Servers.freshDoc();
      assertEquals(201, Http.put(started, "/api/docs/" + doc, "{\"text\":\"a\"}").status());
      assertEquals("a", Http.get(started, "/api/docs/" + doc).body().path("text").asText());
    } finally {
      jersey.removeHandler(recorder);
    }
    assertEquals(List.of(), warnings);
  }

  private static List<Long> checkpointRevisions(String doc) {
    List<Long> revisions = new ArrayList<>();
    for (JsonNode checkpoint :
        Http.get(server, "/api/docs/" + doc + "/checkpoints").body().path("checkpoints")) {
      revisions.add(checkpoint.path("rev").asLong());
    }
    return revisions;
  }

  @Test
  void healthz() {
    Http.Reply health = Http.get(server, "/healthz");
    assertEquals(200, health.status());
    assertEquals("ok", health.body().path("status").asText());
  }

  @Test
  void metricsCountCommitsAndErrors() throws Exception {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "");
    Http.post(server, "/api/docs/" + doc + "/ops", "{\"rev\":0,\"op\":[\"a\"]}");
    Http.get(server, "/api/docs/" + doc + "-none");
    java.net.http.HttpResponse<String> metrics =
        Http.client()
            .send(
                Http.request(server, "/metrics").GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, metrics.statusCode());
    String text = metrics.body();
    assertTrue(text.contains("# TYPE tandem_ops_committed_total counter"), text);
    assertTrue(metricValue(text, "tandem_ops_committed_total") >= 1, text);
    assertTrue(metricValue(text, "tandem_errors_total{code=\"not_found\"}") >= 1, text);
  }

  private static long metricValue(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ")) {
        return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    throw new AssertionError("no " + name + " in\n" + text);
  }

  private static void assertError(Http.Reply reply, int status, String code) {
    assertEquals(status, reply.status(), reply.body().toString());
    assertEquals(code, reply.body().path("code").asText(), reply.body().toString());
    assertTrue(reply.body().path("message").isTextual(), reply.body().toString());
  }
}
