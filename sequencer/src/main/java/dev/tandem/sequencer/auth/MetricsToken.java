package dev.tandem.sequencer.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The token {@code /metrics} requires ({@code --metrics-token-file}, {@code TANDEM_METRICS_TOKEN}),
 * kept apart from the users' tokens so that a monitoring system needs no document rights and a user
 * no view of the server. Only its SHA-256 is held, and a presented token is compared by digest with
 * {@link MessageDigest#isEqual} (constant time, equal lengths), so neither the time of a refusal
 * nor a heap dump gives the token away. Never printed: {@link #toString()} says only that it is
 * set.
 */
public final class MetricsToken {
  /** The shortest token accepted, in characters: a guessable token would protect nothing. */
  public static final int MIN_LENGTH = 16;

  /** How to make a good token, quoted in the length error. */
  static final String HOW_TO_MAKE_ONE = "e.g. openssl rand -hex 32 > metrics-token";

  private final byte[] digest;

  private MetricsToken(String token, String source) {
    if (token.length() < MIN_LENGTH) {
      throw new IllegalArgumentException(
          source
              + " holds a token of "
              + token.length()
              + " characters (expected: at least "
              + MIN_LENGTH
              + "; "
              + HOW_TO_MAKE_ONE
              + ")");
    }
    this.digest = sha256(token);
  }

  /**
   * The token in {@code file} (UTF-8), less surrounding white space, so a file ending in a line
   * break holds the same token as one without.
   *
   * @throws IllegalArgumentException if the file cannot be read or holds too short a token
   */
  public static MetricsToken fromFile(Path file) {
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "metrics token file " + file + " cannot be read: " + e.getClass().getSimpleName(), e);
    }
    return new MetricsToken(content.strip(), "metrics token file " + file);
  }

  /**
   * The token held by an environment variable, less surrounding white space.
   *
   * @param source what holds it, for the error message, e.g. {@code "TANDEM_METRICS_TOKEN"}
   * @throws IllegalArgumentException if the token is too short
   */
  public static MetricsToken fromValue(String value, String source) {
    return new MetricsToken(value.strip(), source);
  }

  /** Whether {@code presented} (null for none) is this token; constant time. */
  public boolean matches(String presented) {
    return presented != null && MessageDigest.isEqual(sha256(presented), digest);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "MetricsToken[set]";
  }
}
