package dev.tandem.sequencer.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.TandemException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;

/**
 * Keys, claims and signatures for the auth tests: every token is signed here, with nimbus. Public
 * for the end-to-end tests of the transports, in the package above.
 */
public final class Tokens {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  /** 48 bytes, as {@code openssl rand -base64 36} would write them. */
  public static final String SECRET_TEXT = "s3cr3t-for-tests-only-0123456789abcdefghijklmnop";

  public static final HmacSecret SECRET = HmacSecret.fromValue(SECRET_TEXT, "test");

  private Tokens() {}

  /** Claims for alice, valid for an hour from {@link #NOW}, with {@code docs} as tandem.docs. */
  static JWTClaimsSet.Builder claims(Map<String, String> docs) {
    return new JWTClaimsSet.Builder()
        .subject("alice")
        .claim("name", "Alice")
        .issueTime(Date.from(NOW))
        .expirationTime(Date.from(NOW.plus(Duration.ofHours(1))))
        .claim("tandem", Map.of("docs", docs));
  }

  static JWTClaimsSet.Builder claims() {
    return claims(Map.of("team-42-*", "write", "handbook", "read"));
  }

  public static String hs256(String secret, JWTClaimsSet claims) {
    try {
      return sign(
          new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, null, claims);
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  public static String hs256(JWTClaimsSet claims) {
    return hs256(SECRET_TEXT, claims);
  }

  public static String rs256(RSAKey key, JWTClaimsSet claims) {
    try {
      return sign(new RSASSASigner(key), JWSAlgorithm.RS256, key.getKeyID(), claims);
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  static String es256(ECKey key, JWTClaimsSet claims) {
    try {
      return sign(new ECDSASigner(key), JWSAlgorithm.ES256, key.getKeyID(), claims);
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  static String sign(JWSSigner signer, JWSAlgorithm algorithm, String kid, JWTClaimsSet claims) {
    return sign(signer, new JWSHeader.Builder(algorithm).keyID(kid).build(), claims);
  }

  static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  public static RSAKey rsaKey(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  static ECKey ecKey(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  /** Runs {@code call}, asserts it throws {@code code}, and returns the exception. */
  static TandemException assertRefused(ErrorCode code, Executable call) {
    TandemException e = assertThrows(TandemException.class, call);
    assertEquals(code, e.code(), e.getMessage());
    return e;
  }

  /** A clock the test moves by hand. */
  static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
