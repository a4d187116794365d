package dev.tandem.sequencer.auth;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The host names the server answers to ({@code --allowed-hosts}), checked against every request's
 * {@code Host} header, so that a web page using DNS rebinding (its own name, resolved to {@code
 * 127.0.0.1}) cannot reach a developer's local server. Immutable.
 *
 * <p>Names compare case-insensitively and without the port. {@code *} allows any name; a server
 * bound to loopback with no list allows the loopback names only ({@code localhost}, {@code
 * 127.0.0.1}, {@code [::1]}); a server bound elsewhere with no list allows any name (it cannot know
 * its names; set the list behind a proxy).
 */
public final class AllowedHosts {
  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");

  private final Set<String> names;
  private final boolean any;

  private AllowedHosts(Set<String> names, boolean any) {
    this.names = Set.copyOf(names);
    this.any = any;
  }

  /**
   * Reads the setting: comma-separated host names (no ports), or {@code *}; empty for the default.
   *
   * @param boundToLoopback whether the server listens on a loopback address only, for the default
   * @throws IllegalArgumentException naming an entry that is not a host name
   */
  public static AllowedHosts parse(String setting, boolean boundToLoopback) {
    Set<String> names = new LinkedHashSet<>();
    boolean any = false;
    for (String entry : setting.split(",")) {
      String name = entry.trim().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      if (name.equals("*")) {
        any = true;
      } else if (name.matches("[a-z0-9.-]+|\\[[0-9a-f:.]+\\]")) {
        names.add(name);
      } else {
        throw new IllegalArgumentException(
            "allowed host '"
                + entry.trim()
                + "' (expected: a host name or address without port, IPv6 in brackets; or *)");
      }
    }
    if (names.isEmpty() && !any) {
      return boundToLoopback
          ? new AllowedHosts(LOOPBACK_NAMES, false)
          : new AllowedHosts(names, true);
    }
    return new AllowedHosts(names, any);
  }

  /** Whether to serve a request with this {@code Host} header (null if absent). */
  public boolean allows(String host) {
    if (any) {
      return true;
    }
    if (host == null) {
      return false;
    }
    String name = host.trim().toLowerCase(Locale.ROOT);
    int colon = name.lastIndexOf(':');
    if (colon > name.lastIndexOf(']')) {
      name = name.substring(0, colon);
    }
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1); // "localhost." is "localhost"
    }
    return names.contains(name);
  }

  @Override
  public String toString() {
    return any ? "*" : String.join(",", names);
  }
}
