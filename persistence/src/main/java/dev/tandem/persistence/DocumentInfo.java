package dev.tandem.persistence;

import java.time.Instant;

/** A document's row: its head revision and when it was created and last changed. */
public record DocumentInfo(String docId, long headRevision, Instant createdAt, Instant updatedAt) {}
