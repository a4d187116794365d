package dev.tandem.sequencer.document;

import dev.tandem.persistence.StoredOp;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;

/**
 * The subscribers of one document that opened at an older revision, on their way to the head. The
 * ops they missed come from memory when it holds them, else a page at a time from the database, and
 * go out in parts no larger than a page and about a message, each part when the subscriber has room
 * for it. At the head a subscriber joins the live {@link Subscribers}. Live ops meanwhile only move
 * the head further: the subscriber gets them as part of its catch-up, never twice. Not thread-safe:
 * owned by the document's sequencer.
 */
final class CatchUps {
  private final DocumentState doc;
  private final Sequencers sequencers;
  private final Subscribers subscribers;
  private final Executor continueWith;

  /** Subscribers still receiving the ops they missed; they join {@code subscribers} after. */
  private final Map<Subscriber, CatchUp> catchingUp = new HashMap<>();

  /** The catch-up whose step is running (so a failure there answers its subscriber). */
  private CatchUp inHand;

  /** A subscriber that has every op up to {@code after}, on its way to the head. */
  private record CatchUp(Subscriber subscriber, long after) {}

  CatchUps(
      DocumentState doc, Sequencers sequencers, Subscribers subscribers, Executor continueWith) {
    this.doc = doc;
    this.sequencers = sequencers;
    this.subscribers = subscribers;
    this.continueWith = continueWith;
  }

  boolean isEmpty() {
    return catchingUp.isEmpty();
  }

  /** Starts taking {@code subscriber}, which has every op up to {@code after}, to the head. */
  void start(Subscriber subscriber, long after) {
    sequencers.metrics().caughtUp((int) Math.min(Integer.MAX_VALUE, doc.head() - after));
    CatchUp catchUp = new CatchUp(subscriber, after);
    if (after < doc.historyStart()) { // the ops after it were pruned, whatever memory holds
      step(catchUp, () -> resync(catchUp));
    } else {
      step(catchUp, () -> catchUp(catchUp));
    }
  }

  /**
   * Sends a subscriber whose revision was pruned the text at the head instead ({@link
   * Subscriber#resynced}), with the highest seq its client committed up to there: read from the
   * database up to the head the read began at, the rest from memory, so the seq and the text agree.
   */
  private void resync(CatchUp catchUp) {
    Subscriber subscriber = catchUp.subscriber();
    catchingUp.put(subscriber, catchUp);
    String clientId = subscriber.participant() == null ? null : subscriber.participant().clientId();
    long readAt = doc.head();
    sequencers
        .readLater(
            () ->
                clientId == null
                    ? OptionalLong.empty()
                    : sequencers.opLog().lastSeq(doc.docId(), clientId, readAt))
        .whenComplete(
            (lastSeq, failure) ->
                continueWith.execute(
                    () -> {
                      if (catchingUp.get(subscriber) != catchUp) {
                        return; // it left meanwhile
                      }
                      step(
                          catchUp, () -> afterSeqRead(catchUp, clientId, readAt, lastSeq, failure));
                    }));
  }

  private void afterSeqRead(
      CatchUp catchUp, String clientId, long readAt, OptionalLong lastSeq, Throwable failure) {
    Subscriber subscriber = catchUp.subscriber();
    if (failure != null) {
      catchingUp.remove(subscriber);
      subscriber.failed(doc.docId(), Sequencers.asTandem(failure));
      return;
    }
    Optional<List<Committed>> since = doc.since(readAt);
    if (since.isEmpty()) {
      resync(catchUp); // memory moved on too far meanwhile: read again
      return;
    }
    OptionalLong seq = lastSeq;
    for (Committed committed : since.get()) {
      if (committed.clientId().equals(clientId)
          && (seq.isEmpty() || committed.seq() > seq.getAsLong())) {
        seq = OptionalLong.of(committed.seq());
      }
    }
    catchingUp.remove(subscriber);
    subscriber.resynced(doc.headSnapshot(), seq);
    subscribers.join(subscriber);
  }

  /** Stops the catch-up of a subscriber that left. */
  void remove(Subscriber subscriber) {
    catchingUp.remove(subscriber);
  }

  /**
   * Ends every catch-up (the document was deleted, or stepped down): each subscriber gets {@code
   * error}.
   */
  void failAll(TandemException error, GroupDelivery.Guard guard) {
    inHand = null;
    for (Subscriber subscriber : List.copyOf(catchingUp.keySet())) {
      catchingUp.remove(subscriber);
      guard.run("refusing", () -> subscriber.failed(doc.docId(), error));
    }
  }

  /** Gives up the catch-up whose step failed: its subscriber gets {@code error}. */
  void giveUp(TandemException error, GroupDelivery.Guard guard) {
    CatchUp catchUp = inHand;
    inHand = null;
    if (catchUp != null && catchingUp.remove(catchUp.subscriber()) != null) {
      guard.run("refusing", () -> catchUp.subscriber().failed(doc.docId(), error));
    }
  }

  /**
   * Takes a subscriber one part closer to the head. The ops after {@code after} come from memory
   * when it holds them, else one page is read from the database; then either the rest fits in one
   * {@link Subscriber#caughtUp} and the subscriber joins the live ones, or the next part goes out
   * as {@link Subscriber#missed} and this resumes when the subscriber has room.
   */
  private void catchUp(CatchUp catchUp) {
    catchingUp.put(catchUp.subscriber(), catchUp);
    Optional<List<Committed>> recent = doc.since(catchUp.after());
    if (recent.isPresent()) {
      advance(catchUp, recent.get());
      return;
    }
    long from = catchUp.after() + 1;
    int limit =
        (int) Math.min(sequencers.config().effectiveCatchUpPage(), doc.head() - catchUp.after());
    sequencers
        .readLater(() -> sequencers.opLog().readRange(doc.docId(), from, limit))
        .whenComplete(
            (page, failure) ->
                continueWith.execute(
                    () -> {
                      if (catchingUp.get(catchUp.subscriber()) != catchUp) {
                        return; // it left meanwhile
                      }
                      step(catchUp, () -> afterRead(catchUp, from, page, failure));
                    }));
  }

  private void afterRead(CatchUp catchUp, long from, List<StoredOp> page, Throwable failure) {
    sequencers.step(Faults.Step.CATCH_UP_READ_DONE, doc.docId());
    if (failure == null && !page.isEmpty() && page.get(0).revision() > from) {
      resync(catchUp); // pruned while it caught up
      return;
    }
    if (failure != null || page.isEmpty() || page.get(0).revision() != from) {
      catchingUp.remove(catchUp.subscriber());
      catchUp
          .subscriber()
          .failed(
              doc.docId(),
              failure != null ? Sequencers.asTandem(failure) : Errors.gapAt(doc.docId(), from));
      return;
    }
    List<Committed> ops = new ArrayList<>(page.size());
    page.forEach(stored -> ops.add(Committed.of(stored)));
    long end = ops.get(ops.size() - 1).revision();
    doc.since(end).ifPresent(ops::addAll); // the rest, if in memory
    advance(catchUp, ops);
  }

  /** Runs a step of {@code catchUp}; if it throws, {@link #giveUp} answers the subscriber. */
  private void step(CatchUp catchUp, Runnable step) {
    inHand = catchUp;
    step.run();
    inHand = null;
  }

  /** {@code ops} follow {@code catchUp.after()} without a gap, up to the head or not. */
  private void advance(CatchUp catchUp, List<Committed> ops) {
    Subscriber subscriber = catchUp.subscriber();
    long head = doc.head();
    boolean toHead = (ops.isEmpty() ? catchUp.after() : ops.get(ops.size() - 1).revision()) == head;
    int lastPart = toHead ? startOfLastPart(ops) : ops.size();
    if (lastPart == 0) {
      catchingUp.remove(subscriber);
      subscriber.caughtUp(doc.docId(), head, ops);
      subscribers.join(subscriber);
      return;
    }
    List<Committed> part =
        List.copyOf(ops.subList(0, Math.min(lastPart, sequencers.config().effectiveCatchUpPage())));
    CatchUp next = new CatchUp(subscriber, part.get(part.size() - 1).revision());
    catchingUp.put(subscriber, next);
    subscriber
        .missed(part)
        .whenComplete(
            (ready, failure) ->
                continueWith.execute(
                    () -> {
                      if (catchingUp.get(subscriber) == next) {
                        step(next, () -> catchUp(next));
                      }
                    }));
  }

  /**
   * Where the part that goes into {@link Subscriber#caughtUp} begins: the longest tail of {@code
   * ops} of at most a page, whose message stays within about the message size limit.
   */
  private int startOfLastPart(List<Committed> ops) {
    int page = sequencers.config().effectiveCatchUpPage();
    long budget = sequencers.config().maxMessageBytes();
    int start = ops.size();
    while (start > 0 && ops.size() - start < page) {
      budget -= ops.get(start - 1).entryBytes();
      if (budget < 0) {
        break;
      }
      start--;
    }
    return start;
  }
}
