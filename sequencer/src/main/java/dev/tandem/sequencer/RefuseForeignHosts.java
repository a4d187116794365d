package dev.tandem.sequencer;

import dev.tandem.sequencer.auth.AllowedHosts;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;

/**
 * Refuses a request whose {@code Host} header names a host this server does not answer to ({@code
 * --allowed-hosts}) with 403 {@code forbidden} and the JSON error body, before any handler: REST,
 * SSE, the WebSocket upgrade, {@code /healthz}, {@code /metrics} and static files alike.
 *
 * <p>This is what stops DNS rebinding: a web page whose own name the attacker re-points at {@code
 * 127.0.0.1} reaches a developer's local server as same-origin, but its requests still carry the
 * attacker's name as {@code Host}. Registered after the other add-ons, so it runs first.
 */
final class RefuseForeignHosts extends BaseFilter implements AddOn {
  private static final int QUOTED_HOST_CHARS = 100;

  private final AllowedHosts hosts;

  RefuseForeignHosts(AllowedHosts hosts) {
    this.hosts = hosts;
  }

  @Override
  public void setup(NetworkListener listener, FilterChainBuilder builder) {
    int codec = builder.indexOfType(HttpServerFilter.class);
    builder.add(codec + 1, this);
  }

  @Override
  public NextAction handleRead(FilterChainContext ctx) {
    if (!(ctx.getMessage() instanceof HttpContent content)
        || !(content.getHttpHeader() instanceof HttpRequestPacket request)) {
      return ctx.getInvokeAction();
    }
    String host = request.getHeader("Host");
    if (hosts.allows(host)) {
      return ctx.getInvokeAction();
    }
    return EarlyRefusal.answer(ctx, content, request, refusal(host), "with a foreign Host");
  }

  private static TandemException refusal(String host) {
    String quoted =
        host == null
            ? "no Host header"
            : "Host '"
                + (host.length() > QUOTED_HOST_CHARS
                    ? host.substring(0, QUOTED_HOST_CHARS) + "…"
                    : host)
                + "'";
    return new TandemException(
        ErrorCode.FORBIDDEN, quoted + " is not served here (expected: a name of --allowed-hosts)");
  }
}
