package dev.tandem.bench.load;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Broadcast latency: from the moment an editor sends an op to the moment the last of the other
 * editors of its document has received it as an {@code op} message. Ops are known by their sender's
 * index and seq, which the sender registers before it sends and every receiver reads off the wire.
 */
final class BroadcastTracker {
  private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
  private final Latencies latencies = new Latencies();

  private record Pending(long sentNanos, boolean measured, AtomicInteger left, AtomicLong last) {}

  /** Called by the sender before it sends; {@code receivers} is how many must receive the op. */
  void sent(int senderIndex, long seq, int receivers, long sentNanos, boolean measured) {
    if (receivers > 0) {
      pending.put(
          key(senderIndex, seq),
          new Pending(sentNanos, measured, new AtomicInteger(receivers), new AtomicLong()));
    }
  }

  /** Called by each receiver; the last one completes the op's latency. */
  void received(String senderClientId, long seq, long receivedNanos) {
    long key = key(Editor.indexOf(senderClientId), seq);
    Pending op = pending.get(key);
    if (op == null) {
      return; // an op from outside this run
    }
    op.last().accumulateAndGet(receivedNanos, Math::max);
    if (op.left().decrementAndGet() == 0) {
      pending.remove(key);
      if (op.measured()) {
        latencies.record(op.last().get() - op.sentNanos());
      }
    }
  }

  /** Ops that some receiver has not received yet. */
  int undelivered() {
    return pending.size();
  }

  Latencies.Percentiles summary() {
    return latencies.summary();
  }

  private static long key(int senderIndex, long seq) {
    return ((long) senderIndex << 32) | seq;
  }
}
