package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.persistence.Database;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deleting a document through a running server (DELETE /api/docs/{id}), whatever its size: all of
 * it goes or nothing does, and its sequencer goes on either way. The server runs on a pool of its
 * own with a 1 s statement timeout (the smallest setting), standing for the 5 s default that a
 * 1,000,000-op delete outlasted. So that the outcome does not hang on this machine's speed, the
 * delete is made to outlast the timeout for sure: the test holds a lock on one of the document's
 * ops, as a concurrent prune would, and lets go only after the timeout has passed.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class DeleteTest {
  /** Ops of the big document: its delete may take the timeout 1 + 4 times (5 s). */
  private static final int BIG = 400_000;

  private static Database database;
  private static TandemServer server;

  @BeforeAll
  static void start() {
    database =
        Database.open(
            EmbeddedPostgresExtension.database()
                .connectionConfig()
                .withTimeout(Duration.ofSeconds(1)));
    server = Servers.start(Servers.config().build(), database);
  }

  @AfterAll
  static void stop() {
    server.close();
    database.close();
  }

  @Test
  void aBigDocumentWhoseDeleteOutlastsTheStatementTimeoutIsDeletedWhole() throws Exception {
    String doc = Servers.freshDoc();
    writeBigDocument(doc, BIG);
    assertEquals(BIG, Http.get(server, "/api/docs/" + doc).body().path("rev").asLong());

    Http.Reply deleted;
    try (Connection blocker = lockFirstOp(doc)) {
      CompletableFuture<Http.Reply> deleting = CompletableFuture.supplyAsync(() -> delete(doc));
      awaitDeleteWaitingForLock(deleting);
      Thread.sleep(1200); // past the 1 s statement timeout, well within the 5 s allowance
      blocker.rollback();
      deleted = deleting.get(30, TimeUnit.SECONDS);
    }

    assertEquals(200, deleted.status(), deleted.body().toString());
    assertEquals(404, Http.get(server, "/api/docs/" + doc).status());
    assertEquals(0, count("SELECT count(*) FROM operations WHERE doc_id = ?", doc));
    assertEquals(0, count("SELECT count(*) FROM checkpoints WHERE doc_id = ?", doc));
  }

  @Test
  void aDeleteThatFailsChangesNothingAndTheDocumentGoesOn() throws Exception {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"abc\"}").status());
    assertEquals(200, submit(doc, 0, "[3,\"d\"]", 1).status());
    assertEquals(200, submit(doc, 1, "[4,\"e\"]", 2).status());

    Http.Reply refused;
    try (Connection blocker = lockFirstOp(doc)) {
      refused = delete(doc); // the lock outlasts its allowance (a 3-op document: about 1 s)
      blocker.rollback();
    }

    assertEquals(503, refused.status(), refused.body().toString());
    assertEquals("unavailable", refused.body().path("code").asText(), refused.body().toString());
    assertEquals(2, count("SELECT count(*) FROM operations WHERE doc_id = ?", doc));
    assertEquals(1, count("SELECT count(*) FROM checkpoints WHERE doc_id = ?", doc));
    assertEquals(1, count("SELECT count(*) FROM documents WHERE id = ?", doc));
    assertEquals("abcde", Http.get(server, "/api/docs/" + doc).body().path("text").asText());
    Http.Reply next = submit(doc, 2, "[5,\"f\"]", 3);
    assertEquals(200, next.status(), next.body().toString());
    assertEquals(3, next.body().path("rev").asLong());

    assertEquals(200, delete(doc).status());
    assertEquals(404, Http.get(server, "/api/docs/" + doc).status());
    assertEquals(0, count("SELECT count(*) FROM operations WHERE doc_id = ?", doc));
  }

  private static Http.Reply delete(String doc) {
    return Http.send(
        Http.request(server, "/api/docs/" + doc).timeout(Duration.ofSeconds(60)).DELETE().build());
  }

  private static Http.Reply submit(String doc, long rev, String op, long seq) {
    return Http.post(
        server,
        "/api/docs/" + doc + "/ops",
        "{\"rev\":" + rev + ",\"op\":" + op + ",\"client\":\"deleter\",\"seq\":" + seq + "}");
  }

  /** A transaction of the test's own that holds op 1 of {@code doc} until it ends. */
  private static Connection lockFirstOp(String doc) throws SQLException {
    Connection connection = EmbeddedPostgresExtension.database().dataSource().getConnection();
    connection.setAutoCommit(false);
    try (PreparedStatement lock =
        connection.prepareStatement(
            "SELECT 1 FROM operations WHERE doc_id = ? AND rev = 1 FOR UPDATE")) {
      lock.setString(1, doc);
      lock.executeQuery().close();
    }
    return connection;
  }

  /** Waits until the server's delete waits for a lock (or has answered already). */
  private static void awaitDeleteWaitingForLock(CompletableFuture<Http.Reply> deleting)
      throws InterruptedException {
    ClientHarness.await(
        () ->
            deleting.isDone()
                || count(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                            + " AND query LIKE ?",
                        "DELETE FROM operations%")
                    > 0,
        () -> "the delete never waited for the lock");
  }

  /**
   * A document of {@code ops} ops written straight into the tables (through the server it would
   * take minutes): op r appends "x", and a checkpoint at the head makes loading it cheap.
   */
  private static void writeBigDocument(String doc, int ops) throws SQLException {
    try (Connection connection =
        EmbeddedPostgresExtension.database().dataSource().getConnection()) {
      connection.setAutoCommit(false);
      connection.setNetworkTimeout(Runnable::run, 0); // the pool restores it
      try (var statement = connection.createStatement()) {
        statement.execute("SET LOCAL statement_timeout = 0");
      }
      update(
          connection,
          "INSERT INTO documents (id, head_rev, head_hash) VALUES (?, ?, repeat('0', 64))",
          doc,
          ops);
      update(
          connection,
          "INSERT INTO operations (doc_id, rev, op, client_id, client_seq, user_id, hash)"
              + " SELECT ?, r, '[' || (r - 1) || ',\"x\"]', 'bulk', r, 'bulk', repeat('0', 64)"
              + " FROM generate_series(1, ?) AS r",
          doc,
          ops);
      update(
          connection,
          "INSERT INTO checkpoints (doc_id, rev, content, sha256, chain)"
              + " SELECT ?, r, repeat('x', r), encode(sha256(convert_to(repeat('x', r), 'UTF8')),"
              + " 'hex'), repeat('0', 64) FROM unnest(ARRAY[0, ?]) AS r",
          doc,
          ops);
      connection.commit();
    }
  }

  private static void update(Connection connection, String sql, String doc, int number)
      throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(sql)) {
      update.setString(1, doc);
      update.setInt(2, number);
      update.executeUpdate();
    }
  }

  private static long count(String sql, String parameter) {
    try (Connection connection = EmbeddedPostgresExtension.database().dataSource().getConnection();
        PreparedStatement select = connection.prepareStatement(sql)) {
      select.setString(1, parameter);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }
}
