package dev.tandem.sequencer.server;

import java.io.IOException;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.FilterChainEvent;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpEvents;
import org.glassfish.grizzly.http.HttpHeader;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;

/**
 * Serves a request that offers an upgrade other than WebSocket (the JDK's HttpClient offers {@code
 * Upgrade: h2c} by default) as the plain HTTP/1.1 request it also is.
 *
 * <p>Grizzly's HTTP codec stops decoding the body of any request with an {@code Upgrade} header,
 * expecting a new protocol to take the connection over; nothing here speaks h2c, so a POST or PUT
 * with a body would wait forever for its end. This filter, right after the codec, restores normal
 * body decoding and keep-alive for every upgrade but {@code websocket}.
 */
public final class IgnoreForeignUpgrades extends BaseFilter implements AddOn {
  @Override
  public void setup(NetworkListener listener, FilterChainBuilder builder) {
    int codec = builder.indexOfType(org.glassfish.grizzly.http.HttpServerFilter.class);
    builder.add(codec + 1, this);
  }

  @Override
  public NextAction handleEvent(FilterChainContext ctx, FilterChainEvent event) throws IOException {
    if (event.type() == HttpEvents.IncomingHttpUpgradeEvent.TYPE) {
      HttpHeader header = ((HttpEvents.IncomingHttpUpgradeEvent) event).getHttpHeader();
      if (!"websocket".equalsIgnoreCase(header.getUpgrade())) {
        header.setIgnoreContentModifiers(false);
        header.getUpgradeDC().recycle(); // not an upgrade: keep the connection alive afterwards
      }
    }
    return ctx.getInvokeAction();
  }
}
