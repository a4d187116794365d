package dev.tandem.bench.load;

import java.util.List;

/** hot-doc and many-docs: editors submitting as fast as their acks come back. */
record ClosedLoopResult(
    String workload,
    int documents,
    int editorsPerDocument,
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
            workload + ": " + documents + " document(s) × " + editorsPerDocument + " editors"),
        Row.of(
            "measured",
            LoadResult.decimal(window.seconds()) + " s after " + warmupSeconds + " s of warm-up"),
        Row.of(
            "acked ops/s",
            LoadResult.decimal(window.opsPerSecond()) + " (" + window.ackedOps() + " acks)"),
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
