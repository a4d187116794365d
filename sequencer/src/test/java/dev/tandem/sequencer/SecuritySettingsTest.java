package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.tandem.sequencer.auth.HmacSecret;
import dev.tandem.sequencer.auth.Principal;
import dev.tandem.sequencer.auth.TokenVerifier;
import dev.tandem.sequencer.config.TandemConfig;
import dev.tandem.sequencer.config.TandemConfig.Auth;
import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.TandemException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: the security settings, their safe defaults (no authentication listens on loopback only
 * and warns), clear errors for a configuration that cannot be meant, and no secret in the printed
 * configuration or in any error.
 */
class SecuritySettingsTest {
  private static final String SECRET =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL"; // 48 bytes

  @TempDir Path dir;

  @Test
  void withoutAuthenticationTheServerListensOnLoopbackOnlyAndWarns() {
    TandemConfig config = TandemConfig.parse(List.of(), Map.of());
    assertEquals(Auth.NONE, config.auth());
    assertEquals("127.0.0.1", config.host());
    assertEquals(1, config.warnings(8080).size());
    String warning = config.warnings(8080).get(0);
    assertTrue(
        warning.contains("anyone who can reach 127.0.0.1:8080 can read and write every document"),
        warning);
    assertTrue(config.tokenVerifier().isEmpty());
    // loopback names only, so DNS rebinding cannot reach a developer's server
    assertTrue(config.effectiveAllowedHosts().allows("localhost:8080"));
    assertTrue(config.effectiveAllowedHosts().allows("127.0.0.1:8080"));
    assertFalse(config.effectiveAllowedHosts().allows("rebound.example:8080"));
    assertTrue(config.describe().contains("\nauth=none (development only)\n"), config.describe());
    assertTrue(config.describe().contains("\nallowed-origins=same origin\n"), config.describe());
    assertTrue(config.describe().contains("\nmax-connections-per-address=200"), config.describe());
  }

  @Test
  void aGivenHostWinsAndIsNamedInTheWarning() {
    TandemConfig flag = TandemConfig.parse(List.of("--host", "0.0.0.0"), Map.of());
    assertEquals("0.0.0.0", flag.host());
    assertTrue(
        flag.warnings(8080).get(0).contains("reach 0.0.0.0:8080"), flag.warnings(8080).get(0));
    assertTrue(flag.effectiveAllowedHosts().allows("edit.example.com")); // cannot know its names
    TandemConfig env = TandemConfig.parse(List.of(), Map.of("TANDEM_HOST", "10.0.0.7"));
    assertEquals("10.0.0.7", env.host());
  }

  @Test
  void aSecretFileRequiresTokensOnEveryInterfaceAndIsNeverPrinted() throws IOException {
    Path file = Files.writeString(dir.resolve("tandem-secret"), SECRET + "\n");
    TandemConfig config =
        TandemConfig.parse(
            List.of("--auth-secret-file", file.toString(), "--auth-issuer", "https://id.test"),
            Map.of("TANDEM_AUTH_AUDIENCE", "tandem"));
    assertEquals(Auth.TOKEN, config.auth());
    assertEquals("0.0.0.0", config.host());
    assertEquals(List.of(), config.warnings(8080));
    String described = config.describe();
    assertTrue(
        described.contains("\nauth=token: HS256 with a 48-byte secret from " + file + "\n"),
        described);
    assertTrue(described.contains("\nauth-issuer=https://id.test\n"), described);
    assertTrue(described.contains("\nauth-audience=tandem\n"), described);
    assertFalse(described.contains(SECRET), described);
    assertFalse(config.toString().contains(SECRET));

    try (TokenVerifier verifier = config.tokenVerifier().orElseThrow()) {
      Principal alice =
          verifier.verify(
              token(SECRET, "https://id.test", "tandem", Instant.now().plusSeconds(60)));
      assertEquals("alice", alice.userId());
      TandemException wrongIssuer =
          assertThrows(
              TandemException.class,
              () ->
                  verifier.verify(
                      token(
                          SECRET, "https://other.test", "tandem", Instant.now().plusSeconds(60))));
      assertEquals(ErrorCode.UNAUTHORIZED, wrongIssuer.code());
    }
  }

  @Test
  void theSecretMayComeFromTheEnvironmentButNotFromAFlag() {
    TandemConfig config = TandemConfig.parse(List.of(), Map.of("TANDEM_AUTH_SECRET", SECRET));
    assertEquals(Auth.TOKEN, config.auth());
    assertTrue(
        config.describe().contains("HS256 with a 48-byte secret from TANDEM_AUTH_SECRET"),
        config.describe());
    assertFalse(config.describe().contains(SECRET));
    assertTrue(TandemConfig.usage().contains("TANDEM_AUTH_SECRET"), TandemConfig.usage());
    TandemConfig embedded =
        TandemConfig.defaults().toBuilder().authSecret(HmacSecret.fromValue(SECRET, "t")).build();
    assertEquals(Auth.TOKEN, embedded.auth(), "a key given in code requires tokens too");

    // on a command line it would show in ps and in shell history
    IllegalArgumentException flag = refused(List.of("--auth-secret", SECRET), Map.of());
    assertTrue(flag.getMessage().contains("unknown flag --auth-secret"), flag.getMessage());
  }

  @Test
  void aConfigurationThatCannotBeMeantIsRefusedClearly() throws IOException {
    assertMessage(
        refused(List.of("--auth", "token"), Map.of()),
        "--auth token needs a key source: --auth-secret-file, TANDEM_AUTH_SECRET or --auth-jwks");
    assertMessage(
        refused(List.of("--auth", "none"), Map.of("TANDEM_AUTH_SECRET", SECRET)),
        "--auth none, but a key source is given");
    assertMessage(
        refused(List.of("--auth", "maybe"), Map.of()), "(expected: none, token or class:NAME)");
    assertMessage(
        refused(
            List.of("--auth", "class:com.example.SessionAuthorizer"),
            Map.of("TANDEM_AUTH_SECRET", SECRET)),
        "--auth class: the class authenticates by itself, but a key source is given");

    String shortSecret = "too-short-to-be-safe";
    Path shortFile = Files.writeString(dir.resolve("short"), shortSecret);
    IllegalArgumentException fromFile =
        refused(List.of("--auth-secret-file", shortFile.toString()), Map.of());
    assertMessage(fromFile, "--auth-secret-file / TANDEM_AUTH_SECRET_FILE");
    assertMessage(fromFile, "holds a secret of 20 bytes (expected: at least 32");
    assertFalse(fromFile.getMessage().contains(shortSecret), fromFile.getMessage());
    IllegalArgumentException fromEnv =
        refused(List.of(), Map.of("TANDEM_AUTH_SECRET", shortSecret));
    assertMessage(fromEnv, "TANDEM_AUTH_SECRET");
    assertFalse(fromEnv.getMessage().contains(shortSecret), fromEnv.getMessage());
    assertMessage(
        refused(List.of("--auth-secret-file", dir.resolve("missing").toString()), Map.of()),
        "cannot be read");

    Path file = Files.writeString(dir.resolve("secret"), SECRET);
    assertMessage(
        refused(
            List.of("--auth-secret-file", file.toString()), Map.of("TANDEM_AUTH_SECRET", SECRET)),
        "both --auth-secret-file and TANDEM_AUTH_SECRET are given");
    assertMessage(
        refused(
            List.of("--auth-jwks", "https://id.test/jwks.json"),
            Map.of("TANDEM_AUTH_SECRET", SECRET)),
        "both a secret and --auth-jwks are given");
    assertMessage(
        refused(List.of("--auth-clock-skew", "601"), Map.of()),
        "auth-clock-skew : 601 (expected: 0 to 600)");
    assertMessage(refused(List.of("--auth-jwks-refresh", "0"), Map.of()), "auth-jwks-refresh : 0");
    assertMessage(
        refused(List.of("--allowed-origins", "ftp://files.example"), Map.of()),
        "--allowed-origins / TANDEM_ALLOWED_ORIGINS : allowed origin 'ftp://files.example'");
    assertMessage(
        refused(List.of("--allowed-hosts", "edit.example.com:443"), Map.of()),
        "--allowed-hosts / TANDEM_ALLOWED_HOSTS : allowed host 'edit.example.com:443'");
    assertMessage(
        refused(List.of("--max-connections-per-address", "-1"), Map.of()),
        "max-connections-per-address : -1");
  }

  @Test
  void aJwksThatCannotBeUsedFailsAtStartWithoutPrintingItsCredentials() {
    TandemConfig config =
        TandemConfig.parse(List.of("--auth-jwks", "https://user:pw@id.test/jwks.json"), Map.of());
    assertEquals(Auth.TOKEN, config.auth());
    assertTrue(
        config.describe().contains("JWKS at https://****@id.test/jwks.json"), config.describe());
    assertFalse(config.describe().contains("pw@"), config.describe());
    TandemConfig plainHttp =
        TandemConfig.parse(List.of("--auth-jwks", "http://id.example.com/jwks.json"), Map.of());
    assertThrows(IllegalArgumentException.class, plainHttp::tokenVerifier);
  }

  @Test
  void listsOfOriginsAndHostsAreRead() {
    TandemConfig config =
        TandemConfig.parse(
            List.of(
                "--allowed-origins",
                "https://edit.example.com, http://localhost:5173",
                "--allowed-hosts=edit.example.com",
                "--max-connections-per-address=0"),
            Map.of("TANDEM_AUTH_CLOCK_SKEW", "5"));
    assertTrue(config.allowedOrigins().allows("https://edit.example.com:443", "elsewhere"));
    assertTrue(config.allowedOrigins().allows("http://localhost:5173", "elsewhere"));
    assertFalse(config.allowedOrigins().allows("https://evil.example", "elsewhere"));
    // a list is the list, wherever the server listens
    assertTrue(config.effectiveAllowedHosts().allows("edit.example.com"));
    assertFalse(config.effectiveAllowedHosts().allows("localhost"));
    assertEquals(0, config.maxConnectionsPerAddress());
    assertEquals(Duration.ofSeconds(5), config.authClockSkew());
    assertTrue(config.describe().contains("\nmax-connections-per-address=unlimited"));
  }

  private static String token(String secret, String issuer, String audience, Instant expiry) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject("alice")
            .issuer(issuer)
            .audience(audience)
            .expirationTime(Date.from(expiry))
            .build();
    return HmacSecret.fromValue(secret, "test").sign(claims);
  }

  private static IllegalArgumentException refused(List<String> args, Map<String, String> env) {
    return assertThrows(IllegalArgumentException.class, () -> TandemConfig.parse(args, env));
  }

  private static void assertMessage(IllegalArgumentException e, String expected) {
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
