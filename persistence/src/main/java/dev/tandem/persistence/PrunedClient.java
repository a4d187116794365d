package dev.tandem.persistence;

import java.util.Objects;

/**
 * A client whose ops a prune removed, as {@code pruned_clients} keeps it: its highest pruned seq,
 * and that op's revision and user. A resubmit of a seq at most this, by that user, is a duplicate
 * (acknowledged with {@code revision}), never applied again.
 */
public record PrunedClient(String clientId, long seq, long revision, String userId) {
  public PrunedClient {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(userId, "userId");
    if (seq < 0) {
      throw new IllegalArgumentException("pruned seq : " + seq + " (expected: >= 0)");
    }
    if (revision < 1) {
      throw new IllegalArgumentException("pruned revision : " + revision + " (expected: >= 1)");
    }
  }
}
