/**
 * The server's counters ({@link dev.tandem.sequencer.metrics.Metrics}) and the {@code /metrics}
 * endpoint that exposes them ({@link dev.tandem.sequencer.metrics.MetricsHandler}).
 */
package dev.tandem.sequencer.metrics;
