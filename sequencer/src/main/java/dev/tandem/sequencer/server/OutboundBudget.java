package dev.tandem.sequencer.server;

import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes waiting to go out to clients, over all WebSocket outboxes and SSE streams, against one
 * bound ({@code outbound-total-bytes}), so that clients that do not read can never take the heap. A
 * socket or stream reserves a frame's bytes when it queues the frame and releases them when the
 * transport reports it written, or when the connection is gone.
 *
 * <p>Where the bound is reached, the server refuses new work that would add much outbound data
 * ({@code open}, a new SSE stream) with {@link #full()}, and a socket or stream that is behind is
 * closed rather than allowed more; a client that keeps up (less than {@link #KEEPING_UP_BYTES}
 * waiting) still gets its frames (acks, live ops) over the bound. So the bytes in use stay below
 * the bound plus, per client that keeps up, that allowance and one frame.
 */
public final class OutboundBudget {
  /**
   * A socket or stream with at most this many bytes waiting is keeping up: the network takes what
   * it is given. Its frames are never refused for the total bound.
   */
  public static final long KEEPING_UP_BYTES = 64 * 1024;

  private final long limit;
  private final AtomicLong used = new AtomicLong();
  private final Set<Runnable> recounts = ConcurrentHashMap.newKeySet();

  public OutboundBudget(long limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit : " + limit + " (expected: > 0)");
    }
    this.limit = limit;
  }

  /** Reserves {@code bytes} if they fit under the bound. */
  public boolean tryReserve(long bytes) {
    if (reserveUnder(bytes)) {
      return true;
    }
    recount();
    return reserveUnder(bytes);
  }

  /** Reserves {@code bytes} even over the bound: a frame for a client that keeps up. */
  public void reserve(long bytes) {
    used.addAndGet(bytes);
  }

  public void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** Whether new work that adds outbound data must be refused with {@link #full()}. */
  public boolean isFull() {
    if (used.get() < limit) {
      return false;
    }
    recount();
    return used.get() >= limit;
  }

  /** The retryable refusal of new work while the bound is reached. */
  public TandemException full() {
    return Errors.unavailable(
        "the server's outbound buffers are full ("
            + used.get()
            + " of "
            + limit
            + " bytes wait for slow clients); try again after a pause");
  }

  public long used() {
    return used.get();
  }

  public long limit() {
    return limit;
  }

  /**
   * Registers a holder that learns of written bytes only when it looks (an SSE stream measures its
   * transport's queue): {@code recount} releases what was written since it last looked. It runs,
   * from any thread, before the budget refuses anything. Returns the remover.
   */
  public Runnable onRecount(Runnable recount) {
    recounts.add(recount);
    return () -> recounts.remove(recount);
  }

  private void recount() {
    recounts.forEach(Runnable::run);
  }

  private boolean reserveUnder(long bytes) {
    long now;
    do {
      now = used.get();
      if (now + bytes > limit) {
        return false;
      }
    } while (!used.compareAndSet(now, now + bytes));
    return true;
  }
}
