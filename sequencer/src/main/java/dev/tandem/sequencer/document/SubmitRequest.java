package dev.tandem.sequencer.document;

import dev.tandem.ot.InvalidOperationException;
import dev.tandem.ot.TextOperation;
import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.TandemException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One submitted op, from arrival to acknowledgement. {@link #sequence} runs on the document's
 * sequencer and reads top to bottom in the order things happen; {@link #afterCommit} runs there
 * too, once the {@link Committer} has stored the op. The broadcast to the other subscribers is the
 * document's, right after this ack (see {@link DocumentSequencer}).
 */
final class SubmitRequest {
  private final Subscriber sender;
  private final SubmitReply reply;
  private final Sequencers.Submission submission;
  private final List<SubmitRequest> duplicates = new ArrayList<>(0);
  private final Runnable release;
  private Committed sequenced;
  private boolean answered; // exactly one answer, whichever path gets there first
  private long cost = 1;

  /** This submit's {@code (client, seq)} as the database had it, once looked up; null before. */
  private Optional<Committed> storedAs;

  /**
   * @param sender the subscriber that must not receive its own op as an {@code op} message, or null
   *     (a REST submit)
   * @param release frees this submit's place in its sender's queue, once it is answered
   */
  SubmitRequest(
      Subscriber sender, SubmitReply reply, Sequencers.Submission submission, Runnable release) {
    this.sender = sender;
    this.reply = reply;
    this.submission = submission;
    this.release = release;
  }

  /** Sequences this op against the document: duplicate check, transform, validate, revision. */
  void sequence(DocumentSequencer document) {
    document.step(Faults.Step.DEDUP);
    Optional<Committed> earlier = document.findCommitted(submission.clientId(), submission.seq());
    if (earlier.isPresent()) { // a resubmit: the old ack, never applied twice
      checkIsResubmitOf(earlier.get(), document);
      document.resubmitted();
      acked(earlier.get());
      return;
    }
    SubmitRequest inFlight = document.sequencedSame(this);
    if (inFlight != null) { // the same op is already on its way to the database
      checkIsResubmitOf(inFlight.sequenced(), document);
      inFlight.addDuplicate(this);
      return;
    }
    document.checkBaseRevision(submission.baseRevision()); // rev_out_of_range
    document.step(Faults.Step.TRANSFORM);
    TextOperation transformed = transformAgainst(document.opsAfter(submission.baseRevision()));
    document.step(Faults.Step.CHECK);
    document.checkApplies(transformed); // invalid_op, too_large
    sequenced = document.next(transformed, this); // the next revision; committed in a group
  }

  /**
   * A submit whose {@code (client, seq)} names a sequenced op is acknowledged with that op's
   * revision only if it is that op: the same user, a base before it, and, transformed from its base
   * up to the op's revision one op at a time (as the op itself was), equal to it. A legitimate
   * retry, which the client rebased on the ops it received meanwhile, passes; anything else would
   * be acknowledged and never stored.
   *
   * <p>Another user's op under this client id (possible only where {@link ClientOwners} forgot the
   * binding, e.g. after a restart) is {@code seq_reused} too, not {@code forbidden}: the sender's
   * op was not stored, and {@code seq_reused} tells its client to resend it under a fresh client
   * id, so the edit is kept.
   *
   * @throws TandemException {@code seq_reused} for an op that is another user's, differs, or cannot
   *     be verified (a base at or after it)
   */
  private void checkIsResubmitOf(Committed stored, DocumentSequencer document) {
    boolean same = false;
    long base = submission.baseRevision();
    if (stored.userId().equals(submission.userId()) && base < stored.revision()) {
      try {
        same = transformAgainst(document.opsBetween(base, stored.revision())).equals(stored.op());
      } catch (TandemException doesNotApply) { // so it is not the stored op either
        same = false;
      }
    }
    if (!same) {
      throw new TandemException(
          ErrorCode.SEQ_REUSED,
          "client id '"
              + submission.clientId()
              + "' seq "
              + submission.seq()
              + " names a different op, stored at revision "
              + stored.revision()
              + "; resubmit the op under a fresh client id");
    }
  }

  /**
   * Transforms the client's op against each op sequenced after its base revision, one at a time
   * (compose is not closed under transform):
   *
   * <pre>
   *          base revision
   *         /             \
   *   client op         concurrent ops c1 .. cn (already sequenced)
   *         \             /
   *          client op'  (applies after cn; the client's insert wins a tie)
   * </pre>
   */
  private TextOperation transformAgainst(List<TextOperation> concurrent) {
    TextOperation op = submission.op();
    try {
      for (TextOperation earlier : concurrent) {
        op = TextOperation.transformLeft(op, earlier);
      }
    } catch (InvalidOperationException e) {
      throw invalidOp(
          "op does not apply to revision " + submission.baseRevision() + ": " + e.getMessage());
    }
    return op;
  }

  /** Nothing is acknowledged before it is committed: this runs only after the commit. */
  void afterCommit() {
    acked(sequenced);
  }

  /**
   * Acknowledges the resubmits of this op that arrived while it was being committed (after its
   * group was delivered: their sockets may have received the op itself).
   */
  void ackDuplicates() {
    for (SubmitRequest duplicate : duplicates) {
      duplicate.acked(sequenced);
    }
  }

  /**
   * The op was not committed, or its outcome is unknown: every sender still waiting is told so (a
   * request already answered is left alone), and may resubmit it.
   */
  void afterFailure(TandemException error) {
    fail(error);
    for (SubmitRequest duplicate : duplicates) {
      duplicate.fail(error);
    }
  }

  /** Answers this request with {@code error}, unless it was answered already. */
  void fail(TandemException error) {
    if (!answered) {
      answered = true;
      release.run();
      reply.failed(error);
    }
  }

  /**
   * The sender received this op among the {@code ops} it takes for its acks: answered, with no
   * reply of its own, so its place in the sender's queue is freed as an ack would free it.
   */
  void ackedByItsOwnOp() {
    if (!answered) {
      answered = true;
      release.run();
    }
  }

  private void acked(Committed committed) {
    if (!answered) {
      answered = true;
      release.run();
      reply.acked(committed);
    }
  }

  /** Another submit of the same {@code (client, seq)} will get this request's outcome. */
  void addDuplicate(SubmitRequest other) {
    duplicates.add(other);
  }

  boolean isSameSubmit(SubmitRequest other) {
    return submission.clientId().equals(other.submission.clientId())
        && submission.seq() == other.submission.seq();
  }

  Sequencers.Submission submission() {
    return submission;
  }

  Subscriber sender() {
    return sender;
  }

  /** The queue this submit waits in, behind its sender's earlier ones: its socket, or its user. */
  Object lane() {
    return sender != null ? sender : "rest " + submission.userId();
  }

  /** What sequencing this submit costs: 1 + the ops it is transformed against. */
  long cost() {
    return cost;
  }

  void cost(long value) {
    cost = value;
  }

  /** The op stored under this submit's {@code (client, seq)} as looked up, or null if not yet. */
  Optional<Committed> storedAs() {
    return storedAs;
  }

  void storedAs(Optional<Committed> stored) {
    storedAs = stored;
  }

  /** The op as it was sequenced, or null if it was not (a resubmit, a failure). */
  Committed sequenced() {
    return sequenced;
  }

  static TandemException invalidOp(String message) {
    return new TandemException(ErrorCode.INVALID_OP, message);
  }
}
