package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.client.ClientState.OpId;
import dev.tandem.ot.InvalidOperationException;
import dev.tandem.ot.TextOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Examples of one document session's decisions: what it sends, applies and reports. */
class DocumentSessionTest {
  private final List<String> sent = new ArrayList<>();
  private final List<TextChange> changes = new ArrayList<>();
  private final List<RemotePresence> presences = new ArrayList<>();
  private long acks;
  private long nextSeq = 10;
  private String clientId = "me";
  private final List<OpId> submitted = new ArrayList<>();
  private final List<OpId> taken = new ArrayList<>();

  private final DocumentSession session =
      new DocumentSession(
          () -> new OpId(clientId, nextSeq++),
          new DocumentSession.Sink() {
            @Override
            public void submit(long baseRevision, TextOperation op, OpId id) {
              sent.add("submit r" + baseRevision + " " + op + " #" + id.seq());
              submitted.add(id);
            }

            @Override
            public void idTaken(OpId id) {
              taken.add(id);
              clientId = "me-" + taken.size(); // as a client does: a fresh id
            }

            @Override
            public void publishPresence(
                long revision, List<SelectionRange> selection, Map<String, Object> meta) {
              sent.add("presence r" + revision + " " + selection);
            }

            @Override
            public void changed(TextChange change) {
              changes.add(change);
            }

            @Override
            public void acknowledged(long revision, long seq) {
              acks++;
            }

            @Override
            public void presence(RemotePresence presence) {
              presences.add(presence);
            }

            @Override
            public void presenceLeft(String clientId) {}

            @Override
            public void synchronizedNow() {}
          });

  private static TextOperation insertAt(int position, String text, int after) {
    return TextOperation.builder().retain(position).insert(text).retain(after).build();
  }

  @Test
  void oneOpInFlightTheRestBuffered() {
    session.initialize(4, "abc");
    session.goOnline();
    session.applyClient(insertAt(3, "d", 0));
    session.applyClient(insertAt(4, "e", 0));
    assertEquals(List.of("submit r4 retain 3, insert 'd' #10"), sent);
    session.acknowledge(5, new OpId("me", 10));
    assertEquals("submit r5 retain 4, insert 'e' #11", sent.get(1));
    session.acknowledge(6, new OpId("me", 11));
    assertTrue(session.isSynchronized());
    assertEquals(2, acks);
    assertEquals("abcde", session.text());
  }

  @Test
  void anOpThatDoesNotApplyChangesNothing() {
    session.initialize(0, "abc");
    session.goOnline();
    assertThrows(InvalidOperationException.class, () -> session.applyClient(insertAt(5, "x", 0)));
    assertEquals("abc", session.text());
    assertTrue(session.isSynchronized());
    assertEquals(List.of(), sent);
  }

  @Test
  void offlineEditsWaitAndTheOpInFlightIsResentWithItsSeq() {
    session.initialize(0, "");
    session.goOnline();
    session.applyClient(insertAt(0, "a", 0)); // #10 in flight
    session.goOffline();
    session.applyClient(insertAt(1, "b", 0)); // buffered while offline
    session.applyServer(1, insertAt(0, "Z", 0), "other", 3);
    session.goOnline();
    assertEquals(List.of("submit r0 insert 'a' #10", "submit r1 insert 'a', retain 1 #10"), sent);
    assertEquals("abZ", session.text()); // own inserts first on a tie, as the server orders them
  }

  @Test
  void ownOpAmongCaughtUpOpsCountsAsItsAck() {
    session.initialize(0, "");
    session.goOnline();
    session.applyClient(insertAt(0, "a", 0)); // #10
    session.goOffline();
    assertTrue(session.applyServer(1, insertAt(0, "a", 0), "me", 10));
    session.goOnline();
    assertEquals(1, sent.size(), "nothing resent");
    assertEquals(1, acks);
    assertTrue(session.isSynchronized());
    session.acknowledge(1, new OpId("me", 10)); // the late answer to a resubmission
    assertEquals(1, acks);
  }

  @Test
  void seqReusedSendsTheOpInFlightAgainUnderAFreshId() {
    session.initialize(0, "ab");
    session.goOnline();
    session.applyClient(insertAt(2, "c", 0)); // me #10
    session.applyClient(insertAt(3, "d", 0)); // buffered
    assertFalse(session.seqReused(new OpId("me", 9)), "an answer to an op no longer in flight");
    assertFalse(session.seqReused(new OpId("other", 10)));
    assertEquals(List.of(), taken);

    assertTrue(session.seqReused(new OpId("me", 10)));
    assertEquals(List.of(new OpId("me", 10)), taken);
    assertEquals(List.of(new OpId("me", 10), new OpId("me-1", 11)), submitted);
    assertEquals("submit r0 retain 2, insert 'c' #11", sent.get(1));
    session.acknowledge(1, new OpId("me", 10)); // not the op in flight any more
    assertEquals(0, acks);
    session.acknowledge(1, new OpId("me-1", 11));
    assertEquals(new OpId("me-1", 12), submitted.get(2), "the buffer goes under the new id");
    session.acknowledge(2, new OpId("me-1", 12));
    assertTrue(session.isSynchronized());
    assertEquals("abcd", session.text());
  }

  @Test
  void anotherOpUnderTheIdInFlightIsAppliedAndTheOpGoesAgainUnderAFreshId() {
    session.initialize(0, "ab");
    session.goOnline();
    session.applyClient(insertAt(2, "mine", 0)); // me #10
    // someone else's op, committed under me #10: not this client's ack
    assertTrue(session.applyServer(1, insertAt(0, "T", 2), "me", 10));
    assertEquals(0, acks);
    assertEquals("Tabmine", session.text());
    assertEquals(List.of(new OpId("me", 10)), taken);
    assertEquals("submit r1 retain 3, insert 'mine' #11", sent.get(1));
    assertEquals(new OpId("me-1", 11), submitted.get(1));
    assertFalse(session.seqReused(new OpId("me", 10)), "the later refusal changes nothing");
    // the op itself, transformed as the server transforms it, is the ack
    assertTrue(session.applyServer(2, insertAt(3, "mine", 0), "me-1", 11));
    assertEquals(1, acks);
    assertTrue(session.isSynchronized());
    assertEquals(1, taken.size());
  }

  @Test
  void duplicatesAreIgnoredAndGapsReported() {
    session.initialize(3, "abc");
    assertTrue(session.applyServer(3, insertAt(0, "x", 3), "other", 1));
    assertEquals("abc", session.text());
    assertFalse(session.applyServer(5, insertAt(0, "x", 3), "other", 2));
    assertEquals(3, session.revision());
  }

  @Test
  void ownSelectionWaitsForAcksAndIsRepublishedAfterAReconnect() {
    session.initialize(0, "abc");
    session.goOnline();
    session.applyClient(insertAt(0, "x", 3));
    session.setOwnSelection(List.of(SelectionRange.caret(2)), Map.of());
    assertEquals(1, sent.size(), "not published while an op is in flight");
    session.acknowledge(1, new OpId("me", 10));
    assertEquals("presence r1 [SelectionRange[anchor=2, head=2]]", sent.get(1));
    session.goOffline();
    session.goOnline();
    assertEquals(sent.get(1), sent.get(2));
  }

  @Test
  void remoteSelectionCrossesLaterOpsAndPendingEdits() {
    session.initialize(0, "abcd");
    session.goOnline();
    session.applyServer(1, insertAt(0, "12", 4), "other", 1); // 12abcd
    session.applyClient(insertAt(6, "!", 0)); // 12abcd! pending
    session.applyClient(insertAt(0, "_", 7)); // _12abcd! buffered
    // published at revision 0, before 'c'
    session.remotePresence("peer", "u", 0, List.of(new SelectionRange(2, 3)), Map.of("n", 1));
    RemotePresence placed = presences.get(0);
    assertEquals(List.of(new SelectionRange(5, 6)), placed.selection());
    assertEquals("c", String.valueOf(session.text().charAt(5)));
  }

  @Test
  void aClientThatJoinedIsListedWithoutACaretAndMovesNowhere() {
    session.initialize(3, "abc");
    session.goOnline();
    session.remotePresence("idle", "u", 3, List.of(), Map.of()); // announced by its open
    assertEquals(List.of(), session.presences().get("idle").selection());
    session.applyServer(4, insertAt(0, "x", 3), "other", 1);
    assertEquals(List.of(), session.presences().get("idle").selection());
    session.presenceLeft("idle");
    assertEquals(Map.of(), session.presences());
  }

  @Test
  void earlyPresenceWaitsForItsRevision() {
    session.initialize(0, "ab");
    session.remotePresence("peer", "u", 1, List.of(SelectionRange.caret(1)), Map.of());
    assertEquals(List.of(), presences);
    session.applyServer(1, insertAt(0, "x", 2), "other", 1);
    assertEquals(List.of(SelectionRange.caret(1)), presences.get(0).selection());
  }

  // ---- resync after a prune (the same examples as client-js test/resync.test.js) -------------

  @Test
  void unsentEditsAreRebasedOntoTheHeadTextAndGoAgainTheOpInFlightUnderItsId() {
    session.initialize(2, "hello world");
    session.goOnline();
    session.applyClient(insertAt(5, ",", 6)); // #10 in flight
    session.goOffline();
    session.applyClient(insertAt(12, "!", 0)); // buffered
    // meanwhile others made "Hi hello world again", and the history was pruned past 2
    session.rebase(40, "Hi hello world again", "me", java.util.OptionalLong.empty());
    assertEquals("Hi hello, world! again", session.text());
    assertEquals(40, session.revision());
    assertEquals(TextChange.Origin.RESYNC, changes.get(changes.size() - 1).origin());
    session.goOnline();
    assertEquals("submit r40 retain 8, insert ',', retain 12 #10", sent.get(sent.size() - 1));
    session.acknowledge(41, new ClientState.OpId("me", 10));
    assertEquals(
        "submit r41 retain 15, insert '!', retain 6 #11", sent.get(sent.size() - 1)); // the buffer
  }

  /**
   * The window of docs/decisions/0006 (ClientPruneTest has it through a server): the seq the resync
   * answered with did not have the op in flight, whose commit was still under way; it lands after
   * the resync, transformed through the pruned ops, where this client used the diff. It counts as
   * the op in flight (never sent again under a fresh id, which would apply it twice), and the
   * buffer is rebased onto it.
   */
  @Test
  void anOpInFlightThatLandsAfterTheResyncCountsAsItselfAndOnlyTheBufferGoesAgain() {
    session.initialize(0, "a");
    session.goOnline();
    session.applyClient(insertAt(1, "X", 0)); // #10 in flight, its commit under way
    session.applyClient(insertAt(2, "Y", 0)); // buffered
    session.goOffline();
    // meanwhile another client inserted "a" at 0 and the history was pruned past 0
    session.rebase(1, "aa", "me", java.util.OptionalLong.empty());
    assertEquals("aXYa", session.text());
    session.goOnline();
    assertEquals("submit r1 retain 1, insert 'X', retain 1 #10", sent.get(sent.size() - 1));

    session.applyServer(2, insertAt(2, "X", 0), "me", 10); // #10 as the server transformed it
    assertEquals(2, session.revision());
    assertEquals(1, session.text().chars().filter(c -> c == 'X').count(), session.text());
    assertEquals("aYaX", session.text());
    assertEquals("submit r2 retain 1, insert 'Y', retain 2 #11", sent.get(sent.size() - 1));
    assertFalse(session.seqReused(new ClientState.OpId("me", 10))); // the resend of #10, refused
    assertEquals("aYaX", session.text());
  }

  @Test
  void anOpInFlightThatLandedIsNotSentAgainOnlyTheBufferIs() {
    session.initialize(2, "abc");
    session.goOnline();
    session.applyClient(insertAt(3, "d", 0)); // #10, committed before the socket went
    session.goOffline();
    session.applyClient(insertAt(0, ">", 4)); // buffered
    session.rebase(9, "xxabcd", "me", java.util.OptionalLong.of(10));
    assertEquals(">xxabcd", session.text());
    session.goOnline();
    assertEquals("submit r9 insert '>', retain 6 #11", sent.get(sent.size() - 1));
  }

  @Test
  void withNothingUnsentTheSessionTakesTheHeadText() {
    session.initialize(1, "old");
    session.rebase(7, "new text", "me", java.util.OptionalLong.empty());
    assertEquals("new text", session.text());
    assertTrue(session.isSynchronized());
    session.goOnline();
    assertEquals(List.of(), sent);
  }
}
