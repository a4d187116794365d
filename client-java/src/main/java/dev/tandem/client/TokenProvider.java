package dev.tandem.client;

/**
 * Where a {@link TandemClient} gets its token: called at every connect and reconnect for the token
 * said in {@code hello}, and before the token expires for the one sent in {@code auth}. It runs on
 * a thread of its own (never the socket's or the client's event thread), so it may block, for
 * example on a call to an identity provider. A thrown exception counts as a failed attempt: it is
 * reported as {@link ErrorCode#UNAUTHORIZED} and tried again after a backoff.
 */
@FunctionalInterface
public interface TokenProvider {
  /** A current token (a signed JWT when the server checks tokens); never null. */
  String getToken() throws Exception;
}
