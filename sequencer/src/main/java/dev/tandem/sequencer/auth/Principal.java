package dev.tandem.sequencer.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Who is on the other end of a connection or request, as a verified token says: the user id ({@code
 * sub}) recorded with every op, the display name and colour presence shows, when the token expires,
 * and the roles it grants per document. Immutable; holds no token and no secret.
 *
 * <p>The user id and the display name follow the one user-id rule of {@link
 * dev.tandem.persistence.Ids}: 1–200 code points of well-formed UTF-16 without control characters
 * (the display name defaults to the user id, and both are relayed to every co-editor).
 */
public final class Principal {
  private final String userId;
  private final String displayName;
  private final String color;
  private final Instant expiresAt;
  private final DocumentRoles roles;
  private final boolean hasProfile;

  private Principal(
      String userId,
      String displayName,
      String color,
      Instant expiresAt,
      DocumentRoles roles,
      boolean hasProfile) {
    this.userId = checkName(userId, "user id");
    this.displayName = checkName(displayName, "display name");
    this.color = color == null ? null : checkColor(color);
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    this.roles = Objects.requireNonNull(roles, "roles");
    this.hasProfile = hasProfile;
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
        userId, displayName == null ? userId : displayName, color, expiresAt, roles, true);
  }

  /**
   * A principal that only names a user, for an {@link dev.tandem.sequencer.auth.Authorizer} that
   * keeps rights elsewhere: no expiry, no roles of its own, no {@linkplain #hasProfile profile}.
   *
   * @throws IllegalArgumentException if the user id breaks the user-id rule
   */
  public static Principal user(String userId) {
    return new Principal(userId, userId, null, Instant.MAX, DocumentRoles.none(), false);
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

  /**
   * Whether the display name and colour come from the authority that vouched for this principal (a
   * verified token, {@link #of}), so that presence shows them instead of what the client says; a
   * principal that only names a user ({@link #user}) has none, and its clients' presence {@code
   * meta} is relayed as sent.
   */
  public boolean hasProfile() {
    return hasProfile;
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
    String problem = dev.tandem.persistence.Ids.userIdProblem(name); // names the user id
    if (problem != null) {
      throw new IllegalArgumentException(what + problem.substring("user id".length()));
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
        && roles.equals(that.roles)
        && hasProfile == that.hasProfile;
  }

  @Override
  public int hashCode() {
    return Objects.hash(userId, displayName, color, expiresAt, roles, hasProfile);
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
