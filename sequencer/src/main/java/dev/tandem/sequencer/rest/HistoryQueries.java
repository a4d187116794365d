package dev.tandem.sequencer.rest;

import dev.tandem.persistence.CheckpointInfo;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.error.Errors;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;

/** The history questions of the REST API that read whole documents: by time, at a revision. */
final class HistoryQueries {
  private HistoryQueries() {}

  /** The revision at {@code at} (ISO-8601 with an offset, seconds optional: 2026-11-30T12:00Z). */
  static CompletableFuture<Long> revisionAt(Sequencers sequencers, String docId, String at) {
    Instant time = parseTime("at", at);
    return sequencers.archive(archive -> archive.revisionAt(docId, time));
  }

  /** Writes a checkpoint at a past revision (or the head), from a replay. */
  static CompletableFuture<CheckpointInfo> checkpointAt(
      Sequencers sequencers, String docId, long revision) {
    return sequencers.archive(archive -> archive.checkpointAt(docId, revision));
  }

  static Instant parseTime(String name, String value) {
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw Errors.badRequest(
          "query parameter '"
              + name
              + "' is '"
              + value
              + "' (expected: an ISO-8601 time with an offset, e.g. 2026-11-30T12:00:00Z)");
    }
  }
}
