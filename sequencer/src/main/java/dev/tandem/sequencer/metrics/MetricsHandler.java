package dev.tandem.sequencer.metrics;

import dev.tandem.sequencer.auth.Authorizer;
import dev.tandem.sequencer.auth.MetricsToken;
import dev.tandem.sequencer.error.BadRequestLog;
import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.protocol.Json;
import java.io.IOException;
import java.util.Optional;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * {@code GET /metrics}: the {@link Metrics} in the Prometheus text format, for whoever may see
 * them. With a {@link MetricsToken}, only a request carrying it as {@code Authorization: Bearer}
 * (Prometheus's {@code authorization} or {@code bearer_token_file}); without one, everyone while
 * the server lets everyone in ({@code --auth none}), and no one once authentication is on: the
 * counters tell how busy the server is and which errors its clients meet, which is not every user's
 * business. A refusal is 401 {@code {code: "unauthorized", message}} saying what to set.
 */
public final class MetricsHandler extends HttpHandler {
  private static final String TOKEN_SETTING = "--metrics-token-file FILE or TANDEM_METRICS_TOKEN";

  private final Metrics metrics;
  private final Optional<MetricsToken> token;
  private final boolean authenticationOn;

  /**
   * @param authenticationOn whether the server's authorizer requires a token ({@link
   *     Authorizer#requiresToken()}): without a metrics token, /metrics is then closed
   */
  public MetricsHandler(Metrics metrics, Optional<MetricsToken> token, boolean authenticationOn) {
    this.metrics = metrics;
    this.token = token;
    this.authenticationOn = authenticationOn;
  }

  @Override
  public void service(Request request, Response response) throws Exception {
    String refusal = refusal(request);
    if (refusal != null) {
      refuse(response, refusal);
      return;
    }
    response.setHeader("Cache-Control", "no-store");
    response.setContentType("text/plain; version=0.0.4");
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(metrics.scrape());
  }

  /** Why {@code request} may not see the metrics, or null if it may. */
  private String refusal(Request request) {
    if (token.isPresent()) {
      return token.get().matches(bearer(request))
          ? null
          : "/metrics needs the metrics token (" + TOKEN_SETTING + ") as Authorization: Bearer";
    }
    return authenticationOn
        ? "/metrics is closed while authentication is on; set a metrics token with "
            + TOKEN_SETTING
            + " and send it as Authorization: Bearer"
        : null;
  }

  private static String bearer(Request request) {
    String header = request.getHeader("Authorization");
    return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? header.substring(7).strip()
        : null;
  }

  private void refuse(Response response, String message) throws IOException {
    metrics.error(ErrorCode.UNAUTHORIZED);
    BadRequestLog.answered("/metrics", Errors.unauthorized(message), null, null, null);
    response.setStatus(ErrorCode.UNAUTHORIZED.httpStatus());
    response.setHeader("WWW-Authenticate", "Bearer realm=\"tandem-metrics\"");
    response.setHeader("Cache-Control", "no-store");
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(Json.error(ErrorCode.UNAUTHORIZED, message));
  }
}
