package dev.tandem.sequencer.error;

import java.net.URI;

/**
 * {@code moved}: another live node holds the document's lease and sequences it. Clients follow
 * {@link #webSocketUrl} (a WebSocket {@code error}'s {@code url}) or the HTTP {@code Location}.
 */
public final class MovedException extends TandemException {
  private final String ownerUrl;

  MovedException(String docId, String owner, String ownerUrl) {
    super(
        ErrorCode.MOVED, "document '" + docId + "' is served by node " + owner + " at " + ownerUrl);
    this.ownerUrl = ownerUrl.endsWith("/") ? ownerUrl : ownerUrl + "/";
  }

  /** The owner's base URL, {@code http://host:port/}. */
  public String ownerUrl() {
    return ownerUrl;
  }

  /** The owner's WebSocket endpoint, {@code ws://host:port/ws}. */
  public String webSocketUrl() {
    return ownerUrl.replaceFirst("^http", "ws") + "ws";
  }

  /** The same request's URI on the owner: its path and query on the owner's base URL. */
  public URI on(URI request) {
    URI base = URI.create(ownerUrl);
    return base.resolve(
        request.getRawPath().substring(1)
            + (request.getRawQuery() == null ? "" : "?" + request.getRawQuery()));
  }
}
