package dev.tandem.sequencer.rest;

import dev.tandem.sequencer.auth.Principal;
import dev.tandem.sequencer.auth.Role;
import dev.tandem.sequencer.auth.RoleAuthorizer;
import jakarta.ws.rs.core.HttpHeaders;
import java.time.Instant;

/**
 * Asks the {@link RoleAuthorizer} about a REST call or SSE stream, before anything is read or
 * changed: {@link #read} for the text, history, checkpoint list and events, {@link #write} for
 * create and submit, {@link #admin} for checkpoint creation. The token comes from {@code
 * Authorization: Bearer <token>}, or from the {@code access_token} query parameter for clients that
 * cannot set headers (a browser's {@code EventSource}).
 */
final class Access {
  private final RoleAuthorizer authorizer;

  Access(RoleAuthorizer authorizer) {
    this.authorizer = authorizer;
  }

  /** Authenticates and checks read access; returns the principal. */
  Principal read(HttpHeaders headers, String queryToken, String docId) {
    return check(headers, queryToken, docId, Role.READ);
  }

  /** Authenticates and checks write access; returns the principal. */
  Principal write(HttpHeaders headers, String queryToken, String docId) {
    return check(headers, queryToken, docId, Role.WRITE);
  }

  /** Authenticates and checks admin access; returns the principal. */
  Principal admin(HttpHeaders headers, String queryToken, String docId) {
    return check(headers, queryToken, docId, Role.ADMIN);
  }

  /** Until when {@code principal} may be served (an SSE stream ends then); Instant.MAX: ever. */
  Instant acceptedUntil(Principal principal) {
    return authorizer.acceptedUntil(principal);
  }

  /**
   * The principal, if its token allows {@code role} on {@code docId}; else {@code unauthorized} or
   * {@code forbidden}, and {@code bad_request} if the authorizer names a user id that no op could
   * carry (the user-id rule of {@link dev.tandem.persistence.Ids}, kept by every principal).
   */
  private Principal check(HttpHeaders headers, String queryToken, String docId, Role role) {
    Principal principal = authorizer.authenticate(token(headers, queryToken));
    authorizer.check(principal, docId, role);
    return principal;
  }

  private static String token(HttpHeaders headers, String queryToken) {
    String header = headers.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    return queryToken == null ? "" : queryToken;
  }
}
