package dev.tandem.sequencer.document;

import dev.tandem.ot.InvalidOperationException;
import dev.tandem.ot.TextOperation;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One submit, from arrival to its one answer: its sender and {@link SubmitReply}, what was looked
 * up and read for it, its sequencing ({@link #sequence}: duplicate check, transform, validation,
 * next revision), the resubmits that wait for its outcome, and its answer ({@link #afterCommit},
 * {@link #ackedByItsOwnOp} or {@link #afterFailure}). {@link Submits} moves it along: queue, group,
 * commit, delivery.
 */
final class SubmitRequest {
  private final Subscriber sender;
  private final SubmitReply reply;
  private final Sequencers.Submission submission;
  private final List<SubmitRequest> duplicates = new ArrayList<>(0);
  private final Runnable release;
  private final Metrics metrics;
  private final long arrivedNanos = System.nanoTime();
  private int transforms; // the ops it was transformed against, for the metrics
  private Committed sequenced;
  private boolean answered; // exactly one answer, whichever path gets there first
  private long cost = 1;

  /** This submit's {@code (client, seq)} as the database had it, once looked up; null before. */
  private Optional<Committed> storedAs;

  /** What memory no longer held for this submit, as read from the database; null if not read. */
  private OlderHistory read;

  /**
   * What memory no longer held for this submit, read from the database: its earlier commit if any,
   * and the committed ops after its base revision up to {@code through} (the earlier commit's
   * revision - 1, else the head when the read began); the ops after {@code through} come from
   * memory.
   */
  record OlderHistory(Optional<Committed> earlier, List<Committed> opsAfterBase, long through) {}

  /**
   * @param sender the subscriber that must not receive its own op as an {@code op} message, or null
   *     (a REST submit)
   * @param release frees this submit's place in its sender's queue, once it is answered
   */
  SubmitRequest(
      Subscriber sender,
      SubmitReply reply,
      Sequencers.Submission submission,
      Runnable release,
      Metrics metrics) {
    this.sender = sender;
    this.reply = reply;
    this.submission = submission;
    this.release = release;
    this.metrics = metrics;
  }

  /**
   * Sequences this op into {@code group}, on the document's sequencer, in the order things happen:
   * duplicate check, transform, validate, next revision. A resubmit of a committed op is answered
   * at once with that op's ack; a resubmit of an op in the group joins it.
   */
  void sequence(DocumentState doc, GroupCommit group, Sequencers sequencers) {
    sequencers.step(Faults.Step.DEDUP, doc.docId());
    Optional<Committed> earlier = findCommitted(doc);
    if (earlier.isPresent()) { // a resubmit: the old ack, never applied twice
      checkIsResubmitOf(earlier.get(), doc, group);
      sequencers.metrics().resubmitted();
      acked(earlier.get());
      return;
    }
    SubmitRequest inFlight = group.sameSubmit(this);
    if (inFlight != null) { // the same op is already on its way to the database
      checkIsResubmitOf(inFlight.sequenced(), doc, group);
      inFlight.addDuplicate(this);
      return;
    }
    if (submission.baseRevision() > doc.head()) {
      throw Errors.revOutOfRange(doc.docId(), submission.baseRevision(), doc.head());
    }
    sequencers.step(Faults.Step.TRANSFORM, doc.docId());
    List<TextOperation> concurrent =
        opsBetween(submission.baseRevision(), Long.MAX_VALUE, doc, group);
    transforms = concurrent.size();
    TextOperation transformed = transformAgainst(concurrent);
    sequencers.step(Faults.Step.CHECK, doc.docId());
    checkApplies(transformed, group.lengthAfter(doc.text().length()), sequencers);
    Committed next = group.assign(transformed, this); // the next revision, in this group
    sequencers.step(Faults.Step.ASSIGN_REVISION, doc.docId()); // a failure here takes it back
    sequenced = next;
    group.add(this);
  }

  /**
   * The committed op with this submit's {@code (client, seq)}: from memory, else as looked up or
   * read for this submit.
   */
  private Optional<Committed> findCommitted(DocumentState doc) {
    Optional<Committed> recent = doc.history().bySeq(submission.clientId(), submission.seq());
    if (recent.isPresent()
        || doc.history().isCertainlyNew(submission.clientId(), submission.seq())) {
      return recent;
    }
    if (storedAs != null) {
      return storedAs;
    }
    return requireRead(doc).earlier();
  }

  /**
   * The ops sequenced after {@code revision} and before {@code before}, in revision order: the
   * committed ones from memory or as read for this submit, then those of the group.
   */
  private List<TextOperation> opsBetween(
      long revision, long before, DocumentState doc, GroupCommit group) {
    List<TextOperation> ops = new ArrayList<>();
    if (revision < doc.head() && revision + 1 < before) {
      Optional<List<Committed>> recent = doc.since(revision);
      for (Committed committed : recent.orElseGet(() -> readOpsAfter(doc, before))) {
        if (committed.revision() < before) {
          ops.add(committed.op());
        }
      }
    }
    group.opsBefore(before, ops);
    return ops;
  }

  /** The committed ops after the base (before {@code before}): as read, then memory's. */
  private List<Committed> readOpsAfter(DocumentState doc, long before) {
    OlderHistory older = requireRead(doc);
    List<Committed> ops = new ArrayList<>(older.opsAfterBase());
    if (older.through() + 1 < before && older.through() < doc.head()) {
      ops.addAll(
          doc.since(older.through())
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "ops of '"
                              + doc.docId()
                              + "' after "
                              + older.through()
                              + " were not read")));
    }
    return ops;
  }

  private OlderHistory requireRead(DocumentState doc) {
    if (read == null) {
      throw new IllegalStateException(
          "history of '" + doc.docId() + "' was not read for this submit");
    }
    return read;
  }

  /** Whether {@code op}, of length {@code length} before it, applies and fits. */
  private static void checkApplies(TextOperation op, int length, Sequencers sequencers) {
    if (op.baseLength() != length) {
      throw Errors.invalidOp(
          "op base length " + op.baseLength() + " does not match document length " + length);
    }
    int limit = sequencers.config().maxDocumentCodePoints();
    if (op.targetLength() > limit) {
      throw Errors.tooLarge("document would have " + op.targetLength() + " code points", limit);
    }
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
  private void checkIsResubmitOf(Committed stored, DocumentState doc, GroupCommit group) {
    boolean same = false;
    long base = submission.baseRevision();
    if (isPastVerifying(stored, doc)) { // what it was made on is gone: only its user compares
      same = stored.userId().equals(submission.userId());
    } else if (stored.userId().equals(submission.userId()) && base < stored.revision()) {
      try {
        same =
            transformAgainst(opsBetween(base, stored.revision(), doc, group)).equals(stored.op());
      } catch (TandemException doesNotApply) { // so it is not the stored op either
        same = false;
      }
    }
    if (!same) {
      throw Errors.seqReused(
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
   * Whether a resubmit of {@code stored} can no longer be compared with it: it is at or below where
   * the pruned history starts, so the ops it was transformed against are gone (and if it was pruned
   * itself, OpLog#findBySeq gives a stand-in without its op). Such a resubmit is acknowledged if
   * its user is the op's: a pruned op is never applied twice.
   */
  static boolean isPastVerifying(Committed stored, DocumentState doc) {
    return stored.revision() <= doc.historyStart();
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
      throw Errors.invalidOp(
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
      metrics.acked(System.nanoTime() - arrivedNanos, transforms);
    }
  }

  private void acked(Committed committed) {
    if (!answered) {
      answered = true;
      release.run();
      reply.acked(committed);
      metrics.acked(System.nanoTime() - arrivedNanos, transforms);
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

  /**
   * What sequencing this submit costs, as estimated when it arrived: 1 + the ops it would be
   * transformed against then.
   */
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

  /** What was read for this submit, or null. */
  OlderHistory read() {
    return read;
  }

  /** Keeps (or, with null, drops) what was read for this submit. */
  void read(OlderHistory older) {
    read = older;
  }

  /** The op as it was sequenced, or null if it was not (a resubmit, a failure). */
  Committed sequenced() {
    return sequenced;
  }
}
