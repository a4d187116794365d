package dev.tandem.persistence;

import java.time.Instant;

/** A checkpoint without its text: what listing a document's checkpoints gives. */
public record CheckpointInfo(String docId, long revision, String sha256, Instant createdAt) {}
