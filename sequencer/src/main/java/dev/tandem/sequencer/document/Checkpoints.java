package dev.tandem.sequencer.document;

import dev.tandem.ot.Rope;
import dev.tandem.persistence.CheckpointInfo;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of one document: on request, and automatically every {@code checkpointInterval}
 * revisions. Written off the sequencer, from the immutable text at the head; at most one automatic
 * one at a time.
 */
final class Checkpoints {
  private static final Logger log = LoggerFactory.getLogger(Checkpoints.class);

  private final DocumentState doc;
  private final Sequencers sequencers;

  /**
   * Whether an automatic checkpoint is being written. Another interval crossed meanwhile is
   * skipped: written concurrently, each would decide alone whether to store the text's authorship
   * (a read and replay of up to 50,000 ops), and a busy document's writes would pile up.
   */
  private final AtomicBoolean writing = new AtomicBoolean();

  Checkpoints(DocumentState doc, Sequencers sequencers) {
    this.doc = doc;
    this.sequencers = sequencers;
  }

  /** Writes a checkpoint at the head. */
  CompletableFuture<CheckpointInfo> write() {
    long revision = doc.head();
    Rope snapshot = doc.text(); // immutable: stays valid while the sequencer moves on
    return sequencers.readLater(
        () -> sequencers.checkpoints().write(doc.docId(), revision, snapshot.toString()));
  }

  /** After a group moved the head from {@code before}: a checkpoint if it crossed an interval. */
  void afterCommit(long before) {
    int interval = sequencers.config().checkpointInterval();
    if (doc.head() / interval == before / interval || !writing.compareAndSet(false, true)) {
      return;
    }
    long revision = doc.head();
    write()
        .whenComplete(
            (info, failure) -> {
              writing.set(false);
              if (failure != null) {
                log.warn(
                    "checkpoint of '{}' at {} failed: {}",
                    doc.docId(),
                    revision,
                    failure.toString());
              }
            });
  }
}
