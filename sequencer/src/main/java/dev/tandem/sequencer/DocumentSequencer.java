package dev.tandem.sequencer;

import dev.tandem.ot.Rope;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.CheckpointInfo;
import dev.tandem.persistence.DocumentExistsException;
import dev.tandem.persistence.DocumentSnapshot;
import dev.tandem.persistence.PersistenceException;
import dev.tandem.persistence.StoredOp;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of one document. Every request for the document runs on its {@link
 * SerialExecutor}, one at a time, so the state below needs no locks; nothing here blocks a
 * transport thread (database reads run on the sequencer pool, commits on the {@link Committer}).
 *
 * <p>Invariants: {@code text} and {@code head} equal the database's committed state (after a failed
 * commit the document is marked stale and reloaded before its next use); revisions are assigned
 * densely from {@code head + 1}; at most one group of sequenced ops is being committed at a time,
 * and subscribers receive committed ops in revision order, each exactly once.
 */
final class DocumentSequencer {
  private static final Logger log = LoggerFactory.getLogger(DocumentSequencer.class);
  private static final int MAX_OPS_PER_COMMIT = 500;

  private final String docId;
  private final Sequencers sequencers;
  private final SerialExecutor executor;

  // State owned by the executor.
  private boolean loaded;
  private boolean stale;
  private boolean unloaded;
  private Rope text = Rope.empty();
  private long head;
  private History history;
  private long lastUsedNanos = System.nanoTime();
  private final ArrayDeque<SubmitRequest> waiting = new ArrayDeque<>();
  private List<SubmitRequest> committing = List.of();

  /** Ops sequenced in the group being prepared or committed, after {@code head}. */
  private final List<Committed> sequencedAfterHead = new ArrayList<>();

  /** Every subscriber, with the presence it last published (null if none). */
  private final Map<Subscriber, PresenceUpdate> subscribers = new LinkedHashMap<>();

  DocumentSequencer(String docId, Sequencers sequencers, SerialExecutor executor) {
    this.docId = docId;
    this.sequencers = sequencers;
    this.executor = executor;
  }

  // ---- requests (any thread) ------------------------------------------------------------------

  void open(Subscriber subscriber, OptionalLong revision, boolean mayCreate) {
    enqueue(
        () -> doOpen(subscriber, revision, mayCreate),
        d -> d.open(subscriber, revision, mayCreate));
  }

  void submit(SubmitRequest request) {
    enqueue(() -> doSubmit(request), d -> d.submit(request));
  }

  void presence(Subscriber subscriber, PresenceUpdate update) {
    enqueue(() -> doPresence(subscriber, update), d -> d.presence(subscriber, update));
  }

  /** Removes a subscriber; {@code reply} sends it {@code closed}. Always accepted. */
  void leave(Subscriber subscriber, boolean reply) {
    executor.executeAlways(
        () -> {
          if (unloaded) {
            if (reply) {
              subscriber.closed(docId);
            }
            return;
          }
          doLeave(subscriber, reply);
        });
  }

  /** The text at {@code revision} (empty: at head). */
  CompletableFuture<DocumentSnapshot> text(OptionalLong revision) {
    CompletableFuture<DocumentSnapshot> result = new CompletableFuture<>();
    enqueue(
        () -> complete(result, () -> doText(revision)),
        d -> d.text(revision).whenComplete(relay(result)));
    return result;
  }

  /** Writes a checkpoint at the head. */
  CompletableFuture<CheckpointInfo> checkpoint() {
    CompletableFuture<CheckpointInfo> result = new CompletableFuture<>();
    enqueue(
        () -> complete(result, this::doCheckpoint),
        d -> d.checkpoint().whenComplete(relay(result)));
    return result;
  }

  /** Runs {@code task} after everything queued for this document so far; always accepted. */
  void afterPendingWork(Runnable task) {
    executor.executeAlways(task);
  }

  /** Unloads the document if nobody used it for {@code idleNanos}; always accepted. */
  void unloadIfIdle(long idleNanos) {
    executor.executeAlways(
        () -> {
          boolean idle =
              !unloaded
                  && subscribers.isEmpty()
                  && waiting.isEmpty()
                  && committing.isEmpty()
                  && System.nanoTime() - lastUsedNanos > idleNanos;
          if (idle) {
            unloaded = true;
            sequencers.forget(docId, this);
          }
        });
  }

  // ---- what SubmitRequest.sequence asks of its document -----------------------------------------

  /** The committed op with this {@code (client, seq)}: from memory, else from the database. */
  Optional<Committed> findCommitted(String clientId, long seq) {
    Optional<Committed> recent = history.bySeq(clientId, seq);
    if (recent.isPresent() || history.isCertainlyNew(clientId, seq)) {
      return recent;
    }
    return sequencers.opLog().findBySeq(docId, clientId, seq).map(Committed::of);
  }

  void resubmitted() {
    sequencers.metrics().resubmitted();
  }

  /** If the same {@code (client, seq)} is sequenced and not yet committed, joins its outcome. */
  boolean joinSequenced(SubmitRequest request) {
    for (SubmitRequest other : committing) {
      if (other.sequenced() != null && other.isSameSubmit(request)) {
        other.addDuplicate(request);
        return true;
      }
    }
    return false;
  }

  void checkBaseRevision(long baseRevision) {
    if (baseRevision > head) {
      throw new TandemException(
          ErrorCode.REV_OUT_OF_RANGE,
          "rev " + baseRevision + " is past the head of document '" + docId + "' (" + head + ")");
    }
  }

  /** Every op sequenced after {@code revision}: committed ones, then those in the current group. */
  List<TextOperation> opsAfter(long revision) {
    List<TextOperation> ops = new ArrayList<>();
    for (Committed committed : committedAfter(revision)) {
      ops.add(committed.op());
    }
    for (Committed pending : sequencedAfterHead) {
      ops.add(pending.op());
    }
    return ops;
  }

  void checkApplies(TextOperation op) {
    int length = sequencedLength();
    if (op.baseLength() != length) {
      throw SubmitRequest.invalidOp(
          "op base length " + op.baseLength() + " does not match document length " + length);
    }
    int limit = sequencers.config().maxDocumentCodePoints();
    if (op.targetLength() > limit) {
      throw new TandemException(
          ErrorCode.TOO_LARGE,
          "document would have "
              + op.targetLength()
              + " code points (expected: at most "
              + limit
              + ")");
    }
  }

  /** Assigns the next revision to {@code op}; it joins the group going to the committer. */
  Committed next(TextOperation op, SubmitRequest request) {
    Sequencers.Submission submission = request.submission();
    Committed sequenced =
        new Committed(
            docId,
            head + sequencedAfterHead.size() + 1,
            op,
            submission.clientId(),
            submission.seq(),
            submission.userId(),
            Instant.now());
    sequencedAfterHead.add(sequenced);
    return sequenced;
  }

  // ---- on the executor -------------------------------------------------------------------------

  private void doOpen(Subscriber subscriber, OptionalLong revision, boolean mayCreate) {
    try {
      ensureLoaded(mayCreate);
      if (revision.isPresent()) {
        long from = revision.getAsLong();
        if (from > head) {
          throw new TandemException(
              ErrorCode.REV_OUT_OF_RANGE,
              "rev " + from + " is past the head of document '" + docId + "' (" + head + ")");
        }
        subscriber.caughtUp(docId, head, committedAfter(from));
      } else {
        subscriber.opened(docId, head, text.toString());
      }
    } catch (TandemException e) {
      subscriber.failed(docId, e);
      return;
    }
    subscribers.put(subscriber, null);
    for (PresenceUpdate presence : subscribers.values()) {
      if (presence != null) {
        subscriber.presence(presence);
      }
    }
  }

  private void doSubmit(SubmitRequest request) {
    if (sequencers.isStopping()) {
      request.fail(new TandemException(ErrorCode.UNAVAILABLE, "the server is shutting down"));
      return;
    }
    waiting.addLast(request);
    if (committing.isEmpty()) {
      sequenceWaiting();
    }
  }

  /**
   * Sequences every waiting submit into one group and hands it to the committer. Runs when no group
   * is being committed, so a failed group never has later ops built on top of it.
   */
  private void sequenceWaiting() {
    if (waiting.isEmpty()) {
      return;
    }
    try {
      ensureLoaded(false);
    } catch (TandemException e) {
      while (!waiting.isEmpty()) {
        waiting.removeFirst().fail(e);
      }
      return;
    }
    List<SubmitRequest> group = new ArrayList<>();
    while (!waiting.isEmpty() && group.size() < MAX_OPS_PER_COMMIT) {
      SubmitRequest request = waiting.removeFirst();
      try {
        request.sequence(this);
        if (request.sequenced() != null) {
          group.add(request);
          committing = group; // lets a duplicate later in this group join it
        }
      } catch (TandemException e) {
        request.fail(e);
      } catch (PersistenceException e) {
        request.fail(unavailable(e));
      } catch (RuntimeException e) { // a bug: answer it, and keep the document usable
        log.error("sequencing a submit to '{}' failed", docId, e);
        request.fail(TandemException.internal(e));
      }
    }
    if (group.isEmpty()) {
      committing = List.of();
      return;
    }
    committing = group;
    List<StoredOp> rows = new ArrayList<>(group.size());
    for (Committed sequenced : sequencedAfterHead) {
      rows.add(sequenced.toStored());
    }
    sequencers
        .committer()
        .commit(docId, rows)
        .whenComplete((ok, failure) -> executor.executeAlways(() -> afterCommit(group, failure)));
  }

  /** Only now: apply to memory, ack each sender, broadcast to everyone else, in revision order. */
  private void afterCommit(List<SubmitRequest> group, Throwable failure) {
    committing = List.of();
    sequencedAfterHead.clear();
    if (failure != null) {
      // The outcome of a commit that failed may be unknown; reload before trusting memory again.
      stale = true;
      TandemException error =
          failure instanceof TandemException
              ? (TandemException) failure
              : new TandemException(ErrorCode.UNAVAILABLE, "the op was not stored", failure);
      for (SubmitRequest request : group) {
        request.afterFailure(error);
      }
    } else {
      long before = head;
      // Memory takes the whole group before anyone is told, so a reply or subscriber that throws
      // cannot leave memory behind the database.
      for (SubmitRequest request : group) {
        Committed committed = request.sequenced();
        text = text.apply(committed.op());
        head = committed.revision();
        history.add(committed);
      }
      for (SubmitRequest request : group) {
        safely("acknowledging", request::afterCommit);
        broadcast(request.sequenced(), request.sender());
      }
      maybeCheckpoint(before);
    }
    sequenceWaiting();
  }

  private void broadcast(Committed committed, Subscriber sender) {
    for (Subscriber subscriber : subscribers.keySet()) {
      if (subscriber != sender) {
        safely("broadcasting", () -> subscriber.op(committed));
      }
    }
  }

  /** Runs a call into a transport; a bug there is logged and never stops the document. */
  private void safely(String what, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.error("{} an op of '{}' failed", what, docId, e);
    }
  }

  private void doPresence(Subscriber subscriber, PresenceUpdate update) {
    if (!subscribers.containsKey(subscriber)) {
      return; // closed in the meantime: nothing to relay
    }
    subscribers.put(subscriber, update);
    for (Subscriber other : subscribers.keySet()) {
      if (other != subscriber) {
        other.presence(update);
      }
    }
  }

  private void doLeave(Subscriber subscriber, boolean reply) {
    boolean wasSubscribed = subscribers.containsKey(subscriber);
    PresenceUpdate last = subscribers.remove(subscriber);
    if (wasSubscribed && last != null) {
      PresenceUpdate left = PresenceUpdate.left(docId, last.clientId());
      for (Subscriber other : subscribers.keySet()) {
        other.presence(left);
      }
    }
    if (reply) {
      subscriber.closed(docId);
    }
  }

  private DocumentSnapshot doText(OptionalLong revision) {
    ensureLoaded(false);
    if (revision.isEmpty() || revision.getAsLong() == head) {
      return new DocumentSnapshot(docId, head, text.toString());
    }
    long at = revision.getAsLong();
    if (at < 0 || at > head) {
      throw new TandemException(
          ErrorCode.REV_OUT_OF_RANGE,
          "rev " + at + " (expected: 0 to the head of document '" + docId + "', " + head + ")");
    }
    return sequencers.opLog().textAt(docId, at);
  }

  private CheckpointInfo doCheckpoint() {
    ensureLoaded(false);
    return sequencers.checkpoints().write(docId, head, text.toString());
  }

  /** Automatic checkpoints, every {@code checkpointInterval} revisions, written off this thread. */
  private void maybeCheckpoint(long before) {
    int interval = sequencers.config().checkpointInterval();
    if (head / interval == before / interval) {
      return;
    }
    long revision = head;
    Rope snapshot = text; // immutable: stays valid while the sequencer moves on
    sequencers
        .background()
        .execute(
            () -> {
              try {
                sequencers.checkpoints().write(docId, revision, snapshot.toString());
              } catch (RuntimeException e) {
                log.warn("checkpoint of '{}' at {} failed: {}", docId, revision, e.toString());
              }
            });
  }

  /**
   * Loads the document from the database if it is not loaded or is stale. A reload that finds ops
   * memory did not know (a commit whose failure was reported but which did land) gives them to the
   * subscribers, so nobody misses a revision.
   *
   * @throws TandemException {@code not_found}, or {@code unavailable} if the database is away
   */
  private void ensureLoaded(boolean mayCreate) {
    if (loaded && !stale) {
      return;
    }
    try {
      Optional<DocumentSnapshot> snapshot = sequencers.opLog().loadDocument(docId);
      if (snapshot.isEmpty()) {
        if (!mayCreate) {
          throw new TandemException(ErrorCode.NOT_FOUND, "no document '" + docId + "'");
        }
        snapshot = Optional.of(create());
      }
      long knownHead = head;
      boolean reload = loaded;
      text = Rope.of(snapshot.get().text());
      head = snapshot.get().revision();
      history = new History(sequencers.config().historyInMemory());
      loaded = true;
      stale = false;
      if (reload && head > knownHead) {
        for (Committed missed : committedAfter(knownHead)) {
          broadcast(missed, null);
        }
      }
    } catch (PersistenceException e) {
      throw unavailable(e);
    }
  }

  private DocumentSnapshot create() {
    try {
      return sequencers.opLog().createDocument(docId, "");
    } catch (DocumentExistsException e) { // created by someone else meanwhile
      return sequencers.opLog().loadDocument(docId).orElseThrow(() -> e);
    }
  }

  /** The committed ops after {@code revision}, from memory when it holds them. */
  private List<Committed> committedAfter(long revision) {
    Optional<List<Committed>> recent = history.since(revision, head);
    if (recent.isPresent()) {
      return recent.get();
    }
    List<Committed> ops = new ArrayList<>();
    long next = revision + 1;
    while (next <= head) {
      int limit = (int) Math.min(1000, head - next + 1);
      List<StoredOp> page = sequencers.opLog().readRange(docId, next, limit);
      if (page.isEmpty()) {
        throw new TandemException(
            ErrorCode.INTERNAL, "op log of '" + docId + "' ends before revision " + next);
      }
      for (StoredOp stored : page) {
        ops.add(Committed.of(stored));
      }
      next += page.size();
    }
    return ops;
  }

  private int sequencedLength() {
    return sequencedAfterHead.isEmpty()
        ? text.length()
        : sequencedAfterHead.get(sequencedAfterHead.size() - 1).op().targetLength();
  }

  private void enqueue(Runnable task, Consumer<DocumentSequencer> reroute) {
    executor.execute(
        () -> {
          if (unloaded) { // this instance was unloaded after the caller found it: use the new one
            sequencers.route(docId, reroute);
            return;
          }
          lastUsedNanos = System.nanoTime();
          task.run();
        });
  }

  private static <T> void complete(
      CompletableFuture<T> result, java.util.function.Supplier<T> work) {
    try {
      result.complete(work.get());
    } catch (PersistenceException e) {
      result.completeExceptionally(unavailable(e));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  private static <T> java.util.function.BiConsumer<T, Throwable> relay(CompletableFuture<T> to) {
    return (value, failure) -> {
      if (failure != null) {
        to.completeExceptionally(failure);
      } else {
        to.complete(value);
      }
    };
  }

  static TandemException unavailable(PersistenceException e) {
    return new TandemException(
        ErrorCode.UNAVAILABLE, "the database is unavailable: " + e.getMessage(), e);
  }
}
