package dev.tandem.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Another client's selection in a document, in the coordinates of this client's current local text:
 * the client transformed it through the ops committed after the revision it was published at, and
 * through its own unacknowledged edits.
 *
 * @param clientId the publishing client's id
 * @param userId the publishing client's user, as the server names it
 * @param selection the ranges, in code points of the current local text
 * @param meta the small object the publisher attached (a name, a colour), unmodifiable
 */
public record RemotePresence(
    String clientId, String userId, List<SelectionRange> selection, Map<String, Object> meta) {
  public RemotePresence {
    selection = List.copyOf(selection);
    meta = Collections.unmodifiableMap(new LinkedHashMap<>(meta)); // JSON null values allowed
  }
}
