package dev.tandem.sequencer.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies a signed token (a JWS-signed JWT) and reads the {@link Principal} it names. Built on
 * nimbus-jose-jwt; this class only chooses its settings and words its errors.
 *
 * <ul>
 *   <li>Keys: either HS256 with a shared {@link HmacSecret}, or RS256 and ES256 against a JWKS from
 *       a file or an http(s) URL. The JWKS is cached; a token whose {@code kid} is not in the cache
 *       makes it fetch the set again, at most twice per refresh interval (nimbus's rate limit: one
 *       for the cache's expiry, one for a rotation), so a key rotation needs no restart and a flood
 *       of unknown {@code kid}s costs at most two fetches per interval.
 *   <li>Only the configured algorithms are accepted: {@code alg: none}, encrypted tokens, an HS256
 *       token against a key set and an RS256/ES256 token against a secret are all refused, before
 *       any key is looked at. Keys in a token's own header ({@code jwk}, {@code jku}, {@code x5u})
 *       are never used.
 *   <li>Claims: {@code sub} and {@code exp} are required; {@code exp} and {@code nbf} are checked
 *       with the clock skew; {@code iss} and {@code aud} when configured.
 * </ul>
 *
 * <p>Every refusal is a {@link TandemException}: {@code unauthorized} for a token that is missing,
 * malformed, badly signed, expired, not yet valid or for another issuer or audience; {@code
 * unavailable} when the JWKS cannot be fetched (the token may be fine). No message quotes the token
 * or the secret.
 */
public final class TokenVerifier implements Closeable {
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
  public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(10);
  public static final Duration DEFAULT_JWKS_REFRESH_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_JWKS_CACHE_TTL = Duration.ofMinutes(5);
  public static final Duration DEFAULT_JWKS_HTTP_TIMEOUT = Duration.ofSeconds(2);

  /** Longer tokens are refused unparsed; real ones are a few hundred bytes to a few KiB. */
  public static final int MAX_TOKEN_LENGTH = 16 * 1024;

  /** The largest JWKS document fetched from a URL. */
  static final int MAX_JWKS_BYTES = 256 * 1024;

  private static final Logger log = LoggerFactory.getLogger(TokenVerifier.class);

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final Set<JWSAlgorithm> algorithms;
  private final JWKSource<SecurityContext> keys;
  private final String description;
  private final Duration clockSkew;
  private final Clock clock;

  private TokenVerifier(Builder builder) {
    this.clockSkew = builder.clockSkew;
    this.clock = builder.clock;
    String keysDescription;
    if (builder.secret != null) {
      this.algorithms = Set.of(JWSAlgorithm.HS256);
      this.keys = new ImmutableSecret<>(builder.secret.bytes());
      keysDescription = "HS256 with a " + builder.secret.length() + "-byte secret";
    } else {
      this.algorithms = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
      this.keys = jwks(builder);
      keysDescription = "RS256/ES256 with the JWKS at " + builder.jwks;
    }
    this.processor = new DefaultJWTProcessor<>();
    // RFC 9068 access tokens say "at+jwt"; most others say "JWT" or nothing.
    processor.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
    processor.setJWTClaimsSetVerifier(claimsVerifier(builder));
    this.description =
        keysDescription
            + (builder.issuer == null ? "" : ", issuer " + builder.issuer)
            + (builder.audience == null ? "" : ", audience " + builder.audience)
            + ", clock skew "
            + clockSkew.toSeconds()
            + " s";
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The principal that {@code token} names.
   *
   * @param token the compact JWT ({@code header.payload.signature}); null or blank for none
   * @throws TandemException {@code unauthorized} if the token is missing or not valid now, {@code
   *     unavailable} if the key set cannot be fetched
   */
  public Principal verify(String token) {
    if (token == null || token.isBlank()) {
      throw unauthorized("missing token (expected: a signed JWT)");
    }
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw unauthorized("token of " + token.length() + " chars is too long");
    }
    SignedJWT signed = parseSigned(token.trim());
    if (!algorithms.contains(signed.getHeader().getAlgorithm())) {
      throw unauthorized("token algorithm refused (expected: " + algorithmNames() + ")");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(signed, null);
    } catch (ExpiredJWTException e) {
      throw unauthorized("token expired");
    } catch (BadJWTException e) {
      // nimbus's fixed texts quote no claim value: "JWT before use time", "JWT iss claim value
      // rejected", "JWT aud claim rejected", "JWT missing required claims: [exp, sub]".
      throw unauthorized("token refused: " + e.getMessage());
    } catch (BadJWSException e) {
      throw unauthorized("token signature is invalid");
    } catch (BadJOSEException e) {
      throw unauthorized("token refused: no key matches its key id (kid) and algorithm");
    } catch (RateLimitReachedException e) {
      throw unauthorized(
          "token refused: no key matches its key id (kid), and the key set was fetched too"
              + " recently to fetch it again");
    } catch (KeySourceException e) {
      log.warn("cannot load the key set for {}: {}", description, e.toString());
      throw Errors.unavailable("the key set (JWKS) that verifies tokens cannot be loaded");
    } catch (JOSEException e) {
      throw unauthorized("token cannot be verified");
    }
    return principal(claims);
  }

  /** How long past {@code exp} (and before {@code nbf}) a token is still accepted. */
  public Duration clockSkew() {
    return clockSkew;
  }

  /** The clock that {@code exp} and {@code nbf} are checked against. */
  public Clock clock() {
    return clock;
  }

  private SignedJWT parseSigned(String token) {
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      throw unauthorized("malformed token (expected: a signed JWT, header.payload.signature)");
    }
    if (!(jwt instanceof SignedJWT signed)) {
      throw unauthorized(
          "unsigned or encrypted token refused (expected: signed with " + algorithmNames() + ")");
    }
    return signed;
  }

  private static Principal principal(JWTClaimsSet claims) {
    try {
      return Principal.of(
          claims.getSubject(),
          claims.getStringClaim("name"),
          claims.getStringClaim("color"),
          claims.getExpirationTime().toInstant(),
          roles(claims));
    } catch (ParseException | IllegalArgumentException e) {
      throw unauthorized("token claims refused: " + e.getMessage());
    }
  }

  /** The {@code tandem.docs} claim; none at all grants nothing. */
  private static DocumentRoles roles(JWTClaimsSet claims) throws ParseException {
    Map<String, Object> tandem = claims.getJSONObjectClaim("tandem");
    if (tandem == null || tandem.get("docs") == null) {
      return DocumentRoles.none();
    }
    if (!(tandem.get("docs") instanceof Map<?, ?> docs)) {
      throw new IllegalArgumentException("tandem.docs is not an object of pattern to role");
    }
    @SuppressWarnings("unchecked") // JSON object keys are strings
    Map<String, ?> byPattern = (Map<String, ?>) docs;
    return DocumentRoles.fromClaim(byPattern);
  }

  private String algorithmNames() {
    return algorithms.stream()
        .map(JWSAlgorithm::getName)
        .sorted()
        .collect(Collectors.joining(" or "));
  }

  private static TandemException unauthorized(String message) {
    return Errors.unauthorized(message);
  }

  private static DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier(Builder builder) {
    Set<String> required = new HashSet<>(Set.of("sub", "exp"));
    JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
    if (builder.issuer != null) {
      required.add("iss");
      exact.issuer(builder.issuer);
    }
    Set<String> audience = null;
    if (builder.audience != null) {
      required.add("aud");
      audience = Set.of(builder.audience);
    }
    Clock clock = builder.clock;
    DefaultJWTClaimsVerifier<SecurityContext> verifier =
        new DefaultJWTClaimsVerifier<>(audience, exact.build(), required, null) {
          @Override
          protected Date currentTime() {
            return Date.from(clock.instant());
          }
        };
    verifier.setMaxClockSkew((int) builder.clockSkew.toSeconds());
    return verifier;
  }

  private static JWKSource<SecurityContext> jwks(Builder builder) {
    JWKSetSource<SecurityContext> source;
    String location = builder.jwks;
    if (location.startsWith("https://") || location.startsWith("http://")) {
      URL url = jwksUrl(location);
      int timeout = (int) builder.jwksHttpTimeout.toMillis();
      source =
          new URLBasedJWKSetSource<>(
              url, new DefaultResourceRetriever(timeout, timeout, MAX_JWKS_BYTES));
    } else {
      JwksFile file =
          new JwksFile(
              location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location));
      requireVerificationKeys(file);
      source = file;
    }
    return JWKSourceBuilder.create(source)
        .cache(builder.jwksCacheTtl.toMillis(), builder.jwksHttpTimeout.toMillis() * 2)
        .rateLimited(builder.jwksRefreshInterval.toMillis())
        .refreshAheadCache(false)
        .retrying(false)
        .outageTolerant(false)
        .build();
  }

  /** A JWKS URL: https, or http from a loopback host (where nobody can tamper with the keys). */
  private static URL jwksUrl(String location) {
    URL url;
    try {
      url = URI.create(location).toURL();
    } catch (IllegalArgumentException | MalformedURLException e) {
      throw new IllegalArgumentException("auth JWKS URL " + location + " is not a valid URL", e);
    }
    if (url.getProtocol().equals("http") && !isLoopback(url.getHost())) {
      throw new IllegalArgumentException(
          "auth JWKS URL "
              + location
              + " uses plain http to a host that is not loopback (expected: https://, so nobody"
              + " on the way can replace the keys)");
    }
    return url;
  }

  private static boolean isLoopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (!literal.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return false; // a name other than localhost: not resolved here, so not trusted
    }
    try {
      return InetAddress.getByName(literal).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** A JWKS file is read at start-up too, so a wrong path or an empty set fails then, not later. */
  private static void requireVerificationKeys(JwksFile file) {
    JWKSet set;
    try {
      set = file.load();
    } catch (KeySourceException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    boolean any =
        set.getKeys().stream()
            .map(JWK::getKeyType)
            .anyMatch(type -> type.equals(KeyType.RSA) || type.equals(KeyType.EC));
    if (!any) {
      throw new IllegalArgumentException(
          "auth JWKS file " + file + " holds no RSA or EC key (expected: keys for RS256, ES256)");
    }
  }

  @Override
  public void close() {
    if (keys instanceof Closeable closeable) {
      try {
        closeable.close();
      } catch (IOException e) {
        log.warn("closing the key set of {}", description, e);
      }
    }
  }

  /** The settings, fit to print: never the secret. */
  @Override
  public String toString() {
    return "TokenVerifier[" + description + "]";
  }

  /** Settings of a {@link TokenVerifier}: exactly one of {@link #secret} and {@link #jwks}. */
  public static final class Builder {
    private HmacSecret secret;
    private String jwks;
    private String issuer;
    private String audience;
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private Duration jwksRefreshInterval = DEFAULT_JWKS_REFRESH_INTERVAL;
    private Duration jwksCacheTtl = DEFAULT_JWKS_CACHE_TTL;
    private Duration jwksHttpTimeout = DEFAULT_JWKS_HTTP_TIMEOUT;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Verifies HS256 tokens with {@code value} ({@code --auth-secret-file}). */
    public Builder secret(HmacSecret value) {
      secret = Objects.requireNonNull(value, "secret");
      return this;
    }

    /**
     * Verifies RS256 and ES256 tokens against the JWKS at {@code location} ({@code --auth-jwks}):
     * an {@code https://} URL, an {@code http://} URL on a loopback host, or a file path.
     */
    public Builder jwks(String location) {
      jwks = Objects.requireNonNull(location, "jwks");
      return this;
    }

    /** Requires {@code iss} to be exactly {@code value} ({@code --auth-issuer}); null for any. */
    public Builder issuer(String value) {
      issuer = value;
      return this;
    }

    /** Requires {@code aud} to include {@code value} ({@code --auth-audience}); null for any. */
    public Builder audience(String value) {
      audience = value;
      return this;
    }

    /** How far the issuer's clock may be off ours, for {@code exp} and {@code nbf}. */
    public Builder clockSkew(Duration value) {
      clockSkew = Objects.requireNonNull(value, "clockSkew");
      return this;
    }

    /** The shortest time between two JWKS fetches beyond the second (see the class comment). */
    public Builder jwksRefreshInterval(Duration value) {
      jwksRefreshInterval = Objects.requireNonNull(value, "jwksRefreshInterval");
      return this;
    }

    /** How long a fetched JWKS is used before it is fetched again; longer than the interval. */
    public Builder jwksCacheTtl(Duration value) {
      jwksCacheTtl = Objects.requireNonNull(value, "jwksCacheTtl");
      return this;
    }

    /** The connect and the read timeout of a JWKS fetch. */
    public Builder jwksHttpTimeout(Duration value) {
      jwksHttpTimeout = Objects.requireNonNull(value, "jwksHttpTimeout");
      return this;
    }

    /** The clock {@code exp} and {@code nbf} are checked against; for tests. */
    public Builder clock(Clock value) {
      clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * @throws IllegalArgumentException if neither or both key sources are set, a duration is out of
     *     range, or the JWKS file cannot be read
     */
    public TokenVerifier build() {
      if ((secret == null) == (jwks == null)) {
        throw new IllegalArgumentException(
            "token verification needs exactly one of --auth-secret-file and --auth-jwks");
      }
      if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
        throw new IllegalArgumentException(
            "auth clock skew " + clockSkew.toSeconds() + " s (expected: 0 to 600 s)");
      }
      if (jwksRefreshInterval.isNegative()
          || jwksRefreshInterval.isZero()
          || jwksCacheTtl.compareTo(jwksRefreshInterval) <= 0) {
        throw new IllegalArgumentException(
            "JWKS refresh interval "
                + jwksRefreshInterval.toMillis()
                + " ms and cache time "
                + jwksCacheTtl.toMillis()
                + " ms (expected: 0 < interval < cache time)");
      }
      if (jwksHttpTimeout.isNegative() || jwksHttpTimeout.isZero()) {
        throw new IllegalArgumentException("JWKS HTTP timeout must be positive");
      }
      if ("".equals(issuer) || "".equals(audience)) {
        throw new IllegalArgumentException("auth issuer and audience must not be empty");
      }
      return new TokenVerifier(this);
    }
  }
}
