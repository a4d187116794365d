package dev.tandem.sequencer.auth;

import static dev.tandem.sequencer.auth.Tokens.CLOCK;
import static dev.tandem.sequencer.auth.Tokens.NOW;
import static dev.tandem.sequencer.auth.Tokens.SECRET;
import static dev.tandem.sequencer.auth.Tokens.SECRET_TEXT;
import static dev.tandem.sequencer.auth.Tokens.assertRefused;
import static dev.tandem.sequencer.auth.Tokens.claims;
import static dev.tandem.sequencer.auth.Tokens.hs256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.TandemException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenVerifierTest {
  private static RSAKey rsa;
  private static ECKey ec;
  private static Path jwksFile;

  @TempDir static Path dir;

  private static final TokenVerifier hmac =
      TokenVerifier.builder().secret(SECRET).clock(CLOCK).build();

  @BeforeAll
  static void keys() throws Exception {
    rsa = Tokens.rsaKey("rsa-1");
    ec = Tokens.ecKey("ec-1");
    jwksFile = dir.resolve("jwks.json");
    Files.writeString(
        jwksFile, new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString());
  }

  private static TokenVerifier jwks() {
    return TokenVerifier.builder().jwks(jwksFile.toString()).clock(CLOCK).build();
  }

  private static TokenVerifier hmacFor(String issuer, String audience) {
    return TokenVerifier.builder()
        .secret(SECRET)
        .issuer(issuer)
        .audience(audience)
        .clock(CLOCK)
        .build();
  }

  private static String expired(Duration ago) {
    return hs256(claims().expirationTime(Date.from(NOW.minus(ago))).build());
  }

  @Test
  void anHs256TokenNamesItsPrincipal() {
    Principal alice = hmac.verify(hs256(claims().claim("color", "#3366ff").build()));
    assertEquals("alice", alice.userId());
    assertEquals("Alice", alice.displayName());
    assertEquals(Optional.of("#3366ff"), alice.color());
    assertEquals(NOW.plus(Duration.ofHours(1)), alice.expiresAt());
    assertEquals(Optional.of(Role.WRITE), alice.roleFor("team-42-plan"));
    assertEquals(Optional.of(Role.READ), alice.roleFor("handbook"));
    assertEquals(Optional.empty(), alice.roleFor("team-4-a"));
  }

  @Test
  void withoutANameClaimTheDisplayNameIsTheUserIdAndWithoutTandemNoDocumentIsAllowed() {
    Principal bob =
        hmac.verify(
            hs256(
                new JWTClaimsSet.Builder()
                    .subject("bob")
                    .expirationTime(Date.from(NOW.plusSeconds(60)))
                    .build()));
    assertEquals("bob", bob.displayName());
    assertEquals(Optional.empty(), bob.color());
    assertEquals(DocumentRoles.none(), bob.roles());
  }

  @Test
  void rs256AndEs256TokensVerifyAgainstTheJwks() {
    try (TokenVerifier verifier = jwks()) {
      assertEquals("alice", verifier.verify(Tokens.rs256(rsa, claims().build())).userId());
      assertEquals("alice", verifier.verify(Tokens.es256(ec, claims().build())).userId());
    }
  }

  @Test
  void aMissingTokenIsUnauthorized() {
    for (String none : new String[] {null, "", "   "}) {
      TandemException e = assertRefused(ErrorCode.UNAUTHORIZED, () -> hmac.verify(none));
      assertEquals("missing token (expected: a signed JWT)", e.getMessage());
    }
  }

  @Test
  void aMalformedTokenIsUnauthorized() {
    for (String garbage : new String[] {"not-a-token", "a.b.c", "Bearer x", "{}", "...."}) {
      TandemException e = assertRefused(ErrorCode.UNAUTHORIZED, () -> hmac.verify(garbage));
      assertTrue(e.getMessage().startsWith("malformed token"), e.getMessage());
    }
    assertRefused(ErrorCode.UNAUTHORIZED, () -> hmac.verify("x".repeat(20_000)));
  }

  @Test
  void aBadSignatureIsUnauthorized() {
    String otherSecret = "another-secret-of-enough-length-0123456789abcdef";
    TandemException e =
        assertRefused(
            ErrorCode.UNAUTHORIZED, () -> hmac.verify(hs256(otherSecret, claims().build())));
    assertEquals("token signature is invalid", e.getMessage());

    // Alice's own token with her payload swapped for one granting more: the signature no longer
    // fits.
    String token = hs256(claims().build());
    String forged = hs256(otherSecret, claims(Map.of("*", "admin")).build());
    String[] parts = token.split("\\.");
    String tampered = parts[0] + "." + forged.split("\\.")[1] + "." + parts[2];
    assertRefused(ErrorCode.UNAUTHORIZED, () -> hmac.verify(tampered));
  }

  @Test
  void algNoneIsRefused() {
    String unsigned = new PlainJWT(claims().build()).serialize();
    TandemException e = assertRefused(ErrorCode.UNAUTHORIZED, () -> hmac.verify(unsigned));
    assertEquals(
        "unsigned or encrypted token refused (expected: signed with HS256)", e.getMessage());
    try (TokenVerifier verifier = jwks()) {
      assertRefused(ErrorCode.UNAUTHORIZED, () -> verifier.verify(unsigned));
      // "alg":"none" with a signature part glued on is no better.
      assertRefused(ErrorCode.UNAUTHORIZED, () -> verifier.verify(unsigned + "c2ln"));
    }
  }

  @Test
  void algorithmConfusionIsRefused() throws Exception {
    try (TokenVerifier verifier = jwks()) {
      // The classic attack: the RSA public key, which anyone has, used as an HMAC secret.
      byte[] publicKey = rsa.toRSAPublicKey().getEncoded();
      String confused =
          Tokens.sign(new MACSigner(publicKey), JWSAlgorithm.HS256, "rsa-1", claims().build());
      TandemException e = assertRefused(ErrorCode.UNAUTHORIZED, () -> verifier.verify(confused));
      assertEquals("token algorithm refused (expected: ES256 or RS256)", e.getMessage());
      assertRefused(ErrorCode.UNAUTHORIZED, () -> verifier.verify(hs256(claims().build())));
    }
    TandemException e =
        assertRefused(
            ErrorCode.UNAUTHORIZED, () -> hmac.verify(Tokens.rs256(rsa, claims().build())));
    assertEquals("token algorithm refused (expected: HS256)", e.getMessage());
  }

  @Test
  void aKeyInTheTokensOwnHeaderIsNeverTrusted() {
    RSAKey attacker = Tokens.rsaKey("rsa-1");
    JWSHeader header =
        new JWSHeader.Builder(JWSAlgorithm.RS256)
            .keyID("rsa-1")
            .jwk(attacker.toPublicJWK())
            .build();
    String token;
    try {
      token = Tokens.sign(new RSASSASigner(attacker), header, claims().build());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    try (TokenVerifier verifier = jwks()) {
      TandemException e = assertRefused(ErrorCode.UNAUTHORIZED, () -> verifier.verify(token));
      assertEquals("token signature is invalid", e.getMessage());
    }
  }

  @Test
  void anExpiredTokenIsRefusedBeyondTheClockSkewOnly() {
    TandemException e =
        assertRefused(ErrorCode.UNAUTHORIZED, () -> hmac.verify(expired(Duration.ofSeconds(61))));
    assertEquals("token expired", e.getMessage());
    assertEquals("alice", hmac.verify(expired(Duration.ofSeconds(59))).userId());

    TokenVerifier strict =
        TokenVerifier.builder().secret(SECRET).clock(CLOCK).clockSkew(Duration.ZERO).build();
    assertRefused(ErrorCode.UNAUTHORIZED, () -> strict.verify(expired(Duration.ofSeconds(1))));
  }

  @Test
  void aNotYetValidTokenIsRefusedBeyondTheClockSkewOnly() {
    String later = hs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(300))).build());
    TandemException e = assertRefused(ErrorCode.UNAUTHORIZED, () -> hmac.verify(later));
    assertEquals("token refused: JWT before use time", e.getMessage());
    String soon = hs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(30))).build());
    assertEquals("alice", hmac.verify(soon).userId());
  }

  @Test
  void theIssuerIsCheckedWhenConfigured() {
    TokenVerifier verifier = hmacFor("https://id.example", null);
    assertEquals(
        "alice", verifier.verify(hs256(claims().issuer("https://id.example").build())).userId());
    TandemException wrong =
        assertRefused(
            ErrorCode.UNAUTHORIZED,
            () -> verifier.verify(hs256(claims().issuer("https://evil.example").build())));
    assertEquals("token refused: JWT iss claim value rejected", wrong.getMessage());
    assertRefused(ErrorCode.UNAUTHORIZED, () -> verifier.verify(hs256(claims().build())));
    // Unconfigured, any issuer is accepted.
    assertEquals("alice", hmac.verify(hs256(claims().issuer("whoever").build())).userId());
  }

  @Test
  void theAudienceIsCheckedWhenConfigured() {
    TokenVerifier verifier = hmacFor(null, "tandem");
    assertEquals("alice", verifier.verify(hs256(claims().audience("tandem").build())).userId());
    assertEquals(
        "alice",
        verifier.verify(hs256(claims().audience(List.of("wiki", "tandem")).build())).userId());
    TandemException wrong =
        assertRefused(
            ErrorCode.UNAUTHORIZED,
            () -> verifier.verify(hs256(claims().audience("wiki").build())));
    assertEquals("token refused: JWT aud claim rejected", wrong.getMessage());
    assertRefused(ErrorCode.UNAUTHORIZED, () -> verifier.verify(hs256(claims().build())));
  }

  @Test
  void subAndExpAreRequired() {
    TandemException noSub =
        assertRefused(
            ErrorCode.UNAUTHORIZED, () -> hmac.verify(hs256(claims().subject(null).build())));
    assertTrue(noSub.getMessage().contains("sub"), noSub.getMessage());
    TandemException noExp =
        assertRefused(
            ErrorCode.UNAUTHORIZED,
            () -> hmac.verify(hs256(claims().expirationTime(null).build())));
    assertTrue(noExp.getMessage().contains("exp"), noExp.getMessage());
    assertRefused(ErrorCode.UNAUTHORIZED, () -> hmac.verify(hs256(claims().subject("").build())));
  }

  @Test
  void aMalformedRolesClaimRefusesTheWholeToken() {
    // Ignoring the bad entry would let "*" grant write on "payroll".
    TandemException e =
        assertRefused(
            ErrorCode.UNAUTHORIZED,
            () -> hmac.verify(hs256(claims(Map.of("*", "write", "payroll", "none")).build())));
    assertEquals(
        "token claims refused: role for pattern 'payroll' is not read, write or admin",
        e.getMessage());
    assertRefused(
        ErrorCode.UNAUTHORIZED,
        () -> hmac.verify(hs256(claims().claim("tandem", Map.of("docs", "everything")).build())));
    assertRefused(
        ErrorCode.UNAUTHORIZED,
        () -> hmac.verify(hs256(claims().claim("color", "red; background: url(x)").build())));
  }

  @Test
  void theSecretMustBeLongEnoughAndATrailingLineBreakIsNotPartOfIt() throws Exception {
    Path shortFile = dir.resolve("short-secret");
    Files.writeString(shortFile, "thirty-one-bytes-secret-xxxxxxx\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HmacSecret.fromFile(shortFile));
    assertEquals(
        "auth secret file "
            + shortFile
            + " holds a secret of 31 bytes (expected: at least 32; e.g. openssl rand -base64 48 >"
            + " tandem-secret)",
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> HmacSecret.fromFile(dir.resolve("no-such-file")));

    Path file = dir.resolve("secret");
    Files.writeString(file, SECRET_TEXT + "\r\n");
    TokenVerifier fromFile =
        TokenVerifier.builder().secret(HmacSecret.fromFile(file)).clock(CLOCK).build();
    assertEquals("alice", fromFile.verify(hs256(claims().build())).userId());
  }

  @Test
  void noErrorMessageOrDescriptionQuotesTheTokenOrTheSecret() {
    List<String> tokens =
        List.of(
            hs256("another-secret-of-enough-length-0123456789abcdef", claims().build()),
            expired(Duration.ofHours(2)),
            hs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(3600))).build()),
            hs256(claims(Map.of("x", "owner")).build()),
            new PlainJWT(claims().build()).serialize(),
            Tokens.rs256(rsa, claims().build()),
            "eyJhbGciOiJIUzI1NiJ9.e30.AAAA",
            "eyJ"
                + Base64.getUrlEncoder()
                    .encodeToString("{\"alg\":".getBytes(StandardCharsets.UTF_8)));
    List<String> texts = new ArrayList<>();
    TokenVerifier verifier = hmacFor("https://id.example", "tandem");
    for (String token : tokens) {
      TandemException e = assertThrows(TandemException.class, () -> verifier.verify(token));
      texts.add(e.getMessage());
      texts.add(e.toString());
      for (String text : texts) {
        assertFalse(text.contains(token), text);
        for (String part : token.split("\\.")) {
          assertFalse(part.length() > 8 && text.contains(part), text);
        }
      }
    }
    texts.add(verifier.toString());
    texts.add(SECRET.toString());
    texts.add(hmac.verify(hs256(claims().build())).toString());
    for (String text : texts) {
      assertFalse(text.contains(SECRET_TEXT), text);
      assertFalse(text.contains(SECRET_TEXT.substring(0, 12)), text);
    }
    assertEquals(
        "TokenVerifier[HS256 with a 48-byte secret, issuer https://id.example, audience tandem,"
            + " clock skew 60 s]",
        verifier.toString());
  }

  @Test
  void theSettingsAreCheckedWhenBuilt() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> TokenVerifier.builder().build());
    assertThrows(
        IllegalArgumentException.class,
        () -> TokenVerifier.builder().secret(SECRET).jwks(jwksFile.toString()).build());
    IllegalArgumentException http =
        assertThrows(
            IllegalArgumentException.class,
            () -> TokenVerifier.builder().jwks("http://id.example/jwks.json").build());
    assertTrue(http.getMessage().contains("expected: https://"), http.getMessage());
    Path empty = dir.resolve("empty-jwks.json");
    Files.writeString(empty, "{\"keys\":[]}");
    assertThrows(
        IllegalArgumentException.class,
        () -> TokenVerifier.builder().jwks(empty.toString()).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> TokenVerifier.builder().jwks(dir.resolve("missing.json").toString()).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> TokenVerifier.builder().secret(SECRET).clockSkew(Duration.ofHours(1)).build());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            TokenVerifier.builder()
                .jwks(jwksFile.toString())
                .jwksRefreshInterval(Duration.ofMinutes(10))
                .jwksCacheTtl(Duration.ofMinutes(5))
                .build());
  }
}
