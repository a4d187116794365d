package dev.tandem.sequencer.rest;

import dev.tandem.sequencer.auth.Principal;
import dev.tandem.sequencer.auth.Role;
import dev.tandem.sequencer.auth.RoleAuthorizer;
import dev.tandem.sequencer.protocol.Ids;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.time.Instant;

/**
 * Asks the {@link RoleAuthorizer} about a REST call or SSE stream, before anything is read or
 * changed. The token comes from {@code Authorization: Bearer <token>}, or from the {@code
 * access_token} query parameter for clients that cannot set headers (a browser's {@code
 * EventSource}). {@link Endpoint} calls {@link #check} for every method that says which {@link
 * Role} it needs.
 */
final class Access {
  static final String TOKEN_PARAMETER = "access_token";

  private final RoleAuthorizer authorizer;

  Access(RoleAuthorizer authorizer) {
    this.authorizer = authorizer;
  }

  /**
   * The principal of the call, if its token allows {@code role} on the document {@code id}: {@code
   * bad_request} for an id that breaks the id rule, else {@code unauthorized} or {@code forbidden},
   * and {@code bad_request} if the authorizer names a user id that no op could carry (the user-id
   * rule of {@link dev.tandem.persistence.Ids}, kept by every principal).
   */
  Principal check(ContainerRequestContext request, String id, Role role) {
    String docId = Ids.checkDocumentId(id);
    Principal principal = authenticate(request);
    authorizer.check(principal, docId, role);
    return principal;
  }

  /** The principal of the call's token; {@code unauthorized} if there is none or it is refused. */
  Principal authenticate(ContainerRequestContext request) {
    return authorizer.authenticate(token(request));
  }

  /** Whether {@code principal} may do what {@code role} allows on {@code docId}. */
  boolean allows(Principal principal, String docId, Role role) {
    return authorizer.allows(principal, docId, role);
  }

  /** Until when {@code principal} may be served (an SSE stream ends then); Instant.MAX: ever. */
  Instant acceptedUntil(Principal principal) {
    return authorizer.acceptedUntil(principal);
  }

  private static String token(ContainerRequestContext request) {
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    String query = request.getUriInfo().getQueryParameters().getFirst(TOKEN_PARAMETER);
    return query == null ? "" : query;
  }
}
