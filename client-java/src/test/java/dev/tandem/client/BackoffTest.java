package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void delaysDoubleWithinJitterUpToTheCap() {
    for (long seed = 1; seed <= 50; seed++) {
      Backoff backoff =
          new Backoff(Duration.ofMillis(100), Duration.ofSeconds(3), new Random(seed));
      long ceiling = 100;
      for (int attempt = 0; attempt < 80; attempt++) {
        long delay = backoff.next().toMillis();
        assertTrue(
            delay >= ceiling / 2 && delay <= ceiling,
            "seed "
                + seed
                + ", attempt "
                + attempt
                + ": "
                + delay
                + " ms not in ["
                + ceiling / 2
                + ", "
                + ceiling
                + "]");
        ceiling = Math.min(3000, ceiling * 2);
      }
    }
  }

  @Test
  void resetStartsSmallAgain() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(3), new Random(7));
    for (int i = 0; i < 10; i++) {
      backoff.next();
    }
    backoff.reset();
    assertTrue(backoff.next().toMillis() <= 100);
  }

  @Test
  void jitterSpreadsClients() {
    Random random = new Random(3);
    long distinct =
        java.util.stream.IntStream.range(0, 20)
            .mapToObj(
                i -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), random).next())
            .distinct()
            .count();
    assertTrue(distinct > 10, "20 clients got only " + distinct + " distinct first delays");
  }

  @Test
  void refusesNonsense() {
    Random random = new Random();
    assertThrows(
        IllegalArgumentException.class,
        () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), random));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), random));
    assertEquals(
        Duration.ofMillis(1),
        new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), new Random(1)).next());
  }
}
