package dev.tandem.sequencer.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tandem.sequencer.error.BadRequestLog;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.protocol.Json;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.util.HttpStatus;
import org.glassfish.grizzly.memory.Buffers;

/**
 * Answers a request from a Grizzly filter in front of every handler, with the status of a {@link
 * TandemException}'s code and the JSON error body of the REST API, so that refusals made before
 * REST, SSE, static files, health and the WebSocket upgrade look alike.
 */
final class EarlyRefusal {
  private EarlyRefusal() {}

  /**
   * Refuses the request {@code content} belongs to, and returns what the filter returns. Any body
   * is read to its end first, so the connection stays usable; an upgrade's has no end (the codec
   * leaves it undecoded): it is answered at once and its connection closed.
   *
   * @param what what was refused, for the log, e.g. {@code "request target"}
   */
  static NextAction answer(
      FilterChainContext ctx,
      HttpContent content,
      HttpRequestPacket request,
      TandemException refusal,
      String what) {
    if (content.isLast() || request.isUpgrade()) {
      BadRequestLog.refused(request.getMethod().getMethodString() + " " + what, refusal);
      HttpResponsePacket response = request.getResponse();
      if (request.isUpgrade()) {
        request.getProcessingState().setKeepAlive(false);
      }
      HttpStatus.getHttpStatus(refusal.code().httpStatus()).setValues(response);
      byte[] body = Json.error(refusal.code(), refusal.getMessage()).getBytes(UTF_8);
      response.setContentType("application/json");
      response.setContentLength(body.length);
      ctx.write(
          HttpContent.builder(response)
              .content(Buffers.wrap(ctx.getMemoryManager(), body))
              .last(true)
              .build());
      // as Grizzly's own OutputBuffer does: the codec then keeps the connection alive or closes it
      ctx.notifyDownstream(HttpServerFilter.RESPONSE_COMPLETE_EVENT);
    }
    return ctx.getStopAction();
  }
}
