package dev.tandem.sequencer.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The shared secret that signs and verifies HS256 tokens. At least {@value #MIN_BYTES} bytes (256
 * bits, RFC 7518 section 3.2: an HS256 key must be at least as long as the hash). Never printed:
 * {@link #toString()} gives only the length, and no error message quotes it.
 */
public final class HmacSecret {
  public static final int MIN_BYTES = 32;

  /** How to make a good secret, quoted in every length error. */
  static final String HOW_TO_MAKE_ONE = "e.g. openssl rand -base64 48 > tandem-secret";

  private final byte[] bytes;

  private HmacSecret(byte[] bytes, String source) {
    if (bytes.length < MIN_BYTES) {
      throw new IllegalArgumentException(
          source
              + " holds a secret of "
              + bytes.length
              + " bytes (expected: at least "
              + MIN_BYTES
              + "; "
              + HOW_TO_MAKE_ONE
              + ")");
    }
    this.bytes = bytes;
  }

  /**
   * The secret in {@code file}: its bytes as they are (a base64 text is the key as text, not
   * decoded), less trailing white space, so a file ending in a line break, as {@code openssl rand
   * -base64 48 > file} writes it, holds the same secret as one without.
   *
   * @throws IllegalArgumentException if the file cannot be read or holds too short a secret
   */
  public static HmacSecret fromFile(Path file) {
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "auth secret file " + file + " cannot be read: " + e.getClass().getSimpleName(), e);
    }
    return new HmacSecret(stripTrailingWhiteSpace(content), "auth secret file " + file);
  }

  /**
   * The secret held by an environment variable or another setting, as UTF-8, less trailing white
   * space.
   *
   * @param source what holds it, for the error message, e.g. {@code "TANDEM_AUTH_SECRET"}
   * @throws IllegalArgumentException if the secret is too short
   */
  public static HmacSecret fromValue(String value, String source) {
    return new HmacSecret(stripTrailingWhiteSpace(value.getBytes(StandardCharsets.UTF_8)), source);
  }

  /**
   * Signs {@code claims} as an HS256 JWT ({@code typ: JWT}) with this secret: how development
   * tokens are minted ({@code tandem token}), without the secret's bytes leaving this package.
   */
  public String sign(JWTClaimsSet claims) {
    try {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
      jwt.sign(new MACSigner(bytes));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign with an HS256 secret", e);
    }
  }

  /** A copy of the secret's bytes, for the verifier of this package. */
  byte[] bytes() {
    return bytes.clone();
  }

  /** The secret's length in bytes. */
  public int length() {
    return bytes.length;
  }

  private static byte[] stripTrailingWhiteSpace(byte[] content) {
    int end = content.length;
    while (end > 0
        && (content[end - 1] == '\n'
            || content[end - 1] == '\r'
            || content[end - 1] == ' '
            || content[end - 1] == '\t')) {
      end--;
    }
    return Arrays.copyOf(content, end);
  }

  @Override
  public String toString() {
    return "HmacSecret[" + bytes.length + " bytes]";
  }
}
