package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What text the store keeps: every Unicode scalar value but U+0000, which PostgreSQL's text cannot
 * hold. Tandem refuses U+0000 (at the edge, and here as the second guard) with an {@link
 * UnstorableTextException}; nothing of a refused call is stored.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class TextStorageTest {
  private static final String ASTRAL =
      "😀 𝒳 🇫🇷 👩‍👩‍👧 \uD83E\uDD80 — é中\t\r\n\u007F\uFFFD\uFEFF";

  private final OpLog opLog;
  private final CheckpointStore checkpoints;
  private String docId;

  TextStorageTest(OpLog opLog, CheckpointStore checkpoints) {
    this.opLog = opLog;
    this.checkpoints = checkpoints;
  }

  @BeforeEach
  void freshDocument() {
    docId = EmbeddedPostgresExtension.freshDocId("text");
  }

  @Test
  void astralCharactersRoundTripInCheckpointsAndOps() {
    opLog.createDocument(docId, ASTRAL);
    int length = ASTRAL.codePointCount(0, ASTRAL.length());
    StoredOp op = Ops.stored(docId, 1, Ops.append(length, ASTRAL), "c", 1);
    opLog.append(List.of(op));
    checkpoints.write(docId, 1, ASTRAL + ASTRAL);

    assertEquals(ASTRAL + ASTRAL, opLog.loadDocument(docId).orElseThrow().text());
    assertEquals(ASTRAL, checkpoints.read(docId, 0).orElseThrow().text());
    assertEquals(List.of(op), opLog.readRange(docId, 1, 1));
    assertTrue(checkpoints.read(docId, 1).orElseThrow().verify());
  }

  @Test
  void initialTextWithNulIsRefusedAndNoDocumentIsCreated() {
    var refused =
        assertThrows(UnstorableTextException.class, () -> opLog.createDocument(docId, "a\0b"));

    assertTrue(refused.getMessage().contains("U+0000"), refused.getMessage());
    assertEquals(docId, refused.docId().orElseThrow());
    assertTrue(opLog.loadDocument(docId).isEmpty());
  }

  @Test
  void opInsertingNulIsRefusedAndNothingOfItsBatchIsStored() {
    String other = EmbeddedPostgresExtension.freshDocId("text");
    opLog.createDocument(docId, "");
    opLog.createDocument(other, "");

    var refused =
        assertThrows(
            UnstorableTextException.class,
            () ->
                opLog.append(
                    List.of(
                        Ops.stored(other, 1, Ops.append(0, "fine"), "c", 1),
                        Ops.stored(docId, 1, Ops.append(0, "x\0"), "c", 2))));

    assertEquals(1, refused.revision().getAsLong());
    assertEquals(0, opLog.head(docId).getAsLong());
    assertEquals(0, opLog.head(other).getAsLong());
  }

  @Test
  void checkpointWithNulIsRefused() {
    opLog.createDocument(docId, "");

    assertThrows(UnstorableTextException.class, () -> checkpoints.write(docId, 0, "\0"));
  }

  @Test
  void loneSurrogateIsRefused() {
    assertThrows(UnstorableTextException.class, () -> opLog.createDocument(docId, "a\uD83D"));
    assertThrows(UnstorableTextException.class, () -> opLog.createDocument(docId, "\uDE00a"));
    assertTrue(opLog.loadDocument(docId).isEmpty());
  }
}
