package dev.tandem.sequencer;

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
 * A Grizzly filter right after the HTTP codec, in front of every handler (REST, SSE, static files,
 * health, metrics) and of Tyrus: it sees each piece of a request's content with the request's
 * header, a WebSocket's frames included (as content of its upgrade request). Of several, the one
 * registered last runs first.
 */
abstract class RequestFilter extends BaseFilter implements AddOn {
  @Override
  public final void setup(NetworkListener listener, FilterChainBuilder builder) {
    int codec = builder.indexOfType(HttpServerFilter.class);
    builder.add(codec + 1, this);
  }

  @Override
  public final NextAction handleRead(FilterChainContext ctx) {
    if (ctx.getMessage() instanceof HttpContent content
        && content.getHttpHeader() instanceof HttpRequestPacket request) {
      return handleRequest(ctx, content, request);
    }
    return ctx.getInvokeAction();
  }

  /**
   * Passes {@code content} on ({@code ctx.getInvokeAction()}) or answers its request ({@link
   * EarlyRefusal}).
   */
  abstract NextAction handleRequest(
      FilterChainContext ctx, HttpContent content, HttpRequestPacket request);

  /** Client input quoted in a message: at most 100 characters. */
  static String abbreviate(String text) {
    return text.length() <= 100 ? text : text.substring(0, 100) + "…";
  }
}
