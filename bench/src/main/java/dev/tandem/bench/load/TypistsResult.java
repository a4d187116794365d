package dev.tandem.bench.load;

import java.util.ArrayList;
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
    List<Row> rows = new ArrayList<>();
    rows.add(
        Row.of(
            "workload",
            workload
                + ": "
                + editors
                + " editors × "
                + editsPerSecondEach
                + " keystrokes/s, typing into one document"));
    rows.add(
        Row.of(
            "measured",
            LoadResult.decimal(window.seconds())
                + " s after "
                + LoadResult.decimal(warmupSeconds)
                + " s of warm-up"));
    rows.add(
        Row.of(
            "keystrokes/s / acked ops/s",
            LoadResult.decimal(editors * editsPerSecondEach)
                + " / "
                + LoadResult.decimal(window.opsPerSecond())));
    rows.add(
        Row.of(
            "keystrokes buffered behind an op in flight",
            window.delayedEdits() + " (sent with the next op, as ot.js does)"));
    rows.addAll(window.measuredRows(broadcastLatency, convergence));
    rows.add(machine.row());
    return rows;
  }
}
