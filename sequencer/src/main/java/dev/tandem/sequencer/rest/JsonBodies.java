package dev.tandem.sequencer.rest;

import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.protocol.Json;
import jakarta.annotation.Priority;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.Locale;

/**
 * Refuses a {@code PUT} or {@code POST} whose {@code Content-Type} is not {@code application/json}
 * (a {@code charset} parameter is fine) with 400 {@code bad_request}, before its body is read:
 * nothing is written. A web page may send a {@code text/plain} or form body cross-site without a
 * CORS preflight, so without this check any page a user visits could write documents on a server
 * the user can reach; {@code application/json} needs a preflight, which {@link CrossOrigin} answers
 * only for allowed origins. Bodiless calls ({@code POST …/checkpoints}) need the header too.
 */
@Priority(Priorities.HEADER_DECORATOR)
final class JsonBodies implements ContainerRequestFilter {
  @Override
  public void filter(ContainerRequestContext request) {
    String method = request.getMethod();
    if (!method.equals(HttpMethod.PUT) && !method.equals(HttpMethod.POST)) {
      return;
    }
    String type = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
    if (!isJson(type)) {
      throw Errors.badRequest(
          method
              + " needs Content-Type: application/json (got "
              + (type == null ? "none" : "'" + Json.abbreviate(type) + "'")
              + ")");
    }
  }

  /** {@code application/json}, any case, with or without parameters such as a charset. */
  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String mediaType = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return mediaType.trim().toLowerCase(Locale.ROOT).equals("application/json");
  }
}
