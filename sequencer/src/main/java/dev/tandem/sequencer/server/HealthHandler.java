package dev.tandem.sequencer.server;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 *
 * <p>While the server starts, {@code /readyz} and {@code /healthz} wait until every part of it
 * serves (the REST API is built on a thread of its own, see {@code RestHandler}), so that ready
 * means ready for every path.
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
  private final Runnable awaitStarted;

  /**
   * @param awaitStarted returns once every part of the server serves, or throws {@link
   *     IllegalStateException} if one could not be started
   */
  public HealthHandler(
      Probe probe, Sequencers sequencers, DatabaseHealth database, Runnable awaitStarted) {
    this.probe = probe;
    this.sequencers = sequencers;
    this.database = database;
    this.awaitStarted = awaitStarted;
  }

  /** The body of a probe's answer; what a probe does not tell is left out. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Health(String status, String reason, Integer documents, DatabaseState database) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record DatabaseState(boolean reachable, String reason) {}

  @Override
  public void service(Request request, Response response) throws Exception {
    Health body;
    int status = 200;
    String notStarted;
    if (probe == Probe.LIVE) {
      body = new Health("ok", null, null, null);
    } else if ((notStarted = notStarted()) != null) { // waits while the server starts
      status = 503;
      body = new Health("unavailable", notStarted, null, null);
    } else {
      DatabaseHealth.Status db = database.status();
      String state = "ok";
      String reason = null;
      if (sequencers.isStopping()) {
        status = 503;
        state = "stopping";
        reason = "the server is shutting down";
      } else if (!db.reachable()) {
        status = 503;
        state = "unavailable";
        reason = db.reason();
      }
      body =
          probe == Probe.HEALTH
              ? new Health(
                  state,
                  reason,
                  sequencers.loadedDocuments(),
                  new DatabaseState(db.reachable(), db.reachable() ? null : db.reason()))
              : new Health(state, reason, null, null);
    }
    response.setStatus(status);
    response.setHeader("Cache-Control", "no-store");
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(Json.write(body));
  }

  /** Null once every part of the server serves; why not if one could not be started. */
  private String notStarted() {
    try {
      awaitStarted.run();
      return null;
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }
}
