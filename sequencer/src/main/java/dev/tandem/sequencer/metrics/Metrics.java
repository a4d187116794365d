package dev.tandem.sequencer.metrics;

import dev.tandem.sequencer.error.ErrorCode;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The server's counters, served at {@code /metrics} in the Prometheus text format. Updating one is
 * a {@link LongAdder} increment, cheap from any thread.
 */
public final class Metrics {
  private final LongAdder opsCommitted = new LongAdder();
  private final LongAdder commitTransactions = new LongAdder();
  private final LongAdder commitFailures = new LongAdder();
  private final LongAdder resubmits = new LongAdder();
  private final LongAdder slowConsumersClosed = new LongAdder();
  private final LongAdder deadSockets = new LongAdder();
  private final LongAdder floodsClosed = new LongAdder();
  private final Map<ErrorCode, LongAdder> errors = new EnumMap<>(ErrorCode.class);

  public Metrics() {
    for (ErrorCode code : ErrorCode.values()) {
      errors.put(code, new LongAdder());
    }
  }

  public void committed(int ops) {
    commitTransactions.increment();
    opsCommitted.add(ops);
  }

  public void commitFailed() {
    commitFailures.increment();
  }

  public void resubmitted() {
    resubmits.increment();
  }

  /** A socket or SSE stream closed because too much waited for it (1013, or the stream ended). */
  public void slowConsumerClosed() {
    slowConsumersClosed.increment();
  }

  public long slowConsumersClosed() {
    return slowConsumersClosed.sum();
  }

  /** A WebSocket closed because it answered no ping within the timeout. */
  public void socketFoundDead() {
    deadSockets.increment();
  }

  /** A WebSocket closed for sending on after rate_limited ({@code excess-message-limit}). */
  public void floodClosed() {
    floodsClosed.increment();
  }

  /** An error answered to a client, on any transport. */
  public void error(ErrorCode code) {
    errors.get(code).increment();
  }

  /** The Prometheus exposition, with the two gauges the caller knows. */
  public String render(IntSupplier connections, IntSupplier documents, LongSupplier outboundBytes) {
    StringBuilder out = new StringBuilder(1024);
    counter(out, "tandem_ops_committed_total", "ops durably committed", opsCommitted.sum());
    counter(
        out,
        "tandem_commit_transactions_total",
        "group-commit transactions",
        commitTransactions.sum());
    counter(out, "tandem_commit_failures_total", "failed commit attempts", commitFailures.sum());
    counter(
        out,
        "tandem_resubmits_total",
        "resubmitted ops answered with their old ack",
        resubmits.sum());
    out.append("# HELP tandem_errors_total errors answered to clients, by code\n");
    out.append("# TYPE tandem_errors_total counter\n");
    for (Map.Entry<ErrorCode, LongAdder> entry : errors.entrySet()) {
      out.append("tandem_errors_total{code=\"")
          .append(entry.getKey().code())
          .append("\"} ")
          .append(entry.getValue().sum())
          .append('\n');
    }
    counter(
        out,
        "tandem_websocket_dead_total",
        "WebSockets closed for answering no ping within ping-timeout-seconds",
        deadSockets.sum());
    counter(
        out,
        "tandem_websocket_floods_closed_total",
        "WebSockets closed with 1013 for sending on after rate_limited (excess-message-limit)",
        floodsClosed.sum());
    gauge(
        out, "tandem_websocket_connections", "open WebSocket connections", connections.getAsInt());
    gauge(out, "tandem_documents_loaded", "documents in memory", documents.getAsInt());
    counter(
        out,
        "tandem_slow_consumers_closed_total",
        "sockets closed with 1013 and SSE streams ended because too much waited for them",
        slowConsumersClosed.sum());
    gauge(
        out,
        "tandem_outbound_bytes",
        "bytes waiting to go out to clients, against outbound-total-bytes",
        outboundBytes.getAsLong());
    return out.toString();
  }

  private static void counter(StringBuilder out, String name, String help, long value) {
    metric(out, name, help, "counter", value);
  }

  private static void gauge(StringBuilder out, String name, String help, long value) {
    metric(out, name, help, "gauge", value);
  }

  private static void metric(StringBuilder out, String name, String help, String type, long value) {
    out.append(
        String.format(
            Locale.ROOT,
            "# HELP %s %s%n# TYPE %s %s%n%s %d%n",
            name,
            help,
            name,
            type,
            name,
            value));
  }
}
