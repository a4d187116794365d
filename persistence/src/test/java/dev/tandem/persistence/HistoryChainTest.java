package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.ot.TextOperation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hash chain: the group commit stores it, verify recomputes it and names the first revision
 * that was tampered with, export and import carry it, and the migration backfills it.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class HistoryChainTest {
  private final Database database;
  private String docId;
  private List<String> texts;

  HistoryChainTest(Database database) {
    this.database = database;
  }

  @BeforeEach
  void aDocumentWithHistory() {
    docId = EmbeddedPostgresExtension.freshDocId("chain");
    texts = write(database, docId, 40, new Random(7));
  }

  /** 40 random ops in batches of different sizes, another document in the same batches. */
  private static List<String> write(Database database, String docId, int count, Random random) {
    OpLog opLog = database.opLog();
    String other = docId + "-other";
    List<String> texts = new ArrayList<>(List.of("start 𝒳"));
    opLog.createDocument(docId, texts.get(0));
    opLog.createDocument(other, "");
    List<StoredOp> batch = new ArrayList<>();
    long otherRevision = 0;
    for (int revision = 1; revision <= count; revision++) {
      TextOperation op = Ops.random(random, texts.get(revision - 1));
      texts.add(op.apply(texts.get(revision - 1)));
      batch.add(Ops.stored(docId, revision, op, "c" + revision % 3, revision));
      if (revision % 7 == 0 || revision == count) {
        otherRevision++;
        batch.add(
            Ops.stored(
                other,
                otherRevision,
                Ops.append((int) otherRevision - 1, "x"),
                "o",
                otherRevision));
        opLog.append(batch);
        batch.clear();
      }
    }
    database.checkpoints().write(docId, 10, texts.get(10));
    database.checkpoints().write(docId, 25, texts.get(25));
    return texts;
  }

  @Test
  void aGroupCommittedHistoryVerifies() {
    HistoryVerifier.Summary summary = database.archive().verify(docId);
    assertEquals(40, summary.head());
    assertEquals(40, summary.ops());
    assertEquals(3, summary.checkpoints());
    List<CheckpointInfo> checkpoints = database.checkpoints().list(docId);
    assertEquals(summary.headHash(), hashAt(40));
    assertEquals(hashAt(10), checkpoints.get(1).chain());
    assertEquals(TextChecks.sha256("start 𝒳"), checkpoints.get(0).chain());
    assertTrue(database.archive().verify(docId + "-other").ops() > 0);
  }

  @Test
  void changingAnOpsTextIsFoundAtItsRevision() throws SQLException {
    sql("UPDATE operations SET op = '[" + "\"tampered\"" + "]' WHERE doc_id = ? AND rev = 1");
    assertFirstBad(1, "hash");
    sql("UPDATE operations SET user_id = 'mallory' WHERE doc_id = ? AND rev = 17");
    assertFirstBad(1, "hash"); // still the first
  }

  @Test
  void changingAnOpsAuthorIsFoundAtItsRevision() throws SQLException {
    sql("UPDATE operations SET user_id = 'mallory' WHERE doc_id = ? AND rev = 17");
    assertFirstBad(17, "hash");
  }

  @Test
  void changingACheckpointIsFound() throws SQLException {
    sql("UPDATE checkpoints SET content = content || '!' WHERE doc_id = ? AND rev = 25");
    assertFirstBad(25, "SHA-256");
    // Its digest changed with it: the replay still differs.
    sql(
        "UPDATE checkpoints SET sha256 = encode(sha256(convert_to(content, 'UTF8')), 'hex')"
            + " WHERE doc_id = ? AND rev = 25");
    assertFirstBad(25, "replayed text");
  }

  @Test
  void aDeletedOpIsFound() throws SQLException {
    sql("DELETE FROM operations WHERE doc_id = ? AND rev = 12");
    assertFirstBad(12, "no op at revision 12");
  }

  @Test
  void everyReplayAcrossADeletedOpNamesItsRevision() throws SQLException {
    sql("DELETE FROM operations WHERE doc_id = ? AND rev = 12");
    sql("DELETE FROM operations WHERE doc_id = ? AND rev = 40"); // the head's: the last one read
    Archive archive = database.archive();
    List<Executable> replays =
        List.of(
            () -> database.opLog().textAt(docId, 20),
            () -> archive.blame(docId, 20),
            () -> archive.diff(docId, 5, 20));
    for (Executable replay : replays) {
      PersistenceException missing = assertThrows(PersistenceException.class, replay);
      assertEquals(
          "document '"
              + docId
              + "' is inconsistent at revision 12:"
              + " its op log has no op at revision 12",
          missing.getMessage());
    }
    PersistenceException last =
        assertThrows(PersistenceException.class, () -> archive.blame(docId, 40));
    assertEquals(OptionalLong.of(40), last.revision());
    // from the checkpoint at 25, nothing is missing
    assertEquals(texts.get(30), database.opLog().textAt(docId, 30).text());
  }

  @Test
  void twoReorderedOpsAreFound() throws SQLException {
    sql("UPDATE operations SET rev = 1000 WHERE doc_id = ? AND rev = 30");
    sql("UPDATE operations SET rev = 30 WHERE doc_id = ? AND rev = 31");
    sql("UPDATE operations SET rev = 31 WHERE doc_id = ? AND rev = 1000");
    assertFirstBad(30, "hash");
  }

  @Test
  void exportThenImportUnderAnotherIdLosesNothing() {
    List<Object> exported = new ArrayList<>();
    database.archive().export(docId, recorder(exported));
    String copy = docId + "-copy";
    HistoryVerifier.Summary imported =
        database.archive().importDocument(visitor -> replay(exported, copy, visitor));
    assertEquals(40, imported.head());
    List<Object> again = new ArrayList<>();
    database.archive().export(copy, recorder(again));
    assertEquals(
        ((ArchiveHeader) exported.get(0)).withDocId(copy), again.get(0), "header, times kept");
    assertEquals(exported.subList(1, exported.size()), again.subList(1, again.size()));
    for (int revision = 0; revision <= 40; revision++) {
      assertEquals(texts.get(revision), database.opLog().textAt(copy, revision).text());
    }
    database.archive().verify(copy);
    // The imported document goes on growing through the group commit, chained to its head.
    database.opLog().append(List.of(Ops.stored(copy, 41, Ops.append(length(40), "."), "after", 0)));
    assertEquals(41, database.archive().verify(copy).head());
  }

  @Test
  void anImportThatDoesNotVerifyStoresNothing() {
    List<Object> exported = new ArrayList<>();
    database.archive().export(docId, recorder(exported));
    ArchivedOp op = (ArchivedOp) exported.get(5);
    exported.set(
        5,
        new ArchivedOp(
            op.revision(),
            op.opJson(),
            op.clientId(),
            op.clientSeq(),
            "mallory",
            op.createdAt(),
            op.hash()));
    String copy = docId + "-refused";
    var refused =
        assertThrows(
            HistoryMismatchException.class,
            () -> database.archive().importDocument(visitor -> replay(exported, copy, visitor)));
    assertEquals(op.revision(), refused.firstBadRevision());
    assertTrue(database.opLog().head(copy).isEmpty(), "nothing stored");
    // A history cut short is refused too.
    var truncated =
        assertThrows(
            PersistenceException.class,
            () ->
                database
                    .archive()
                    .importDocument(
                        visitor -> {
                          List<Object> cut = new ArrayList<>(exported.subList(0, 3));
                          replay(cut, copy, visitor);
                        }));
    assertFalse(truncated.getMessage().isEmpty());
    assertTrue(database.opLog().head(copy).isEmpty(), "nothing stored");
    assertThrows(
        DocumentExistsException.class,
        () -> database.archive().importDocument(visitor -> replay(fixed(docId), docId, visitor)));
  }

  /** A diff is the op from one revision's text to another's, however many ops lie between. */
  @Test
  void aDiffTurnsTheTextAtOneRevisionIntoTheTextAtAnother() {
    for (long[] range : new long[][] {{0, 40}, {3, 17}, {10, 10}, {39, 40}, {0, 0}}) {
      TextOperation diff = database.archive().diff(docId, range[0], range[1]);
      assertEquals(
          texts.get((int) range[1]),
          diff.apply(texts.get((int) range[0])),
          range[0] + ".." + range[1]);
    }
    assertThrows(RevisionOutOfRangeException.class, () -> database.archive().diff(docId, 0, 41));
    assertThrows(IllegalArgumentException.class, () -> database.archive().diff(docId, 5, 4));
  }

  /**
   * The append's compare-and-set matches the head's hash too: a writer whose remembered chain head
   * is at the right revision but from a document made anew meanwhile stores nothing, with one op
   * (the one-op statement) as with a group.
   */
  @ParameterizedTest(name = "{0} ops")
  @ValueSource(ints = {1, 2})
  void anAppendFromAStaleChainHeadStoresNothing(int ops) throws SQLException {
    try (EmbeddedPostgresExtension.ScratchDatabase scratch =
            EmbeddedPostgresExtension.scratchDatabase("stale");
        Database first = Database.open(scratch.config());
        Database second = Database.open(scratch.config())) {
      first.opLog().createDocument("doc", "");
      first.opLog().append(List.of(Ops.stored("doc", 1, Ops.append(0, "a"), "c", 1)));
      assertTrue(second.archive().delete("doc"));
      second.opLog().createDocument("doc", "");
      second.opLog().append(List.of(Ops.stored("doc", 1, Ops.append(0, "b"), "d", 1)));

      List<StoredOp> late = new ArrayList<>();
      for (int i = 0; i < ops; i++) {
        late.add(Ops.stored("doc", 2 + i, Ops.append(1 + i, "x"), "c", 2 + i));
      }
      assertThrows(DuplicateRevisionException.class, () -> first.opLog().append(late));

      assertEquals("b", first.opLog().loadDocument("doc").orElseThrow().text());
      assertEquals(1, first.archive().verify("doc").head());
    }
  }

  @Test
  void deleteRemovesTheDocumentAndItsHistory() {
    assertTrue(database.archive().delete(docId));
    assertTrue(database.opLog().head(docId).isEmpty());
    assertTrue(database.opLog().readRange(docId, 1, 10).isEmpty());
    assertFalse(database.archive().delete(docId));
    // The id is free again, with a fresh chain.
    database.opLog().createDocument(docId, "again");
    database.opLog().append(List.of(Ops.stored(docId, 1, Ops.append(5, "!"), "c", 1)));
    assertEquals(1, database.archive().verify(docId).head());
  }

  /** Data written before the chain existed gets it from the migration, as Java computes it. */
  @Test
  void theMigrationBackfillsTheChain() throws SQLException {
    try (EmbeddedPostgresExtension.ScratchDatabase scratch =
        EmbeddedPostgresExtension.scratchDatabase("backfill")) {
      scratch.migrateTo("3");
      try (Connection old = scratch.connect();
          PreparedStatement insert =
              old.prepareStatement(
                  "INSERT INTO operations (doc_id, rev, op, client_id, client_seq, user_id)"
                      + " VALUES ('old', ?, ?, 'c', ?, 'u')")) {
        old.createStatement()
            .execute(
                "INSERT INTO documents (id, head_rev) VALUES ('old', 3);"
                    + " INSERT INTO checkpoints (doc_id, rev, content, sha256) VALUES ('old', 0,"
                    + " 'a', '"
                    + TextChecks.sha256("a")
                    + "'), ('old', 2, 'abc', '"
                    + TextChecks.sha256("abc")
                    + "')");
        String[] ops = {"[1,\"b\"]", "[2,\"c\"]", "[3,\"\\n𝒳\"]"};
        for (int i = 0; i < ops.length; i++) {
          insert.setLong(1, i + 1);
          insert.setString(2, ops[i]);
          insert.setLong(3, i);
          insert.executeUpdate();
        }
      }
      try (Database upgraded = Database.open(scratch.config())) {
        HistoryVerifier.Summary summary = upgraded.archive().verify("old");
        assertEquals(3, summary.head());
        String expected = TextChecks.sha256("a");
        String[] ops = {"[1,\"b\"]", "[2,\"c\"]", "[3,\"\\n𝒳\"]"};
        for (int i = 0; i < ops.length; i++) {
          expected = HistoryChain.next(expected, i + 1, "c", i, "u", ops[i]);
        }
        assertEquals(expected, summary.headHash());
        // The group commit chains on from the backfilled head.
        upgraded.opLog().append(List.of(Ops.stored("old", 4, Ops.append(5, "."), "c", 9)));
        assertEquals(4, upgraded.archive().verify("old").head());
        assertEquals("abc\n𝒳.", upgraded.opLog().loadDocument("old").orElseThrow().text());
      }
    }
  }

  private int length(int revision) {
    String text = texts.get(revision);
    return text.codePointCount(0, text.length());
  }

  private List<Object> fixed(String id) {
    List<Object> exported = new ArrayList<>();
    database.archive().export(id, recorder(exported));
    return exported;
  }

  private String hashAt(long revision) {
    List<Object> exported = new ArrayList<>();
    database.archive().export(docId, recorder(exported));
    return exported.stream()
        .filter(o -> o instanceof ArchivedOp op && op.revision() == revision)
        .map(o -> ((ArchivedOp) o).hash())
        .findFirst()
        .orElseThrow();
  }

  private void assertFirstBad(long revision, String why) {
    var mismatch =
        assertThrows(HistoryMismatchException.class, () -> database.archive().verify(docId));
    assertEquals(revision, mismatch.firstBadRevision(), mismatch.getMessage());
    assertTrue(mismatch.getMessage().contains(why), mismatch.getMessage());
  }

  private void sql(String statement) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement update = connection.prepareStatement(statement)) {
      update.setString(1, docId);
      assertEquals(1, update.executeUpdate(), statement);
    }
  }

  /**
   * An archive visitor that records what it is given (header, pruned clients, checkpoints, ops,
   * then the count).
   */
  static ArchiveVisitor recorder(List<Object> into) {
    return new ArchiveVisitor() {
      @Override
      public void header(ArchiveHeader header) {
        into.add(header);
      }

      @Override
      public void prunedClient(PrunedClient client) {
        into.add(client);
      }

      @Override
      public void checkpoint(ArchivedCheckpoint checkpoint) {
        into.add(checkpoint);
      }

      @Override
      public void op(ArchivedOp op) {
        into.add(op);
      }

      @Override
      public void end(long ops) {
        into.add(ops);
      }
    };
  }

  /** Gives {@code recorded} to {@code visitor} again, under {@code docId}; no end if cut short. */
  static void replay(List<Object> recorded, String docId, ArchiveVisitor visitor) {
    for (Object item : recorded) {
      if (item instanceof ArchiveHeader header) {
        visitor.header(header.withDocId(docId));
      } else if (item instanceof PrunedClient client) {
        visitor.prunedClient(client);
      } else if (item instanceof ArchivedCheckpoint checkpoint) {
        visitor.checkpoint(checkpoint);
      } else if (item instanceof ArchivedOp op) {
        visitor.op(op);
      } else {
        visitor.end((Long) item);
      }
    }
  }
}
