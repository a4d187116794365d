package dev.tandem.sequencer.ws;

import java.util.ArrayDeque;

/**
 * Whether one socket did something too often lately: {@code limit} times within a sliding window.
 * Keeps at most {@code limit} times. Thread-safe: errors are answered from the socket's reads and
 * from the sequencers.
 */
final class RecentEvents {
  private final int limit; // 0: no limit
  private final long windowNanos;
  private final ArrayDeque<Long> times = new ArrayDeque<>(); // guarded by this

  /**
   * @param limit events within the window that reach the limit; 0 for no limit
   * @param windowNanos the window's length
   */
  RecentEvents(int limit, long windowNanos) {
    this.limit = limit;
    this.windowNanos = windowNanos;
  }

  /** Counts one event at {@code now} ({@link System#nanoTime}); true once the limit is reached. */
  synchronized boolean count(long now) {
    if (limit == 0) {
      return false;
    }
    times.addLast(now);
    while (now - times.peekFirst() > windowNanos || times.size() > limit) {
      times.removeFirst();
    }
    return times.size() >= limit;
  }
}
