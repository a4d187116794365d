package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.ot.TextOperation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pruning and the history queries over what is left: the text, chain and head are unchanged, a
 * pruned (client, seq) is still found, revisions below the start are gone, blame and diff agree
 * with a replay computed here, and the text at a time is one index probe.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class PruneTest {
  private static final String[] USERS = {"ann", "bob", "cy"};

  private final Database database;
  private String docId;
  private final List<String> texts = new ArrayList<>();
  private final List<Authorship> authors = new ArrayList<>();

  PruneTest(Database database) {
    this.database = database;
  }

  /** 60 random ops by three users and clients, checkpoints at 10 and 30. */
  @BeforeEach
  void aDocumentWithHistory() {
    docId = EmbeddedPostgresExtension.freshDocId("prune");
    Random random = new Random(11);
    texts.add("start 𝒳");
    authors.add(Authorship.unknown(0, 7));
    database.opLog().createDocument(docId, texts.get(0));
    for (int revision = 1; revision <= 60; revision++) {
      String before = texts.get(revision - 1);
      TextOperation op = Ops.random(random, before);
      String user = USERS[revision % 3];
      texts.add(op.apply(before));
      authors.add(authors.get(revision - 1).apply(op, user, revision));
      database
          .opLog()
          .append(
              List.of(
                  new StoredOp(
                      docId, revision, op, "client-" + user, revision, user, Instant.now())));
      if (revision == 10 || revision == 30) {
        database.checkpoints().write(docId, revision, texts.get(revision));
      }
    }
  }

  @Test
  void pruningKeepsTheTextChainAndHeadAndStartsTheHistoryAtTheCheckpoint() {
    String headHash = database.archive().verify(docId).headHash();

    Archive.PruneSummary summary = database.archive().prune(docId, 40);

    assertEquals(40, summary.start());
    assertEquals(40, summary.opsRemoved());
    assertEquals(3, summary.checkpointsRemoved()); // 0, 10 and 30 go; 40 was written
    assertEquals(OptionalLong.of(40), database.opLog().historyStart(docId));
    assertEquals(texts.get(60), database.opLog().loadDocument(docId).orElseThrow().text());
    HistoryVerifier.Summary verified = database.archive().verify(docId);
    assertEquals(headHash, verified.headHash());
    assertEquals(20, verified.ops());
    for (int revision = 40; revision <= 60; revision++) {
      assertEquals(texts.get(revision), database.opLog().textAt(docId, revision).text());
    }
    RevisionPrunedException gone =
        assertThrows(RevisionPrunedException.class, () -> database.opLog().textAt(docId, 39));
    assertEquals(40, gone.start());
    assertThrows(RevisionPrunedException.class, () -> database.archive().diff(docId, 0, 60));
    assertThrows(RevisionPrunedException.class, () -> database.archive().ops(docId, 40, 10));
    assertEquals(41, database.archive().ops(docId, 41, 1).get(0).revision());
    assertThrows(RevisionPrunedException.class, () -> database.archive().blame(docId, 10));

    assertFalse(database.checkpoints().delete(docId, 40), "the start is kept");
    assertEquals(OptionalLong.of(40), database.opLog().historyStart(docId));

    // again, or lower: nothing to do
    assertEquals(0, database.archive().prune(docId, 20).opsRemoved());
    assertEquals(40, database.archive().prune(docId, 40).start());
  }

  @Test
  void aPrunedOpIsStillFoundByItsClientAndSeq() {
    database.archive().prune(docId, 40);

    // rev 39 was client-ann's (39 % 3 == 0) seq 39; its seq 36 is below it
    StoredOp last = database.opLog().findBySeq(docId, "client-ann", 39).orElseThrow();
    assertEquals(39, last.revision());
    assertEquals("ann", last.userId());
    StoredOp older = database.opLog().findBySeq(docId, "client-ann", 36).orElseThrow();
    assertTrue(older.revision() <= 40);
    assertEquals(42, database.opLog().findBySeq(docId, "client-ann", 42).orElseThrow().revision());
    assertFalse(database.opLog().findBySeq(docId, "client-ann", 43).isPresent());
    assertFalse(database.opLog().findBySeq(docId, "someone", 1).isPresent());
    assertEquals(OptionalLong.of(60), database.opLog().lastSeq(docId, "client-ann", 60));
    assertEquals(OptionalLong.of(57), database.opLog().lastSeq(docId, "client-ann", 59));
    assertEquals(OptionalLong.of(39), database.opLog().lastSeq(docId, "client-ann", 41));
    assertEquals(OptionalLong.empty(), database.opLog().lastSeq(docId, "someone", 60));

    // a later prune moves each client's pruned seq up, never down
    database.archive().prune(docId, 50);
    assertEquals(48, database.opLog().findBySeq(docId, "client-ann", 40).orElseThrow().revision());
  }

  @Test
  void blameAndDiffAgreeWithAReplayAtEveryRevision() {
    for (int revision = 0; revision <= 60; revision++) {
      assertEquals(
          authors.get(revision).runs(),
          database.archive().blame(docId, revision),
          "blame at " + revision);
    }
    for (int from = 0; from <= 60; from += 7) {
      for (int to = from; to <= 60; to += 11) {
        assertEquals(
            texts.get(to), database.archive().diff(docId, from, to).apply(texts.get(from)));
      }
    }
    database.archive().prune(docId, 45);
    for (int revision = 45; revision <= 60; revision++) {
      assertEquals(authors.get(revision).runs(), database.archive().blame(docId, revision));
    }
    assertEquals(texts.get(60), database.archive().diff(docId, 45, 60).apply(texts.get(45)));
  }

  @Test
  void aCheckpointStoresAuthorshipOnceTheOpsSinceTheLastOneOutnumberItsCodePoints()
      throws SQLException {
    // A text of 10 code points all along: each op deletes the first and appends one.
    String id = EmbeddedPostgresExtension.freshDocId("cadence");
    String text = "0123456789";
    Authorship authorship = Authorship.unknown(0, 10);
    List<Authorship> byRevision = new ArrayList<>(List.of(authorship));
    database.opLog().createDocument(id, text);
    for (int revision = 1; revision <= 25; revision++) {
      TextOperation op = TextOperation.builder().delete(1).retain(9).insert("x").build();
      String user = USERS[revision % 3];
      text = op.apply(text);
      byRevision.add(byRevision.get(revision - 1).apply(op, user, revision));
      database
          .opLog()
          .append(
              List.of(new StoredOp(id, revision, op, "c-" + user, revision, user, Instant.now())));
      if (revision == 5 || revision == 12 || revision == 20 || revision == 22) {
        database.checkpoints().write(id, revision, text);
      }
    }

    // 5 and 20 are fewer than 10 revisions after the last one storing it (0, 12)
    assertEquals(List.of(12L, 22L), revisionsStoringAuthorship(id));
    for (int revision = 0; revision <= 25; revision++) {
      assertEquals(byRevision.get(revision).runs(), database.archive().blame(id, revision));
    }
    // a long text stores it every AUTHORSHIP_EVERY_REVISIONS
    assertFalse(CheckpointStore.storesAuthorship(49_999, 1_000_000));
    assertTrue(CheckpointStore.storesAuthorship(50_000, 1_000_000));
    assertFalse(CheckpointStore.storesAuthorship(29_999, 30_000)); // else its length
    assertTrue(CheckpointStore.storesAuthorship(30_000, 30_000));
  }

  private List<Long> revisionsStoringAuthorship(String id) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT rev FROM checkpoints WHERE doc_id = ? AND authorship IS NOT NULL"
                    + " ORDER BY rev")) {
      select.setString(1, id);
      List<Long> revisions = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          revisions.add(rows.getLong(1));
        }
      }
      return revisions;
    }
  }

  @Test
  void theRevisionAtATimeIsOneIndexProbe() throws SQLException {
    Instant now = Instant.now();
    assertEquals(60, database.archive().revisionAt(docId, now));
    assertEquals(0, database.archive().revisionAt(docId, Instant.EPOCH));
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement explain = connection.prepareStatement("EXPLAIN " + Archive.REVISION_AT)) {
      explain.setString(1, docId);
      explain.setObject(2, java.time.OffsetDateTime.now());
      StringBuilder plan = new StringBuilder();
      try (Statement off = connection.createStatement()) {
        off.execute("SET enable_seqscan = off"); // a tiny table would be scanned anyway
      }
      try (ResultSet rows = explain.executeQuery()) {
        while (rows.next()) {
          plan.append(rows.getString(1)).append('\n');
        }
      }
      assertTrue(
          plan.toString().contains("Scan Backward using operations_doc_time_idx"), plan.toString());
      assertTrue(plan.toString().contains("Limit"), plan.toString());
    }
    database.archive().prune(docId, 30);
    assertThrows(
        RevisionPrunedException.class, () -> database.archive().revisionAt(docId, Instant.EPOCH));
  }
}
