package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StatementAllowanceTest {
  private final StatementAllowance allowance = new StatementAllowance(Duration.ofSeconds(5));

  @Test
  void theTimeoutOncePlusOnceMorePerHundredThousandOps() {
    assertEquals(Duration.ofSeconds(5), allowance.forOps(0));
    assertEquals(Duration.ofMillis(5_250), allowance.forOps(5_000));
    assertEquals(Duration.ofSeconds(55), allowance.forOps(1_000_000));
  }

  @Test
  void neverPastPostgresLargestTimeout() {
    long largest = allowance.forOps(Long.MAX_VALUE).toMillis();
    assertEquals(Integer.MAX_VALUE - 1000L, largest); // and the socket's is 1 s more
  }
}
