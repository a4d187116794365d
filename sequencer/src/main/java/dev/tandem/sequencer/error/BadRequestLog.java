package dev.tandem.sequencer.error;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one log of requests refused for the client's fault (malformed JSON, invalid ops, bad paths, a
 * body cut short): at INFO, never as {@code internal} or at ERROR, and rate-limited, since anyone
 * can send them by the thousand. At most {@link #LINES_PER_INTERVAL} lines per {@link #INTERVAL};
 * the first line after that says how many were left out.
 */
public final class BadRequestLog {
  /** Lines logged per interval at most. */
  public static final int LINES_PER_INTERVAL = 10;

  /** The interval the lines are counted in. */
  public static final Duration INTERVAL = Duration.ofSeconds(10);

  /** The name of the logger, to turn these lines off or up. */
  public static final String LOGGER = "dev.tandem.sequencer.BadRequests";

  private static final Logger log = LoggerFactory.getLogger(LOGGER);
  private static final BadRequestLog SHARED =
      new BadRequestLog(log::info, LINES_PER_INTERVAL, INTERVAL, System::nanoTime);

  private final Consumer<String> out;
  private final int linesPerInterval;
  private final long intervalNanos;
  private final LongSupplier clock;
  private long windowStart; // guarded by this
  private int lines; // guarded by this
  private long leftOut; // guarded by this

  BadRequestLog(
      Consumer<String> out, int linesPerInterval, Duration interval, LongSupplier nanoClock) {
    this.out = out;
    this.linesPerInterval = linesPerInterval;
    this.intervalNanos = interval.toNanos();
    this.clock = nanoClock;
    this.windowStart = nanoClock.getAsLong();
  }

  /** Logs one refusal in the server's log, unless this interval's lines are used up. */
  public static void refused(String where, TandemException refusal) {
    SHARED.log(where, refusal);
  }

  void log(String where, TandemException refusal) {
    long reported;
    synchronized (this) {
      long now = clock.getAsLong();
      if (now - windowStart >= intervalNanos) {
        windowStart = now;
        lines = 0;
      }
      if (lines >= linesPerInterval) {
        leftOut++;
        return;
      }
      lines++;
      reported = leftOut;
      leftOut = 0;
    }
    if (reported > 0) {
      out.accept(
          reported
              + " more bad requests were not logged (at most "
              + linesPerInterval
              + " per "
              + intervalNanos / 1_000_000_000
              + " s)");
    }
    out.accept(
        "bad request ("
            + where
            + "): "
            + refusal.code().code()
            + " "
            + oneLine(refusal.getMessage()));
  }

  /** Messages quote client input: one line each, of bounded length, whatever it held. */
  private static String oneLine(String message) {
    StringBuilder line = new StringBuilder(Math.min(message.length(), MAX_MESSAGE_CHARS + 1));
    for (int i = 0; i < message.length() && line.length() < MAX_MESSAGE_CHARS; i++) {
      char c = message.charAt(i);
      line.append(c < 0x20 || c == 0x7F ? '?' : c);
    }
    return line.length() < message.length() ? line.append('…').toString() : line.toString();
  }

  private static final int MAX_MESSAGE_CHARS = 300;
}
