package dev.tandem.sequencer.auth;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A user's roles per document, as a token's {@code "tandem": {"docs": {PATTERN: ROLE, ...}}} claim
 * grants them, e.g. {@code {"team-42-*": "write", "handbook": "read"}}. Immutable.
 *
 * <p>The role on a document is that of the most specific {@link DocPattern} matching its id:
 *
 * <ol>
 *   <li>an exact id (no wildcard) beats any glob;
 *   <li>among globs, more literal (non-wildcard) characters win: {@code team-42-*} beats {@code
 *       team-*}, which beats {@code *};
 *   <li>then fewer {@code *}: {@code team-?} beats {@code team-*};
 *   <li>then more {@code ?}: {@code a*??} beats {@code a*?};
 *   <li>patterns still tied (e.g. {@code a*b} and {@code ab*}, both matching {@code abb}) resolve
 *       to the lesser of their roles: least privilege, whatever their order in the claim.
 * </ol>
 *
 * <p>A document that no pattern matches is forbidden: there is no implicit role.
 */
public final class DocumentRoles {
  private static final DocumentRoles NONE = new DocumentRoles(List.of());

  /** One pattern and its role. */
  public record Grant(DocPattern pattern, Role role) {}

  /** The grants in the order {@link #roleFor} tries them: most specific first, then least role. */
  private final List<Grant> grants;

  private DocumentRoles(List<Grant> grants) {
    List<Grant> ordered = new ArrayList<>(grants);
    ordered.sort(
        Comparator.comparing(Grant::pattern, DocPattern.MOST_SPECIFIC_FIRST)
            .thenComparing(Grant::role));
    this.grants = List.copyOf(ordered);
  }

  /** No role on any document. */
  public static DocumentRoles none() {
    return NONE;
  }

  /** The roles of {@code grants}, pattern text to role, e.g. {@code Map.of("team-42-*", WRITE)}. */
  public static DocumentRoles of(Map<String, Role> grants) {
    List<Grant> list = new ArrayList<>();
    grants.forEach((pattern, role) -> list.add(new Grant(new DocPattern(pattern), role)));
    return new DocumentRoles(list);
  }

  /**
   * Reads the value of the {@code tandem.docs} claim: an object of pattern to role name.
   *
   * @throws IllegalArgumentException naming the bad pattern or role
   */
  public static DocumentRoles fromClaim(Map<String, ?> docs) {
    Map<String, Role> grants = new LinkedHashMap<>();
    docs.forEach(
        (pattern, value) -> {
          Role role =
              (value instanceof String name ? Role.fromClaimValue(name) : Optional.<Role>empty())
                  .orElseThrow(
                      () ->
                          new IllegalArgumentException(
                              "role for pattern '"
                                  + new DocPattern(pattern)
                                  + "' is not read, write or admin"));
          grants.put(pattern, role);
        });
    return of(grants);
  }

  /**
   * Parses the command-line form {@code PATTERN=ROLE,PATTERN=ROLE}, e.g. {@code
   * team-42-*=write,handbook=read}.
   *
   * @throws IllegalArgumentException naming the bad entry
   */
  public static DocumentRoles parse(String spec) {
    Map<String, Role> grants = new LinkedHashMap<>();
    for (String entry : spec.split(",", -1)) {
      int equals = entry.lastIndexOf('=');
      Optional<Role> role =
          equals < 0 ? Optional.empty() : Role.fromClaimValue(entry.substring(equals + 1).trim());
      if (role.isEmpty()) {
        throw new IllegalArgumentException(
            "document roles entry '" + entry + "' (expected: PATTERN=read|write|admin)");
      }
      grants.put(entry.substring(0, equals).trim(), role.get());
    }
    return of(grants);
  }

  /** The role on {@code docId}: that of the most specific matching pattern; empty if none. */
  public Optional<Role> roleFor(String docId) {
    for (Grant grant : grants) {
      if (grant.pattern().matches(docId)) {
        return Optional.of(grant.role());
      }
    }
    return Optional.empty();
  }

  /** The grants, most specific first. */
  public List<Grant> grants() {
    return grants;
  }

  /** The claim value, pattern to role name, e.g. for minting a token. */
  public Map<String, String> toClaim() {
    Map<String, String> claim = new LinkedHashMap<>();
    grants.forEach(grant -> claim.put(grant.pattern().text(), grant.role().claimValue()));
    return claim;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DocumentRoles that && grants.equals(that.grants);
  }

  @Override
  public int hashCode() {
    return grants.hashCode();
  }

  @Override
  public String toString() {
    return grants.stream()
        .map(grant -> grant.pattern() + "=" + grant.role())
        .collect(Collectors.joining(", ", "{", "}"));
  }
}
