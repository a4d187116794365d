package dev.tandem.sequencer.document;

import dev.tandem.persistence.CheckpointInfo;
import dev.tandem.persistence.DocumentSnapshot;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.protocol.PresenceUpdate;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of one document. Every request for the document runs on its {@link
 * SerialExecutor}, one at a time, so the state of its parts needs no locks:
 *
 * <ul>
 *   <li>{@link DocumentState}: the text and revision at the head, and the recent history;
 *   <li>{@link Loading}: loading and reloading it, with the work that waits for that;
 *   <li>{@link Arrivals}: submits handed over from any thread, taken into the queue together;
 *   <li>{@link Submits}: the submit queue, sequencing, the {@link GroupCommit} and its delivery;
 *   <li>{@link CatchUps}: subscribers that opened at an older revision, on their way to the head;
 *   <li>{@link Subscribers}: the live subscribers and their presence;
 *   <li>{@link Checkpoints}: checkpoints on request and every {@code checkpointInterval} revisions.
 * </ul>
 *
 * <p>Nothing here blocks: the database is read on the {@link Sequencers}' database pool and written
 * by the {@link Committer}; the work that needs the answer waits in the parts' state and resumes on
 * this executor ({@link #continueWith}), so one slow read stalls only its own document.
 *
 * <p>Invariants: the state equals the database's committed state (after a failed commit the
 * document is marked stale and reloaded before its next use); revisions are assigned densely from
 * {@code head + 1}; at most one group of sequenced ops is being committed at a time, and while one
 * is, or while older history is read for the submit next in line, no other submit is sequenced;
 * subscribers receive committed ops in revision order, each exactly once.
 *
 * <p>Every task runs under one guard ({@link #guarded}): whatever a step throws, the requests it
 * had in hand are answered, the sequencing state is emptied, the document is reloaded if memory may
 * differ from the database, and the next request is served.
 */
public final class DocumentSequencer {
  private static final Logger log = LoggerFactory.getLogger(DocumentSequencer.class);

  /** Submits waiting this long with nothing under way are reported (the sweeper looks). */
  private static final long STALL_REPORTED_AFTER_NANOS = 10_000_000_000L;

  private final String docId;
  private final Sequencers sequencers;
  private final SerialExecutor executor;
  private final DocumentState doc;
  private final Subscribers subscribers;
  private final Loading loading;
  private final CatchUps catchUps;
  private final Checkpoints checkpoints;
  private final Submits submits;
  private final Arrivals arrivals = new Arrivals(() -> continueWith(this::takeArrivals));

  private long lastUsedNanos = System.nanoTime();

  DocumentSequencer(String docId, Sequencers sequencers, SerialExecutor executor) {
    this.docId = docId;
    this.sequencers = sequencers;
    this.executor = executor;
    this.doc = new DocumentState(docId);
    this.subscribers = new Subscribers(doc, this::safely);
    this.loading =
        new Loading(doc, sequencers, subscribers, this::continueWith, this::safely, this::stepDown);
    this.catchUps = new CatchUps(doc, sequencers, subscribers, this::continueWith);
    this.checkpoints = new Checkpoints(doc, sequencers);
    this.submits =
        new Submits(
            doc,
            sequencers,
            loading,
            subscribers,
            checkpoints,
            this::continueWith,
            this::continueAfterCommit,
            this::safely);
  }

  // ---- requests (any thread) ------------------------------------------------------------------

  void open(Subscriber subscriber, OptionalLong revision, boolean mayCreate) {
    enqueue(
        () ->
            loading.use(
                subscriber,
                mayCreate,
                () -> doOpen(subscriber, revision),
                error -> subscriber.failed(docId, error)));
  }

  /**
   * Hands a submit over; it reaches the document's queue in the next step that takes arrivals.
   *
   * @throws TandemException {@code rate_limited} if the document has {@link
   *     Sequencers#QUEUE_LIMIT_PER_DOCUMENT} requests waiting
   */
  void submit(SubmitRequest request) {
    int waiting = executor.queued() + arrivals.size();
    if (waiting >= Sequencers.QUEUE_LIMIT_PER_DOCUMENT) {
      throw Errors.rateLimited("the document is busy: " + waiting + " requests are waiting");
    }
    arrivals.add(request);
  }

  void presence(Subscriber subscriber, PresenceUpdate update) {
    enqueue(() -> subscribers.presence(subscriber, update));
  }

  /** Removes a subscriber, or cancels its open; {@code reply} sends it {@code closed}. */
  void leave(Subscriber subscriber, boolean reply) {
    continueWith(() -> doLeave(subscriber, reply));
  }

  /** The text at the head. */
  CompletableFuture<DocumentSnapshot> text() {
    CompletableFuture<DocumentSnapshot> result = new CompletableFuture<>();
    enqueue(
        () ->
            loading.use(
                null,
                false,
                () ->
                    result.complete(new DocumentSnapshot(docId, doc.head(), doc.text().toString())),
                result::completeExceptionally));
    return result;
  }

  /** The history was pruned before {@code start}: opens and submits below it are resynced. */
  void pruned(long start) {
    continueWith(() -> doc.pruned(start));
  }

  /** Writes a checkpoint at the head. */
  CompletableFuture<CheckpointInfo> checkpoint() {
    CompletableFuture<CheckpointInfo> result = new CompletableFuture<>();
    enqueue(
        () ->
            loading.use(
                null,
                false,
                () -> checkpoints.write().whenComplete(relay(result)),
                result::completeExceptionally));
    return result;
  }

  /** The heartbeat found the lease taken over: reload, which steps down unless it is free again. */
  void leaseLost() {
    continueWith(
        () -> {
          loading.markStale();
          loading.reloadIfStale();
        });
  }

  /**
   * Another node took the document over: every subscriber gets {@code moved} (with the owner's URL,
   * which the clients follow), the work in hand is refused with it, and memory is forgotten; a
   * later request loads the document again, under a new lease or with {@code moved}.
   */
  private void stepDown(TandemException moved) {
    log.atWarn()
        .setMessage("document taken over by another node: stepping down")
        .addKeyValue("doc", docId)
        .addKeyValue("rev", doc.head())
        .log();
    sequencers.ownership().forget(docId);
    loading.forget();
    submits.giveUp(moved);
    catchUps.failAll(moved, this::safely);
    for (Subscriber subscriber : subscribers.removeAll()) {
      safely("stepping down", () -> subscriber.failed(docId, moved));
    }
    continueWith(submits::resume); // submits still waiting load again: the lease, or moved
  }

  /**
   * Deletes the document and its history. Its requests are held from now on, as during a load; the
   * delete starts once no group of it is being committed (when the commit in flight is done); then
   * every subscriber and catch-up gets {@code not_found}, the held requests find no document, and
   * the sequencer is forgotten. If the delete fails, nothing was deleted: the held requests get its
   * error and the document reloads before its next use.
   */
  CompletableFuture<Boolean> delete() {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    enqueue(
        () ->
            loading.use(
                null,
                false,
                () -> {
                  loading.holdForDelete();
                  submits.whenNoGroupHandedOff(() -> loading.delete(result, this::dropSubscribers));
                },
                result::completeExceptionally));
    return result;
  }

  /** After the delete: nobody follows the document any more, and memory forgets it. */
  private void dropSubscribers() {
    TandemException deleted = Errors.documentDeleted(docId);
    catchUps.failAll(deleted, this::safely);
    for (Subscriber subscriber : subscribers.removeAll()) {
      safely("telling of the delete", () -> subscriber.failed(docId, deleted));
    }
    doc.reset(new DocumentSnapshot(docId, 0, ""), 0, 0, 1);
    log.atInfo().setMessage("document deleted").addKeyValue("doc", docId).log();
    continueWith(
        () -> {
          if (subscribers.isEmpty() && catchUps.isEmpty() && !loading.isLoading()) {
            sequencers.forgetIfUnused(docId, this, () -> executor.queued() == 1);
          }
        });
  }

  /** Runs {@code task} after everything queued for this document so far; always accepted. */
  public void afterPendingWork(Runnable task) {
    executor.executeAlways(task);
  }

  /**
   * Unloads the document if nobody used it for {@code idleNanos} and nothing is under way for it.
   * The map entry is removed only while no request is queued here: {@link Sequencers#route} queues
   * under the same entry lock, so no request can land on an unloaded instance.
   */
  /** Its subscribers at the moment; from any thread, for the metrics. */
  int subscriberCount() {
    return subscribers.count();
  }

  void unloadIfIdle(long idleNanos) {
    continueWith(
        () -> {
          long stalled = submits.stalledFor(System.nanoTime());
          if (stalled > STALL_REPORTED_AFTER_NANOS) {
            log.atWarn()
                .setMessage("document stalled: submits wait and nothing sequences them")
                .addKeyValue("doc", docId)
                .addKeyValue("seconds", stalled / 1_000_000_000)
                .addKeyValue("state", submits.describe())
                .log();
            submits.sequenceWaiting(); // a safety net: whatever stalled it, what is ready goes on
          }
          boolean idle =
              subscribers.isEmpty()
                  && catchUps.isEmpty()
                  && submits.isIdle()
                  && !loading.isLoading()
                  && System.nanoTime() - lastUsedNanos > idleNanos;
          if (idle
              && sequencers.forgetIfUnused(
                  docId, this, () -> executor.queued() == 1)) { // this task only
            sequencers.released(docId, doc.leaseEpoch());
            log.atInfo()
                .setMessage("document unloaded")
                .addKeyValue("doc", docId)
                .addKeyValue("rev", doc.head())
                .log();
          }
        });
  }

  // ---- submits, open and leave, on the executor -------------------------------------------------

  /** Takes the submits that arrived into their lanes, all of them before any is sequenced. */
  private void takeArrivals() {
    lastUsedNanos = System.nanoTime();
    arrivals.takeInto(submits::arrive);
    submits.sequenceWaiting();
  }

  private void doOpen(Subscriber subscriber, OptionalLong revision) {
    if (revision.isEmpty()) {
      subscriber.opened(doc.headSnapshot());
      subscribers.join(subscriber);
    } else if (revision.getAsLong() > doc.head()) {
      subscriber.failed(docId, Errors.revOutOfRange(docId, revision.getAsLong(), doc.head()));
    } else {
      catchUps.start(subscriber, revision.getAsLong());
    }
  }

  /**
   * Removes a subscriber wherever it is: subscribed, catching up, or with its open waiting for the
   * load. An open still under way is dropped, so a socket that closed meanwhile never becomes a
   * subscriber that nobody removes. Without a reply (the socket is gone, or may no longer read the
   * document) its waiting submits are dropped too, all but the first of its lane (which may be
   * under way): nobody would get their acks, a client sends them again after reconnecting, and a
   * flooder closed for its flood leaves no backlog for the others to wait behind.
   */
  private void doLeave(Subscriber subscriber, boolean reply) {
    if (!reply) {
      submits.senderLeft(subscriber);
    }
    catchUps.remove(subscriber);
    loading.cancel(subscriber);
    subscribers.leave(subscriber);
    if (reply) {
      subscriber.closed(docId);
    }
  }

  // ---- the executor and its guard ---------------------------------------------------------------

  private void enqueue(Runnable task) {
    executor.execute(
        () ->
            guarded(
                () -> {
                  lastUsedNanos = System.nanoTime();
                  task.run();
                }));
  }

  /** Queues a continuation (a read or commit came back); runs even when the queue is full. */
  private void continueWith(Runnable task) {
    executor.executeAlways(() -> guarded(task));
  }

  /**
   * Queues what follows a commit; on the committer thread, when it may go on with the document
   * ({@link Committer#mayContinueHere}), runs it there if the document is idle.
   */
  private void continueAfterCommit(Runnable task) {
    if (sequencers.committer().mayContinueHere()) {
      executor.executeHereIfIdle(() -> guarded(task));
    } else {
      continueWith(task);
    }
  }

  /**
   * The one guard around every step of this document's work: whatever {@code step} throws, {@link
   * #recover} answers the requests it had in hand and restores the document's state, so the next
   * request is served. The executor's own catch-all is never reached.
   */
  private void guarded(Runnable step) {
    try {
      step.run();
    } catch (Throwable failure) {
      try {
        recover(failure);
      } catch (Throwable worse) {
        failure.addSuppressed(worse);
        log.error("recovering '{}' failed; it reloads before its next use", docId, failure);
        loading.markStale();
      }
    }
  }

  /**
   * Gives up the work in hand when a step failed: every request it involved gets {@code failure}
   * ({@code internal} unless it is a {@link TandemException}), the sequencing state is emptied, and
   * if the group in hand may have reached the database, or memory was being changed, the document
   * is reloaded, delivering whatever did land to every subscriber. Continuations of the given-up
   * work find it given up and do nothing but note that a commit landed.
   */
  private void recover(Throwable failure) {
    TandemException error;
    if (failure instanceof TandemException tandem) {
      error = tandem;
    } else {
      log.error("a step of document '{}' failed; its requests are answered", docId, failure);
      error = Errors.internal(failure);
    }
    if (submits.groupHandedOff() || loading.takingLoad()) {
      loading.markStale(); // memory may differ from the database
    }
    submits.giveUp(error);
    loading.giveUp(error);
    catchUps.giveUp(error, this::safely);
    continueWith(submits::resume);
  }

  /** Runs a call into a transport; a bug there is logged and never stops the document. */
  private void safely(String what, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.error("{} an op of '{}' failed", what, docId, e);
    }
  }

  private static <T> BiConsumer<T, Throwable> relay(CompletableFuture<T> to) {
    return (value, failure) -> {
      if (failure != null) {
        to.completeExceptionally(Sequencers.asTandem(failure));
      } else {
        to.complete(value);
      }
    };
  }
}
