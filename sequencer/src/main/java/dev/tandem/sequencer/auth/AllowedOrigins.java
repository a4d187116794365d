package dev.tandem.sequencer.auth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The web origins ({@code --allowed-origins}) whose pages may open a WebSocket and call REST/SSE
 * cross-origin: one list for the upgrade's {@code Origin} check and for CORS. Immutable.
 *
 * <p>Origins compare as RFC 6454 says: scheme and host case-insensitive, a default port (80 for
 * http, 443 for https) the same as none. An empty list allows only same-origin requests (the {@code
 * Origin}'s host and port equal the {@code Host} header's); {@code *} allows every origin. A
 * request without {@code Origin} is not from a browser page (browsers send it on every WebSocket
 * upgrade and cross-origin request) and is allowed; the opaque origin {@code null} (sandboxed
 * frames, {@code file:} pages) is refused unless {@code *} is set.
 */
public final class AllowedOrigins {
  private static final AllowedOrigins SAME_ORIGIN = new AllowedOrigins(Set.of(), false);

  private final Set<String> origins;
  private final boolean any;

  private AllowedOrigins(Set<String> origins, boolean any) {
    this.origins = Set.copyOf(origins);
    this.any = any;
  }

  /** Same-origin requests only: the default. */
  public static AllowedOrigins sameOrigin() {
    return SAME_ORIGIN;
  }

  /**
   * Reads the setting: comma-separated origins such as {@code https://edit.example.com,
   * http://localhost:5173}, or {@code *}; empty for same-origin only.
   *
   * @throws IllegalArgumentException naming an entry that is not {@code scheme://host[:port]}
   */
  public static AllowedOrigins parse(String setting) {
    Set<String> origins = new LinkedHashSet<>();
    boolean any = false;
    for (String entry : setting.split(",")) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (trimmed.equals("*")) {
        any = true;
        continue;
      }
      origins.add(
          normalize(trimmed)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "allowed origin '"
                              + trimmed
                              + "' (expected: http:// or https:// host and optional port, no path;"
                              + " or *)")));
    }
    return new AllowedOrigins(origins, any);
  }

  /**
   * Whether a request with this {@code Origin} header may proceed.
   *
   * @param origin the {@code Origin} header, null if absent
   * @param host the {@code Host} header, null if absent; for the same-origin rule
   */
  public boolean allows(String origin, String host) {
    if (origin == null) {
      return true;
    }
    if (any) {
      return true;
    }
    Optional<String> normalized = normalize(origin);
    if (normalized.isEmpty()) {
      return false; // "null", or not an origin at all
    }
    if (origins.contains(normalized.get())) {
      return true;
    }
    return host != null && sameAuthority(normalized.get(), host);
  }

  /** Whether every origin is allowed ({@code *}). */
  public boolean allowsAny() {
    return any;
  }

  /** {@code scheme://host[:port]}, lower-case, without a default port; empty if not an origin. */
  static Optional<String> normalize(String origin) {
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean bare =
        (uri.getRawPath() == null || uri.getRawPath().isEmpty())
            && uri.getRawQuery() == null
            && uri.getRawFragment() == null
            && uri.getRawUserInfo() == null;
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || !bare) {
      return Optional.empty();
    }
    int port = uri.getPort();
    boolean defaultPort =
        port == -1
            || (scheme.equals("http") && port == 80)
            || (scheme.equals("https") && port == 443);
    return Optional.of(
        scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port));
  }

  /**
   * Whether {@code origin} (normalized) names the host and port of the {@code Host} header. Behind
   * a TLS proxy the server cannot tell the scheme, so a {@code Host} without a port, or with the
   * origin scheme's default port, matches the origin's default port.
   */
  private static boolean sameAuthority(String origin, String host) {
    boolean https = origin.startsWith("https://");
    String originAuthority = origin.substring(https ? 8 : 7);
    String hostAuthority = host.trim().toLowerCase(Locale.ROOT);
    String defaultPort = https ? ":443" : ":80";
    if (hostAuthority.endsWith(defaultPort) && hasPort(hostAuthority)) {
      hostAuthority = hostAuthority.substring(0, hostAuthority.length() - defaultPort.length());
    }
    return originAuthority.equals(hostAuthority);
  }

  private static boolean hasPort(String authority) {
    int colon = authority.lastIndexOf(':');
    return colon > authority.lastIndexOf(']');
  }

  @Override
  public String toString() {
    return any ? "*" : origins.isEmpty() ? "same origin" : String.join(",", origins);
  }
}
