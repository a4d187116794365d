package dev.tandem.persistence;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One checkpoint of a document's history with its text, for export, import and verify: the text at
 * {@code revision}, its SHA-256 and the {@link HistoryChain} hash at that revision.
 */
public record ArchivedCheckpoint(
    long revision, String text, String sha256, String chain, Instant createdAt) {
  public ArchivedCheckpoint {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(chain, "chain");
    createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MICROS);
  }
}
