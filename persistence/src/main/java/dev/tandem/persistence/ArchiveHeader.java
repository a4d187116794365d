package dev.tandem.persistence;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/** A document's row in an archive: its id, head revision and hash, and its times. */
public record ArchiveHeader(
    String docId, long head, String headHash, Instant createdAt, Instant updatedAt) {
  public ArchiveHeader {
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(headHash, "headHash");
    if (head < 0) {
      throw new IllegalArgumentException("head : " + head + " (expected: >= 0)");
    }
    createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MICROS);
    updatedAt = Objects.requireNonNull(updatedAt, "updatedAt").truncatedTo(ChronoUnit.MICROS);
  }

  /** The same header under another document id ({@code import --as}). */
  public ArchiveHeader withDocId(String id) {
    return new ArchiveHeader(id, head, headHash, createdAt, updatedAt);
  }
}
