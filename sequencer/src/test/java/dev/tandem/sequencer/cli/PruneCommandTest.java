package dev.tandem.sequencer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.Database;
import dev.tandem.persistence.DatabaseConfig;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.persistence.StoredOp;
import dev.tandem.sequencer.RestOps;
import dev.tandem.sequencer.TandemServer;
import dev.tandem.sequencer.config.TandemConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem prune} through its real entry point, against a running server (REST, admin) and a
 * stopped database: the history starts at the revision given, the text and chain are kept, older
 * revisions are gone, and bad input changes nothing.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class PruneCommandTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void prunesAgainstARunningServer() throws Exception {
    try (TandemServer server = startServer()) {
      String doc = EmbeddedPostgresExtension.freshDocId("prune-live");
      String url = server.httpUri().toString();
      send(url + "api/docs/" + doc, "PUT", "{\"text\":\"ab\"}");
      for (int i = 0; i < 5; i++) {
        send(
            url + "api/docs/" + doc + "/ops",
            "POST",
            "{\"rev\":" + i + ",\"op\":[" + (2 + i) + ",\"!\"]}");
      }
      String serverOption = "--server=" + url;

      assertEquals(0, run(Map.of(), "prune", doc, "--before", "3", serverOption), err.toString());
      assertEquals(
          "pruned '" + doc + "': history starts at revision 3; 3 ops and 1 checkpoints removed\n",
          out.toString());
      assertEquals(0, run(Map.of(), "verify", doc, serverOption), out + " " + err);
      assertTrue(
          out.toString().startsWith(doc + ": ok (revision 5, 2 ops, 1 checkpoints"),
          out.toString());
      assertEquals(0, run(Map.of(), "text", doc, serverOption));
      assertEquals("ab!!!!!", out.toString());
      assertEquals(1, run(Map.of(), "text", doc, "--rev", "2", serverOption));
      assertTrue(err.toString().contains("410 gone"), err.toString());
      assertEquals(1, run(Map.of(), "prune", doc, "--before", "9", serverOption));
      assertTrue(err.toString().contains("rev_out_of_range"), err.toString());
    }
  }

  /**
   * The clients whose ops a prune removed go with an export: the copy an import makes acknowledges
   * a resubmit of a pruned op (as the original does) instead of refusing it as {@code gone}, which
   * would make its client send the edit again, rebased, and apply it twice.
   */
  @Test
  void anExportOfAPrunedDocumentCarriesItsPrunedClientsToTheImport(@TempDir Path files)
      throws Exception {
    try (TandemServer server = startServer()) {
      String doc = EmbeddedPostgresExtension.freshDocId("prune-export");
      String copy = doc + "-copy";
      String url = server.httpUri().toString();
      send(url + "api/docs/" + doc, "PUT", "{\"text\":\"\"}");
      assertEquals(200, submit(url, doc, 0, "[\"a\"]", "c1", 1).statusCode());
      assertEquals(200, submit(url, doc, 1, "[1,\"b\"]", "c1", 2).statusCode());
      assertEquals(200, submit(url, doc, 2, "[2,\"c\"]", "c2", 7).statusCode());
      assertEquals(200, submit(url, doc, 3, "[3,\"d\"]", "c1", 3).statusCode());
      String serverOption = "--server=" + url;
      assertEquals(0, run(Map.of(), "prune", doc, "--before", "3", serverOption), err.toString());

      Path file = files.resolve("pruned.ndjson");
      assertEquals(0, run(Map.of(), "export", doc, "-o", file.toString(), serverOption));
      List<String> lines = java.nio.file.Files.readAllLines(file);
      assertEquals(
          "{\"prunedClient\":\"c1\",\"seq\":2,\"rev\":2,\"user\":\"anonymous\"}", lines.get(1));
      assertEquals(
          "{\"prunedClient\":\"c2\",\"seq\":7,\"rev\":3,\"user\":\"anonymous\"}", lines.get(2));
      assertTrue(lines.get(3).startsWith("{\"checkpoint\":3,"), lines.get(3));
      assertEquals(
          0, run(Map.of(), "import", file.toString(), "--as", copy, serverOption), err.toString());
      assertEquals(0, run(Map.of(), "verify", copy, serverOption), err.toString());

      for (String id : List.of(doc, copy)) {
        HttpResponse<String> again = submit(url, id, 1, "[1,\"b\"]", "c1", 2);
        assertEquals(200, again.statusCode(), id + ": " + again.body());
        assertTrue(again.body().contains("\"rev\":2"), id + ": " + again.body());
        assertEquals(200, submit(url, id, 2, "[2,\"c\"]", "c2", 7).statusCode(), id);
        assertEquals(0, run(Map.of(), "text", id, serverOption));
        assertEquals("abcd", out.toString(), id + ": nothing applied twice");
      }
    }
  }

  @Test
  void prunesAStoppedDatabaseAtItsLatestCheckpoint() throws Exception {
    Database shared = EmbeddedPostgresExtension.database();
    String name =
        EmbeddedPostgresExtension.freshDocId("prune").replace('-', '_').toLowerCase(Locale.ROOT);
    execute(shared, "CREATE DATABASE " + name);
    DatabaseConfig server = shared.connectionConfig();
    DatabaseConfig stopped =
        DatabaseConfig.external(
            server.url().replace("/postgres", "/" + name), server.user(), server.password());
    Map<String, String> env = new HashMap<>();
    env.put(DatabaseConfig.USER_VARIABLE, stopped.user());
    env.put(DatabaseConfig.PASSWORD_VARIABLE, stopped.password());
    String doc = "pruned";
    String url = "--database-url=" + stopped.url();
    try {
      try (Database database = Database.open(stopped.withPoolSize(1))) {
        database.opLog().createDocument(doc, "");
        for (int revision = 1; revision <= 4; revision++) {
          database
              .opLog()
              .append(
                  List.of(
                      new StoredOp(
                          doc,
                          revision,
                          TextOperation.builder().retain(revision - 1).insert("x").build(),
                          "c",
                          revision,
                          "u",
                          Instant.now())));
        }
        database.checkpoints().write(doc, 2, "xx");
      }
      assertEquals(0, run(env, "prune", doc, url), err.toString()); // at the checkpoint at 2
      assertTrue(out.toString().contains("history starts at revision 2; 2 ops"), out.toString());
      assertEquals(0, run(env, "verify", doc, url), err.toString());
      assertEquals(1, run(env, "text", doc, "--rev", "1", url));
      assertTrue(err.toString().contains("is gone"), err.toString());
      assertEquals(0, run(env, "text", doc, url));
      assertEquals("xxxx", out.toString());
      assertEquals(1, run(env, "prune", doc + "-missing", url));
      assertTrue(
          err.toString().contains("no document") || err.toString().contains("does not exist"),
          err.toString());
    } finally {
      execute(shared, "DROP DATABASE " + name + " WITH (FORCE)");
    }
  }

  private static TandemServer startServer() {
    return TandemServer.builder()
        .config(
            TandemConfig.defaults().toBuilder()
                .host("127.0.0.1")
                .port(0)
                .staticDir((Path) null)
                .shutdownGrace(Duration.ofSeconds(5))
                .build())
        .database(EmbeddedPostgresExtension.database())
        .build()
        .start();
  }

  private int run(Map<String, String> env, String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    return TandemCommand.run(
        args, env, Clock.systemUTC(), null, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  private static HttpResponse<String> submit(
      String url, String doc, long rev, String op, String client, long seq) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(java.net.URI.create(url + "api/docs/" + doc + "/ops"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(RestOps.submitBody(rev, op, client, seq)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void send(String uri, String method, String body) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(java.net.URI.create(uri))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(2, response.statusCode() / 100, response.body());
  }

  private static void execute(Database database, String sql) throws SQLException {
    try (Connection connection = database.dataSource().getConnection()) {
      connection.createStatement().execute(sql);
    }
  }
}
