package dev.tandem.sequencer.rest;

import dev.tandem.sequencer.Authorizer;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * Asks the {@link Authorizer} about a REST call. The token comes from {@code Authorization: Bearer
 * <token>}, or from the {@code access_token} query parameter for clients that cannot set headers (a
 * browser's {@code EventSource}).
 */
final class Access {
  private final Authorizer authorizer;

  Access(Authorizer authorizer) {
    this.authorizer = authorizer;
  }

  /** Authenticates and checks read access; returns the user. */
  String read(HttpHeaders headers, String queryToken, String docId) {
    String user = authorizer.authenticate(token(headers, queryToken));
    authorizer.checkRead(user, docId);
    return user;
  }

  /** Authenticates and checks write access; returns the user. */
  String write(HttpHeaders headers, String queryToken, String docId) {
    String user = authorizer.authenticate(token(headers, queryToken));
    authorizer.checkWrite(user, docId);
    return user;
  }

  private static String token(HttpHeaders headers, String queryToken) {
    String header = headers.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    return queryToken == null ? "" : queryToken;
  }
}
