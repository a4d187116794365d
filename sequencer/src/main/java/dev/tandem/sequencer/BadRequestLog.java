package dev.tandem.sequencer;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one log of requests refused for the client's fault (malformed JSON, invalid ops, bad paths, a
 * body cut short): at INFO, never as {@code internal} or at ERROR, and rate-limited, since anyone
 * can send them by the thousand. At most {@link #LINES_PER_INTERVAL} lines per {@link #INTERVAL};
 * the first line after a full interval says how many were left out before it.
 */
public final class BadRequestLog {
  /** Lines logged per interval at most. */
  public static final int LINES_PER_INTERVAL = 10;

  /** The interval the lines are counted in. */
  public static final Duration INTERVAL = Duration.ofSeconds(10);

  /** The name of the logger, to turn these lines off or up. */
  public static final String LOGGER = "dev.tandem.sequencer.BadRequests";

  private static final Logger log = LoggerFactory.getLogger(LOGGER);
  private static final Object lock = new Object();
  private static long windowStart = System.nanoTime(); // guarded by lock
  private static int lines; // guarded by lock
  private static long suppressed; // guarded by lock

  private BadRequestLog() {}

  /** Logs one refusal, unless the interval's lines are used up (then only counts it). */
  public static void refused(String where, TandemException refusal) {
    long leftOut;
    synchronized (lock) {
      long now = System.nanoTime();
      leftOut = 0;
      if (now - windowStart >= INTERVAL.toNanos()) {
        leftOut = suppressed;
        windowStart = now;
        lines = 0;
        suppressed = 0;
      }
      if (lines >= LINES_PER_INTERVAL) {
        suppressed++;
        return;
      }
      lines++;
    }
    if (leftOut > 0) {
      log.info(
          "{} more bad requests were not logged (at most {} per {} s)",
          leftOut,
          LINES_PER_INTERVAL,
          INTERVAL.toSeconds());
    }
    log.info("bad request ({}): {} {}", where, refusal.code().code(), refusal.getMessage());
  }
}
