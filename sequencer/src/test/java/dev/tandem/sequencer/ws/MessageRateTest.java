package dev.tandem.sequencer.ws;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The socket message rate, with explicit times instead of a clock. */
class MessageRateTest {
  private static final long MS = 1_000_000L;

  @Test
  void aBurstOfOneSecondsWorthPassesThenTheRateHolds() {
    long start = Long.MAX_VALUE - 500 * MS; // times wrap: only differences count
    MessageRate rate = new MessageRate(10, start);
    for (int i = 0; i < 10; i++) {
      assertTrue(rate.tryAcquire(start), "message " + i + " of the burst");
    }
    assertFalse(rate.tryAcquire(start), "the eleventh at once");
    assertFalse(rate.tryAcquire(start + 99 * MS), "before a tenth of a second");
    assertTrue(rate.tryAcquire(start + 100 * MS), "one more every tenth of a second");
    assertFalse(rate.tryAcquire(start + 150 * MS));
    assertTrue(rate.tryAcquire(start + 200 * MS));
  }

  @Test
  void refusedMessagesDoNotCount() {
    MessageRate rate = new MessageRate(1, 0);
    assertTrue(rate.tryAcquire(0));
    for (int i = 0; i < 100; i++) {
      assertFalse(rate.tryAcquire(i * MS));
    }
    assertTrue(rate.tryAcquire(1000 * MS), "a second after the first, whatever was refused");
  }

  @Test
  void anIdleSocketSavesAtMostOneSecondsWorth() {
    MessageRate rate = new MessageRate(2, 0);
    long later = 60_000 * MS;
    assertTrue(rate.tryAcquire(later));
    assertTrue(rate.tryAcquire(later));
    assertFalse(rate.tryAcquire(later), "a minute idle saves two, not 120");
  }

  @Test
  void zeroMeansNoLimit() {
    MessageRate rate = new MessageRate(0, 0);
    for (int i = 0; i < 100_000; i++) {
      assertTrue(rate.tryAcquire(0));
    }
  }
}
