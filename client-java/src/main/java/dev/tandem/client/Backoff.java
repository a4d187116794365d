package dev.tandem.client;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with jitter and a cap: attempt {@code n} (from 0) waits a random time between
 * half and all of {@code min(max, initial * 2^n)}. The jitter spreads the reconnects of many
 * clients after a server restart. Not thread-safe.
 */
final class Backoff {
  private final long initialMillis;
  private final long maxMillis;
  private final Random random;
  private int attempt;

  Backoff(Duration initial, Duration max, Random random) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff initial " + initial + ", max " + max + " (expected 0 < initial <= max)");
    }
    this.initialMillis = initial.toMillis();
    this.maxMillis = max.toMillis();
    this.random = random;
  }

  /** The delay before the next attempt; each call doubles the ceiling up to the cap. */
  Duration next() {
    long ceiling = attempt >= 62 ? maxMillis : Math.min(maxMillis, initialMillis << attempt);
    if (ceiling <= 0 || ceiling > maxMillis) {
      ceiling = maxMillis; // the shift overflowed
    }
    attempt++;
    long half = ceiling / 2;
    return Duration.ofMillis(half + (long) (random.nextDouble() * (ceiling - half + 1)));
  }

  /** After a success: the next delay starts small again. */
  void reset() {
    attempt = 0;
  }
}
