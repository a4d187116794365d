package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.ot.TextOperation;
import java.util.Arrays;
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

  @Test
  void storedBytesGiveBackTheRuns() {
    Authorship authorship =
        Authorship.unknown(7, 3)
            .apply(TextOperation.builder().retain(1).insert("XY").retain(2).build(), "ann", 8)
            .apply(
                TextOperation.builder().insert("é").retain(5).build(), "𝒳ö-user", 5_000_000_000L)
            .apply(TextOperation.builder().retain(6).insert("z").build(), "ann", 5_000_000_001L);
    assertEquals(5, authorship.runs().size());
    assertEquals(authorship.runs(), Authorship.decode(authorship.encode()).runs());
    Authorship empty = Authorship.unknown(0, 0);
    assertEquals(List.of(), Authorship.decode(empty.encode()).runs());
  }

  @Test
  void malformedBytesAreRefused() {
    byte[] good = Authorship.unknown(0, 2).apply(Ops.append(2, "a"), "ann", 1).encode();
    assertEquals(1, good[0]); // the format's version
    byte[] version = good.clone();
    version[0] = 2;
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    byte[] unknownUser = good.clone();
    unknownUser[unknownUser.length - 3] = 9; // the last run's user: there is one
    for (byte[] bad :
        List.of(
            version,
            trailing,
            unknownUser,
            Arrays.copyOf(good, good.length - 1),
            new byte[0],
            new byte[] {1, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80})) {
      assertThrows(
          IllegalArgumentException.class, () -> Authorship.decode(bad), () -> Arrays.toString(bad));
    }
  }
}
