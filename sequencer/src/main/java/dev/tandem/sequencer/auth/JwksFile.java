package dev.tandem.sequencer.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;

/**
 * A JWKS read from a file each time the cache above it asks (at expiry, or for an unknown {@code
 * kid}), so replacing the file rotates the keys without a restart, as a JWKS URL does.
 */
final class JwksFile implements JWKSetSource<SecurityContext> {
  private final Path file;

  JwksFile(Path file) {
    this.file = file;
  }

  /** Reads the file now. */
  JWKSet load() throws KeySourceException {
    try {
      return JWKSet.load(file.toFile());
    } catch (IOException | ParseException e) {
      throw new KeySourceException(
          "JWKS file " + file + " cannot be read: " + e.getClass().getSimpleName(), e);
    }
  }

  @Override
  public JWKSet getJWKSet(
      JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, SecurityContext context)
      throws KeySourceException {
    return load();
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return file.toString();
  }
}
