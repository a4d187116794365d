package dev.tandem.sequencer.auth;

import static dev.tandem.sequencer.auth.Tokens.NOW;
import static dev.tandem.sequencer.auth.Tokens.SECRET;
import static dev.tandem.sequencer.auth.Tokens.assertRefused;
import static dev.tandem.sequencer.auth.Tokens.claims;
import static dev.tandem.sequencer.auth.Tokens.hs256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.TandemException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenAuthorizerTest {
  private final Tokens.MovableClock clock = new Tokens.MovableClock(NOW);
  private final TokenAuthorizer authorizer =
      new TokenAuthorizer(TokenVerifier.builder().secret(SECRET).clock(clock).build());

  private Principal alice(Map<String, String> docs) {
    return authorizer.authenticate(hs256(claims(docs).build()));
  }

  @Test
  void aReadOnlyRoleCannotWrite() {
    Principal alice = alice(Map.of("handbook", "read"));
    authorizer.check(alice, "handbook", Role.READ);
    TandemException e =
        assertRefused(ErrorCode.FORBIDDEN, () -> authorizer.check(alice, "handbook", Role.WRITE));
    assertEquals("user 'alice' may read document 'handbook' (expected: write)", e.getMessage());
    assertRefused(ErrorCode.FORBIDDEN, () -> authorizer.check(alice, "handbook", Role.ADMIN));
  }

  @Test
  void adminImpliesWriteAndRead() {
    Principal alice = alice(Map.of("team-42-*", "admin"));
    for (Role role : Role.values()) {
      authorizer.check(alice, "team-42-plan", role);
    }
  }

  @Test
  void aDocumentNoPatternMatchesIsForbidden() {
    Principal alice = alice(Map.of("team-42-*", "write"));
    authorizer.check(alice, "team-42-a", Role.WRITE);
    TandemException e =
        assertRefused(ErrorCode.FORBIDDEN, () -> authorizer.check(alice, "team-4-a", Role.READ));
    assertEquals("user 'alice' has no role on document 'team-4-a'", e.getMessage());
    assertFalse(authorizer.allows(alice, "team-4-a", Role.READ));
    assertTrue(authorizer.allows(alice, "team-42-a", Role.WRITE));
  }

  @Test
  void aPrincipalWhoseTokenExpiredSinceIsUnauthorized() {
    Principal alice = alice(Map.of("*", "write"));
    clock.advance(Duration.ofHours(1).plusSeconds(59)); // within the 60 s skew
    authorizer.check(alice, "notes", Role.WRITE);
    clock.advance(Duration.ofSeconds(2));
    TandemException e =
        assertRefused(ErrorCode.UNAUTHORIZED, () -> authorizer.check(alice, "notes", Role.READ));
    assertEquals("token expired", e.getMessage());
    assertFalse(authorizer.allows(alice, "notes", Role.READ));
  }

  @Test
  void aFreshTokenMustNameTheSameUser() {
    Principal alice = alice(Map.of("*", "read"));
    Principal refreshed =
        authorizer.reauthenticate(alice, hs256(claims(Map.of("*", "write")).build()));
    assertEquals(Role.WRITE, refreshed.roleFor("notes").orElseThrow());
    TandemException e =
        assertRefused(
            ErrorCode.UNAUTHORIZED,
            () -> authorizer.reauthenticate(alice, hs256(claims().subject("mallory").build())));
    assertEquals("the new token is for another user than this connection's", e.getMessage());
  }

  @Test
  void aCustomAuthorizerWorksBehindTheNewInterface() {
    RoleAuthorizer allowAll = RoleAuthorizer.from(Authorizer.allowAll());
    Principal anonymous = allowAll.authenticate(null);
    assertEquals(Authorizer.AllowAll.USER, anonymous.userId());
    allowAll.check(anonymous, "anything", Role.ADMIN);

    Authorizer readOnly =
        new Authorizer() {
          @Override
          public String authenticate(String token) {
            return "reader";
          }

          @Override
          public void checkRead(String user, String docId) {}

          @Override
          public void checkWrite(String user, String docId) {
            throw new TandemException(ErrorCode.FORBIDDEN, user + " may only read");
          }
        };
    RoleAuthorizer adapted = RoleAuthorizer.from(readOnly);
    Principal reader = adapted.authenticate("t");
    adapted.check(reader, "doc", Role.READ);
    assertRefused(ErrorCode.FORBIDDEN, () -> adapted.check(reader, "doc", Role.WRITE));
    assertRefused(ErrorCode.FORBIDDEN, () -> adapted.check(reader, "doc", Role.ADMIN));
  }
}
