package dev.tandem.client;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Who the server says this client is, from {@code welcome {user, name, color?, exp?}} and, after a
 * token refresh, {@code authed {user, exp}}.
 *
 * @param userId the user id (the token's {@code sub}) recorded with every op
 * @param name the display name presence shows (the user id when the token has none)
 * @param color the token's presence colour, if it has one
 * @param expiresAt when the token expires; empty when it never does (auth off)
 */
public record Identity(
    String userId, String name, Optional<String> color, Optional<Instant> expiresAt) {
  public Identity {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(color, "color");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
