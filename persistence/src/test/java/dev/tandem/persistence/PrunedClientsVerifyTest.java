package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The pruned clients of a history (which its chain does not cover) verify only once each, before
 * the first checkpoint, at revisions the pruned part held.
 */
class PrunedClientsVerifyTest {
  private static final Instant TIME = Instant.parse("2026-12-05T00:00:00Z");
  private static final String TEXT = "abc";
  private static final String CHAIN = TextChecks.sha256("some chain");

  @Test
  void prunedClientsBeforeTheFirstCheckpointVerify() {
    HistoryVerifier verifier = started();
    verifier.prunedClient(new PrunedClient("c1", 4, 2, "ada"));
    verifier.prunedClient(new PrunedClient("c2", 0, 3, "bob"));
    finish(verifier);
    assertEquals(3, verifier.summary().head());
  }

  @Test
  void aPrunedClientPastTheHistorysStartDoesNot() {
    HistoryVerifier verifier = started();
    verifier.prunedClient(new PrunedClient("c1", 4, 4, "ada"));
    HistoryMismatchException bad =
        assertThrows(HistoryMismatchException.class, () -> finish(verifier));
    assertEquals(4, bad.firstBadRevision(), bad.getMessage());
  }

  @Test
  void aClientPrunedTwiceDoesNot() {
    HistoryVerifier verifier = started();
    verifier.prunedClient(new PrunedClient("c1", 4, 2, "ada"));
    assertThrows(
        HistoryMismatchException.class,
        () -> verifier.prunedClient(new PrunedClient("c1", 5, 3, "ada")));
  }

  @Test
  void aPrunedClientAfterTheFirstCheckpointDoesNot() {
    HistoryVerifier verifier = started();
    finish(verifier);
    assertThrows(
        HistoryMismatchException.class,
        () -> verifier.prunedClient(new PrunedClient("c1", 4, 2, "ada")));
  }

  /** The header of a history pruned before revision 3, which holds no op after it. */
  private static HistoryVerifier started() {
    HistoryVerifier verifier = new HistoryVerifier();
    verifier.header(new ArchiveHeader("pruned", 3, CHAIN, TIME, TIME));
    return verifier;
  }

  private static void finish(HistoryVerifier verifier) {
    verifier.checkpoint(new ArchivedCheckpoint(3, TEXT, TextChecks.sha256(TEXT), CHAIN, TIME));
    verifier.end(0);
  }
}
