package dev.tandem.bench.load;

import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the editing workloads measure while their editors type: each op's ack latency (sent → ack)
 * and broadcast latency (sent → received by the last other editor of its document), and the acks
 * that arrive in the measured window. Only ops sent inside the window count, so the warm-up (JIT,
 * connection pools, the documents' first load) stays out of the figures.
 */
final class EditingRun implements Editor.Observer {
  private final BroadcastTracker broadcasts;
  private final Latencies acks = new Latencies();
  private final AtomicLong ackedInWindow = new AtomicLong();
  private final AtomicLong delayedInWindow = new AtomicLong();
  private final int receiversPerOp;
  private final boolean closedLoop;
  private volatile long windowStart = Long.MAX_VALUE;
  private volatile long windowEnd = Long.MAX_VALUE;
  private volatile boolean editing = true;
  private double warmedUpSeconds;

  /**
   * @param editors the editors of the run, indexes 0 to editors - 1
   * @param receiversPerOp the other editors of each document, who all receive each op
   * @param closedLoop true: every ack is followed at once by the editor's next op (hot-doc); false:
   *     editors edit when {@link #tick} says so (typists)
   */
  EditingRun(int editors, int receiversPerOp, boolean closedLoop) {
    this.broadcasts = new BroadcastTracker(editors);
    this.receiversPerOp = receiversPerOp;
    this.closedLoop = closedLoop;
  }

  @Override
  public void sending(Editor editor, long seq, long nanos) {
    broadcasts.sent(editor.index(), seq, receiversPerOp, nanos, inWindow(nanos));
  }

  @Override
  public void acked(Editor editor, long seq, long revision, long sentNanos, long nanos) {
    if (inWindow(nanos)) {
      ackedInWindow.incrementAndGet();
    }
    if (inWindow(sentNanos)) {
      acks.record(nanos - sentNanos);
    }
    if (closedLoop && editing) {
      editor.edit();
    }
  }

  @Override
  public void received(Editor editor, String senderClientId, long seq, long nanos) {
    broadcasts.received(senderClientId, seq, nanos);
  }

  /** A paced editor's keystroke is due; counts it if it must wait for the op in flight. */
  void tick(Editor editor) {
    if (editing && !editor.edit() && inWindow(System.nanoTime())) {
      delayedInWindow.incrementAndGet();
    }
  }

  /**
   * Starts every editor (closed loop) and lets them run through the warm-up and the window: the
   * warm-up lasts {@code --warmup} seconds, then, up to {@code --warmup-max} in all, until the
   * server's JIT compilers are quiet (see {@link #warmUp}); the window {@code --seconds}.
   */
  Window run(List<Editor> editors, Target target, LoadOptions options) throws InterruptedException {
    if (closedLoop) {
      for (Editor editor : editors) {
        editor.edit();
      }
    }
    warmedUpSeconds = warmUp(target, options.warmupSeconds(), options.warmupMaxSeconds());
    CpuWindow.Start cpu = CpuWindow.start(target);
    windowStart = cpu.nanos();
    sleep(options.seconds());
    windowEnd = System.nanoTime();
    CpuWindow usage = cpu.end();
    editing = false;
    for (Editor editor : editors) {
      editor.stopEditing();
    }
    double measured = (windowEnd - windowStart) / 1e9;
    return new Window(
        measured,
        ackedInWindow.get(),
        ackedInWindow.get() / measured,
        delayedInWindow.get(),
        acks.summary(),
        usage);
  }

  /** How long the warm-up of {@link #run} lasted, in seconds. */
  double warmedUpSeconds() {
    return warmedUpSeconds;
  }

  /** Broadcast latencies; read after the convergence check, when every op has been delivered. */
  Latencies.Percentiles broadcastLatency() {
    return broadcasts.summary();
  }

  /** The measured window. */
  record Window(
      double seconds,
      long ackedOps,
      double opsPerSecond,
      long delayedEdits,
      Latencies.Percentiles ackLatency,
      CpuWindow usage) {

    /** The rows every editing workload reports: latencies, convergence, what the processes used. */
    List<LoadResult.Row> measuredRows(
        Latencies.Percentiles broadcastLatency, Convergence convergence) {
      return List.of(
          LoadResult.Row.of("ack latency p50 / p95 / p99 / max", ackLatency.describe()),
          LoadResult.Row.of("broadcast latency p50 / p95 / p99 / max", broadcastLatency.describe()),
          LoadResult.Row.of("converged", convergence.describe()),
          usage.cpuRow(),
          usage.compilerRow(),
          usage.perOpRow(opsPerSecond),
          usage.commitRow(),
          usage.memoryRow());
    }
  }

  private boolean inWindow(long nanos) {
    return nanos >= windowStart && nanos < windowEnd;
  }

  /** How often the warm-up reads the server's {@code /metrics} and its JIT compilers' CPU time. */
  private static final double SCRAPE_EVERY_SECONDS = 5;

  /**
   * The share of one core under which the server's JIT compilers count as quiet: a tier-4 (C2)
   * compilation of a method on the editing path takes from tens of milliseconds to seconds here, so
   * a few short ones in 5 s stay under it and a queue still being worked through does not.
   */
  private static final double QUIET_COMPILER_CORES = 0.05;

  /**
   * Waits out the warm-up, reading the server's {@code /metrics} every few seconds as a monitoring
   * scraper reads a deployed server's. The window reads them at its start and end; if that were the
   * server's first HTTP request, its cold path through the transport the WebSockets share would
   * make the JIT throw away and recompile the transport's hot code inside the window (hot-doc 1:
   * some 400 compilations in the 10 s after the first read, after 60 s of warm-up without one).
   *
   * <p>Past {@code minSeconds}, it goes on until the server's JIT compilers used under {@link
   * #QUIET_COMPILER_CORES} in the last few seconds, or {@code maxSeconds} have passed, so that a
   * window does not measure the server half compiled with its compiler beside it (on two cores
   * there is one C2 thread; in one many-docs 1,000 × 2 run it still took 15 % of the machine 50 s
   * in). Returns the seconds the warm-up lasted.
   */
  private static double warmUp(Target target, double minSeconds, double maxSeconds)
      throws InterruptedException {
    long start = System.nanoTime();
    long minEnd = start + (long) (minSeconds * 1e9);
    long maxEnd = start + (long) (Math.max(minSeconds, maxSeconds) * 1e9);
    OptionalDouble compiledBefore = target.compilerCpuSeconds();
    long readBefore = start;
    while (true) {
      target.commitCounters();
      long now = System.nanoTime();
      sleep(Math.min(SCRAPE_EVERY_SECONDS, ((now < minEnd ? minEnd : maxEnd) - now) / 1e9));
      now = System.nanoTime();
      if (now >= maxEnd || (now >= minEnd && compiledBefore.isEmpty())) {
        break; // past the end, or the server's threads cannot be read: the fixed warm-up only
      }
      double interval = (now - readBefore) / 1e9;
      if (interval < SCRAPE_EVERY_SECONDS / 2) {
        continue; // too short to tell (the last stretch up to minSeconds): keep the baseline
      }
      double compiled = target.compilerCpuSeconds().orElse(compiledBefore.getAsDouble());
      if (now >= minEnd
          && (compiled - compiledBefore.getAsDouble()) / interval < QUIET_COMPILER_CORES) {
        break;
      }
      compiledBefore = OptionalDouble.of(compiled);
      readBefore = now;
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static void sleep(double seconds) throws InterruptedException {
    Thread.sleep(Math.max(0, (long) (seconds * 1000)));
  }
}
