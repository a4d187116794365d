package dev.tandem.sequencer.cli;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.tandem.sequencer.auth.DocumentRoles;
import dev.tandem.sequencer.auth.HmacSecret;
import dev.tandem.sequencer.auth.Principal;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tandem token}: mints a development token signed with the HS256 secret, for the demo page
 * and the README's curl examples. Prints only the token, so {@code TOKEN=$(...)} works.
 *
 * <pre>
 * java -cp 'sequencer/target/tandem-sequencer-0.1.0-SNAPSHOT.jar:sequencer/target/lib/*' \
 *     dev.tandem.sequencer.cli.TokenCommand --secret-file tandem-secret \
 *     --sub alice --name Alice --docs 'team-42-*=write,handbook=read' --ttl 1h
 * </pre>
 *
 * A token is a bearer credential: whoever holds it is that user until it expires.
 */
@Command(
    name = "token",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Mints a development token signed with the HS256 secret and prints it (only it).",
      "The secret comes from --secret-file, else from the environment variable "
          + TokenCommand.SECRET_VARIABLE
          + ".",
      "A token is a bearer credential: whoever holds it is that user until it expires."
    },
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {"0:the token was printed", "2:bad arguments or secret (nothing printed)"})
public final class TokenCommand implements Callable<Integer> {
  /** The environment variable holding the secret itself, as the server reads it too. */
  public static final String SECRET_VARIABLE = "TANDEM_AUTH_SECRET";

  @Spec private CommandSpec spec;

  @Option(
      names = "--secret-file",
      paramLabel = "FILE",
      description = "file holding the HS256 secret (at least 32 bytes), as the server's")
  private Path secretFile;

  @Option(
      names = "--sub",
      required = true,
      paramLabel = "USER",
      description = "the user id (sub): recorded with every op, shown in presence")
  private String sub;

  @Option(names = "--name", paramLabel = "NAME", description = "display name (default: the sub)")
  private String name;

  @Option(
      names = "--color",
      paramLabel = "#rrggbb",
      description = "presence colour, #rgb or #rrggbb")
  private String color;

  @Option(
      names = "--docs",
      paramLabel = "PATTERN=ROLE,...",
      description = {
        "roles per document: ROLE is read, write or admin; * and ? are wildcards,",
        "e.g. 'team-42-*=write,handbook=read' (default: none, the token grants nothing)"
      })
  private String docs;

  @Option(
      names = "--ttl",
      paramLabel = "DURATION",
      defaultValue = "1h",
      converter = TtlConverter.class,
      description = "lifetime: 90s, 30m, 1h, 7d or ISO-8601 (PT1H30M); default ${DEFAULT-VALUE}")
  private Duration ttl;

  @Option(names = "--issuer", paramLabel = "ISS", description = "iss claim (--auth-issuer)")
  private String issuer;

  @Option(names = "--audience", paramLabel = "AUD", description = "aud claim (--auth-audience)")
  private String audience;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "print this help and exit")
  private boolean help;

  private final Map<String, String> environment;
  private final Clock clock;

  private TokenCommand(Map<String, String> environment, Clock clock) {
    this.environment = environment;
    this.clock = clock;
  }

  public static void main(String[] args) {
    System.exit(
        run(
            args,
            System.getenv(),
            Clock.systemUTC(),
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true)));
  }

  /** Runs the command on {@code args}; returns the exit status (0, or 2 for bad arguments). */
  static int run(
      String[] args,
      Map<String, String> environment,
      Clock clock,
      PrintWriter out,
      PrintWriter err) {
    return commandLine(environment, clock).setOut(out).setErr(err).execute(args);
  }

  /** The command, for a parent {@code tandem} command to add as its subcommand {@code token}. */
  public static CommandLine commandLine(Map<String, String> environment, Clock clock) {
    return new CommandLine(new TokenCommand(environment, clock));
  }

  @Override
  public Integer call() {
    try {
      String token = secret().sign(claims(clock.instant()));
      spec.commandLine().getOut().println(token);
      return 0;
    } catch (IllegalArgumentException e) {
      // a bad role, name, colour or secret: picocli prints the message and the usage, status 2
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  private JWTClaimsSet claims(Instant now) {
    DocumentRoles roles = docs != null ? DocumentRoles.parse(docs) : DocumentRoles.none();
    Instant expiresAt = now.plus(ttl);
    // Principal checks the user id, the name and the colour as the server will.
    Principal.of(sub, name, color, expiresAt, roles);
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .subject(sub)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(expiresAt))
            .claim("tandem", Map.of("docs", roles.toClaim()));
    if (name != null) {
      claims.claim("name", name);
    }
    if (color != null) {
      claims.claim("color", color);
    }
    if (issuer != null) {
      claims.issuer(issuer);
    }
    if (audience != null) {
      claims.audience(audience);
    }
    return claims.build();
  }

  private HmacSecret secret() {
    if (secretFile != null) {
      return HmacSecret.fromFile(secretFile);
    }
    String value = environment.get(SECRET_VARIABLE);
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

  /** picocli's converter for {@code --ttl}: its message names the value and what is expected. */
  static final class TtlConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return parseTtl(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
