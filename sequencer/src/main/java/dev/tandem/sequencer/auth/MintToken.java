package dev.tandem.sequencer.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Mints a development token signed with the HS256 secret, for the demo and the README's curl
 * examples. Prints only the token.
 *
 * <pre>
 * java -cp 'sequencer/target/tandem-sequencer-*.jar:sequencer/target/lib/*' \
 *     dev.tandem.sequencer.auth.MintToken --secret-file tandem-secret \
 *     --sub alice --name Alice --docs 'team-42-*=write,handbook=read' --ttl 1h
 * </pre>
 *
 * Without {@code --secret-file} the secret is read from the {@code TANDEM_AUTH_SECRET} environment
 * variable. A token is a bearer credential: whoever holds it is that user until it expires.
 */
public final class MintToken {
  /** The environment variable holding the secret itself, as the server reads it too. */
  public static final String SECRET_VARIABLE = "TANDEM_AUTH_SECRET";

  static final String USAGE =
      "usage: MintToken [--secret-file FILE] --sub USER [--name NAME] [--color #rrggbb]\n"
          + "                 [--docs PATTERN=ROLE,...] [--ttl 1h] [--issuer ISS] [--audience AUD]\n"
          + "  the secret comes from --secret-file, else from "
          + SECRET_VARIABLE
          + "\n"
          + "  ROLE is read, write or admin; --ttl is e.g. 90s, 30m, 1h, 7d or PT1H\n";

  private static final List<String> FLAGS =
      List.of("secret-file", "sub", "name", "color", "docs", "ttl", "issuer", "audience");

  private MintToken() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), Clock.systemUTC(), System.out, System.err));
  }

  /** Mints a token from {@code args}; returns the exit status (0, or 2 for bad arguments). */
  static int run(
      String[] args, Map<String, String> env, Clock clock, PrintStream out, PrintStream err) {
    try {
      Map<String, String> flags = flags(args);
      HmacSecret secret = secret(flags, env);
      out.println(mint(secret, claims(flags, clock.instant())));
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("MintToken: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
  }

  /** Signs {@code claims} with {@code secret} (HS256, {@code typ: JWT}). */
  public static String mint(HmacSecret secret, JWTClaimsSet claims) {
    try {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
      jwt.sign(new MACSigner(secret.bytes()));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign with an HS256 secret", e);
    }
  }

  private static JWTClaimsSet claims(Map<String, String> flags, Instant now) {
    String sub = flags.get("sub");
    if (sub == null) {
      throw new IllegalArgumentException("--sub is required");
    }
    Duration ttl = parseTtl(flags.getOrDefault("ttl", "1h"));
    DocumentRoles roles =
        flags.containsKey("docs") ? DocumentRoles.parse(flags.get("docs")) : DocumentRoles.none();
    Instant expiresAt = now.plus(ttl);
    // Principal checks the user id, the name and the colour as the server will.
    Principal.of(sub, flags.get("name"), flags.get("color"), expiresAt, roles);
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .subject(sub)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(expiresAt))
            .claim("tandem", Map.of("docs", roles.toClaim()));
    if (flags.containsKey("name")) {
      claims.claim("name", flags.get("name"));
    }
    if (flags.containsKey("color")) {
      claims.claim("color", flags.get("color"));
    }
    if (flags.containsKey("issuer")) {
      claims.issuer(flags.get("issuer"));
    }
    if (flags.containsKey("audience")) {
      claims.audience(flags.get("audience"));
    }
    return claims.build();
  }

  private static HmacSecret secret(Map<String, String> flags, Map<String, String> env) {
    if (flags.containsKey("secret-file")) {
      return HmacSecret.fromFile(Path.of(flags.get("secret-file")));
    }
    String value = env.get(SECRET_VARIABLE);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("no secret: give --secret-file or set " + SECRET_VARIABLE);
    }
    return HmacSecret.fromValue(value, SECRET_VARIABLE);
  }

  /** A positive duration: {@code 90s}, {@code 30m}, {@code 1h}, {@code 7d}, or ISO-8601. */
  static Duration parseTtl(String text) {
    Duration ttl;
    try {
      String lower = text.toLowerCase(Locale.ROOT);
      if (lower.matches("[0-9]{1,9}[smhd]")) {
        long n = Long.parseLong(lower.substring(0, lower.length() - 1));
        ttl =
            switch (lower.charAt(lower.length() - 1)) {
              case 's' -> Duration.ofSeconds(n);
              case 'm' -> Duration.ofMinutes(n);
              case 'h' -> Duration.ofHours(n);
              default -> Duration.ofDays(n);
            };
      } else {
        ttl = Duration.parse(text);
      }
    } catch (DateTimeParseException e) {
      ttl = Duration.ZERO;
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException(
          "--ttl " + text + " (expected: a positive duration such as 90s, 30m, 1h, 7d or PT1H)");
    }
    return ttl;
  }

  private static Map<String, String> flags(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value;
      int equals = name.indexOf('=');
      if (equals >= 0) {
        value = name.substring(equals + 1);
        name = name.substring(0, equals);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("flag --" + name + " needs a value");
      }
      if (!FLAGS.contains(name)) {
        throw new IllegalArgumentException("unknown flag --" + name);
      }
      flags.put(name, value);
    }
    return flags;
  }
}
