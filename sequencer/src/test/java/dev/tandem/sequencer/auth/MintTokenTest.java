package dev.tandem.sequencer.auth;

import static dev.tandem.sequencer.auth.Tokens.CLOCK;
import static dev.tandem.sequencer.auth.Tokens.NOW;
import static dev.tandem.sequencer.auth.Tokens.SECRET_TEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MintTokenTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) {
    return MintToken.run(
        args,
        env,
        CLOCK,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String printed() {
    return out.toString(StandardCharsets.UTF_8);
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
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    assertEquals("", err.toString(StandardCharsets.UTF_8));
    String[] lines = printed().split("\n");
    assertEquals(1, lines.length);

    Principal alice =
        TokenVerifier.builder()
            .secret(HmacSecret.fromFile(secretFile))
            .issuer("https://id.example")
            .audience("tandem")
            .clock(CLOCK)
            .build()
            .verify(lines[0]);
    assertEquals("alice", alice.userId());
    assertEquals("Alice", alice.displayName());
    assertEquals(Optional.of("#aabbcc"), alice.color());
    assertEquals(NOW.plus(Duration.ofHours(2)), alice.expiresAt());
    assertEquals(DocumentRoles.parse("team-42-*=write,handbook=read"), alice.roles());
  }

  @Test
  void theSecretMayComeFromTheEnvironment() {
    assertEquals(0, run(Map.of(MintToken.SECRET_VARIABLE, SECRET_TEXT), "--sub", "bob"));
    Principal bob =
        TokenVerifier.builder().secret(Tokens.SECRET).clock(CLOCK).build().verify(printed().trim());
    assertEquals("bob", bob.userId());
    assertEquals(NOW.plus(Duration.ofHours(1)), bob.expiresAt());
    assertEquals(DocumentRoles.none(), bob.roles());
  }

  @Test
  void badArgumentsPrintNoTokenAndNoSecret() {
    Map<String, String> env = Map.of(MintToken.SECRET_VARIABLE, SECRET_TEXT);
    assertEquals(2, run(env, "--name", "Alice"));
    assertEquals(2, run(env, "--sub", "alice", "--docs", "handbook=owner"));
    assertEquals(2, run(env, "--sub", "alice", "--ttl", "-1h"));
    assertEquals(2, run(env, "--sub", "alice", "--bogus", "x"));
    assertEquals(2, run(Map.of(MintToken.SECRET_VARIABLE, "too-short"), "--sub", "alice"));
    assertEquals(2, run(Map.of(), "--sub", "alice"));
    assertEquals("", printed());
    String errors = err.toString(StandardCharsets.UTF_8);
    assertTrue(errors.contains("--sub is required"), errors);
    assertFalse(errors.contains(SECRET_TEXT), errors);
    assertFalse(errors.contains("too-short"), errors);
  }

  @Test
  void ttlsReadAsPeopleWriteThem() {
    assertEquals(Duration.ofSeconds(90), MintToken.parseTtl("90s"));
    assertEquals(Duration.ofMinutes(30), MintToken.parseTtl("30m"));
    assertEquals(Duration.ofHours(1), MintToken.parseTtl("1h"));
    assertEquals(Duration.ofDays(7), MintToken.parseTtl("7d"));
    assertEquals(Duration.ofMinutes(90), MintToken.parseTtl("PT1H30M"));
    assertThrows(IllegalArgumentException.class, () -> MintToken.parseTtl("0s"));
    assertThrows(IllegalArgumentException.class, () -> MintToken.parseTtl("soon"));
  }
}
