package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polling for what the client does on its own threads, with a generous deadline. */
final class Await {
  private static final long DEADLINE_SECONDS = 30;

  private Await() {}

  /** Polls {@code condition} until it holds; fails naming {@code what} after 30 s. */
  static void until(String what, BooleanSupplier condition) throws InterruptedException {
    until(() -> what, condition);
  }

  /** As {@link #until(String, BooleanSupplier)}, {@code what} told as it stands at the deadline. */
  static void until(Supplier<String> what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    while (!condition.getAsBoolean()) {
      assertTrue(
          System.nanoTime() < deadline,
          () -> "waited " + DEADLINE_SECONDS + " s for " + what.get());
      Thread.sleep(5);
    }
  }
}
