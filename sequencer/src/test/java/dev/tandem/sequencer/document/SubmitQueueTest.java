package dev.tandem.sequencer.document;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.ot.TextOperation;
import dev.tandem.sequencer.error.TandemException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The waiting submits of one document: lanes served round-robin, and the cost bound shared so that
 * a flood fills its own lane, never another sender's.
 */
class SubmitQueueTest {
  private static final long LIMIT = 100;
  private long seq;

  @Test
  void aFloodAtTheCostBoundMakesRoomForAnotherSenderFromItsOwnNewestSubmits() {
    SubmitQueue queue = new SubmitQueue();
    List<SubmitRequest> flood = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      SubmitRequest request = request("flooder", 10);
      flood.add(request);
      assertTrue(queue.admit(request, LIMIT).admitted());
    }
    assertEquals(100, queue.cost());

    // The flooder's next submit is its own problem: refused, nothing else moves.
    SubmitQueue.Admission more = queue.admit(request("flooder", 10), LIMIT);
    assertFalse(more.admitted());
    assertEquals(List.of(), more.refused());

    // Another sender's submit gets in; the flooder's newest make room for it.
    SubmitRequest honest = request("honest", 25);
    SubmitQueue.Admission admission = queue.admit(honest, LIMIT);
    assertTrue(admission.admitted());
    assertEquals(List.of(flood.get(9), flood.get(8), flood.get(7)), admission.refused());
    assertEquals(95, queue.cost());
    assertEquals(8, queue.size());

    // Round-robin: the flooder's oldest, then the honest one, whatever the flooder's depth.
    assertSame(flood.get(0), queue.poll(r -> true));
    assertSame(honest, queue.poll(r -> true));
  }

  @Test
  void aLaneNeverLosesItsFirstSubmitAndALoneSubmitIsAlwaysTaken() {
    SubmitQueue queue = new SubmitQueue();
    SubmitRequest costly = request("flooder", 500); // over the bound alone: taken, as the only one
    assertTrue(queue.admit(costly, LIMIT).admitted());

    // Another sender's first submit is taken too (every sender may have one waiting), and the
    // costly one, its lane's first, may be under way: it is not refused to make room.
    SubmitRequest honest = request("honest", 5);
    SubmitQueue.Admission admission = queue.admit(honest, LIMIT);
    assertTrue(admission.admitted());
    assertEquals(List.of(), admission.refused());

    // A second submit of a sender already over the bound is not.
    assertFalse(queue.admit(request("honest", 5), LIMIT).admitted());
    assertEquals(505, queue.cost());
  }

  @Test
  void aLaneCheaperThanTheNewcomersIsNotCutForIt() {
    SubmitQueue queue = new SubmitQueue();
    for (int i = 0; i < 4; i++) {
      assertTrue(queue.admit(request("a", 10), LIMIT).admitted());
    }
    for (int i = 0; i < 5; i++) {
      assertTrue(queue.admit(request("b", 10), LIMIT).admitted());
    }
    // b already costs 50 and a 40: b's next would cost it 60, so a is not cut for it...
    SubmitQueue.Admission admission = queue.admit(request("b", 20), LIMIT);
    assertFalse(admission.admitted());
    assertEquals(List.of(), admission.refused());
    // ...but a newcomer's first submit cuts b, the costliest.
    SubmitQueue.Admission newcomer = queue.admit(request("c", 15), LIMIT);
    assertTrue(newcomer.admitted());
    assertEquals(1, newcomer.refused().size());
    assertEquals("b", newcomer.refused().get(0).submission().userId());
  }

  @Test
  void everyLaneGetsItsTurnAtAReadBeforeAnyGetsASecond() {
    SubmitQueue queue = new SubmitQueue();
    SubmitRequest a1 = request("a", 1);
    SubmitRequest b1 = request("b", 1);
    SubmitRequest c1 = request("c", 1);
    for (SubmitRequest request : List.of(a1, request("a", 1), b1, c1)) {
      queue.add(request);
    }
    assertSame(a1, queue.takeTurn(r -> true));
    assertSame(b1, queue.takeTurn(r -> true));
    assertSame(c1, queue.takeTurn(r -> true));
    assertSame(a1, queue.takeTurn(r -> true)); // left in place: the same again, after the others
    assertSame(b1, queue.takeTurn(r -> r != a1));
    assertNull(queue.takeTurn(r -> false));
    assertEquals(List.of(c1, a1), queue.firsts(r -> r != b1, 10));
    assertEquals(4, queue.size());
  }

  @Test
  void aGoneSendersSubmitsAreRemovedAllButTheFirst() {
    SubmitQueue queue = new SubmitQueue();
    List<SubmitRequest> gone = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      gone.add(request("gone", 1));
      assertTrue(queue.admit(gone.get(i), LIMIT).admitted());
    }
    SubmitRequest other = request("other", 1);
    assertTrue(queue.admit(other, LIMIT).admitted());

    assertEquals(
        List.of(gone.get(3), gone.get(2), gone.get(1)), queue.removeAfterFirst(gone.get(0).lane()));
    assertEquals(2, queue.size());
    assertEquals(2, queue.cost());
    assertEquals(List.of(), queue.removeAfterFirst(other.lane()));
    assertEquals(List.of(), queue.removeAfterFirst("nobody"));
    assertSame(gone.get(0), queue.poll(r -> true)); // it may have been under way: it stays
    assertSame(other, queue.poll(r -> true));
    assertTrue(queue.isEmpty());
  }

  private SubmitRequest request(String sender, long cost) {
    SubmitRequest request =
        new SubmitRequest(
            null,
            new SubmitReply() {
              @Override
              public void acked(Committed committed) {}

              @Override
              public void failed(TandemException error) {}
            },
            new Sequencers.Submission(
                "doc", 0, TextOperation.builder().insert("x").build(), sender, ++seq, sender),
            () -> {});
    request.cost(cost);
    return request;
  }
}
