package dev.tandem.client;

/**
 * Callbacks of one {@link TandemDocument}. Every method runs on its client's single event thread,
 * in the order things happened; a method must not block. To edit from a callback use {@link
 * TandemDocument#edit}, which runs after the callback returns.
 */
public interface DocumentListener {
  /** The local text changed, by a local edit, a remote edit or a resync. */
  default void onChange(TextChange change) {}

  /** The server committed this client's op at {@code revision}. */
  default void onAcknowledged(long revision, long seq) {}

  /**
   * Another client is present: it opened the document (with an empty selection until it publishes
   * one), published its selection, or its selection moved through edits.
   */
  default void onPresence(RemotePresence presence) {}

  /**
   * Another client's presence is gone: it closed the document, its socket closed or was found dead
   * by the server, or this client lost its own socket.
   */
  default void onPresenceLeft(String clientId) {}

  default void onStateChange(DocumentState state) {}

  /** An error about this document; the client already did what it can (retry or resync). */
  default void onError(TandemException error) {}
}
