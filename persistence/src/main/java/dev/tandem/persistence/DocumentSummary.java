package dev.tandem.persistence;

import java.time.Instant;

/**
 * A document as {@code tandem docs} lists it: its head, its history (the ops after its first
 * checkpoint, and its checkpoints) and when it was created and last changed.
 */
public record DocumentSummary(
    String docId,
    long headRevision,
    long ops,
    long checkpoints,
    Instant createdAt,
    Instant updatedAt) {}
