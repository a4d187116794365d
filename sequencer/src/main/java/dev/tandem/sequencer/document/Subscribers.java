package dev.tandem.sequencer.document;

import dev.tandem.sequencer.protocol.PresenceUpdate;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live subscribers of one document, each with the presence it last published, and the relay of
 * presence between them. A subscriber joins at the head ({@link #join}); committed ops reach them
 * through {@link GroupDelivery}. Not thread-safe: owned by the document's sequencer.
 */
final class Subscribers {
  private final DocumentState doc;
  private final GroupDelivery.Guard guard;

  /** Every subscriber, with the presence it last published (null if none). */
  private final Map<Subscriber, PresenceUpdate> present = new LinkedHashMap<>();

  /** How many there are, for the metrics, which read it from another thread. */
  private volatile int count;

  Subscribers(DocumentState doc, GroupDelivery.Guard guard) {
    this.doc = doc;
    this.guard = guard;
  }

  Collection<Subscriber> all() {
    return present.keySet();
  }

  boolean isEmpty() {
    return present.isEmpty();
  }

  /**
   * Removes every subscriber at once, without presence to anyone (the document was deleted, or
   * stepped down); returns them.
   */
  List<Subscriber> removeAll() {
    List<Subscriber> all = List.copyOf(present.keySet());
    present.clear();
    count = 0;
    return all;
  }

  /** The number of subscribers; from any thread. */
  int count() {
    return count;
  }

  /**
   * A subscriber joins at the head. It learns of every client already present, idle ones included,
   * each brought to the head; and they learn of it at once, with an empty selection until it
   * publishes one. Presence therefore never waits for a caret to move.
   */
  void join(Subscriber subscriber) {
    Subscriber.Participant joiner = subscriber.participant();
    for (Map.Entry<Subscriber, PresenceUpdate> other : present.entrySet()) {
      if (other.getValue() != null && !sameClient(other.getValue(), joiner)) {
        PresenceUpdate atHead = atHead(other.getValue());
        other.setValue(atHead); // the next joiner moves it only through later ops
        subscriber.presence(atHead);
      }
    }
    if (joiner == null) {
      present.put(subscriber, null);
      count = present.size();
      return;
    }
    PresenceUpdate joined =
        PresenceUpdate.joined(
            doc.docId(), joiner.clientId(), joiner.userId(), joiner.meta(), doc.head());
    present.put(subscriber, joined);
    count = present.size();
    relay(subscriber, joined);
  }

  /** Relays a subscriber's presence; ignored if it is not (or not yet) subscribed. */
  void presence(Subscriber subscriber, PresenceUpdate update) {
    if (!present.containsKey(subscriber)) {
      return; // closed in the meantime, or still catching up: nothing to relay
    }
    present.put(subscriber, update);
    relay(subscriber, update);
  }

  /** Removes a subscriber; the others learn that its client left, unless it is still present. */
  void leave(Subscriber subscriber) {
    PresenceUpdate last = present.remove(subscriber);
    count = present.size();
    if (last == null) {
      return;
    }
    // A client that reconnected before its old socket was found dead is still present.
    PresenceUpdate stillPresent = null;
    for (PresenceUpdate other : present.values()) {
      if (other != null && other.clientId().equals(last.clientId())) {
        stillPresent = other;
      }
    }
    relay(
        subscriber,
        stillPresent != null ? stillPresent : PresenceUpdate.left(doc.docId(), last.clientId()));
  }

  /**
   * Ops that landed without being delivered (found by a reload): to every subscriber, as one run.
   * Their senders were told {@code unavailable}; they find them by client id and seq.
   */
  void broadcast(List<Committed> landed) {
    OpRun run = new OpRun(List.copyOf(landed));
    for (Subscriber subscriber : present.keySet()) {
      guard.run("broadcasting", () -> subscriber.ops(run));
    }
  }

  /** Tells every other subscriber, except those of the same client id (its own other sockets). */
  private void relay(Subscriber from, PresenceUpdate update) {
    for (Subscriber to : present.keySet()) {
      if (to != from && !sameClient(update, to.participant())) {
        to.presence(update);
      }
    }
  }

  private static boolean sameClient(PresenceUpdate update, Subscriber.Participant participant) {
    return participant != null && participant.clientId().equals(update.clientId());
  }

  /**
   * {@code update} moved to the head through the ops memory holds since its revision, or with its
   * selection unknown (empty) when memory no longer holds them: a joiner has no older ops to move
   * it through itself, and would not list the client at all.
   */
  private PresenceUpdate atHead(PresenceUpdate update) {
    long head = doc.head();
    if (update.revision() >= head) {
      return update; // a revision past the head is relayed as sent
    }
    return doc.since(update.revision())
        .map(ops -> update.movedTo(head, ops.stream().map(Committed::op).toList()))
        .orElseGet(() -> update.withoutSelection(head));
  }
}
