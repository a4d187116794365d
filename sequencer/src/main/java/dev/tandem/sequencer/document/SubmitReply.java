package dev.tandem.sequencer.document;

import dev.tandem.sequencer.error.TandemException;

/**
 * Where the outcome of one submit goes; exactly one method is called, exactly once, on the
 * document's sequencer, after every op before the acknowledged revision has been given to the
 * subscribers.
 */
public interface SubmitReply {
  /**
   * The op is durably committed, at {@code committed.revision()} (possibly earlier: a resubmit).
   */
  void acked(Committed committed);

  /** The op was not committed and will not be. */
  void failed(TandemException error);
}
