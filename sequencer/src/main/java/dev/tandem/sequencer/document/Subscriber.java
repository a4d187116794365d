package dev.tandem.sequencer.document;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.protocol.PresenceUpdate;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

/**
 * A follower of documents: a WebSocket connection or an SSE stream. A document's sequencer calls
 * these methods one at a time, in the order of the document's history, so a subscriber that
 * forwards each call to one ordered channel gives its client the protocol's ordering: revisions
 * ascending, with no gap and no duplicate, each client's own ops (its acks) in their place.
 *
 * <p>Implementations must not block: they queue and return.
 */
public interface Subscriber {
  /** Answers {@code open} without a revision: the text at {@code revision}. */
  void opened(Snapshot snapshot);

  /**
   * Answers {@code open} with a revision below where the document's pruned history starts: the ops
   * after it are gone, so the subscriber gets the text at the head instead, to resynchronise from.
   * {@code lastSeq} is the highest seq of the subscriber's client id committed in the document up
   * to that head (empty if none, or if the subscriber has no client id): an op in flight with a seq
   * at most that is in the text. Live {@link #ops} calls follow, as after {@link #opened}.
   */
  void resynced(Snapshot snapshot, OptionalLong lastSeq);

  /**
   * Part of a catch-up ({@code open} with a revision) too long for one {@link #caughtUp}: the next
   * missed ops, in revision order; more follow. The stage completes when the subscriber can take
   * the next part (its outbound queue has room again), so a catch-up of any length holds one part
   * in memory at a time and never overflows the queue.
   */
  CompletionStage<Void> missed(List<Committed> ops);

  /**
   * Answers {@code open} with a revision: the last ops missed, up to the head {@code revision};
   * with the {@link #missed} parts before it, exactly the ops after the revision asked for. Live
   * {@link #ops} calls follow.
   */
  void caughtUp(String docId, long revision, List<Committed> missed);

  /**
   * Committed ops, consecutive in revision order (a commit group, or an op that landed although its
   * commit was reported failed), everyone's: this subscriber's own ops among them are its acks. The
   * same run goes to every subscriber of the document.
   */
  void ops(OpRun run);

  /**
   * Another client's presence, or its departure. Never this subscriber's own (nor that of another
   * subscriber with its client id).
   */
  void presence(PresenceUpdate update);

  /**
   * The client and user a subscriber is known by to the others on its documents, and the presence
   * {@code meta} it is announced with when it joins, before it publishes a presence of its own.
   */
  record Participant(String clientId, String userId, JsonNode meta) {}

  /**
   * Who this subscriber is to the other subscribers of a document it joins, or null if it takes no
   * part in presence (an SSE stream): then it is never announced to them.
   */
  default Participant participant() {
    return null;
  }

  /** Answers {@code close}: nothing more of this document follows. */
  void closed(String docId);

  /**
   * The document could not be opened, or can no longer be followed (for example it was reloaded
   * after a failed commit); nothing more of it follows until the client opens it again.
   */
  void failed(String docId, TandemException error);
}
