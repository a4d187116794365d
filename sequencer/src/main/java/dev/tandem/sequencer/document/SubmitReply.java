package dev.tandem.sequencer.document;

import dev.tandem.sequencer.error.TandemException;

/**
 * Where the outcome of one submit goes, on the document's sequencer; at most one call per submit.
 * {@link #failed} if the op was not committed; {@link #acked} once it is, after every op before its
 * revision has been given to the subscribers. A sender that {@link Subscriber#receivesOwnOps
 * receives its own ops} gets no call for an op committed while it follows the document: the op,
 * delivered to it in its place among the others, is its ack.
 */
public interface SubmitReply {
  /**
   * The op is durably committed, at {@code committed.revision()} (possibly earlier: a resubmit).
   */
  void acked(Committed committed);

  /** The op was not committed and will not be. */
  void failed(TandemException error);
}
