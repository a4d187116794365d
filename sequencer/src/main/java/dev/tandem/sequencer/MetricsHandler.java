package dev.tandem.sequencer;

import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/** {@code GET /metrics}: the {@link Metrics} in the Prometheus text format. */
final class MetricsHandler extends HttpHandler {
  private final Metrics metrics;
  private final IntSupplier connections;
  private final IntSupplier documents;
  private final LongSupplier outboundBytes;

  MetricsHandler(
      Metrics metrics, IntSupplier connections, IntSupplier documents, LongSupplier outboundBytes) {
    this.metrics = metrics;
    this.connections = connections;
    this.documents = documents;
    this.outboundBytes = outboundBytes;
  }

  @Override
  public void service(Request request, Response response) throws Exception {
    response.setContentType("text/plain; version=0.0.4");
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(metrics.render(connections, documents, outboundBytes));
  }
}
