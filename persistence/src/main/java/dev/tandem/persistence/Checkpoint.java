package dev.tandem.persistence;

import java.time.Instant;
import java.util.Objects;

/**
 * The full text of a document at {@code revision}, with the SHA-256 of its UTF-8 bytes taken when
 * it was written. The text at any revision N is the nearest checkpoint at or below N plus the ops
 * after it; every document has one at revision 0 holding its initial text. {@code chain} is the
 * {@link HistoryChain} hash at {@code revision}.
 */
public record Checkpoint(
    String docId, long revision, String text, String sha256, Instant createdAt, String chain) {
  public Checkpoint {
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(sha256, "sha256");
  }

  /** Whether the text still hashes to the digest written with it. */
  public boolean verify() {
    return TextChecks.sha256(text).equals(sha256);
  }

  /** The same without its text, as {@link CheckpointStore#list} gives it. */
  public CheckpointInfo info() {
    return new CheckpointInfo(docId, revision, sha256, createdAt, chain);
  }
}
