package dev.tandem.sequencer;

import java.util.Objects;

/**
 * The configured {@link Authorizer} with its answers checked, so a user id that breaks the id rule
 * (empty, too long, a control character, a lone surrogate, null) refuses the request that carried
 * the token with {@code bad_request}, at the edge, instead of failing later where the op is stored.
 * Every transport asks the authorizer through this one.
 */
final class CheckedAuthorizer implements Authorizer {
  private final Authorizer authorizer;

  CheckedAuthorizer(Authorizer authorizer) {
    this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
  }

  @Override
  public String authenticate(String token) {
    String user = authorizer.authenticate(token);
    String problem = dev.tandem.persistence.Ids.userIdProblem(user);
    if (problem != null) {
      throw TandemException.badRequest("the token names no valid user: " + problem);
    }
    return user;
  }

  @Override
  public void checkRead(String user, String docId) {
    authorizer.checkRead(user, docId);
  }

  @Override
  public void checkWrite(String user, String docId) {
    authorizer.checkWrite(user, docId);
  }

  @Override
  public String toString() {
    return authorizer.toString();
  }
}
