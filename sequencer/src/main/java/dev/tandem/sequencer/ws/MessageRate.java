package dev.tandem.sequencer.ws;

/**
 * The message rate limit of one socket (or one user), as a virtual-scheduling token bucket (GCRA):
 * on average {@code perSecond} messages a second, and up to one second's worth at once. Times are
 * {@link System#nanoTime()} values, compared by difference so they may wrap.
 *
 * <p>Not thread-safe: Tyrus hands one socket's messages over one at a time ({@link UserLimits}
 * guards the one a user's sockets share).
 */
final class MessageRate {
  private static final long SECOND = 1_000_000_000L;

  private final long interval; // nanoseconds per message; 0: no limit
  private final long tolerance; // how far ahead of real time the schedule may run
  private long scheduled; // when the next message would be due at an even pace

  /**
   * @param perSecond messages a second; 0 for no limit
   * @param now the current {@link System#nanoTime()}
   */
  MessageRate(int perSecond, long now) {
    this.interval = perSecond == 0 ? 0 : Math.max(1, SECOND / perSecond);
    this.tolerance = SECOND - interval;
    this.scheduled = now;
  }

  /** Takes one message at {@code now}; false if it is over the rate (and is not counted). */
  boolean tryAcquire(long now) {
    if (interval == 0) {
      return true;
    }
    long due = scheduled - now > 0 ? scheduled : now;
    if (due - now > tolerance) {
      return false;
    }
    scheduled = due + interval;
    return true;
  }
}
