package com.example;

import dev.tandem.sequencer.auth.Principal;
import dev.tandem.sequencer.auth.Role;
import dev.tandem.sequencer.auth.RoleAuthorizer;
import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.TandemException;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The worked example of docs/running.md of a team's own authentication ({@code --auth class:NAME}):
 * the token is the application's session id, looked up in its session store; a user may read and
 * write the documents named after them ({@code alice-notes}), and only read {@code handbook}.
 *
 * <p>Here the session store is the system property {@code example.sessions} ({@code
 * session=user,...}); a real one would ask the application's database or session service.
 */
public final class SessionAuthorizer implements RoleAuthorizer {
  private final Map<String, String> sessions =
      Stream.of(System.getProperty("example.sessions", "").split(","))
          .filter(entry -> entry.contains("="))
          .map(entry -> entry.split("=", 2))
          .collect(Collectors.toMap(pair -> pair[0], pair -> pair[1]));

  @Override
  public Principal authenticate(String token) {
    String user = token == null ? null : sessions.get(token);
    if (user == null) {
      throw new TandemException(ErrorCode.UNAUTHORIZED, "no such session; sign in again");
    }
    return Principal.user(user);
  }

  @Override
  public void check(Principal principal, String docId, Role required) {
    boolean own = docId.startsWith(principal.userId() + "-");
    boolean handbook = docId.equals("handbook") && required == Role.READ;
    if (!own && !handbook) {
      throw new TandemException(
          ErrorCode.FORBIDDEN, principal.userId() + " may not " + required + " " + docId);
    }
  }
}
