package dev.tandem.bench.load;

import java.util.ArrayList;
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
    List<Row> rows = new ArrayList<>();
    rows.add(
        Row.of(
            "workload",
            workload + ": " + documents + " document(s) × " + editorsPerDocument + " editors"));
    rows.add(
        Row.of(
            "measured",
            LoadResult.decimal(window.seconds())
                + " s after "
                + LoadResult.decimal(warmupSeconds)
                + " s of warm-up"));
    rows.add(
        Row.of(
            "acked ops/s",
            LoadResult.decimal(window.opsPerSecond()) + " (" + window.ackedOps() + " acks)"));
    rows.addAll(window.measuredRows(broadcastLatency, convergence));
    rows.add(machine.row());
    return rows;
  }
}
