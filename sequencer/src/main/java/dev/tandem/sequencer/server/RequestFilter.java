package dev.tandem.sequencer.server;

import dev.tandem.sequencer.error.TandemException;
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
 * A check of every request, as a Grizzly filter right after the HTTP codec: in front of every
 * handler (REST, SSE, static files, health, metrics) and of Tyrus. A refused request is answered
 * here ({@link EarlyRefusal}); a request that passes is marked, so the rest of its content (a
 * WebSocket's frames arrive as content of its upgrade request) is not checked again. Of several,
 * the one registered last runs first.
 */
abstract class RequestFilter extends BaseFilter implements AddOn {
  private final String passed = getClass().getName() + ".passed";
  private final String refused;

  /**
   * @param refused what a refusal refuses, for the log, e.g. {@code "request target"}
   */
  RequestFilter(String refused) {
    this.refused = refused;
  }

  @Override
  public void setup(NetworkListener listener, FilterChainBuilder builder) {
    int codec = builder.indexOfType(HttpServerFilter.class);
    builder.add(codec + 1, this);
  }

  @Override
  public final NextAction handleRead(FilterChainContext ctx) {
    if (!(ctx.getMessage() instanceof HttpContent content)
        || !(content.getHttpHeader() instanceof HttpRequestPacket request)
        || request.getAttribute(passed) != null) { // cleared when Grizzly reuses the request
      return ctx.getInvokeAction();
    }
    TandemException refusal = refusal(ctx, request);
    if (refusal == null) {
      request.setAttribute(passed, Boolean.TRUE);
      return ctx.getInvokeAction();
    }
    return EarlyRefusal.answer(ctx, content, request, refusal, refused);
  }

  /** Why {@code request} is refused, or null if it may pass. */
  abstract TandemException refusal(FilterChainContext ctx, HttpRequestPacket request);

  /** Client input quoted in a message: at most 100 characters. */
  static String abbreviate(String text) {
    return text.length() <= 100 ? text : text.substring(0, 100) + "…";
  }
}
