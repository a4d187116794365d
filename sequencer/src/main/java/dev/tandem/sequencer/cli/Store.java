package dev.tandem.sequencer.cli;

import dev.tandem.persistence.Archive;
import dev.tandem.persistence.ArchiveVisitor;
import dev.tandem.persistence.CheckpointInfo;
import dev.tandem.persistence.DocumentSnapshot;
import dev.tandem.persistence.DocumentSummary;
import dev.tandem.persistence.HistoryVerifier;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * Where the {@code tandem} command's document commands work: a running server through its REST API
 * ({@link ServerStore}) or a stopped server's database ({@link DatabaseStore}). Failures are {@link
 * CommandFailure}s with a message for the user.
 */
interface Store extends AutoCloseable {
  /** At most {@code limit} documents after {@code after} (null: from the first), by id. */
  List<DocumentSummary> list(String after, int limit);

  /** The text at {@code revision}, or at the head when empty. */
  DocumentSnapshot text(String docId, OptionalLong revision);

  /** The revision at {@code time}: of the last op committed at or before it. */
  long revisionAt(String docId, Instant time);

  List<CheckpointInfo> checkpoints(String docId);

  /** Writes a checkpoint at {@code revision}, or at the head when empty. */
  CheckpointInfo createCheckpoint(String docId, OptionalLong revision);

  /** Gives the document's whole history to {@code visitor}. */
  void export(String docId, ArchiveVisitor visitor);

  /**
   * Stores the document that {@code file} holds, under {@code asDocId} if not null; {@code
   * progress} follows the work.
   */
  HistoryVerifier.Summary importFile(Path file, String asDocId, Progress progress);

  /**
   * Prunes the document's history before {@code before} (a checkpoint is kept there); {@code
   * before} empty: at its latest checkpoint.
   */
  Archive.PruneSummary prune(String docId, OptionalLong before);

  /** Deletes the document and its history; false if there was none. */
  boolean delete(String docId);

  @Override
  void close();
}
