package dev.tandem.bench.load;

import java.util.List;

/** idle: open sockets doing nothing, and what they cost the server. */
record IdleResult(
    String workload,
    int connections,
    int documents,
    double openSeconds,
    Idle.Memory beforeAnySocket,
    Idle.Memory oneSocketPerDocument,
    Idle.Memory allSockets,
    Long heapBytesPerConnection,
    Long rssBytesPerConnection,
    String failure,
    Machine machine)
    implements LoadResult {

  @Override
  public List<Row> rows() {
    return List.of(
        Row.of(
            "workload", workload + ": " + connections + " sockets on " + documents + " documents"),
        Row.of("opened in", LoadResult.decimal(openSeconds) + " s (hello + open each)"),
        Row.of(
            "server heap after GC: none / " + documents + " / " + connections + " sockets",
            mib(beforeAnySocket.heapBytes())
                + " / "
                + mib(oneSocketPerDocument.heapBytes())
                + " / "
                + mib(allSockets.heapBytes())),
        Row.of(
            "server RSS: none / " + documents + " / " + connections + " sockets",
            mib(beforeAnySocket.rssBytes())
                + " / "
                + mib(oneSocketPerDocument.rssBytes())
                + " / "
                + mib(allSockets.rssBytes())),
        Row.of("heap per connection", kib(heapBytesPerConnection)),
        Row.of("RSS per connection", kib(rssBytesPerConnection)),
        Row.of("failures", failure == null ? "none" : failure),
        machine.row());
  }

  private static String mib(Long bytes) {
    return bytes == null ? "-" : LoadResult.megabytes(bytes);
  }

  private static String kib(Long bytes) {
    return bytes == null ? "-" : String.format(java.util.Locale.ROOT, "%.1f KiB", bytes / 1024.0);
  }
}
