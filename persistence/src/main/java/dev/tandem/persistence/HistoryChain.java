package dev.tandem.persistence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash chain that makes a document's history tamper-evident: the hash at revision N covers the
 * hash at N - 1 and op N with its revision, client, seq and user, so changing, removing or
 * reordering any stored op changes every hash from it on. The hash at revision 0 is the SHA-256 of
 * the initial text. Stored with every op ({@code operations.hash}), at the head ({@code
 * documents.head_hash}) and with every checkpoint ({@code checkpoints.chain}); {@code
 * db/migration/V4__op_hash_chain.sql} defines the same function in SQL for the backfill.
 */
public final class HistoryChain {
  private static final HexFormat HEX = HexFormat.of();
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(HistoryChain::newDigest);

  private HistoryChain() {}

  /** The hash at revision 0 of a document whose initial text hashes to {@code initialSha256}. */
  public static String genesis(String initialSha256) {
    return initialSha256;
  }

  /**
   * The hash at {@code revision}, given the hash at {@code revision - 1} and op {@code revision}
   * ({@code opJson}: its stored wire form).
   */
  public static String next(
      String previous, long revision, String clientId, long seq, String userId, String opJson) {
    String covered =
        previous + '\n' + revision + '\n' + clientId + '\n' + seq + '\n' + userId + '\n' + opJson;
    MessageDigest digest = SHA256.get();
    return HEX.formatHex(digest.digest(covered.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
