package dev.tandem.sequencer.document;

import dev.tandem.sequencer.error.TandemException;

/**
 * Where the outcome of one submit goes, on the document's sequencer; at most one call per submit.
 * {@link #failed} if the op was not committed; {@link #acked} once it is, after every op before its
 * revision has been given to the subscribers. A sender that follows the document gets no call for
 * an op committed meanwhile: the op, delivered to it in its place among the others ({@link
 * Subscriber#ops}), is its ack.
 */
public interface SubmitReply {
  /**
   * The op is durably committed, at {@code committed.revision()} (possibly earlier: a resubmit).
   */
  void acked(Committed committed);

  /** The op was not committed and will not be. */
  void failed(TandemException error);
}
