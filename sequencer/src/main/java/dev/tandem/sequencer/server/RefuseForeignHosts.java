package dev.tandem.sequencer.server;

import dev.tandem.sequencer.auth.AllowedHosts;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.http.HttpRequestPacket;

/**
 * Refuses a request whose {@code Host} header names a host this server does not answer to ({@code
 * --allowed-hosts}) with 403 {@code forbidden} and the JSON error body, before any handler: REST,
 * SSE, the WebSocket upgrade, {@code /healthz}, {@code /metrics} and static files alike.
 *
 * <p>This is what stops DNS rebinding: a web page whose own name the attacker re-points at {@code
 * 127.0.0.1} reaches a developer's local server as same-origin, but its requests still carry the
 * attacker's name as {@code Host}. It runs after {@link RefuseUndecodablePaths}: a request that is
 * not well-formed HTTP (whose headers may not be read at all) is a {@code bad_request} first.
 */
public final class RefuseForeignHosts extends RequestFilter {
  private final AllowedHosts hosts;

  public RefuseForeignHosts(AllowedHosts hosts) {
    super("request with a foreign Host");
    this.hosts = hosts;
  }

  @Override
  TandemException refusal(FilterChainContext ctx, HttpRequestPacket request) {
    String host = request.getHeader("Host");
    return hosts.allows(host) ? null : refusal(host);
  }

  private static TandemException refusal(String host) {
    String quoted = host == null ? "no Host header" : "Host '" + abbreviate(host) + "'";
    return Errors.forbidden(quoted + " is not served here (expected: a name of --allowed-hosts)");
  }
}
