package dev.tandem.sequencer;

import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/** {@code GET /healthz}: 200 with a small JSON status while the server runs. */
final class HealthHandler extends HttpHandler {
  private final Sequencers sequencers;

  HealthHandler(Sequencers sequencers) {
    this.sequencers = sequencers;
  }

  @Override
  public void service(Request request, Response response) throws Exception {
    boolean up = !sequencers.isStopping();
    response.setStatus(up ? 200 : 503);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response
        .getWriter()
        .write(
            "{\"status\":\""
                + (up ? "ok" : "stopping")
                + "\",\"documents\":"
                + sequencers.loadedDocuments()
                + "}");
  }
}
