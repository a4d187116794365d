package dev.tandem.sequencer.server;

import dev.tandem.sequencer.auth.AllowedOrigins;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.http.HttpRequestPacket;

/**
 * Decides at the WebSocket upgrade, before Tyrus accepts it, whether the socket may open:
 *
 * <ul>
 *   <li>its {@code Origin} must be allowed ({@code --allowed-origins}; same-origin by default): a
 *       web page the user visits cannot open a socket in the user's name (cross-site WebSocket
 *       hijacking). Otherwise 403 {@code forbidden}. An upgrade without {@code Origin} does not
 *       come from a browser page and is allowed; the opaque origin {@code null} is not.
 *   <li>its remote address may have at most {@code --max-connections-per-address} sockets open at
 *       once; one more gets 429 {@code rate_limited}. A TCP connection counts from its upgrade to
 *       its close (Grizzly's close listener), whatever ends it.
 * </ul>
 *
 * <p>An upgrade that passes is counted once for its connection, even if Tyrus then refuses it and
 * the connection goes on serving plain HTTP.
 */
public final class WebSocketGate extends RequestFilter {
  private static final Attribute<Boolean> COUNTED =
      Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(WebSocketGate.class.getName() + ".counted");

  private final AllowedOrigins origins;
  private final int maxPerAddress;
  private final ConcurrentMap<String, Integer> open = new ConcurrentHashMap<>();

  /**
   * @param maxPerAddress sockets open at once per remote address; 0 for no limit
   */
  public WebSocketGate(AllowedOrigins origins, int maxPerAddress) {
    super("WebSocket upgrade");
    this.origins = origins;
    this.maxPerAddress = maxPerAddress;
  }

  @Override
  TandemException refusal(FilterChainContext ctx, HttpRequestPacket request) {
    if (!request.isUpgrade() || !"websocket".equalsIgnoreCase(request.getUpgrade())) {
      return null;
    }
    String origin = request.getHeader("Origin");
    if (!origins.allows(origin, request.getHeader("Host"))) {
      return Errors.forbidden(
          "WebSocket from origin '"
              + abbreviate(origin)
              + "' refused (expected: the server's own origin or one of --allowed-origins)");
    }
    Connection<?> connection = ctx.getConnection();
    if (COUNTED.get(connection) == null) { // once per connection, whatever Tyrus then decides
      String address = address(connection.getPeerAddress());
      if (!acquire(address)) {
        return Errors.rateLimited(
            maxPerAddress
                + " WebSockets are open from this address already"
                + " (max-connections-per-address); close one or retry later");
      }
      COUNTED.set(connection, Boolean.TRUE);
      connection.addCloseListener((Connection.CloseListener) (closed, type) -> release(address));
    }
    return null;
  }

  private boolean acquire(String address) {
    boolean[] taken = {false};
    open.compute(
        address,
        (key, count) -> {
          int now = count == null ? 0 : count;
          if (maxPerAddress > 0 && now >= maxPerAddress) {
            return count;
          }
          taken[0] = true;
          return now + 1;
        });
    return taken[0];
  }

  private void release(String address) {
    open.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
  }

  /** The IP address without the port: every connection of one host counts together. */
  private static String address(Object peer) {
    if (peer instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return peer instanceof SocketAddress ? peer.toString() : "unknown";
  }
}
