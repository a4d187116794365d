package dev.tandem.sequencer.document;

/**
 * A test's hook into the named steps of a document's work, to prove that a failure at any of them
 * is answered and leaves the document serving. Unset in production: each step then costs one null
 * check ({@link Sequencers#step}).
 */
@FunctionalInterface
public interface Faults {
  /** The steps of loading a document, sequencing a submit, committing it and catching up. */
  enum Step {
    /** On the database pool: reading the document for a load. */
    LOAD_READ,
    /** On the sequencer: taking the loaded document into memory. */
    LOADED,
    /** Looking up an earlier commit of the submit's {@code (client, seq)}. */
    DEDUP,
    /** On the database pool: reading what memory no longer holds for a submit. */
    OLDER_HISTORY_READ,
    /** On the sequencer: taking that read. */
    OLDER_HISTORY_READ_DONE,
    TRANSFORM,
    /** Checking that the transformed op applies and fits. */
    CHECK,
    ASSIGN_REVISION,
    /** Building the rows of the group for the committer. */
    BUILD_ROWS,
    HAND_OFF,
    /** After the commit: applying the group to memory. */
    APPLY,
    /** After the commit: acknowledging the senders and broadcasting. */
    DELIVER,
    /** After the delivery: the automatic checkpoint. */
    CHECKPOINT,
    /** On the sequencer: taking a page of history read for a catch-up. */
    CATCH_UP_READ_DONE
  }

  /** Called at {@code step} for {@code docId}; throws to inject a failure there. */
  void at(Step step, String docId);
}
