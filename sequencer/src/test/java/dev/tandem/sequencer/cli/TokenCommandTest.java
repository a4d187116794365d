package dev.tandem.sequencer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.sequencer.auth.DocumentRoles;
import dev.tandem.sequencer.auth.HmacSecret;
import dev.tandem.sequencer.auth.Principal;
import dev.tandem.sequencer.auth.TokenVerifier;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String SECRET_TEXT = "s3cr3t-for-tests-only-0123456789abcdefghijklmnop";

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(Map<String, String> env, String... args) {
    return TokenCommand.run(
        args, env, CLOCK, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  private TokenVerifier.Builder verifier() {
    return TokenVerifier.builder().secret(HmacSecret.fromValue(SECRET_TEXT, "test")).clock(CLOCK);
  }

  @Test
  void aMintedTokenVerifiesWithItsRolesAndNothingElseIsPrinted() throws Exception {
    Path secretFile = dir.resolve("secret");
    Files.writeString(secretFile, SECRET_TEXT + "\n");
    int status =
        run(
            Map.of(),
            "--secret-file",
            secretFile.toString(),
            "--sub",
            "alice",
            "--name",
            "Alice",
            "--color",
            "#aabbcc",
            "--docs",
            "team-42-*=write,handbook=read",
            "--ttl",
            "2h",
            "--issuer=https://id.example",
            "--audience",
            "tandem");
    assertEquals(0, status, err.toString());
    assertEquals("", err.toString());
    String[] lines = out.toString().split("\n");
    assertEquals(1, lines.length);

    Principal alice =
        verifier().issuer("https://id.example").audience("tandem").build().verify(lines[0]);
    assertEquals("alice", alice.userId());
    assertEquals("Alice", alice.displayName());
    assertEquals(Optional.of("#aabbcc"), alice.color());
    assertEquals(NOW.plus(Duration.ofHours(2)), alice.expiresAt());
    assertEquals(DocumentRoles.parse("team-42-*=write,handbook=read"), alice.roles());
  }

  @Test
  void theSecretMayComeFromTheEnvironment() {
    assertEquals(0, run(Map.of(TokenCommand.SECRET_VARIABLE, SECRET_TEXT), "--sub", "bob"));
    Principal bob = verifier().build().verify(out.toString().trim());
    assertEquals("bob", bob.userId());
    assertEquals(NOW.plus(Duration.ofHours(1)), bob.expiresAt());
    assertEquals(DocumentRoles.none(), bob.roles());
  }

  @Test
  void badArgumentsPrintNoTokenAndNoSecret() {
    Map<String, String> env = Map.of(TokenCommand.SECRET_VARIABLE, SECRET_TEXT);
    assertEquals(2, run(env, "--name", "Alice"));
    assertEquals(2, run(env, "--sub", "alice", "--docs", "handbook=owner"));
    assertEquals(2, run(env, "--sub", "alice", "--ttl", "-1h"));
    assertEquals(2, run(env, "--sub", "alice", "--color", "red"));
    assertEquals(2, run(env, "--sub", "alice", "--bogus", "x"));
    assertEquals(2, run(env, "--sub", "alice", "extra"));
    assertEquals(2, run(Map.of(TokenCommand.SECRET_VARIABLE, "too-short"), "--sub", "alice"));
    assertEquals(2, run(Map.of(), "--sub", "alice"));
    assertEquals("", out.toString());
    String errors = err.toString();
    assertTrue(errors.contains("Missing required option: '--sub=USER'"), errors);
    assertTrue(errors.contains("handbook=owner"), errors);
    assertTrue(errors.contains("--ttl -1h (expected: a positive duration"), errors);
    assertTrue(errors.contains("Unknown options: '--bogus'"), errors);
    assertTrue(errors.contains("no secret: give --secret-file or set TANDEM_AUTH_SECRET"), errors);
    assertTrue(errors.contains("Usage: token"), errors);
    assertFalse(errors.contains(SECRET_TEXT), errors);
    assertFalse(errors.contains("too-short"), errors);
  }

  @Test
  void helpListsEveryOptionAndPrintsNoToken() {
    assertEquals(0, run(Map.of(), "--help"));
    String help = out.toString();
    for (String option :
        new String[] {
          "--secret-file",
          "--sub",
          "--name",
          "--color",
          "--docs",
          "--ttl",
          "--issuer",
          "--audience",
          "TANDEM_AUTH_SECRET"
        }) {
      assertTrue(help.contains(option), option + " in\n" + help);
    }
    assertTrue(help.startsWith("Usage: token"), help);
    assertFalse(help.contains("eyJ"), "no token in the help");
  }

  @Test
  void ttlsReadAsPeopleWriteThem() {
    assertEquals(Duration.ofSeconds(90), TokenCommand.parseTtl("90s"));
    assertEquals(Duration.ofMinutes(30), TokenCommand.parseTtl("30m"));
    assertEquals(Duration.ofHours(1), TokenCommand.parseTtl("1h"));
    assertEquals(Duration.ofDays(7), TokenCommand.parseTtl("7d"));
    assertEquals(Duration.ofMinutes(90), TokenCommand.parseTtl("PT1H30M"));
    assertThrows(IllegalArgumentException.class, () -> TokenCommand.parseTtl("0s"));
    assertThrows(IllegalArgumentException.class, () -> TokenCommand.parseTtl("soon"));
  }
}
