package dev.tandem.sequencer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A client's cursor and selection in a document, relayed as sent: receivers transform the selection
 * through the ops after {@code revision}. {@code left} marks a client that closed the document or
 * disconnected; then the other fields but {@code docId} and {@code clientId} are empty.
 */
public record PresenceUpdate(
    String docId,
    String clientId,
    String userId,
    long revision,
    JsonNode selection,
    JsonNode meta,
    boolean left) {

  public static PresenceUpdate left(String docId, String clientId) {
    return new PresenceUpdate(docId, clientId, null, -1, null, null, true);
  }
}
