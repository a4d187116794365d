package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.ot.TextOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedPostgresExtension.class)
class OpLogTest {
  private final OpLog opLog;
  private String docId;

  OpLogTest(OpLog opLog) {
    this.opLog = opLog;
  }

  @BeforeEach
  void freshDocument() {
    docId = EmbeddedPostgresExtension.freshDocId("oplog");
  }

  @Test
  void createdDocumentLoadsAtRevisionZeroWithItsInitialText() {
    DocumentSnapshot created = opLog.createDocument(docId, "hello 😀");

    assertEquals(new DocumentSnapshot(docId, 0, "hello 😀"), created);
    assertEquals(Optional.of(created), opLog.loadDocument(docId));
    assertEquals(0, opLog.head(docId).getAsLong());
  }

  @Test
  void missingDocumentLoadsEmpty() {
    assertEquals(Optional.empty(), opLog.loadDocument(docId));
    assertTrue(opLog.head(docId).isEmpty());
  }

  @Test
  void secondCreateIsRefusedAndChangesNothing() {
    opLog.createDocument(docId, "first");

    var refused =
        assertThrows(DocumentExistsException.class, () -> opLog.createDocument(docId, "second"));

    assertEquals(Optional.of(docId), refused.docId());
    assertEquals("first", opLog.loadDocument(docId).orElseThrow().text());
  }

  @Test
  void appendedOpsAdvanceTheHeadAndTheText() {
    opLog.createDocument(docId, "ab");

    opLog.append(List.of(Ops.stored(docId, 1, Ops.append(2, "c"), "client-a", 1)));
    opLog.append(
        List.of(
            Ops.stored(docId, 2, Ops.append(3, "𝒳"), "client-a", 2),
            Ops.stored(docId, 3, TextOperation.builder().delete(1).retain(3).build(), "b", 7)));

    assertEquals(new DocumentSnapshot(docId, 3, "bc𝒳"), opLog.loadDocument(docId).orElseThrow());
  }

  @Test
  void storedOpsReadBackEqualToWhatWasAppended() {
    opLog.createDocument(docId, "");
    List<StoredOp> appended = new ArrayList<>();
    for (int revision = 1; revision <= 5; revision++) {
      appended.add(Ops.stored(docId, revision, Ops.append(revision - 1, "x"), "c", revision));
    }
    opLog.append(appended);

    assertEquals(appended, opLog.readRange(docId, 1, 100));
    assertEquals(Optional.of(appended.get(2)), opLog.findBySeq(docId, "c", 3));
    assertEquals(Optional.empty(), opLog.findBySeq(docId, "c", 6));
    assertEquals(Optional.empty(), opLog.findBySeq(docId, "other", 3));
  }

  @Test
  void rangeReadsStartAtTheirRevisionAndStopAtTheirLimit() {
    opLog.createDocument(docId, "");
    List<StoredOp> appended = new ArrayList<>();
    for (int revision = 1; revision <= 10; revision++) {
      appended.add(Ops.stored(docId, revision, Ops.append(revision - 1, "x"), "c", revision));
    }
    opLog.append(appended);

    assertEquals(appended.subList(3, 6), opLog.readRange(docId, 4, 3));
    assertEquals(appended.subList(7, 10), opLog.readRange(docId, 8, 1000));
    assertEquals(List.of(), opLog.readRange(docId, 11, 10));
    assertEquals(List.of(), opLog.readRange(docId, 1, 0));
    assertEquals(appended.subList(0, 2), opLog.readRange(docId, 0, 2));
    assertEquals(List.of(), opLog.readRange("no-such-" + docId, 1, 10));
  }

  @Test
  void textAtAnyRevisionIsTheInitialTextWithTheOpsUpToIt() {
    opLog.createDocument(docId, "0");
    for (int revision = 1; revision <= 4; revision++) {
      opLog.append(
          List.of(Ops.stored(docId, revision, Ops.append(revision, "" + revision), "c", revision)));
    }

    for (int revision = 0; revision <= 4; revision++) {
      assertEquals("01234".substring(0, revision + 1), opLog.textAt(docId, revision).text());
    }
    var beyond = assertThrows(RevisionOutOfRangeException.class, () -> opLog.textAt(docId, 5));
    assertEquals(4, beyond.head());
    assertThrows(RevisionOutOfRangeException.class, () -> opLog.textAt(docId, -1));
    assertThrows(DocumentNotFoundException.class, () -> opLog.textAt("no-such-" + docId, 0));
  }

  @Test
  void appendingATakenRevisionIsADuplicateRevision() {
    opLog.createDocument(docId, "");
    opLog.append(List.of(Ops.stored(docId, 1, Ops.append(0, "a"), "c", 1)));

    var refused =
        assertThrows(
            DuplicateRevisionException.class,
            () -> opLog.append(List.of(Ops.stored(docId, 1, Ops.append(0, "b"), "c", 2))));

    assertEquals(Optional.of(docId), refused.docId());
    assertEquals(1, refused.revision().getAsLong());
    assertEquals("a", opLog.loadDocument(docId).orElseThrow().text());
  }

  @Test
  void appendingPastTheHeadIsAGap() {
    opLog.createDocument(docId, "");

    var refused =
        assertThrows(
            RevisionGapException.class,
            () -> opLog.append(List.of(Ops.stored(docId, 2, Ops.append(0, "b"), "c", 1))));

    assertEquals(2, refused.revision().getAsLong());
    assertEquals(0, opLog.head(docId).getAsLong());
  }

  @Test
  void resubmittedClientSeqIsADuplicateSubmit() {
    opLog.createDocument(docId, "");
    opLog.append(List.of(Ops.stored(docId, 1, Ops.append(0, "a"), "client-a", 7)));

    var refused =
        assertThrows(
            DuplicateSubmitException.class,
            () -> opLog.append(List.of(Ops.stored(docId, 2, Ops.append(1, "a"), "client-a", 7))));

    assertEquals("client-a", refused.clientId());
    assertEquals(7, refused.seq());
    assertEquals(2, refused.revision().getAsLong());
    assertEquals(1, opLog.head(docId).getAsLong());
  }

  @Test
  void appendingToAMissingDocumentIsNotFound() {
    assertThrows(
        DocumentNotFoundException.class,
        () -> opLog.append(List.of(Ops.stored(docId, 1, Ops.append(0, "a"), "c", 1))));
  }

  @Test
  void inconsistentBatchIsRefusedBeforeTheDatabase() {
    opLog.createDocument(docId, "");
    StoredOp first = Ops.stored(docId, 1, Ops.append(0, "a"), "c", 1);

    assertThrows(
        IllegalArgumentException.class,
        () -> opLog.append(List.of(first, Ops.stored(docId, 3, Ops.append(1, "b"), "c", 2))));
    assertThrows(
        IllegalArgumentException.class,
        () -> opLog.append(List.of(first, Ops.stored(docId, 2, Ops.append(1, "b"), "c", 1))));
    assertEquals(0, opLog.head(docId).getAsLong());
  }

  @Test
  void badIdsAreRefusedWithAClearError() {
    assertThrows(IllegalArgumentException.class, () -> opLog.createDocument("", "x"));
    assertThrows(IllegalArgumentException.class, () -> opLog.createDocument("a".repeat(129), ""));
    assertThrows(IllegalArgumentException.class, () -> opLog.createDocument("a\nb", ""));
    assertThrows(IllegalArgumentException.class, () -> opLog.createDocument("a/b", ""));
    String longest = docId + "x".repeat(128 - docId.length()); // ids persist across runs
    opLog.createDocument(longest, "128 characters are allowed");
    assertThrows(
        IllegalArgumentException.class,
        () -> Ops.stored(docId, 1, Ops.append(0, "a"), "c\ud800", 1)); // a lone surrogate
    var tooLong =
        assertThrows(
            IllegalArgumentException.class,
            () -> Ops.stored(docId, 1, Ops.append(0, "a"), "c".repeat(65), 1));
    assertTrue(tooLong.getMessage().contains("client id length : 65"), tooLong.getMessage());
  }

  @Test
  void listsDocumentsInIdOrderPageByPage() {
    String prefix = EmbeddedPostgresExtension.freshDocId("list");
    for (String suffix : List.of("c", "a", "b")) {
      opLog.createDocument(prefix + ":" + suffix, "");
    }
    opLog.append(List.of(Ops.stored(prefix + ":b", 1, Ops.append(0, "x"), "c", 1)));

    List<DocumentInfo> firstPage = opLog.listDocuments(prefix + ":", 2);
    List<DocumentInfo> secondPage = opLog.listDocuments(firstPage.get(1).docId(), 1);

    assertEquals(
        List.of(prefix + ":a", prefix + ":b"),
        firstPage.stream().map(DocumentInfo::docId).toList());
    assertEquals(1, firstPage.get(1).headRevision());
    assertEquals(prefix + ":c", secondPage.get(0).docId());
  }
}
