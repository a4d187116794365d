package dev.tandem.sequencer.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Who is on the other end of a connection or request, as a verified token says: the user id ({@code
 * sub}) recorded with every op, the display name and colour presence shows, when the token expires,
 * and the roles it grants per document. Immutable; holds no token and no secret.
 */
public final class Principal {
  /** The longest user id or display name accepted, in chars. */
  public static final int MAX_NAME_LENGTH = 128;

  private final String userId;
  private final String displayName;
  private final String color;
  private final Instant expiresAt;
  private final DocumentRoles roles;

  private Principal(
      String userId, String displayName, String color, Instant expiresAt, DocumentRoles roles) {
    this.userId = checkName(userId, "user id");
    this.displayName = checkName(displayName, "display name");
    this.color = color == null ? null : checkColor(color);
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    this.roles = Objects.requireNonNull(roles, "roles");
  }

  /**
   * A principal whose display name is {@code displayName}, or the user id when that is null.
   *
   * @param color a CSS hex colour {@code #rgb} or {@code #rrggbb}, or null for none
   * @throws IllegalArgumentException if a name is empty, too long or has a control character, or
   *     the colour is not a hex colour
   */
  public static Principal of(
      String userId, String displayName, String color, Instant expiresAt, DocumentRoles roles) {
    return new Principal(
        userId, displayName == null ? userId : displayName, color, expiresAt, roles);
  }

  /**
   * A principal that only names a user, for an {@link dev.tandem.sequencer.Authorizer} that keeps
   * rights elsewhere: no expiry, no roles of its own.
   */
  public static Principal user(String userId) {
    return new Principal(userId, userId, null, Instant.MAX, DocumentRoles.none());
  }

  /** The user id, the token's {@code sub}: recorded with every op, shown in presence. */
  public String userId() {
    return userId;
  }

  /** The name presence shows: the token's {@code name} claim, or the user id without one. */
  public String displayName() {
    return displayName;
  }

  /** The colour presence shows, from the token's {@code color} claim. */
  public Optional<String> color() {
    return Optional.ofNullable(color);
  }

  /** When the token expires ({@code exp}); {@link Instant#MAX} for never. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** Whether the token has expired at {@code now}, allowing {@code clockSkew} past its expiry. */
  public boolean expiredAt(Instant now, Duration clockSkew) {
    return now.minus(clockSkew).isAfter(expiresAt);
  }

  /** The roles per document. */
  public DocumentRoles roles() {
    return roles;
  }

  /** The role on {@code docId}, if any pattern grants one. */
  public Optional<Role> roleFor(String docId) {
    return roles.roleFor(docId);
  }

  private static String checkName(String name, String what) {
    Objects.requireNonNull(name, what);
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          what + " length " + name.length() + " (expected: 1 to " + MAX_NAME_LENGTH + ")");
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(what + " contains a control character");
    }
    return name;
  }

  private static String checkColor(String color) {
    if (!color.matches("#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")) {
      throw new IllegalArgumentException("color (expected: #rgb or #rrggbb)");
    }
    return color;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Principal that
        && userId.equals(that.userId)
        && displayName.equals(that.displayName)
        && Objects.equals(color, that.color)
        && expiresAt.equals(that.expiresAt)
        && roles.equals(that.roles);
  }

  @Override
  public int hashCode() {
    return Objects.hash(userId, displayName, color, expiresAt, roles);
  }

  @Override
  public String toString() {
    return "Principal["
        + userId
        + (displayName.equals(userId) ? "" : " (" + displayName + ")")
        + ", expires "
        + (expiresAt.equals(Instant.MAX) ? "never" : expiresAt)
        + ", roles "
        + roles
        + "]";
  }
}
