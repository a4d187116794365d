package dev.tandem.sequencer.metrics;

import dev.tandem.sequencer.error.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The server's meters, served at {@code /metrics} by Micrometer's Prometheus registry. Every meter
 * is built once, here: recording one on the hot path is an increment or a bucket lookup, with no
 * tag or name to allocate. Names follow Prometheus conventions ({@code tandem_…_total}, base units:
 * seconds and bytes); docs/operations.md lists every family, and docs/grafana-dashboard.json plots
 * them.
 */
public final class Metrics implements AutoCloseable {
  /** Buckets of the latency histograms, in seconds: 0.5 ms to 10 s, about ×2 apart. */
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(20),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(200),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  /** Buckets of the count histograms (ops, transforms, subscribers): powers of 2 from 1. */
  private static final double[] COUNT_BUCKETS = {
    1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384
  };

  /**
   * The close codes counted by name: RFC 6455's that a peer may send or a socket may end with. The
   * server itself closes with 1001, 1008, 1009, 1011 and 1013 (see docs/protocol.md).
   */
  private static final int[] CLOSE_CODES = {
    1000, 1001, 1002, 1003, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014
  };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final JvmHeapPressureMetrics heapPressure = new JvmHeapPressureMetrics();

  private final Counter opsCommitted =
      counter("tandem.ops.committed", "ops durably committed").register(registry);
  private final Counter commitTransactions =
      counter("tandem.commit.transactions", "group-commit transactions").register(registry);
  private final Counter commitFailures =
      counter("tandem.commit.failures", "failed commit attempts").register(registry);
  private final Counter resubmits =
      counter("tandem.resubmits", "resubmitted ops answered with their old ack").register(registry);
  private final Counter slowConsumersClosed =
      counter(
              "tandem.slow.consumers.closed",
              "sockets closed with 1013 and SSE streams ended because too much waited for them")
          .register(registry);
  private final Counter deadSockets =
      counter(
              "tandem.websocket.dead",
              "WebSockets closed for answering no ping within ping-timeout-seconds")
          .register(registry);
  private final Counter floodsClosed =
      counter(
              "tandem.websocket.floods.closed",
              "WebSockets closed with 1013 for sending on after rate_limited (excess-message-limit)")
          .register(registry);
  private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
  private final Map<Integer, Counter> closes = new HashMap<>();
  private final Counter otherCloses = closeCounter("other");

  private final Timer ackLatency =
      latency(
          "tandem.ack.latency", "from a submit's arrival to its ack being queued to the sender");
  private final Timer deliveryPauses =
      latency(
          "tandem.delivery.pause",
          "a document's pause before its next group, after a delivery that cost 1 ms of CPU or more");
  private final Timer commitLatency =
      latency("tandem.commit.latency", "one group-commit transaction, from start to commit");
  private final DistributionSummary groupCommitOps =
      count("tandem.group.commit.ops", "ops written by one group-commit transaction");
  private final DistributionSummary submitTransforms =
      count("tandem.submit.transforms", "concurrent ops one submit was transformed against");
  private final DistributionSummary catchUpOps =
      count("tandem.catchup.ops", "ops sent to catch a subscriber up from its revision");
  private final DistributionSummary broadcastFanout =
      count("tandem.broadcast.fanout", "subscribers one committed op or group is delivered to");

  public Metrics() {
    for (int code : CLOSE_CODES) {
      closes.put(code, closeCounter(Integer.toString(code)));
    }
    for (ErrorCode code : ErrorCode.values()) {
      errors.put(
          code,
          counter("tandem.errors", "errors answered to clients, by code")
              .tag("code", code.code())
              .register(registry));
    }
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    heapPressure.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /** Where meters of other parts (the connection pool's) register, to be served here too. */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * The gauges the server's parts answer when scraped: open sockets, documents in memory and their
   * subscribers, the bytes waiting to go out, and whether the database answers.
   */
  public void gauges(
      IntSupplier connections,
      IntSupplier documents,
      IntSupplier subscribers,
      LongSupplier outboundBytes,
      BooleanSupplier databaseReachable) {
    Gauge.builder("tandem.websocket.connections", connections::getAsInt)
        .description("open WebSocket connections")
        .register(registry);
    Gauge.builder("tandem.documents.loaded", documents::getAsInt)
        .description("documents in memory")
        .register(registry);
    Gauge.builder("tandem.subscribers", subscribers::getAsInt)
        .description("subscriptions to documents in memory (WebSocket opens and SSE streams)")
        .register(registry);
    Gauge.builder("tandem.outbound", outboundBytes::getAsLong)
        .description("bytes waiting to go out to clients, against outbound-total-bytes")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("tandem.database.up", () -> databaseReachable.getAsBoolean() ? 1 : 0)
        .description("1 while the database answers, 0 while calls to it are refused")
        .register(registry);
  }

  /** The Prometheus text exposition (format 0.0.4) of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  public void committed(int ops, long nanos) {
    commitTransactions.increment();
    opsCommitted.increment(ops);
    groupCommitOps.record(ops);
    commitLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void commitFailed() {
    commitFailures.increment();
  }

  public void resubmitted() {
    resubmits.increment();
  }

  /** A submit was acked {@code nanos} after it arrived, transformed against {@code transforms}. */
  public void acked(long nanos, int transforms) {
    ackLatency.record(nanos, TimeUnit.NANOSECONDS);
    submitTransforms.record(transforms);
  }

  /** A document waits {@code nanos} before its next group, after a costly delivery. */
  public void paused(long nanos) {
    deliveryPauses.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The pauses after costly deliveries so far. */
  public long pauses() {
    return deliveryPauses.count();
  }

  /** A subscriber was sent {@code ops} ops to catch up. */
  public void caughtUp(int ops) {
    catchUpOps.record(ops);
  }

  /** A committed op or group went out to {@code subscribers} subscribers. */
  public void broadcast(int subscribers) {
    broadcastFanout.record(subscribers);
  }

  /** A socket or SSE stream closed because too much waited for it (1013, or the stream ended). */
  public void slowConsumerClosed() {
    slowConsumersClosed.increment();
  }

  public long slowConsumersClosed() {
    return (long) slowConsumersClosed.count();
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

  /** The errors answered with {@code code} so far. */
  public long errors(ErrorCode code) {
    return (long) errors.get(code).count();
  }

  /**
   * A WebSocket closed with {@code code} (as its close frame said, or 1006 for none). Clients pick
   * their own codes: those outside {@link #CLOSE_CODES} count as {@code other}, so no client can
   * add label values.
   */
  public void closed(int code) {
    closes.getOrDefault(code, otherCloses).increment();
  }

  @Override
  public void close() {
    gc.close();
    heapPressure.close();
    registry.close();
  }

  private Counter closeCounter(String code) {
    return counter("tandem.websocket.closes", "WebSockets closed, by close code")
        .tag("code", code)
        .register(registry);
  }

  private static Counter.Builder counter(String name, String help) {
    return Counter.builder(name).description(help);
  }

  private Timer latency(String name, String help) {
    return Timer.builder(name)
        .description(help)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry);
  }

  private DistributionSummary count(String name, String help) {
    return DistributionSummary.builder(name)
        .description(help)
        .serviceLevelObjectives(COUNT_BUCKETS)
        .register(registry);
  }
}
