package dev.tandem.sequencer.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tandem.sequencer.error.BadRequestLog;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpCodecFilter;
import org.glassfish.grizzly.http.HttpHeader;
import org.glassfish.grizzly.http.HttpPacket;
import org.glassfish.grizzly.http.HttpProbe;
import org.glassfish.grizzly.http.Protocol;
import org.glassfish.grizzly.memory.Buffers;

/**
 * Turns the one answer Grizzly's HTTP codec gives by itself to a request line that is not HTTP (a
 * space inside the target, raw bytes, a version other than {@code HTTP/1.x}) from {@code 505 HTTP
 * Version Not Supported}, which reads as a server failure, into {@code 400 bad_request} with the
 * JSON error body of the REST API. The codec then closes the connection, as it does for its 505.
 *
 * <p>The codec decides this while parsing, before any filter above it runs, and writes the encoded
 * response straight down the chain; so this sits just below the codec and replaces that response,
 * recognised by its status line. Nothing else here answers 505, and a WebSocket frame cannot begin
 * with {@code "HTTP/"} (its first byte would be an invalid opcode).
 *
 * <p>When such a line comes with headers the codec refuses (too large, malformed), the codec
 * answers its own plain 400 instead, and writing it failed on the line's unknown version (a {@code
 * GRIZZLY0013} warning, the connection dropped unanswered): a probe on the codec's errors, which
 * runs before that answer, gives the request {@code HTTP/1.1} first.
 */
final class NotHttpRequestLines extends BaseFilter {
  private static final byte[] CODEC_505 = "HTTP/1.1 505 ".getBytes(ISO_8859_1);
  private static final byte[] BAD_REQUEST = badRequest();

  /** Puts this filter just below the codec at {@code codecIndex}, and its probe on the codec. */
  static void install(FilterChainBuilder builder, int codecIndex) {
    ((HttpCodecFilter) builder.get(codecIndex))
        .getMonitoringConfig()
        .addProbes(
            new HttpProbe.Adapter() {
              @Override
              public void onErrorEvent(Connection connection, HttpPacket packet, Throwable error) {
                if (packet instanceof HttpHeader header && !header.isCommitted()) {
                  try {
                    header.getProtocol();
                  } catch (IllegalStateException unknownVersion) {
                    header.setProtocol(Protocol.HTTP_1_1); // the error answer is written in it
                  }
                }
              }
            });
    builder.add(codecIndex, new NotHttpRequestLines());
  }

  @Override
  public NextAction handleWrite(FilterChainContext ctx) {
    if (ctx.getMessage() instanceof Buffer buffer && startsWith505(buffer)) {
      BadRequestLog.refused("request line", refusal());
      ctx.setMessage(Buffers.wrap(ctx.getMemoryManager(), BAD_REQUEST));
    }
    return ctx.getInvokeAction();
  }

  private static boolean startsWith505(Buffer buffer) {
    int start = buffer.position();
    if (buffer.limit() - start < CODEC_505.length) {
      return false;
    }
    for (int i = 0; i < CODEC_505.length; i++) {
      if (buffer.get(start + i) != CODEC_505[i]) {
        return false;
      }
    }
    return true;
  }

  private static TandemException refusal() {
    return Errors.badRequest(
        "the request line is not HTTP (expected: METHOD /path HTTP/1.1, the path percent-encoded)");
  }

  private static byte[] badRequest() {
    TandemException refusal = refusal();
    byte[] body = Json.error(refusal.code(), refusal.getMessage()).getBytes(UTF_8);
    ByteArrayOutputStream response = new ByteArrayOutputStream();
    response.writeBytes(
        ("HTTP/1.1 400 Bad Request\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: "
                + body.length
                + "\r\n"
                + "Connection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    response.writeBytes(body);
    return response.toByteArray();
  }
}
