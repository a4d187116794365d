package dev.tandem.sequencer.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.DatabaseHealth;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.protocol.Json;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * The probes, each a small JSON answer that never waits for the database ({@link DatabaseHealth}
 * knows its state from the calls and a background probe):
 *
 * <ul>
 *   <li>{@code GET /livez}: 200 while the process serves HTTP (a liveness probe: restart it if
 *       not).
 *   <li>{@code GET /readyz}: 200 when the server can do its work, 503 with a {@code reason} while
 *       the database cannot be reached or the server is shutting down (a readiness probe: send it
 *       no traffic meanwhile).
 *   <li>{@code GET /healthz}: what {@code /readyz} says, with the documents in memory and the
 *       database's state.
 * </ul>
 */
public final class HealthHandler extends HttpHandler {
  /** Which probe a handler answers. */
  public enum Probe {
    LIVE,
    READY,
    HEALTH
  }

  private final Probe probe;
  private final Sequencers sequencers;
  private final DatabaseHealth database;

  public HealthHandler(Probe probe, Sequencers sequencers, DatabaseHealth database) {
    this.probe = probe;
    this.sequencers = sequencers;
    this.database = database;
  }

  @Override
  public void service(Request request, Response response) throws Exception {
    ObjectNode body = Json.object();
    int status = 200;
    if (probe == Probe.LIVE) {
      body.put("status", "ok");
    } else {
      DatabaseHealth.Status db = database.status();
      if (sequencers.isStopping()) {
        status = 503;
        body.put("status", "stopping");
        body.put("reason", "the server is shutting down");
      } else if (!db.reachable()) {
        status = 503;
        body.put("status", "unavailable");
        body.put("reason", db.reason());
      } else {
        body.put("status", "ok");
      }
      if (probe == Probe.HEALTH) {
        body.put("documents", sequencers.loadedDocuments());
        ObjectNode databaseNode = body.putObject("database");
        databaseNode.put("reachable", db.reachable());
        if (!db.reachable()) {
          databaseNode.put("reason", db.reason());
        }
      }
    }
    response.setStatus(status);
    response.setHeader("Cache-Control", "no-store");
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(Json.write(body));
  }
}
