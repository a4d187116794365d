package dev.tandem.bench.load;

import java.util.List;

/** typists: editors on one document, each typing at a fixed rate. */
record TypistsResult(
    String workload,
    int editors,
    double editsPerSecondEach,
    double warmupSeconds,
    EditingRun.Window window,
    Latencies.Percentiles broadcastLatency,
    Convergence convergence,
    Machine machine)
    implements LoadResult {

  @Override
  public List<Row> rows() {
    return List.of(
        Row.of(
            "workload",
            workload
                + ": "
                + editors
                + " editors × "
                + editsPerSecondEach
                + " keystrokes/s, typing into one document"),
        Row.of(
            "measured",
            LoadResult.decimal(window.seconds()) + " s after " + warmupSeconds + " s of warm-up"),
        Row.of(
            "keystrokes/s / acked ops/s",
            LoadResult.decimal(editors * editsPerSecondEach)
                + " / "
                + LoadResult.decimal(window.opsPerSecond())),
        Row.of(
            "keystrokes buffered behind an op in flight",
            window.delayedEdits() + " (sent with the next op, as ot.js does)"),
        Row.of("ack latency p50 / p95 / p99 / max", window.ackLatency().describe()),
        Row.of("broadcast latency p50 / p95 / p99 / max", broadcastLatency.describe()),
        Row.of("converged", convergence.describe()),
        window.usage().cpuRow(),
        window.usage().perOpRow(window.opsPerSecond()),
        window.usage().commitRow(),
        window.usage().memoryRow(),
        machine.row());
  }
}
