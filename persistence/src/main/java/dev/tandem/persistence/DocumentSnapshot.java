package dev.tandem.persistence;

import java.util.Objects;

/** The text of a document at one revision. */
public record DocumentSnapshot(String docId, long revision, String text) {
  public DocumentSnapshot {
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(text, "text");
    if (revision < 0) {
      throw new IllegalArgumentException("revision : " + revision + " (expected: >= 0)");
    }
  }
}
