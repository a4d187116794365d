package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Batches across documents commit whole or not at all; one revision has one winner. */
@ExtendWith(EmbeddedPostgresExtension.class)
class GroupCommitTest {
  private final OpLog opLog;

  GroupCommitTest(OpLog opLog) {
    this.opLog = opLog;
  }

  @Test
  void batchAcrossDocumentsCommitsEveryOp() {
    List<String> docs = createDocuments(5);
    List<StoredOp> batch = new ArrayList<>();
    for (int revision = 1; revision <= 3; revision++) {
      for (String docId : docs) {
        batch.add(Ops.stored(docId, revision, Ops.append(revision - 1, "x"), "c", revision));
      }
    }

    opLog.append(batch);

    for (String docId : docs) {
      assertEquals(new DocumentSnapshot(docId, 3, "xxx"), opLog.loadDocument(docId).orElseThrow());
    }
  }

  @Test
  void oneStaleRevisionRollsBackTheWholeBatch() {
    List<String> docs = createDocuments(4);
    opLog.append(List.of(Ops.stored(docs.get(2), 1, Ops.append(0, "y"), "c", 1)));

    var refused =
        assertThrows(DuplicateRevisionException.class, () -> opLog.append(nextOpOfEach(docs, 0)));

    assertEquals(docs.get(2), refused.docId().orElseThrow());
    assertNothingAppended(docs, 2);
  }

  @Test
  void oneDuplicateSubmitRollsBackTheWholeBatch() {
    List<String> docs = createDocuments(4);
    opLog.append(List.of(Ops.stored(docs.get(3), 1, Ops.append(0, "y"), "c", 100)));
    List<StoredOp> batch = nextOpOfEach(docs.subList(0, 3), 0);
    batch.add(Ops.stored(docs.get(3), 2, Ops.append(1, "z"), "c", 100));

    var refused = assertThrows(DuplicateSubmitException.class, () -> opLog.append(batch));

    assertEquals(docs.get(3), refused.docId().orElseThrow());
    assertEquals(100, refused.seq());
    assertNothingAppended(docs, 3);
  }

  @Test
  void oneMissingDocumentRollsBackTheWholeBatch() {
    List<String> docs = createDocuments(3);
    List<StoredOp> batch = nextOpOfEach(docs, 0);
    String missing = EmbeddedPostgresExtension.freshDocId("missing");
    batch.add(Ops.stored(missing, 1, Ops.append(0, "z"), "c", 1));

    var refused = assertThrows(DocumentNotFoundException.class, () -> opLog.append(batch));

    assertEquals(missing, refused.docId().orElseThrow());
    assertNothingAppended(docs, -1);
  }

  @Test
  void twoConcurrentAppendersOfARevisionCannotBothWin() throws Exception {
    String docId = createDocuments(1).get(0);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      for (int revision = 1; revision <= 20; revision++) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> outcomes = new ArrayList<>();
        for (String client : List.of("left", "right")) {
          StoredOp op =
              Ops.stored(
                  docId,
                  revision,
                  Ops.append(revision - 1, client.substring(0, 1)),
                  client,
                  revision);
          Callable<String> append =
              () -> {
                start.await();
                try {
                  opLog.append(List.of(op));
                  return client;
                } catch (DuplicateRevisionException lost) {
                  return "lost";
                }
              };
          outcomes.add(threads.submit(append));
        }
        start.countDown();
        List<String> results = List.of(outcomes.get(0).get(), outcomes.get(1).get());

        assertEquals(1, results.stream().filter("lost"::equals).count(), results.toString());
        String winner = results.get(0).equals("lost") ? results.get(1) : results.get(0);
        StoredOp stored = opLog.readRange(docId, revision, 1).get(0);
        assertEquals(winner, stored.clientId(), "revision " + revision);
        assertEquals(revision, opLog.head(docId).getAsLong());
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void concurrentBatchesOverlappingInDocumentsNeverInterleaveRevisions() throws Exception {
    List<String> docs = createDocuments(6);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Exception>> outcomes = new ArrayList<>();
      for (String client : List.of("left", "right")) {
        List<StoredOp> batch = new ArrayList<>();
        for (String docId : docs) {
          batch.add(Ops.stored(docId, 1, Ops.append(0, client), client, 1));
        }
        outcomes.add(
            threads.submit(
                () -> {
                  start.await();
                  try {
                    opLog.append(batch);
                    return null;
                  } catch (PersistenceException e) {
                    return e;
                  }
                }));
      }
      start.countDown();
      Exception left = outcomes.get(0).get();
      Exception right = outcomes.get(1).get();

      assertTrue(left == null ^ right == null, left + " / " + right);
      assertInstanceOf(DuplicateRevisionException.class, left == null ? right : left);
      String winner = left == null ? "left" : "right";
      for (String docId : docs) {
        assertEquals(winner, opLog.loadDocument(docId).orElseThrow().text());
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private List<String> createDocuments(int count) {
    List<String> docs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String docId = EmbeddedPostgresExtension.freshDocId("group");
      opLog.createDocument(docId, "");
      docs.add(docId);
    }
    return docs;
  }

  private static List<StoredOp> nextOpOfEach(List<String> docs, long head) {
    List<StoredOp> batch = new ArrayList<>();
    for (String docId : docs) {
      batch.add(Ops.stored(docId, head + 1, Ops.append((int) head, "z"), "c", head + 1));
    }
    return batch;
  }

  /** Every document but {@code except} (which had one op before the batch) is still empty. */
  private void assertNothingAppended(List<String> docs, int except) {
    for (int i = 0; i < docs.size(); i++) {
      long expected = i == except ? 1 : 0;
      assertEquals(expected, opLog.head(docs.get(i)).getAsLong(), docs.get(i));
      assertEquals(expected, opLog.readRange(docs.get(i), 1, 10).size(), docs.get(i));
    }
  }
}
