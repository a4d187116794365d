package dev.tandem.sequencer.document;

import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.StoredOp;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.metrics.Metrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One group of sequenced submits of a document, from the first revision it assigns to its delivery:
 * the submits take the revisions after the head one after the other ({@link #assign}), the {@link
 * Committer} stores the whole group in one transaction ({@link #commit}), and only then does memory
 * take it ({@link #apply}) and the subscribers and senders get it ({@link #deliver}). A document
 * has at most one group at a time, so a failed group never has later ops built on top of it. Not
 * thread-safe: owned by the document's sequencer.
 */
final class GroupCommit {
  private final DocumentState doc;

  /** The submits sequenced into this group, in revision order. */
  private final List<SubmitRequest> requests = new ArrayList<>();

  /** The ops they were sequenced as: revisions {@code head + 1} on. */
  private final List<Committed> ops = new ArrayList<>();

  /** Whether the group went to the committer: it may be stored, whatever we hear. */
  private boolean handedOff;

  GroupCommit(DocumentState doc) {
    this.doc = doc;
  }

  // ---- while sequencing -------------------------------------------------------------------------

  /** Assigns the next revision to {@code op}, the transformed op of {@code request}. */
  Committed assign(TextOperation op, SubmitRequest request) {
    Sequencers.Submission submission = request.submission();
    Committed sequenced =
        new Committed(
            doc.docId(),
            doc.head() + ops.size() + 1,
            op,
            submission.clientId(),
            submission.seq(),
            submission.userId(),
            Instant.now());
    ops.add(sequenced);
    return sequenced;
  }

  /** {@code request} was sequenced into this group. */
  void add(SubmitRequest request) {
    requests.add(request);
  }

  /** The number of ops assigned so far; {@link #dropOpsFrom} takes back those after it. */
  int opCount() {
    return ops.size();
  }

  /** Takes back the ops assigned from {@code index} on (their submit failed). */
  void dropOpsFrom(int index) {
    ops.subList(index, ops.size()).clear();
  }

  /** The request with the same {@code (client, seq)} sequenced into this group, or null. */
  SubmitRequest sameSubmit(SubmitRequest request) {
    for (SubmitRequest other : requests) {
      if (other.sequenced() != null && other.isSameSubmit(request)) {
        return other;
      }
    }
    return null;
  }

  /** The document's length after this group's ops, given its length at the head. */
  int lengthAfter(int headLength) {
    return ops.isEmpty() ? headLength : ops.get(ops.size() - 1).op().targetLength();
  }

  /** Adds this group's ops before revision {@code before} to {@code into}, in revision order. */
  void opsBefore(long before, List<TextOperation> into) {
    for (Committed op : ops) {
      if (op.revision() < before) {
        into.add(op.op());
      }
    }
  }

  boolean isEmpty() {
    return requests.isEmpty();
  }

  List<SubmitRequest> requests() {
    return requests;
  }

  // ---- the group commit -------------------------------------------------------------------------

  /** Hands the group to the committer: one transaction for all of its ops. */
  CompletableFuture<Void> commit(Sequencers sequencers) {
    sequencers.step(Faults.Step.BUILD_ROWS, doc.docId());
    List<StoredOp> rows = new ArrayList<>(ops.size());
    for (Committed op : ops) {
      rows.add(op.toStored());
    }
    sequencers.step(Faults.Step.HAND_OFF, doc.docId());
    handedOff = true;
    return sequencers.committer().commit(doc.docId(), doc.leaseEpoch(), rows);
  }

  boolean handedOff() {
    return handedOff;
  }

  /**
   * Stored: memory takes the whole group before anyone is told, so a reply or subscriber that
   * throws cannot leave memory behind the database.
   */
  void apply() {
    for (SubmitRequest request : requests) {
      doc.apply(request.sequenced());
    }
  }

  /** Acknowledges the senders and broadcasts to everyone else, in revision order. */
  void deliver(Subscribers subscribers, GroupDelivery.Guard guard, Metrics metrics) {
    metrics.broadcast(subscribers.all().size());
    GroupDelivery.deliver(requests, subscribers.all(), guard);
    doc.delivered();
  }

  /** Not stored, or its outcome is unknown: every sender still waiting is told so. */
  void failed(TandemException error, GroupDelivery.Guard guard) {
    for (SubmitRequest request : requests) {
      guard.run("refusing", () -> request.afterFailure(error));
    }
  }
}
