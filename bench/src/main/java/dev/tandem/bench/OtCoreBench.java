package dev.tandem.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A plain harness for the same measurements as {@link TraceReplayBenchmark} and {@link
 * TransformBenchmark}, printing for each the median of its measured runs both in wall-clock time
 * and in the thread's CPU time. On a machine shared with other work the CPU time is the steadier
 * figure: it leaves out the time the thread waited for a core (it still includes cache and memory
 * contention). Prints the load average before and after.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.tandem.bench.OtCoreBench}
 */
public final class OtCoreBench {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final int WARMUP_RUNS = 20;
  private static final int MEASURED_RUNS = 10;

  private OtCoreBench() {}

  public static void main(String[] args) throws Exception {
    System.out.println("load average before: " + loadAverage());
    TraceReplayBenchmark replay = new TraceReplayBenchmark();
    replay.load(); // also checks both replays against endContent
    report("automerge-paper replay into Rope", "ms", measure(() -> time(replay::rope)));
    report(
        "automerge-paper replay into StringBuilder",
        "ms",
        measure(() -> time(replay::stringBuilder)));
    TransformBenchmark transform = new TransformBenchmark();
    transform.generate();
    report(
        "transforms of keystroke ops, millions per second",
        "M/s",
        measure(() -> transformRate(transform)));
    System.out.println("load average after: " + loadAverage());
  }

  /** Wall and CPU nanoseconds of one call. */
  private static long[] time(Runnable run) {
    long wall = System.nanoTime();
    long cpu = THREADS.getCurrentThreadCpuTime();
    run.run();
    return new long[] {System.nanoTime() - wall, THREADS.getCurrentThreadCpuTime() - cpu};
  }

  /** Transforms per second over about 200 ms, by wall and by CPU time, in thousandths of M/s. */
  private static long[] transformRate(TransformBenchmark benchmark) {
    final int batch = 1 << 20;
    long sink = 0; // consumed below, so the JIT cannot drop the transforms
    long count = 0;
    long wallStart = System.nanoTime();
    long cpuStart = THREADS.getCurrentThreadCpuTime();
    long wall;
    do {
      for (int i = 0; i < batch; i++) {
        sink += benchmark.transform().left().targetLength();
      }
      count += batch;
      wall = System.nanoTime() - wallStart;
    } while (wall < 200_000_000L);
    long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
    if (sink == 42) {
      System.out.println("sink " + sink);
    }
    return new long[] {count * 1_000_000L / wall, count * 1_000_000L / cpu};
  }

  private static long[][] measure(Measurement measurement) {
    for (int i = 0; i < WARMUP_RUNS; i++) {
      measurement.run();
    }
    long[][] runs = new long[MEASURED_RUNS][];
    for (int i = 0; i < MEASURED_RUNS; i++) {
      runs[i] = measurement.run();
    }
    return runs;
  }

  private static void report(String what, String unit, long[][] runs) {
    double scale = unit.equals("ms") ? 1e6 : 1e3;
    System.out.printf(
        Locale.ROOT,
        "%-50s wall median %8.2f %s (min %.2f, max %.2f); cpu median %8.2f %s%n",
        what,
        median(runs, 0) / scale,
        unit,
        extreme(runs, 0, true) / scale,
        extreme(runs, 0, false) / scale,
        median(runs, 1) / scale,
        unit);
  }

  private static double median(long[][] runs, int column) {
    long[] values = column(runs, column);
    Arrays.sort(values);
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
  }

  private static double extreme(long[][] runs, int column, boolean min) {
    long[] values = column(runs, column);
    Arrays.sort(values);
    return min ? values[0] : values[values.length - 1];
  }

  private static long[] column(long[][] runs, int column) {
    return Arrays.stream(runs).mapToLong(run -> run[column]).toArray();
  }

  private static String loadAverage() throws Exception {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }

  /** One measured run: {wall, cpu}. */
  private interface Measurement {
    long[] run();
  }
}
