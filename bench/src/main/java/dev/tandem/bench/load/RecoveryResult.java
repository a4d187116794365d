package dev.tandem.bench.load;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** recovery: restarts of a server whose document has a long history. */
record RecoveryResult(
    String workload,
    long revision,
    String historyCreatedBy,
    Double historySeconds,
    List<Restart> restarts,
    Machine machine)
    implements LoadResult {

  /**
   * One start of the server, timed from the process start: to its "listening" line, to a WebSocket
   * {@code opened} of the document, and to its text over REST; {@code same} if revision and text
   * equal what the server had before.
   */
  record Restart(
      String after,
      double secondsToListening,
      double secondsToWebSocketOpened,
      double secondsToRestText,
      long revision,
      boolean same) {}

  @Override
  public List<Row> rows() {
    List<Row> rows = new java.util.ArrayList<>();
    rows.add(
        Row.of(
            "workload",
            workload
                + ": a document of "
                + String.format(Locale.ROOT, "%,d", revision)
                + " revisions"));
    rows.add(
        Row.of(
            "history made",
            historyCreatedBy
                + (historySeconds == null
                    ? ""
                    : " in "
                        + LoadResult.decimal(historySeconds)
                        + " s ("
                        + LoadResult.decimal(revision / historySeconds)
                        + " ops/s)")));
    for (String kind : List.of("after SIGTERM", "after SIGKILL")) {
      List<Restart> ofKind = restarts.stream().filter(r -> r.after().equals(kind)).toList();
      if (ofKind.isEmpty()) {
        continue;
      }
      rows.add(
          Row.of(
              "start "
                  + kind
                  + ", median of "
                  + ofKind.size()
                  + ": listening / WebSocket opened / REST text",
              median(ofKind, Restart::secondsToListening)
                  + " / "
                  + median(ofKind, Restart::secondsToWebSocketOpened)
                  + " / "
                  + median(ofKind, Restart::secondsToRestText)
                  + " s"));
      rows.add(
          Row.of(
              "  each: WebSocket opened",
              ofKind.stream()
                  .map(r -> String.format(Locale.ROOT, "%.2f", r.secondsToWebSocketOpened()))
                  .toList()));
      rows.add(
          Row.of(
              "  revision and text as before",
              ofKind.stream().allMatch(Restart::same) ? "yes" : "NO"));
    }
    rows.add(machine.row());
    return rows;
  }

  private static String median(List<Restart> restarts, ToDoubleFunction<Restart> value) {
    double[] values = restarts.stream().mapToDouble(value).sorted().toArray();
    return String.format(Locale.ROOT, "%.2f", values[values.length / 2]);
  }
}
