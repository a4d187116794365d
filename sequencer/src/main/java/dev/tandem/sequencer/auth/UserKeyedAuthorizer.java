package dev.tandem.sequencer.auth;

import dev.tandem.sequencer.Authorizer;
import dev.tandem.sequencer.ErrorCode;
import dev.tandem.sequencer.TandemException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link RoleAuthorizer} behind the older {@link Authorizer} interface, until the transports keep
 * a {@link Principal} per connection: {@code authenticate} returns the user id and remembers that
 * user's principal, and {@code checkRead}/{@code checkWrite} look it up again.
 *
 * <p>The stopgap's limit: rights are keyed by user, so the principal of a user's most recently
 * authenticated token decides for all of that user's connections (a newer token with fewer roles
 * narrows the older connections too; one expired token ends them all until the user authenticates
 * again). {@code admin} cannot be asked for here: the old interface's {@code checkWrite} also
 * covers checkpoints.
 */
final class UserKeyedAuthorizer implements Authorizer {
  /**
   * Past this many remembered users, those expired beyond any clock skew are dropped at each
   * authentication.
   */
  private static final int PRUNE_ABOVE = 1024;

  private final RoleAuthorizer authorizer;
  private final Map<String, Principal> principals = new ConcurrentHashMap<>();

  UserKeyedAuthorizer(RoleAuthorizer authorizer) {
    this.authorizer = authorizer;
  }

  @Override
  public String authenticate(String token) {
    Principal principal = authorizer.authenticate(token);
    if (principals.size() > PRUNE_ABOVE) {
      Instant now = Instant.now();
      principals.values().removeIf(p -> p.expiredAt(now, TokenVerifier.MAX_CLOCK_SKEW));
    }
    principals.put(principal.userId(), principal);
    return principal.userId();
  }

  @Override
  public void checkRead(String user, String docId) {
    authorizer.check(principal(user), docId, Role.READ);
  }

  @Override
  public void checkWrite(String user, String docId) {
    authorizer.check(principal(user), docId, Role.WRITE);
  }

  private Principal principal(String user) {
    Principal principal = principals.get(user);
    if (principal == null) {
      throw new TandemException(ErrorCode.UNAUTHORIZED, "user '" + user + "' is not authenticated");
    }
    return principal;
  }

  @Override
  public boolean requiresToken() {
    return authorizer.requiresToken();
  }

  @Override
  public String toString() {
    return authorizer.toString();
  }
}
