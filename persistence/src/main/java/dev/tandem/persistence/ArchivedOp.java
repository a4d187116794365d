package dev.tandem.persistence;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One op of a document's history as stored, for export, import and verify: its revision, its wire
 * JSON exactly as stored, who sent it, when it was committed and its {@link HistoryChain} hash.
 */
public record ArchivedOp(
    long revision,
    String opJson,
    String clientId,
    long clientSeq,
    String userId,
    Instant createdAt,
    String hash) {
  public ArchivedOp {
    Objects.requireNonNull(opJson, "opJson");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(userId, "userId");
    createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MICROS);
    Objects.requireNonNull(hash, "hash");
  }
}
