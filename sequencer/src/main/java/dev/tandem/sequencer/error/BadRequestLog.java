package dev.tandem.sequencer.error;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The rate-limited logs of what clients are refused, since anyone can cause refusals by the
 * thousand: at most {@link #LINES_PER_INTERVAL} lines per {@link #INTERVAL} each; the first line
 * after that says how many were left out. {@link #refused} logs requests refused before they reach
 * the protocol (a malformed request line, a bad path, a body cut short) to {@link #LOGGER}; {@link
 * #answered} every error answered to a client, with its code, document and client, to {@link
 * #ERRORS_LOGGER}. Both at INFO: a client's fault is never logged as {@code internal} or at ERROR
 * (a failure inside the server is, where it happens).
 */
public final class BadRequestLog {
  /** Lines logged per interval at most. */
  public static final int LINES_PER_INTERVAL = 10;

  /** The interval the lines are counted in. */
  public static final Duration INTERVAL = Duration.ofSeconds(10);

  /** The name of the logger, to turn these lines off or up. */
  public static final String LOGGER = "dev.tandem.sequencer.BadRequests";

  /** The name of the logger of errors answered to clients. */
  public static final String ERRORS_LOGGER = "dev.tandem.sequencer.Errors";

  private static final Logger log = LoggerFactory.getLogger(LOGGER);
  private static final Logger errorsLog = LoggerFactory.getLogger(ERRORS_LOGGER);
  private static final BadRequestLog SHARED =
      new BadRequestLog(log::info, LINES_PER_INTERVAL, INTERVAL, System::nanoTime);
  private static final BadRequestLog ERRORS =
      new BadRequestLog(errorsLog::info, LINES_PER_INTERVAL, INTERVAL, System::nanoTime);

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

  /**
   * Logs {@code error}, answered to a client over {@code transport}, unless this interval's lines
   * are used up; {@code docId}, {@code clientId} and {@code seq} are left out when null.
   */
  public static void answered(
      String transport, TandemException error, String docId, String clientId, Long seq) {
    if (!ERRORS.admit()) {
      return;
    }
    LoggingEventBuilder line =
        errorsLog
            .atInfo()
            .setMessage("error answered")
            .addKeyValue("code", error.code().code())
            .addKeyValue("transport", transport);
    if (docId != null) {
      line.addKeyValue("doc", oneLine(docId));
    }
    if (clientId != null) {
      line.addKeyValue("client", clientId);
    }
    if (seq != null) {
      line.addKeyValue("seq", seq);
    }
    line.addKeyValue("message", oneLine(error.getMessage())).log();
  }

  void log(String where, TandemException refusal) {
    if (admit()) {
      out.accept(
          "bad request ("
              + where
              + "): "
              + refusal.code().code()
              + " "
              + oneLine(refusal.getMessage()));
    }
  }

  /**
   * Whether one more line fits in this interval; if so, and lines were left out before it, says
   * first how many.
   */
  private boolean admit() {
    long reported;
    synchronized (this) {
      long now = clock.getAsLong();
      if (now - windowStart >= intervalNanos) {
        windowStart = now;
        lines = 0;
      }
      if (lines >= linesPerInterval) {
        leftOut++;
        return false;
      }
      lines++;
      reported = leftOut;
      leftOut = 0;
    }
    if (reported > 0) {
      out.accept(
          reported
              + " more lines were not logged (at most "
              + linesPerInterval
              + " per "
              + intervalNanos / 1_000_000_000
              + " s)");
    }
    return true;
  }

  /** Messages quote client input: one line each, of bounded length, whatever it held. */
  private static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    StringBuilder line = new StringBuilder(Math.min(message.length(), MAX_MESSAGE_CHARS + 1));
    for (int i = 0; i < message.length() && line.length() < MAX_MESSAGE_CHARS; i++) {
      char c = message.charAt(i);
      line.append(c < 0x20 || c == 0x7F ? '?' : c);
    }
    return line.length() < message.length() ? line.append('…').toString() : line.toString();
  }

  private static final int MAX_MESSAGE_CHARS = 300;
}
