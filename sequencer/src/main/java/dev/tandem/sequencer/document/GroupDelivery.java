package dev.tandem.sequencer.document;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Hands a committed group of ops to the document's subscribers and acknowledges the senders, in the
 * protocol's order on every socket: ops in revision order, and the ack of revision r after every op
 * before r and before every op after r (which already includes r).
 *
 * <p>The whole group goes as one {@link OpRun}, the same instance, to every subscriber that sent
 * none of its ops and to every subscriber that {@link Subscriber#receivesOwnOps}, so a transport
 * encodes it once; for the latter its own ops in the run are its acks. Any other sender receives
 * the stretches between its own ops, each followed by the ack of its op:
 *
 * <pre>
 *   group:                  r1 (A)   r2 (B)   r3 (A)   r4 (C)
 *   A:                      ack r1, [r2], ack r3, [r4]
 *   D (sent none), and B
 *   if it receives own ops: [r1 r2 r3 r4]
 * </pre>
 */
final class GroupDelivery {
  /** Runs a call to a subscriber or a reply so that its failure stops nothing else. */
  interface Guard {
    void run(String what, Runnable call);
  }

  private GroupDelivery() {}

  static void deliver(List<SubmitRequest> group, Collection<Subscriber> subscribers, Guard guard) {
    List<Committed> ops = new ArrayList<>(group.size());
    Set<Subscriber> senders = Collections.newSetFromMap(new IdentityHashMap<>());
    for (SubmitRequest request : group) {
      ops.add(request.sequenced());
      if (request.sender() != null) {
        senders.add(request.sender());
      }
    }
    OpRun whole = new OpRun(ops);
    boolean[] acked = new boolean[group.size()];
    for (Subscriber subscriber : subscribers) {
      if (!senders.contains(subscriber)) {
        guard.run("broadcasting", () -> subscriber.ops(whole));
      } else if (subscriber.receivesOwnOps()) {
        guard.run("broadcasting", () -> subscriber.ops(whole));
        markAcked(group, subscriber, acked);
      } else {
        deliverAround(group, ops, subscriber, acked, guard);
      }
    }
    for (int i = 0; i < group.size(); i++) {
      SubmitRequest request = group.get(i);
      if (!acked[i]) { // REST, or a socket that closed the document meanwhile: no order to keep
        guard.run("acknowledging", request::afterCommit);
      }
      guard.run("acknowledging", request::ackDuplicates);
    }
  }

  /** The sender's own ops are acked in their place; the others' go as the runs between them. */
  private static void deliverAround(
      List<SubmitRequest> group,
      List<Committed> ops,
      Subscriber sender,
      boolean[] acked,
      Guard guard) {
    int from = 0;
    for (int i = 0; i < group.size(); i++) {
      if (group.get(i).sender() == sender) {
        if (i > from) {
          OpRun before = new OpRun(ops.subList(from, i));
          guard.run("broadcasting", () -> sender.ops(before));
        }
        guard.run("acknowledging", group.get(i)::afterCommit);
        acked[i] = true;
        from = i + 1;
      }
    }
    if (from < ops.size()) {
      OpRun after = new OpRun(ops.subList(from, ops.size()));
      guard.run("broadcasting", () -> sender.ops(after));
    }
  }

  private static void markAcked(List<SubmitRequest> group, Subscriber sender, boolean[] acked) {
    for (int i = 0; i < group.size(); i++) {
      if (group.get(i).sender() == sender) {
        group.get(i).ackedByItsOwnOp();
        acked[i] = true;
      }
    }
  }
}
