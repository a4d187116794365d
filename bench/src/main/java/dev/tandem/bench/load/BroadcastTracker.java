package dev.tandem.bench.load;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Broadcast latency: from the moment an editor sends an op to the moment the last of the other
 * editors of its document has received it. Ops are known by their sender's index and seq, which the
 * sender registers before it sends and every receiver reads off the wire.
 *
 * <p>Every receiver reports every op, hundreds of thousands a second, so the ops awaiting receivers
 * sit in a ring per sender, indexed by seq: no hashing, no boxing. A sender has one op in flight,
 * and its ops await receivers for a few round trips at most; one that is still awaited when its
 * slot comes round again moves to a map, so nothing is lost.
 */
final class BroadcastTracker {
  private static final int RING = 64;

  private final AtomicReferenceArray<Pending> slots;
  private final ConcurrentHashMap<Long, Pending> displaced = new ConcurrentHashMap<>();
  private final AtomicInteger undelivered = new AtomicInteger();
  private final Latencies latencies = new Latencies();

  private record Pending(
      long seq, long sentNanos, boolean measured, AtomicInteger left, AtomicLong last) {}

  /** {@code senders}: editor indexes are 0 to senders - 1. */
  BroadcastTracker(int senders) {
    this.slots = new AtomicReferenceArray<>(senders * RING);
  }

  /** Called by the sender before it sends; {@code receivers} is how many must receive the op. */
  void sent(int senderIndex, long seq, int receivers, long sentNanos, boolean measured) {
    if (receivers <= 0) {
      return;
    }
    Pending op =
        new Pending(seq, sentNanos, measured, new AtomicInteger(receivers), new AtomicLong());
    undelivered.incrementAndGet();
    Pending old = slots.getAndSet(slot(senderIndex, seq), op);
    if (old != null && old.left().get() > 0) {
      displaced.put(key(senderIndex, old.seq()), old);
    }
  }

  /** Called by each receiver; the last one completes the op's latency. */
  void received(String senderClientId, long seq, long receivedNanos) {
    int sender = Editor.indexOf(senderClientId);
    if (sender < 0 || sender * RING >= slots.length()) {
      return; // an op from outside this run
    }
    int slot = slot(sender, seq);
    Pending op = slots.get(slot);
    boolean inRing = op != null && op.seq() == seq;
    if (!inRing) {
      op = displaced.isEmpty() ? null : displaced.get(key(sender, seq));
      if (op == null) {
        return; // an op from outside this run
      }
    }
    op.last().accumulateAndGet(receivedNanos, Math::max);
    if (op.left().decrementAndGet() == 0) {
      undelivered.decrementAndGet();
      if (inRing) {
        slots.compareAndSet(slot, op, null);
      } else {
        displaced.remove(key(sender, seq));
      }
      if (op.measured()) {
        latencies.record(op.last().get() - op.sentNanos());
      }
    }
  }

  /** Ops that some receiver has not received yet. */
  int undelivered() {
    return undelivered.get();
  }

  Latencies.Percentiles summary() {
    return latencies.summary();
  }

  private static int slot(int senderIndex, long seq) {
    return senderIndex * RING + (int) (seq % RING);
  }

  private static long key(int senderIndex, long seq) {
    return ((long) senderIndex << 32) | seq;
  }
}
