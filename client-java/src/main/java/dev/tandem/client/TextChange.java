package dev.tandem.client;

import dev.tandem.ot.TextOperation;

/**
 * One change of a document's local text: {@code text} is the text before it with {@code op}
 * applied.
 *
 * @param op the op applied to the local text (for a remote edit: transformed against this client's
 *     unacknowledged edits)
 * @param text the local text after the change
 * @param revision the last server revision this client has seen, after the change
 * @param origin who made the change
 */
public record TextChange(TextOperation op, String text, long revision, Origin origin) {

  /** Who made a change. */
  public enum Origin {
    /** An edit made through this client. */
    LOCAL,
    /** An edit of another client, committed by the server. */
    REMOTE,
    /**
     * The local text replaced by the server's after the server refused this client's pending edits;
     * they are lost and an error reported why.
     */
    RESYNC
  }
}
