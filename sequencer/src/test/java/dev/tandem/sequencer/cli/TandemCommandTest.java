package dev.tandem.sequencer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.persistence.Database;
import dev.tandem.persistence.DatabaseConfig;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.TandemServer;
import dev.tandem.sequencer.config.TandemConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code tandem} command through its real entry point ({@link TandemCommand#run}, picocli's
 * execute), against a running server (through REST) and against a stopped database: every document
 * subcommand, a round trip, tampering, and bad input (a clear message, exit 1 or 2, nothing
 * changed).
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class TandemCommandTest {
  private static TandemServer server;
  private static DatabaseConfig stopped; // a database of its own that no server uses
  private static String stoppedName;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void startServerAndMakeADatabase() throws SQLException {
    Database shared = EmbeddedPostgresExtension.database();
    server =
        TandemServer.builder()
            .config(
                TandemConfig.defaults().toBuilder()
                    .host("127.0.0.1")
                    .port(0)
                    .staticDir((Path) null)
                    .shutdownGrace(Duration.ofSeconds(5))
                    .build())
            .database(shared)
            .build()
            .start();
    stoppedName =
        EmbeddedPostgresExtension.freshDocId("cli").replace('-', '_').toLowerCase(Locale.ROOT);
    execute(shared, "CREATE DATABASE " + stoppedName);
    DatabaseConfig sharedServer = shared.connectionConfig();
    stopped =
        DatabaseConfig.external(
            sharedServer.url().replace("/postgres", "/" + stoppedName),
            sharedServer.user(),
            sharedServer.password());
  }

  @AfterAll
  static void stop() throws SQLException {
    server.close();
    execute(EmbeddedPostgresExtension.database(), "DROP DATABASE " + stoppedName + " WITH (FORCE)");
  }

  // ---- against a running server ------------------------------------------------------------

  @Test
  void everyDocumentCommandWorksAgainstARunningServer() throws Exception {
    String doc = EmbeddedPostgresExtension.freshDocId("cli-live");
    Instant beforeOps = createWithOps(doc, "hello", 3);
    String server = "--server=" + TandemCommandTest.server.httpUri();

    // The shared database keeps every run's documents: list from just before this one.
    String before = doc.substring(0, doc.length() - 1);
    assertEquals(0, run("docs", server, "--after", before, "--limit", "5"), err.toString());
    assertTrue(out.toString().matches("(?s).*\\n" + doc + " +3 +3 +1 .*"), out.toString());

    assertEquals(0, run("text", doc, server));
    assertEquals("hello!!!", taken());
    assertEquals(0, run("text", doc, "--rev", "1", server));
    assertEquals("hello!", taken());
    assertEquals(0, run("text", doc, "--at", beforeOps.toString(), server));
    assertEquals("hello", taken());

    HttpResponse<String> diff =
        HTTP.send(
            HttpRequest.newBuilder(
                    TandemCommandTest.server
                        .httpUri()
                        .resolve("/api/docs/" + doc + "/diff?from=1&to=3"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, diff.statusCode(), diff.body());
    assertTrue(diff.body().endsWith("\"from\":1,\"to\":3,\"op\":[6,\"!!\"]}"), diff.body());

    assertEquals(0, run("checkpoint", "create", doc, "--rev", "2", server), err.toString());
    assertTrue(taken().startsWith("2  sha256 "));
    assertEquals(0, run("checkpoint", "list", doc, server));
    assertEquals(2, taken().lines().count());

    assertEquals(0, run("verify", doc, server), err.toString());
    assertTrue(taken().startsWith(doc + ": ok (revision 3, 3 ops, 2 checkpoints"));

    Path file = dir.resolve("export.ndjson");
    assertEquals(0, run("export", doc, "-o", file.toString(), server), err.toString());
    List<String> lines = Files.readAllLines(file);
    assertEquals(1 + 2 + 3 + 1, lines.size(), lines.toString()); // header, checkpoints, ops, end
    assertTrue(lines.get(2).contains("\"user\":\"anonymous\""), lines.get(2));

    String copy = doc + "-copy";
    assertEquals(0, run("import", file.toString(), "--as", copy, server), err.toString());
    assertTrue(taken().startsWith("imported '" + copy + "': revision 3, 3 ops, 2 checkpoints"));
    Path again = dir.resolve("copy.ndjson");
    assertEquals(0, run("export", copy, "-o", again.toString(), server));
    assertEquals(
        lines.subList(1, lines.size()),
        Files.readAllLines(again).subList(1, lines.size()),
        "every op, time, author, hash and checkpoint kept");

    // The imported document is live: the server sequences new ops onto its chain.
    post("/api/docs/" + copy + "/ops", "{\"rev\":3,\"op\":[8,\"?\"]}");
    assertEquals(0, run("verify", copy, server));
    assertTrue(taken().startsWith(copy + ": ok (revision 4"));

    assertEquals(1, run("import", file.toString(), "--as", copy, server));
    assertTrue(err.toString().contains("409 already_exists"), err.toString());
  }

  @Test
  void badInputAgainstARunningServerIsAClearMessage() throws Exception {
    String doc = EmbeddedPostgresExtension.freshDocId("cli-bad");
    createWithOps(doc, "x", 1);
    String server = "--server=" + TandemCommandTest.server.httpUri();
    assertEquals(1, run("text", doc + "-missing", server));
    assertTrue(err.toString().contains("404 not_found: no document"), err.toString());
    assertEquals(1, run("text", doc, "--rev", "9", server));
    assertTrue(err.toString().contains("rev_out_of_range"), err.toString());
    assertEquals(2, run("text", doc, "--at", "yesterday", server));
    assertTrue(err.toString().contains("'yesterday' (expected: an ISO-8601 time"), err.toString());
    assertEquals(1, run("docs", server, "--data-dir", dir.toString()));
    assertTrue(err.toString().contains("give one of --server, --data-dir and --database-url"));
    assertEquals(1, run("docs", "--server=http://127.0.0.1:1/"));
    assertTrue(err.toString().contains("no server answers at http://127.0.0.1:1/"), err.toString());
    assertEquals(2, run("frobnicate"));
    assertEquals(2, run("verify", server)); // neither documents nor --all

    // A file cut short is refused whole: the document does not appear.
    Path file = dir.resolve("cut.ndjson");
    assertEquals(0, run("export", doc, "-o", file.toString(), server));
    List<String> lines = Files.readAllLines(file);
    Files.write(file, lines.subList(0, lines.size() - 1));
    assertEquals(1, run("import", file.toString(), "--as", doc + "-cut", server));
    assertTrue(err.toString().contains("cut short"), err.toString());
    assertEquals(1, run("text", doc + "-cut", server));
  }

  /**
   * Delete through the running server: its sequencer deletes the document after the commit in
   * flight, a live SSE subscriber gets a last {@code event: error} with {@code not_found} ("was
   * deleted") and its stream ends, and memory forgot the document (the id can be created anew).
   */
  @Test
  void deleteAgainstARunningServerGoesThroughItsSequencerAndEndsItsSubscribers() throws Exception {
    String doc = EmbeddedPostgresExtension.freshDocId("cli-delete");
    createWithOps(doc, "gone", 2);
    String server = "--server=" + TandemCommandTest.server.httpUri();
    HttpResponse<java.util.stream.Stream<String>> events =
        HTTP.send(
            HttpRequest.newBuilder(
                    TandemCommandTest.server.httpUri().resolve("/api/docs/" + doc + "/events"))
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, events.statusCode());
    java.util.Iterator<String> lines = events.body().iterator();
    assertEquals("event: snapshot", lines.next()); // subscribed

    assertEquals(0, run("delete", doc, server), err.toString());
    assertEquals("deleted '" + doc + "'\n", taken());
    List<String> rest = new java.util.ArrayList<>();
    lines.forEachRemaining(rest::add); // ends: the server closed the stream
    String last = String.join("\n", rest);
    assertTrue(last.contains("event: error"), last);
    assertTrue(last.contains("\"code\":\"not_found\""), last);
    assertTrue(last.contains("document '" + doc + "' was deleted"), last);

    assertEquals(1, run("text", doc, server));
    assertTrue(err.toString().contains("404 not_found: no document"), err.toString());
    assertEquals(1, run("delete", doc, server));
    assertTrue(err.toString().contains("404 not_found"), err.toString());
    put("/api/docs/" + doc, "{\"text\":\"new\"}"); // nothing of the old one in memory
    assertEquals(0, run("text", doc, server));
    assertEquals("new", taken());
    assertEquals(0, run("verify", doc, server));
    assertTrue(taken().startsWith(doc + ": ok (revision 0, 0 ops"), taken());
  }

  /**
   * On a terminal, text ends with a newline (unless --raw) and long work draws a progress bar on
   * standard error, cleared before the summary line; into a pipe the text is exact.
   */
  @Test
  void aTerminalGetsANewlineAfterTheTextAndAProgressBar() throws Exception {
    String doc = EmbeddedPostgresExtension.freshDocId("cli-tty");
    createWithOps(doc, "tty", 3);
    String server = "--server=" + TandemCommandTest.server.httpUri();
    Terminal both = new Terminal(true, true);
    assertEquals(0, run(both, "text", doc, server));
    assertEquals("tty!!!\n", taken());
    assertEquals(0, run(both, "text", doc, "--raw", server));
    assertEquals("tty!!!", taken());
    assertEquals(0, run("text", doc, server));
    assertEquals("tty!!!", taken(), "a pipe gets the exact text");

    Path file = dir.resolve("tty.ndjson");
    assertEquals(0, run(both, "export", doc, "-o", file.toString(), server));
    String bar = err.toString();
    assertTrue(bar.contains("\r[" + "#".repeat(30) + "] 100%  3/3 ops"), bar);
    assertTrue(bar.matches("(?s).*\r +\rexported '" + doc + "': revision 3, .* ops/s\n"), bar);
    assertEquals(0, run(both, "verify", doc, server));
    assertTrue(err.toString().contains("] 100%  3/3 ops"), err.toString());
    assertTrue(err.toString().contains("\r1 of 1 documents verify (3 ops in "), err.toString());
    assertEquals(0, run(both, "import", file.toString(), "--as", doc + "-2", server));
    assertTrue(err.toString().contains("] 100%  "), err.toString());
    assertTrue(err.toString().contains(" bytes  "), err.toString());
    assertTrue(taken().matches("imported '" + doc + "-2': revision 3, .* ops/s\n"), taken());

    assertEquals(0, run("export", doc, "-o", file.toString(), server));
    assertFalse(err.toString().contains("\r"), "no bar off a terminal: " + err);
  }

  // ---- against a stopped database ----------------------------------------------------------

  @Test
  void everyDocumentCommandWorksAgainstAStoppedDatabase() throws Exception {
    String doc = EmbeddedPostgresExtension.freshDocId("cli-db");
    String url = "--database-url=" + stopped.url();
    try (Database database = Database.open(stopped.withPoolSize(1))) {
      database.opLog().createDocument(doc, "abc");
      // While a server (here: this pool, named as the server's) is connected, the command refuses.
      assertEquals(1, run(env(), "docs", url));
      assertTrue(err.toString().contains("a Tandem server is connected to"), err.toString());
      appendViaRest(database, doc);
    }
    assertEquals(0, run(env(), "docs", url, "--limit", "1000"), err.toString());
    assertTrue(out.toString().contains(doc), out.toString());
    assertEquals(0, run(env(), "text", doc, url));
    assertEquals("abc12", taken());
    assertEquals(0, run(env(), "checkpoint", "create", doc, url));
    assertTrue(taken().startsWith("2  sha256"));
    assertEquals(0, run(env(), "verify", doc, url));
    assertTrue(taken().startsWith(doc + ": ok (revision 2, 2 ops, 2 checkpoints"));

    Path file = dir.resolve("db.ndjson");
    assertEquals(0, run(env(), "export", doc, "-o", file.toString(), url));
    assertEquals(0, run(env(), "import", file.toString(), "--as", doc + "-copy", url));
    assertEquals(0, run(env(), "text", doc + "-copy", "--rev", "1", url));
    assertEquals("abc1", taken());

    assertEquals(0, run(env(), "delete", doc + "-copy", url));
    assertEquals(1, run(env(), "text", doc + "-copy", url));
    assertTrue(err.toString().contains("does not exist"), err.toString());
    assertEquals(1, run(env(), "delete", doc + "-copy", url));

    // The same file goes to a running server, and back out identical.
    String server = "--server=" + TandemCommandTest.server.httpUri();
    String moved = doc + "-moved";
    assertEquals(0, run("import", file.toString(), "--as", moved, server), err.toString());
    Path back = dir.resolve("back.ndjson");
    assertEquals(0, run("export", moved, "-o", back.toString(), server));
    List<String> original = Files.readAllLines(file);
    assertEquals(
        original.subList(1, original.size()), Files.readAllLines(back).subList(1, original.size()));
  }

  @Test
  void verifyNamesTheFirstTamperedRevisionAndImportRefusesTheFile() throws Exception {
    String doc = EmbeddedPostgresExtension.freshDocId("cli-tamper");
    String url = "--database-url=" + stopped.url();
    try (Database database = Database.open(stopped.withPoolSize(1))) {
      database.opLog().createDocument(doc, "abc");
      appendViaRest(database, doc);
    }
    Path file = dir.resolve("good.ndjson");
    assertEquals(0, run(env(), "export", doc, "-o", file.toString(), url));

    sql("UPDATE operations SET op = '[3,\"X\"]' WHERE doc_id = ? AND rev = 1", doc);
    assertEquals(1, run(env(), "verify", doc, url));
    assertTrue(taken().startsWith(doc + ": FAILED at revision 1: the op's hash "), taken());
    assertEquals(1, run(env(), "export", doc, "-o", dir.resolve("bad.ndjson").toString(), url));
    assertFalse(Files.exists(dir.resolve("bad.ndjson")), "no file from a history that fails");

    // The exported file, tampered with: import refuses it and stores nothing.
    String text = Files.readString(file).replace("\"user\":\"u2\"", "\"user\":\"mallory\"");
    Path tampered = dir.resolve("tampered.ndjson");
    Files.writeString(tampered, text);
    assertEquals(1, run(env(), "import", tampered.toString(), "--as", doc + "-t", url));
    assertTrue(err.toString().contains("does not verify at revision 2"), err.toString());
    assertEquals(1, run(env(), "text", doc + "-t", url));
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Two ops by users u1 and u2, through the op log as a server's group commit writes them. */
  private static void appendViaRest(Database database, String doc) {
    database
        .opLog()
        .append(
            List.of(
                new dev.tandem.persistence.StoredOp(
                    doc,
                    1,
                    dev.tandem.ot.TextOperation.builder().retain(3).insert("1").build(),
                    "c1",
                    0,
                    "u1",
                    Instant.now()),
                new dev.tandem.persistence.StoredOp(
                    doc,
                    2,
                    dev.tandem.ot.TextOperation.builder().retain(4).insert("2").build(),
                    "c2",
                    0,
                    "u2",
                    Instant.now())));
  }

  /**
   * Creates {@code doc} holding {@code text} and appends {@code ops} "!"; returns a time before.
   */
  private static Instant createWithOps(String doc, String text, int ops) throws Exception {
    put("/api/docs/" + doc, "{\"text\":\"" + text + "\"}");
    Instant before = Instant.now();
    Thread.sleep(5); // the ops' times come after it, on any clock resolution
    for (int i = 0; i < ops; i++) {
      int length = text.length() + i;
      post("/api/docs/" + doc + "/ops", "{\"rev\":" + i + ",\"op\":[" + length + ",\"!\"]}");
    }
    return before;
  }

  private static void put(String path, String body) throws IOException, InterruptedException {
    send(HttpRequest.newBuilder(server.httpUri().resolve(path)).PUT(bodyOf(body)));
  }

  private static void post(String path, String body) throws IOException, InterruptedException {
    send(HttpRequest.newBuilder(server.httpUri().resolve(path)).POST(bodyOf(body)));
  }

  private static HttpRequest.BodyPublisher bodyOf(String body) {
    return HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
  }

  private static void send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            request.header("Content-Type", "application/json").build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(2, response.statusCode() / 100, response.body());
  }

  private static Map<String, String> env() {
    Map<String, String> env = new java.util.HashMap<>();
    env.put(DatabaseConfig.USER_VARIABLE, stopped.user());
    env.put(DatabaseConfig.PASSWORD_VARIABLE, stopped.password());
    return env;
  }

  private int run(String... args) {
    return run(Map.of(), args);
  }

  private int run(Map<String, String> env, String... args) {
    return run(env, Terminal.NONE, args);
  }

  private int run(Terminal terminal, String... args) {
    return run(Map.of(), terminal, args);
  }

  private int run(Map<String, String> env, Terminal terminal, String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    return TandemCommand.run(
        args,
        env,
        Clock.systemUTC(),
        null,
        terminal,
        new PrintWriter(out, true),
        new PrintWriter(err, true));
  }

  /** What the last command printed. */
  private String taken() {
    return out.toString();
  }

  private static void sql(String statement, String doc) throws SQLException {
    try (Database database = Database.open(stopped.withPoolSize(1));
        Connection connection = database.dataSource().getConnection();
        PreparedStatement update = connection.prepareStatement(statement)) {
      update.setString(1, doc);
      assertEquals(1, update.executeUpdate());
    }
  }

  private static void execute(Database database, String sql) throws SQLException {
    try (Connection connection = database.dataSource().getConnection()) {
      connection.createStatement().execute(sql);
    }
  }
}
