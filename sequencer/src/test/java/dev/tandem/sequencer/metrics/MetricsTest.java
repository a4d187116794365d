package dev.tandem.sequencer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.sequencer.error.ErrorCode;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The meters as written for Prometheus: names, labels, buckets. */
class MetricsTest {
  @Test
  void closeCodesAClientMadeUpCountAsOtherSoLabelsStayFew() {
    try (Metrics metrics = new Metrics()) {
      metrics.closed(1000);
      metrics.closed(4321);
      metrics.closed(4999);
      String text = metrics.scrape();
      assertEquals(1.0, sample(text, "tandem_websocket_closes_total{code=\"1000\"}"));
      assertEquals(2.0, sample(text, "tandem_websocket_closes_total{code=\"other\"}"));
      assertEquals(0.0, sample(text, "tandem_websocket_closes_total{code=\"1013\"}"));
      assertTrue(!text.contains("code=\"4321\""), text);
    }
  }

  @Test
  void latenciesAndCountsFallInTheirBucketsAndEveryErrorCodeIsListed() {
    try (Metrics metrics = new Metrics()) {
      metrics.acked(TimeUnit.MICROSECONDS.toNanos(1500), 3); // 1.5 ms, 3 transforms
      metrics.committed(5, TimeUnit.MILLISECONDS.toNanos(7));
      metrics.error(ErrorCode.INVALID_OP);
      String text = metrics.scrape();
      assertEquals(0.0, sample(text, "tandem_ack_latency_seconds_bucket{le=\"0.001\"}"));
      assertEquals(1.0, sample(text, "tandem_ack_latency_seconds_bucket{le=\"0.002\"}"));
      assertEquals(0.0, sample(text, "tandem_submit_transforms_bucket{le=\"2.0\"}"));
      assertEquals(1.0, sample(text, "tandem_submit_transforms_bucket{le=\"4.0\"}"));
      assertEquals(1.0, sample(text, "tandem_commit_latency_seconds_bucket{le=\"0.01\"}"));
      assertEquals(5.0, sample(text, "tandem_group_commit_ops_sum"));
      assertEquals(5.0, sample(text, "tandem_ops_committed_total"));
      assertEquals(1.0, sample(text, "tandem_commit_transactions_total"));
      for (ErrorCode code : ErrorCode.values()) {
        double expected = code == ErrorCode.INVALID_OP ? 1.0 : 0.0;
        assertEquals(expected, sample(text, "tandem_errors_total{code=\"" + code.code() + "\"}"));
      }
    }
  }

  /** The value of the sample line that starts with {@code series}. */
  private static double sample(String text, String series) {
    return Arrays.stream(text.split("\n"))
        .filter(line -> line.startsWith(series + " "))
        .map(line -> Double.parseDouble(line.substring(series.length() + 1).trim()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + series + " in\n" + text));
  }
}
