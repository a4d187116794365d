package dev.tandem.sequencer.rest;

import dev.tandem.sequencer.auth.AllowedOrigins;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.protocol.Json;
import jakarta.annotation.Priority;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

/**
 * CORS for the REST API and SSE, from the same {@code --allowed-origins} as the WebSocket upgrade.
 *
 * <p>A request whose {@code Origin} is allowed gets {@code Access-Control-Allow-Origin: <that
 * origin>}; its preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) is answered
 * here with 204, methods GET, PUT, POST, DELETE and headers Authorization, Content-Type,
 * Last-Event-ID. A request from any other origin (the opaque {@code null} included) is refused with
 * 403 {@code forbidden} before any resource sees it, so a page cannot even make the server do work
 * in its name. No credentials are allowed: tokens travel in {@code Authorization} or {@code
 * access_token}, never in cookies. Every answer says {@code Vary: Origin}, so a cache never hands
 * one origin's answer to another.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100) // before anything that could answer the preflight
final class CrossOrigin implements ContainerRequestFilter, ContainerResponseFilter {
  static final String ALLOWED_METHODS = "GET, PUT, POST, DELETE";
  static final String ALLOWED_HEADERS = "Authorization, Content-Type, Last-Event-ID";
  private static final String MAX_AGE_SECONDS = "600";

  private final AllowedOrigins origins;

  CrossOrigin(AllowedOrigins origins) {
    this.origins = origins;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    String origin = request.getHeaderString("Origin");
    if (!origins.allows(origin, request.getHeaderString(HttpHeaders.HOST))) {
      throw Errors.forbidden(
          "origin '"
              + Json.abbreviate(origin)
              + "' may not call this API (expected: the server's own origin or one of"
              + " --allowed-origins)");
    }
    if (origin != null
        && request.getMethod().equals(HttpMethod.OPTIONS)
        && request.getHeaderString("Access-Control-Request-Method") != null) {
      request.abortWith(
          Response.noContent()
              .header("Access-Control-Allow-Methods", ALLOWED_METHODS)
              .header("Access-Control-Allow-Headers", ALLOWED_HEADERS)
              .header("Access-Control-Max-Age", MAX_AGE_SECONDS)
              .build());
    }
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    MultivaluedMap<String, Object> headers = response.getHeaders();
    Object vary = headers.getFirst(HttpHeaders.VARY);
    if (vary == null) {
      headers.putSingle(HttpHeaders.VARY, "Origin");
    } else if (!vary.toString().contains("Origin")) {
      headers.putSingle(HttpHeaders.VARY, vary + ", Origin");
    }
    String origin = request.getHeaderString("Origin");
    if (origin != null && origins.allows(origin, request.getHeaderString(HttpHeaders.HOST))) {
      headers.putSingle("Access-Control-Allow-Origin", origin);
    }
  }
}
