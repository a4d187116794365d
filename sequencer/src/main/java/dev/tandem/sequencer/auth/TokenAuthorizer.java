package dev.tandem.sequencer.auth;

import dev.tandem.sequencer.error.Errors;
import java.time.Instant;
import java.util.Objects;

/**
 * Authorizes with signed tokens: {@link TokenVerifier} names the principal, and the roles of its
 * {@code tandem.docs} claim decide each check (most specific pattern wins; no match, no access). A
 * principal whose token has expired since it was verified is {@code unauthorized}, so a live
 * connection cannot outlive its token.
 */
public final class TokenAuthorizer implements RoleAuthorizer {
  private final TokenVerifier verifier;

  public TokenAuthorizer(TokenVerifier verifier) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
  }

  @Override
  public Principal authenticate(String token) {
    return verifier.verify(token);
  }

  @Override
  public void check(Principal principal, String docId, Role required) {
    if (principal.expiredAt(verifier.clock().instant(), verifier.clockSkew())) {
      throw Errors.tokenExpired();
    }
    Role granted =
        principal
            .roleFor(docId)
            .orElseThrow(
                () ->
                    Errors.forbidden(
                        "user '"
                            + principal.userId()
                            + "' has no role on document '"
                            + docId
                            + "'"));
    if (!granted.includes(required)) {
      throw Errors.forbidden(
          "user '"
              + principal.userId()
              + "' may "
              + granted
              + " document '"
              + docId
              + "' (expected: "
              + required
              + ")");
    }
  }

  /** Checks read the token's claims: nothing is waited for. */
  @Override
  public boolean checksFromMemory() {
    return true;
  }

  /** The token's expiry plus the clock skew. */
  @Override
  public Instant acceptedUntil(Principal principal) {
    Instant expiresAt = principal.expiresAt();
    return expiresAt.isAfter(Instant.MAX.minus(verifier.clockSkew()))
        ? Instant.MAX
        : expiresAt.plus(verifier.clockSkew());
  }

  @Override
  public String toString() {
    return "TokenAuthorizer[" + verifier + "]";
  }
}
