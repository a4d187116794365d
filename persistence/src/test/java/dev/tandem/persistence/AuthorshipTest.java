package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.ot.TextOperation;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Authorship by example, and its block replay against the one-op-at-a-time apply. */
class AuthorshipTest {
  @Test
  void runsFollowTheText() {
    Authorship start = Authorship.unknown(0, 3); // "abc"
    Authorship next =
        start.apply(
            TextOperation.builder().retain(1).insert("XY").delete(1).retain(1).build(), "ann", 1);
    assertEquals(
        List.of(new AuthorRun(null, 0, 1), new AuthorRun("ann", 1, 2), new AuthorRun(null, 0, 1)),
        next.runs());
    assertThrows(
        IllegalArgumentException.class,
        () -> next.apply(TextOperation.builder().retain(9).build(), "bob", 2));
    Authorship gone = next.apply(TextOperation.builder().delete(4).build(), "bob", 2);
    assertEquals(List.of(), gone.runs());
  }

  @Test
  void theBlockReplayAgreesWithApplyingOpByOp() {
    Random random = new Random(17);
    String text = "";
    Authorship byOp = Authorship.unknown(0, 0);
    Authorship.Replay replay = byOp.replay();
    for (int revision = 1; revision <= 3000; revision++) {
      TextOperation op = Ops.random(random, text);
      String user = "u" + random.nextInt(3);
      text = op.apply(text);
      byOp = byOp.apply(op, user, revision);
      replay.apply(op, user, revision);
      if (revision % 500 == 0) {
        assertEquals(byOp.runs(), replay.result().runs(), "at " + revision);
        replay = replay.result().replay(); // and from a stored one, in new blocks
      }
    }
    assertEquals(text.codePointCount(0, text.length()), replay.result().length());
  }
}
