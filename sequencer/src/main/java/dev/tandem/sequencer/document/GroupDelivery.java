package dev.tandem.sequencer.document;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Hands a committed group of ops to the document's subscribers and answers its senders. The whole
 * group goes as one {@link OpRun}, the same instance, to every subscriber, its senders included, so
 * a transport encodes it once for all of them; a sender's own ops in the run are its acks:
 *
 * <pre>
 *   group:             r1 (A)   r2 (B)   r3 (A)   r4 (C)
 *   every subscriber:  [r1 r2 r3 r4]   (A takes r1 and r3 as its acks, B r2, C r4)
 * </pre>
 *
 * A sender that does not follow the document (a REST call, or a socket that closed it meanwhile)
 * gets an ack of its own instead.
 */
final class GroupDelivery {
  /** Runs a call to a subscriber or a reply so that its failure stops nothing else. */
  interface Guard {
    void run(String what, Runnable call);
  }

  private GroupDelivery() {}

  static void deliver(List<SubmitRequest> group, Collection<Subscriber> subscribers, Guard guard) {
    List<Committed> ops = new ArrayList<>(group.size());
    for (SubmitRequest request : group) {
      ops.add(request.sequenced());
    }
    OpRun run = new OpRun(ops);
    for (Subscriber subscriber : subscribers) {
      guard.run("broadcasting", () -> subscriber.ops(run));
    }
    for (SubmitRequest request : group) {
      if (request.sender() != null && subscribers.contains(request.sender())) {
        request.ackedByItsOwnOp();
      } else { // REST, or a socket that closed the document meanwhile: no order to keep
        guard.run("acknowledging", request::afterCommit);
      }
      guard.run("acknowledging", request::ackDuplicates);
    }
  }
}
