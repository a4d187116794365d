package dev.tandem.sequencer.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a user may do with one document. Each role includes the ones before it: {@code read < write
 * < admin}.
 *
 * <ul>
 *   <li>{@link #READ}: open, text, history, events (SSE), presence.
 *   <li>{@link #WRITE}: submit, create (and everything {@code read} allows).
 *   <li>{@link #ADMIN}: checkpoints and document tooling (and everything {@code write} allows).
 * </ul>
 */
public enum Role {
  READ,
  WRITE,
  ADMIN;

  /** Whether a user holding this role may do what {@code required} allows. */
  public boolean includes(Role required) {
    return compareTo(required) >= 0;
  }

  /** The role as it appears in a token's claim: {@code read}, {@code write} or {@code admin}. */
  public String claimValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role whose {@link #claimValue()} is {@code value} exactly, if any. */
  public static Optional<Role> fromClaimValue(String value) {
    for (Role role : values()) {
      if (role.claimValue().equals(value)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return claimValue();
  }
}
