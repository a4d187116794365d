package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.ot.TextOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(EmbeddedPostgresExtension.class)
class CheckpointStoreTest {
  private final OpLog opLog;
  private final CheckpointStore checkpoints;
  private String docId;

  CheckpointStoreTest(OpLog opLog, CheckpointStore checkpoints) {
    this.opLog = opLog;
    this.checkpoints = checkpoints;
  }

  @BeforeEach
  void freshDocument() {
    docId = EmbeddedPostgresExtension.freshDocId("checkpoints");
  }

  /**
   * The text at every revision, read through checkpoints, equals the initial text with every op up
   * to it applied in memory: before any checkpoint but revision 0, with some, and after pruning.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void checkpointPlusReplayEqualsFullReplay(long seed) {
    Random random = new Random(seed);
    List<String> texts = new ArrayList<>(List.of("start 𝒳"));
    opLog.createDocument(docId, texts.get(0));
    List<StoredOp> ops = new ArrayList<>();
    for (int revision = 1; revision <= 60; revision++) {
      TextOperation op = Ops.random(random, texts.get(revision - 1));
      texts.add(op.apply(texts.get(revision - 1)));
      ops.add(Ops.stored(docId, revision, op, "c", revision));
    }
    opLog.append(ops);
    assertEveryRevision(texts, "seed " + seed + ", checkpoint 0 only");

    for (int revision : List.of(7, 30, 31, 59)) {
      checkpoints.write(docId, revision, opLog.textAt(docId, revision).text());
    }
    assertEveryRevision(texts, "seed " + seed + ", checkpoints 0, 7, 30, 31, 59");
    assertEquals(
        List.of(0L, 7L, 30L, 31L, 59L),
        checkpoints.list(docId).stream().map(CheckpointInfo::revision).toList());

    assertTrue(checkpoints.delete(docId, 30));
    assertFalse(checkpoints.delete(docId, 30));
    assertEveryRevision(texts, "seed " + seed + ", after pruning 30");
  }

  @Test
  void nearestCheckpointIsTheHighestAtOrBelow() {
    opLog.createDocument(docId, "");
    for (int revision = 1; revision <= 5; revision++) {
      opLog.append(
          List.of(Ops.stored(docId, revision, Ops.append(revision - 1, "a"), "c", revision)));
    }
    checkpoints.write(docId, 3, "aaa");

    assertEquals(0, checkpoints.nearestAtOrBelow(docId, 2).orElseThrow().revision());
    assertEquals(3, checkpoints.nearestAtOrBelow(docId, 3).orElseThrow().revision());
    Checkpoint nearest = checkpoints.nearestAtOrBelow(docId, 5).orElseThrow();
    assertEquals("aaa", nearest.text());
    assertTrue(nearest.verify());
    assertEquals(nearest, checkpoints.read(docId, 3).orElseThrow());
    assertTrue(checkpoints.nearestAtOrBelow(docId, -1).isEmpty());
  }

  @Test
  void writingIsIdempotentButNeverReplacesADifferentText() {
    opLog.createDocument(docId, "");
    opLog.append(List.of(Ops.stored(docId, 1, Ops.append(0, "a"), "c", 1)));

    CheckpointInfo first = checkpoints.write(docId, 1, "a");
    assertEquals(first, checkpoints.write(docId, 1, "a"));
    assertThrows(PersistenceException.class, () -> checkpoints.write(docId, 1, "b"));
    assertEquals("a", checkpoints.read(docId, 1).orElseThrow().text());
  }

  @Test
  void checkpointPastTheHeadOrOfNoDocumentIsRefused() {
    opLog.createDocument(docId, "");

    assertThrows(RevisionOutOfRangeException.class, () -> checkpoints.write(docId, 1, "a"));
    assertThrows(
        DocumentNotFoundException.class, () -> checkpoints.write(docId + "-missing", 0, "a"));
    assertThrows(IllegalArgumentException.class, () -> checkpoints.delete(docId, 0));
    assertEquals(1, checkpoints.list(docId).size());
  }

  private void assertEveryRevision(List<String> texts, String context) {
    for (int revision = 0; revision < texts.size(); revision++) {
      assertEquals(
          texts.get(revision), opLog.textAt(docId, revision).text(), context + ", rev " + revision);
    }
    assertEquals(
        new DocumentSnapshot(docId, texts.size() - 1, texts.get(texts.size() - 1)),
        opLog.loadDocument(docId).orElseThrow(),
        context);
  }
}
