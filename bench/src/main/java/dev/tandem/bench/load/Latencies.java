package dev.tandem.bench.load;

import java.util.Arrays;

/** Latency samples in nanoseconds, recorded from any thread; summarised by {@link #summary}. */
final class Latencies {
  private long[] samples = new long[1024];
  private int count;

  synchronized void record(long nanos) {
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, count * 2);
    }
    samples[count++] = nanos;
  }

  synchronized Percentiles summary() {
    return Percentiles.of(Arrays.copyOf(samples, count));
  }

  /**
   * Nearest-rank percentiles in milliseconds of {@code count} samples; all 0 when there are none.
   */
  record Percentiles(long count, double p50, double p95, double p99, double max) {
    static Percentiles of(long[] nanos) {
      if (nanos.length == 0) {
        return new Percentiles(0, 0, 0, 0, 0);
      }
      Arrays.sort(nanos);
      return new Percentiles(
          nanos.length,
          millis(rank(nanos, 0.50)),
          millis(rank(nanos, 0.95)),
          millis(rank(nanos, 0.99)),
          millis(nanos[nanos.length - 1]));
    }

    private static long rank(long[] sorted, double quantile) {
      int index = (int) Math.ceil(quantile * sorted.length) - 1;
      return sorted[Math.max(0, index)];
    }

    private static double millis(long nanos) {
      return Math.round(nanos / 10_000.0) / 100.0; // two decimals
    }

    /** {@code p50 / p95 / p99 / max} in ms, for the tables. */
    String describe() {
      return count == 0 ? "-" : p50 + " / " + p95 + " / " + p99 + " / " + max + " ms";
    }
  }
}
