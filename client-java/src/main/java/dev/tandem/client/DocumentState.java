package dev.tandem.client;

/** The state of one open document, as an editor would show it. */
public enum DocumentState {
  /** Opening (or reopening after a reconnect) and catching up. */
  OPENING,
  /** Open and every local edit committed. */
  SYNCED,
  /** Open with local edits not yet acknowledged. */
  SENDING,
  /** The connection is gone; local edits are kept and sent after the reconnect. */
  OFFLINE,
  /** Closed; no event follows. */
  CLOSED
}
