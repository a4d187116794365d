package dev.tandem.persistence;

import java.time.Instant;

/**
 * A checkpoint without its text: what listing a document's checkpoints gives. {@code chain} is the
 * {@link HistoryChain} hash at its revision.
 */
public record CheckpointInfo(
    String docId, long revision, String sha256, Instant createdAt, String chain) {}
