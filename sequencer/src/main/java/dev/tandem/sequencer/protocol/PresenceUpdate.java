package dev.tandem.sequencer.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tandem.ot.InvalidOperationException;
import dev.tandem.ot.Side;
import dev.tandem.ot.TextOperation;
import java.util.List;

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

  /**
   * A client that joined the document at {@code revision} and has not published a selection yet: it
   * is present, with an empty selection and the {@code meta} it joins with.
   */
  public static PresenceUpdate joined(
      String docId, String clientId, String userId, JsonNode meta, long revision) {
    return new PresenceUpdate(
        docId, clientId, userId, revision, Json.MAPPER.createArrayNode(), meta, false);
  }

  /**
   * This presence at {@code revision}, its selection moved through {@code ops} (the ops after its
   * revision up to {@code revision}) as clients move it: each position with {@link Side#AFTER}. A
   * selection that does not fit the text it names (a client's mistake) becomes empty: the client
   * stays present, its cursor unknown until it publishes again.
   */
  public PresenceUpdate movedTo(long revision, List<TextOperation> ops) {
    ArrayNode moved = Json.MAPPER.createArrayNode();
    try {
      for (JsonNode range : selection) {
        int anchor = range.get(0).intValue();
        int head = range.get(1).intValue();
        for (TextOperation op : ops) {
          anchor = op.transformPosition(anchor, Side.AFTER);
          head = op.transformPosition(head, Side.AFTER);
        }
        moved.addArray().add(anchor).add(head);
      }
    } catch (InvalidOperationException outOfRange) {
      moved.removeAll();
    }
    return new PresenceUpdate(docId, clientId, userId, revision, moved, meta, false);
  }

  /** This presence at {@code revision} with its selection unknown (empty), meta kept. */
  public PresenceUpdate withoutSelection(long revision) {
    return new PresenceUpdate(
        docId, clientId, userId, revision, Json.MAPPER.createArrayNode(), meta, false);
  }
}
