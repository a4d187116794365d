package dev.tandem.sequencer;

import java.io.CharConversionException;
import java.nio.charset.StandardCharsets;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.util.HttpStatus;
import org.glassfish.grizzly.http.util.RequestURIRef;

/**
 * Answers 404 to a request whose path Grizzly cannot decode, such as one that climbs above the root
 * ({@code /vendor/../../pom.xml}, {@code /%2e%2e/pom.xml}).
 *
 * <p>Grizzly's handler chain decodes and normalises the path before it picks a handler, and answers
 * such a path with a 500 as if the server had failed. Nothing is served from above the root either
 * way; this filter, right after the codec, makes the answer say so.
 */
final class RefuseUndecodablePaths extends BaseFilter implements AddOn {
  @Override
  public void setup(NetworkListener listener, FilterChainBuilder builder) {
    int codec = builder.indexOfType(HttpServerFilter.class);
    builder.add(codec + 1, this);
  }

  @Override
  public NextAction handleRead(FilterChainContext ctx) {
    if (!(ctx.getMessage() instanceof HttpContent content)
        || !(content.getHttpHeader() instanceof HttpRequestPacket request)
        || decodes(request.getRequestURI())) {
      return ctx.getInvokeAction();
    }
    if (content.isLast()) { // any body is read to its end first, so the connection stays usable
      HttpResponsePacket response = request.getResponse();
      HttpStatus.NOT_FOUND_404.setValues(response);
      response.setContentLength(0);
      ctx.write(HttpContent.builder(response).last(true).build());
      // as Grizzly's own OutputBuffer does: the codec then keeps the connection alive or closes it
      ctx.notifyDownstream(HttpServerFilter.RESPONSE_COMPLETE_EVENT);
    }
    return ctx.getStopAction();
  }

  /** Decodes a copy, so the request's own decoding (with the handler's settings) is untouched. */
  private static boolean decodes(String rawPath) {
    RequestURIRef copy = new RequestURIRef();
    copy.init(rawPath);
    try {
      copy.getDecodedRequestURIBC(false, StandardCharsets.UTF_8);
      return true;
    } catch (CharConversionException e) {
      return false;
    }
  }
}
