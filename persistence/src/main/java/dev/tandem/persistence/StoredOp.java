package dev.tandem.persistence;

import dev.tandem.ot.TextOperation;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One committed op of a document's log: the op that turns revision {@code revision - 1} into {@code
 * revision}, who sent it ({@code clientId}, {@code clientSeq}, {@code userId}) and when it was
 * committed. {@code createdAt} is kept to the microsecond, as PostgreSQL stores it, so a stored op
 * reads back equal to the one appended.
 */
public record StoredOp(
    String docId,
    long revision,
    TextOperation op,
    String clientId,
    long clientSeq,
    String userId,
    Instant createdAt) {
  public StoredOp {
    Ids.requireDocId(docId);
    if (revision < 1) {
      throw new IllegalArgumentException("revision : " + revision + " (expected: > 0)");
    }
    Objects.requireNonNull(op, "op");
    Ids.requireClientId(clientId);
    if (clientSeq < 0) {
      throw new IllegalArgumentException("client seq : " + clientSeq + " (expected: >= 0)");
    }
    Ids.requireUserId(userId);
    createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * Stands in for an op of a pruned history, which is gone: what is still known of it (its client,
   * seq and user, and the revision of its client's last pruned op, where it was committed or
   * after), with the empty op in place of its own.
   */
  static StoredOp pruned(
      String docId, long revision, String clientId, long clientSeq, String userId) {
    return new StoredOp(
        docId,
        revision,
        TextOperation.builder().build(),
        clientId,
        clientSeq,
        userId,
        Instant.EPOCH);
  }
}
