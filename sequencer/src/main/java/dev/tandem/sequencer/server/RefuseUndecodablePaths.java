package dev.tandem.sequencer.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import java.io.CharConversionException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.util.RequestURIRef;

/**
 * Answers a request whose path or query is not well-formed before anything else sees it, with the
 * JSON error body of the REST API: {@code 400 bad_request} for a malformed percent escape ({@code
 * %}, {@code %zz}), escapes that do not decode to UTF-8 ({@code %ff}, the overlong {@code %c0%af},
 * the surrogate {@code %ed%a0%80}) or a control character in the path; {@code 404 not_found} for a
 * path that climbs above the root ({@code /vendor/../../pom.xml}, {@code /%2e%2e/pom.xml}), and
 * {@code 400} for any other {@code .} or {@code ..} segment ({@code /api/docs/..}). A WebSocket
 * upgrade without {@code Sec-WebSocket-Key}, which Tyrus answers with 500, is a {@code bad_request}
 * too.
 *
 * <p>A target that does not start with {@code /} (raw bytes where the path should be) is a {@code
 * bad_request} too, and so is a request line that is not HTTP at all (a space inside the target, a
 * version that is not {@code HTTP/1.x}), which the codec itself refuses (see {@link
 * NotHttpRequestLines}).
 *
 * <p>Right after the HTTP codec, so this holds for every handler: REST, SSE, static files and the
 * WebSocket upgrade. Without it Grizzly's decoder throws from deep in the filter chain (an empty
 * 500 or no answer at all, and a stack trace in the log per request) or answers 500 as if the
 * server had failed.
 */
public final class RefuseUndecodablePaths extends RequestFilter {
  public RefuseUndecodablePaths() {
    super("request target");
  }

  @Override
  public void setup(NetworkListener listener, FilterChainBuilder builder) {
    super.setup(listener, builder);
    // below the codec: sees what it writes
    NotHttpRequestLines.install(builder, builder.indexOfType(HttpServerFilter.class));
  }

  @Override
  TandemException refusal(FilterChainContext ctx, HttpRequestPacket request) {
    TandemException refusal = refusal(request.getRequestURI(), request.getQueryString());
    if (refusal == null
        && request.isUpgrade()
        && "websocket".equalsIgnoreCase(request.getUpgrade())
        && request.getHeader("Sec-WebSocket-Key") == null) { // Tyrus answers 500
      return Errors.badRequest("a WebSocket upgrade needs Sec-WebSocket-Key");
    }
    return refusal;
  }

  /** Why this request target is refused, or null if it is well-formed. */
  static TandemException refusal(String rawPath, String rawQuery) {
    if (!rawPath.startsWith("/")) {
      return Errors.badRequest("the request target is not a path (expected: /...)");
    }
    try {
      String path = decode(rawPath, "path");
      if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
        return Errors.badRequest("the path holds a control character (escaped or not)");
      }
      if (rawQuery != null) {
        decode(rawQuery, "query");
      }
    } catch (TandemException malformed) {
      return malformed;
    }
    if (climbsAboveTheRoot(rawPath)) {
      return Errors.notFound("no such path");
    }
    // Clients normalise dot segments before sending; one that reaches us would name a resource
    // other than the one written (/api/docs/.. is /api), which Jersey answers with 500.
    return hasDotSegment(decode(rawPath, "path"))
        ? Errors.badRequest("the path has a '.' or '..' segment (expected: normalised)")
        : null;
  }

  private static boolean hasDotSegment(String path) {
    for (String segment : path.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Percent-decodes strictly: every {@code %} starts an escape of two hex digits, and the bytes are
   * well-formed UTF-8 (Java's decoder refuses overlong forms and encoded surrogates). Anything else
   * is ASCII, as RFC 3986 requires.
   */
  private static String decode(String raw, String part) {
    byte[] bytes = new byte[raw.length()];
    int length = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int high = i + 1 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int low = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
        if (high < 0 || low < 0) {
          throw Errors.badRequest(
              "malformed percent escape '"
                  + raw.substring(i, Math.min(i + 3, raw.length()))
                  + "' in the "
                  + part
                  + " (expected: % and two hex digits)");
        }
        bytes[length++] = (byte) (high * 16 + low);
        i += 2;
      } else if (c < 0x80) {
        bytes[length++] = (byte) c;
      } else {
        throw Errors.badRequest(
            "the " + part + " holds a byte outside ASCII (expected: percent-encoded UTF-8)");
      }
    }
    try {
      return UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw Errors.badRequest(
          "the " + part + " is not percent-encoded UTF-8 (expected: escapes of UTF-8 bytes)");
    }
  }

  /** Grizzly's own decoding, on a copy, refuses a path that normalises to above the root. */
  private static boolean climbsAboveTheRoot(String rawPath) {
    RequestURIRef copy = new RequestURIRef();
    copy.init(rawPath);
    try {
      copy.getDecodedRequestURIBC(false, UTF_8);
      return false;
    } catch (CharConversionException e) {
      return true;
    }
  }
}
