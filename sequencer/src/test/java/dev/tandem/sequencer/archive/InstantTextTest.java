package dev.tandem.sequencer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The export's time text is exactly Instant.toString(), whatever the second and the fraction. */
class InstantTextTest {
  @Test
  void formatsEveryInstantAsInstantToStringDoes() {
    InstantText text = new InstantText();
    SplittableRandom random = new SplittableRandom(14);
    long second = Instant.parse("2026-12-31T23:59:58Z").getEpochSecond();
    int[] fractions = {0, 1, 999, 1_000, 120_000, 123_000, 123_456_000, 100_000_000, 999_999_999};
    for (int i = 0; i < 20_000; i++) {
      if (random.nextInt(4) == 0) { // runs within one second, then the next (a year ends here)
        second++;
      }
      int nanos =
          random.nextBoolean()
              ? fractions[random.nextInt(fractions.length)]
              : random.nextInt(1_000_000) * (random.nextBoolean() ? 1_000 : 1);
      Instant instant = Instant.ofEpochSecond(second, nanos);
      assertEquals(instant.toString(), text.format(instant));
    }
    for (Instant far :
        new Instant[] {
          Instant.EPOCH,
          Instant.ofEpochSecond(-1, 500_000_000),
          Instant.parse("0001-01-01T00:00:00.000001Z"),
          Instant.parse("+12026-01-01T00:00:00.5Z"),
          Instant.MIN,
          Instant.MAX
        }) {
      assertEquals(far.toString(), text.format(far));
    }
  }
}
