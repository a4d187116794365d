package dev.tandem.sequencer.document;

import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Binds each client id to the user who first used it, so that one user cannot submit under
 * another's client id: client ids travel with every broadcast op, so every co-editor knows them.
 *
 * <p>The binding lives in memory, for the {@value #REMEMBERED} client ids used most recently; a
 * client id forgotten (or unknown after a restart) is bound again by its next use. What stays safe
 * either way is the resubmit check of {@link SubmitRequest}: a submit is acknowledged as a resubmit
 * only if it is the stored op, sent by the same user, so no one's ack can stand for someone else's
 * op.
 */
public final class ClientOwners {
  static final int REMEMBERED = 100_000;

  private final Map<String, String> owners =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > REMEMBERED;
        }
      };

  /**
   * Binds {@code clientId} to {@code userId} unless it is bound to another user.
   *
   * @throws TandemException {@code forbidden} if another user used {@code clientId} first
   */
  public void claim(String clientId, String userId) {
    String owner;
    synchronized (owners) {
      owner = owners.putIfAbsent(clientId, userId);
    }
    if (owner != null && !owner.equals(userId)) {
      throw Errors.forbidden(
          "client id '" + clientId + "' belongs to another user; choose a fresh client id");
    }
  }
}
