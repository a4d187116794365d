package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Document leases on the database: one live node at a time holds a document, every acquisition
 * moves the epoch on, and an append fenced by an epoch that moved on stores nothing, whenever it
 * arrives (db/migration V6, docs/scaling.md).
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class LeasesTest {
  private static final Duration ALIVE = Duration.ofMinutes(5);

  private final Database database;
  private final Leases leases;
  private final OpLog opLog;
  private String docId;
  private String nodeA;
  private String nodeB;

  LeasesTest(Database database) {
    this.database = database;
    this.leases = database.leases();
    this.opLog = database.opLog();
  }

  @BeforeEach
  void freshDocumentAndNodes() {
    docId = EmbeddedPostgresExtension.freshDocId("lease");
    nodeA = EmbeddedPostgresExtension.freshDocId("node-a");
    nodeB = EmbeddedPostgresExtension.freshDocId("node-b");
    opLog.createDocument(docId, "");
  }

  @Test
  void aLiveOwnerKeepsTheDocumentAndOthersAreSentToIt() {
    leases.heartbeat(nodeA, "http://127.0.0.1:1001/", ALIVE);
    leases.heartbeat(nodeB, "http://127.0.0.1:1002/", ALIVE);

    long epoch = held(leases.acquire(nodeA, docId));

    assertEquals(new Leases.OwnedBy(nodeA, "http://127.0.0.1:1001/"), leases.acquire(nodeB, docId));
    assertEquals(List.of(), leases.lost(Map.of(docId, epoch)));
    assertInstanceOf(Leases.NoDocument.class, leases.acquire(nodeB, docId + "-missing"));
  }

  @Test
  void aTakenOverNodeCannotAppendAndTheNewOwnerCan() {
    leases.heartbeat(nodeA, "http://127.0.0.1:1001/", ALIVE);
    long epochA = held(leases.acquire(nodeA, docId));
    opLog.append(
        List.of(Ops.stored(docId, 1, Ops.append(0, "a"), "client-a", 1)), Map.of(docId, epochA));

    leases.leave(nodeA); // dead from now on (as a node whose heartbeat stopped)
    leases.heartbeat(nodeB, "http://127.0.0.1:1002/", ALIVE);
    long epochB = held(leases.acquire(nodeB, docId));

    // node A wakes up late with its next op at the right revision: fenced by the epoch
    LeaseLostException fenced =
        assertThrows(
            LeaseLostException.class,
            () ->
                opLog.append(
                    List.of(Ops.stored(docId, 2, Ops.append(1, "x"), "client-a", 2)),
                    Map.of(docId, epochA)));
    assertEquals(docId, fenced.docId().orElseThrow());
    assertEquals(List.of(docId), leases.lost(Map.of(docId, epochA)));
    assertEquals("a", opLog.loadDocument(docId).orElseThrow().text());

    opLog.append(
        List.of(Ops.stored(docId, 2, Ops.append(1, "b"), "client-b", 1)), Map.of(docId, epochB));
    assertEquals("ab", opLog.loadDocument(docId).orElseThrow().text());
    assertEquals(epochA + 1, epochB);
  }

  @Test
  void everyAcquisitionMovesTheEpochOnAndAReleasedLeaseIsFree() {
    leases.heartbeat(nodeA, "http://127.0.0.1:1001/", ALIVE);
    leases.heartbeat(nodeB, "http://127.0.0.1:1002/", ALIVE);
    long first = held(leases.acquire(nodeA, docId));
    long again = held(leases.acquire(nodeA, docId)); // a restart of the same node

    assertEquals(first + 1, again);
    leases.release(nodeA, docId, first); // an old epoch releases nothing
    assertInstanceOf(Leases.OwnedBy.class, leases.acquire(nodeB, docId));

    leases.release(nodeA, docId, again);
    assertEquals(again + 1, held(leases.acquire(nodeB, docId)));
  }

  @Test
  void aGroupCommitOfSeveralDocumentsIsFencedWhole() {
    String other = EmbeddedPostgresExtension.freshDocId("lease");
    opLog.createDocument(other, "");
    leases.heartbeat(nodeA, "http://127.0.0.1:1001/", ALIVE);
    long epoch = held(leases.acquire(nodeA, docId));
    long otherEpoch = held(leases.acquire(nodeA, other));

    assertThrows(
        LeaseLostException.class,
        () ->
            opLog.append(
                List.of(
                    Ops.stored(docId, 1, Ops.append(0, "a"), "client-a", 1),
                    Ops.stored(other, 1, Ops.append(0, "b"), "client-a", 2)),
                Map.of(docId, epoch, other, otherEpoch - 1)));
    assertEquals(0, opLog.head(docId).getAsLong());
    assertEquals(0, opLog.head(other).getAsLong());
  }

  @Test
  void aHeartbeatReportsTheIdAliveAtAnotherAddress() {
    assertEquals(Optional.empty(), leases.heartbeat(nodeA, "http://127.0.0.1:1001/", ALIVE));
    assertEquals(Optional.empty(), leases.heartbeat(nodeA, "http://127.0.0.1:1001/", ALIVE));
    // a second process with the same id: each heartbeat finds the other's address
    assertEquals(
        Optional.of("http://127.0.0.1:1001/"),
        leases.heartbeat(nodeA, "http://127.0.0.1:2002/", ALIVE));
    assertEquals(
        Optional.of("http://127.0.0.1:2002/"),
        leases.heartbeat(nodeA, "http://127.0.0.1:1001/", ALIVE));
    // a node that left (or died) and starts again elsewhere took nobody's id
    leases.leave(nodeA);
    assertEquals(Optional.empty(), leases.heartbeat(nodeA, "http://127.0.0.1:3003/", ALIVE));
  }

  private static long held(Leases.Acquisition acquisition) {
    return assertInstanceOf(Leases.Held.class, acquisition).epoch();
  }
}
