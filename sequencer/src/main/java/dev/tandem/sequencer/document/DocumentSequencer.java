package dev.tandem.sequencer.document;

import dev.tandem.ot.Rope;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.CheckpointInfo;
import dev.tandem.persistence.DocumentExistsException;
import dev.tandem.persistence.DocumentSnapshot;
import dev.tandem.persistence.PersistenceException;
import dev.tandem.persistence.StoredOp;
import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.protocol.Json;
import dev.tandem.sequencer.protocol.PresenceUpdate;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
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
 * SerialExecutor}, one at a time, so the state below needs no locks. Nothing here blocks: the
 * database is read on the {@link Sequencers}' database pool (loading the document, history older
 * than memory keeps, a page of a catch-up) and written by the {@link Committer}; the work that
 * needs the answer waits in this document's state and resumes on its executor, so one slow read
 * stalls only its own document.
 *
 * <p>Invariants: {@code text} and {@code head} equal the database's committed state (after a failed
 * commit the document is marked stale and reloaded before its next use); revisions are assigned
 * densely from {@code head + 1}; at most one group of sequenced ops is being committed at a time,
 * and while one is, or while older history is read for the submit next in line, no other submit is
 * sequenced; subscribers receive committed ops in revision order, each exactly once.
 *
 * <p>Every task runs under one guard ({@link #guarded}): whatever a step throws, the requests it
 * had in hand are answered, the sequencing state is emptied, the document is reloaded if memory may
 * differ from the database, and the next request is served.
 */
public final class DocumentSequencer {
  private static final Logger log = LoggerFactory.getLogger(DocumentSequencer.class);

  /**
   * Ops one group may hold. A submit that arrives waits for the group under way, its commit and its
   * delivery (an ack or a run of ops per op and subscriber, on this thread): a small group keeps
   * that wait short under a flood, and the committer still writes many documents' groups at once.
   */
  private static final int MAX_OPS_PER_COMMIT = 100;

  /**
   * Transforms one group may cost (the sum of its submits' costs), so that sequencing one group
   * stays short and a submit that arrives meanwhile waits for little.
   */
  private static final long MAX_TRANSFORMS_PER_GROUP = 10_000;

  private static final int READ_PAGE = 1000;

  /** New senders whose first submits one read looks up at most. */
  private static final int LOOK_UPS_PER_READ = 64;

  private final String docId;
  private final Sequencers sequencers;
  private final SerialExecutor executor;

  // State owned by the executor.
  private boolean loaded;
  private boolean stale;
  private boolean loading;
  private final ArrayDeque<Use> awaitingLoad = new ArrayDeque<>();
  private Rope text = Rope.empty();

  /** The text at the head as opens answer it, made on the first open after it changed. */
  private Snapshot headSnapshot;

  private long head;
  private History history;
  private long lastUsedNanos = System.nanoTime();
  private final SubmitQueue waiting = new SubmitQueue();
  private List<SubmitRequest> committing = List.of();
  private boolean sequenceAfterLoad;
  private OlderHistory olderHistory;

  // What a step has in hand, so that whatever it throws, {@link #recover} answers it.
  /** The request inside {@link SubmitRequest#sequence} right now. */
  private SubmitRequest sequencing;

  /**
   * The requests whose older history or earlier commit is being read (they stay in their lanes
   * meanwhile); empty if no read is under way.
   */
  private List<SubmitRequest> readingFor = List.of();

  /** Whether {@code committing} went to the committer: it may be stored, whatever we hear. */
  private boolean handedOff;

  /** The requests of the load being taken into memory. */
  private List<Use> usesInHand = List.of();

  /** The catch-up whose read is being taken. */
  private CatchUp catchUpInHand;

  /** Bumped by every recovery: a continuation of work given up since then finds it changed. */
  private int generation;

  /** The last revision handed to the subscribers; a reload delivers the ops after it. */
  private long deliveredHead;

  /** Ops sequenced in the group being prepared or committed, after {@code head}. */
  private final List<Committed> sequencedAfterHead = new ArrayList<>();

  /** Every subscriber, with the presence it last published (null if none). */
  private final Map<Subscriber, PresenceUpdate> subscribers = new LinkedHashMap<>();

  /** Subscribers still receiving the ops they missed; they join {@code subscribers} after. */
  private final Map<Subscriber, CatchUp> catchingUp = new HashMap<>();

  /** Work waiting for the document to load; {@code owner} is the subscriber it is for, if any. */
  private record Use(
      Subscriber owner, boolean mayCreate, Runnable action, Consumer<TandemException> failed) {}

  /** What a load read: the document if it exists, and on a reload the ops that landed meanwhile. */
  private record Loaded(Optional<DocumentSnapshot> snapshot, List<Committed> landed) {}

  /** A subscriber that has every op up to {@code after}, on its way to the head. */
  private record CatchUp(Subscriber subscriber, long after) {}

  /**
   * What memory no longer held for one waiting submit, read from the database: its earlier commit
   * if any, and the committed ops after its base revision up to {@code through} (the earlier
   * commit's revision - 1, else the head when the read began); the ops after {@code through} come
   * from memory.
   */
  private record OlderHistory(
      SubmitRequest request,
      Optional<Committed> earlier,
      List<Committed> opsAfterBase,
      long through) {}

  DocumentSequencer(String docId, Sequencers sequencers, SerialExecutor executor) {
    this.docId = docId;
    this.sequencers = sequencers;
    this.executor = executor;
  }

  // ---- requests (any thread) ------------------------------------------------------------------

  void open(Subscriber subscriber, OptionalLong revision, boolean mayCreate) {
    enqueue(
        () ->
            use(
                subscriber,
                mayCreate,
                () -> doOpen(subscriber, revision),
                error -> subscriber.failed(docId, error)));
  }

  void submit(SubmitRequest request) {
    enqueue(() -> doSubmit(request));
  }

  void presence(Subscriber subscriber, PresenceUpdate update) {
    enqueue(() -> doPresence(subscriber, update));
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
            use(
                null,
                false,
                () -> result.complete(new DocumentSnapshot(docId, head, text.toString())),
                result::completeExceptionally));
    return result;
  }

  /** Writes a checkpoint at the head. */
  CompletableFuture<CheckpointInfo> checkpoint() {
    CompletableFuture<CheckpointInfo> result = new CompletableFuture<>();
    enqueue(
        () ->
            use(
                null,
                false,
                () -> {
                  long revision = head;
                  Rope snapshot = text; // immutable: stays valid while the sequencer moves on
                  sequencers
                      .readLater(
                          () ->
                              sequencers.checkpoints().write(docId, revision, snapshot.toString()))
                      .whenComplete(relay(result));
                },
                result::completeExceptionally));
    return result;
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
  void unloadIfIdle(long idleNanos) {
    continueWith(
        () -> {
          boolean idle =
              subscribers.isEmpty()
                  && catchingUp.isEmpty()
                  && waiting.isEmpty()
                  && committing.isEmpty()
                  && !loading
                  && readingFor.isEmpty()
                  && System.nanoTime() - lastUsedNanos > idleNanos;
          if (idle) {
            sequencers.forgetIfUnused(docId, this, () -> executor.queued() == 1); // this task only
          }
        });
  }

  // ---- what SubmitRequest.sequence asks of its document -----------------------------------------

  /**
   * The committed op with this {@code (client, seq)}: from memory, else as read for this submit.
   */
  Optional<Committed> findCommitted(String clientId, long seq) {
    Optional<Committed> recent = history.bySeq(clientId, seq);
    if (recent.isPresent() || history.isCertainlyNew(clientId, seq)) {
      return recent;
    }
    if (sequencing != null && sequencing.storedAs() != null) {
      return sequencing.storedAs();
    }
    return requireOlderHistory().earlier();
  }

  void resubmitted() {
    sequencers.metrics().resubmitted();
  }

  /** The request with the same {@code (client, seq)} sequenced and not yet committed, or null. */
  SubmitRequest sequencedSame(SubmitRequest request) {
    for (SubmitRequest other : committing) {
      if (other.sequenced() != null && other.isSameSubmit(request)) {
        return other;
      }
    }
    return null;
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
    return opsBetween(revision, Long.MAX_VALUE);
  }

  /**
   * The ops sequenced after {@code revision} and before {@code before}, in revision order: from
   * memory, or as read for this submit.
   */
  List<TextOperation> opsBetween(long revision, long before) {
    List<TextOperation> ops = new ArrayList<>();
    if (revision < head && revision + 1 < before) {
      Optional<List<Committed>> recent = history.since(revision, head);
      for (Committed committed : recent.orElseGet(() -> readOpsAfter(revision, before))) {
        if (committed.revision() < before) {
          ops.add(committed.op());
        }
      }
    }
    for (Committed pending : sequencedAfterHead) {
      if (pending.revision() < before) {
        ops.add(pending.op());
      }
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

  void step(Faults.Step step) {
    sequencers.step(step, docId);
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
    step(Faults.Step.ASSIGN_REVISION); // after the add: a failure here must take it back
    return sequenced;
  }

  // ---- open and catch-up, on the executor
  // --------------------------------------------------------

  private void doOpen(Subscriber subscriber, OptionalLong revision) {
    if (revision.isEmpty()) {
      subscriber.opened(headSnapshot());
      subscribe(subscriber);
    } else if (revision.getAsLong() > head) {
      subscriber.failed(
          docId,
          new TandemException(
              ErrorCode.REV_OUT_OF_RANGE,
              "rev "
                  + revision.getAsLong()
                  + " is past the head of document '"
                  + docId
                  + "' ("
                  + head
                  + ")"));
    } else {
      CatchUp catchUp = new CatchUp(subscriber, revision.getAsLong());
      catchUpStep(catchUp, () -> catchUp(catchUp));
    }
  }

  /**
   * Takes a subscriber one part closer to the head. The ops after {@code after} come from memory
   * when it holds them, else one page is read from the database; then either the rest fits in one
   * {@link Subscriber#caughtUp} and the subscriber joins the live ones, or the next part goes out
   * as {@link Subscriber#missed} and this resumes when the subscriber has room. Live ops meanwhile
   * only move the head further: the subscriber gets them as part of its catch-up, never twice.
   */
  private void catchUp(CatchUp catchUp) {
    catchingUp.put(catchUp.subscriber(), catchUp);
    Optional<List<Committed>> recent = history.since(catchUp.after(), head);
    if (recent.isPresent()) {
      advance(catchUp, recent.get());
      return;
    }
    long from = catchUp.after() + 1;
    int limit = (int) Math.min(sequencers.config().effectiveCatchUpPage(), head - catchUp.after());
    sequencers
        .readLater(() -> sequencers.opLog().readRange(docId, from, limit))
        .whenComplete(
            (page, failure) ->
                continueWith(
                    () -> {
                      if (catchingUp.get(catchUp.subscriber()) != catchUp) {
                        return; // it left meanwhile
                      }
                      catchUpStep(catchUp, () -> afterCatchUpRead(catchUp, from, page, failure));
                    }));
  }

  private void afterCatchUpRead(
      CatchUp catchUp, long from, List<StoredOp> page, Throwable failure) {
    step(Faults.Step.CATCH_UP_READ_DONE);
    if (failure != null || page.isEmpty() || page.get(0).revision() != from) {
      catchingUp.remove(catchUp.subscriber());
      catchUp.subscriber().failed(docId, failure != null ? asTandem(failure) : gapAt(from));
      return;
    }
    List<Committed> ops = new ArrayList<>(page.size());
    page.forEach(stored -> ops.add(Committed.of(stored)));
    long end = ops.get(ops.size() - 1).revision();
    history.since(end, head).ifPresent(ops::addAll); // the rest, if in memory
    advance(catchUp, ops);
  }

  /** Runs a step of {@code catchUp}; if it throws, {@link #recover} answers the subscriber. */
  private void catchUpStep(CatchUp catchUp, Runnable step) {
    catchUpInHand = catchUp;
    step.run();
    catchUpInHand = null;
  }

  /** {@code ops} follow {@code catchUp.after()} without a gap, up to the head or not. */
  private void advance(CatchUp catchUp, List<Committed> ops) {
    Subscriber subscriber = catchUp.subscriber();
    boolean toHead = (ops.isEmpty() ? catchUp.after() : ops.get(ops.size() - 1).revision()) == head;
    int lastPart = toHead ? startOfLastPart(ops) : ops.size();
    if (lastPart == 0) {
      catchingUp.remove(subscriber);
      subscriber.caughtUp(docId, head, ops);
      subscribe(subscriber);
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
                continueWith(
                    () -> {
                      if (catchingUp.get(subscriber) == next) {
                        catchUpStep(next, () -> catchUp(next));
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
      Committed op = ops.get(start - 1);
      budget -=
          Json.utf8Length(op.opJson())
              + Json.utf8Length(op.clientId())
              + Json.utf8Length(op.userId())
              + 64; // the keys and numbers around each op
      if (budget < 0) {
        break;
      }
      start--;
    }
    return start;
  }

  /**
   * A subscriber joins at the head. It learns of every client already present, idle ones included,
   * each brought to the head; and they learn of it at once, with an empty selection until it
   * publishes one. Presence therefore never waits for a caret to move.
   */
  private void subscribe(Subscriber subscriber) {
    Subscriber.Participant joiner = subscriber.participant();
    for (Map.Entry<Subscriber, PresenceUpdate> present : subscribers.entrySet()) {
      if (present.getValue() != null && !sameClient(present.getValue(), joiner)) {
        PresenceUpdate atHead = atHead(present.getValue());
        present.setValue(atHead); // the next joiner moves it only through later ops
        subscriber.presence(atHead);
      }
    }
    if (joiner == null) {
      subscribers.put(subscriber, null);
      return;
    }
    PresenceUpdate joined =
        PresenceUpdate.joined(docId, joiner.clientId(), joiner.userId(), joiner.meta(), head);
    subscribers.put(subscriber, joined);
    relay(subscriber, joined);
  }

  // ---- submit, on the executor
  // --------------------------------------------------------------------

  private void doSubmit(SubmitRequest request) {
    if (sequencers.isStopping()) {
      request.fail(new TandemException(ErrorCode.UNAVAILABLE, "the server is shutting down"));
      return;
    }
    // What sequencing it costs: the ops it is transformed against (or verified against), read from
    // the database if memory no longer holds them.
    request.cost(
        1 + Math.max(0, head + sequencedAfterHead.size() - request.submission().baseRevision()));
    if (waiting.size() >= Sequencers.QUEUE_LIMIT_PER_DOCUMENT) {
      request.fail(busy(waiting.size() + " submits are waiting"));
      return;
    }
    long costLimit = sequencers.config().submitQueueCostPerDocument();
    long costBefore = waiting.cost();
    SubmitQueue.Admission admission = waiting.admit(request, costLimit);
    for (SubmitRequest refused : admission.refused()) { // the newest of a costlier sender's
      refused.fail(busy("its sender's submits cost the most of " + costBefore + " waiting"));
    }
    if (!admission.admitted()) {
      request.fail(busy("submits costing " + costBefore + " (at most " + costLimit + ") wait"));
      return;
    }
    sequenceWaiting();
  }

  /**
   * Sequences waiting submits into one group and hands it to the committer. Runs when no group is
   * being committed, so a failed group never has later ops built on top of it. The lanes of the
   * waiting queue are served round-robin; a lane whose first submit needs history that memory no
   * longer holds waits for it to be read (one read at a time per document) while the others go on.
   */
  private void sequenceWaiting() {
    if (waiting.isEmpty()) {
      return;
    }
    if (!committing.isEmpty()) {
      readForNextLane(); // meanwhile
      return; // resumes when the commit is done
    }
    if (!loaded || stale || loading) {
      if (!sequenceAfterLoad) { // once, however many submits arrive during the load
        sequenceAfterLoad = true;
        use(
            null,
            false,
            () -> {
              sequenceAfterLoad = false;
              continueWith(this::sequenceWaiting); // a step of its own, not the load's
            },
            error -> {
              sequenceAfterLoad = false;
              failWaiting(error);
            });
      }
      return;
    }
    List<SubmitRequest> group = new ArrayList<>();
    long transforms = 0;
    while (group.size() < MAX_OPS_PER_COMMIT && transforms < MAX_TRANSFORMS_PER_GROUP) {
      SubmitRequest request = waiting.poll(this::isReady);
      if (request == null) {
        break;
      }
      transforms += request.cost();
      sequence(request, group);
    }
    readForNextLane();
    if (group.isEmpty()) {
      committing = List.of();
      return;
    }
    committing = group;
    step(Faults.Step.BUILD_ROWS);
    List<StoredOp> rows = new ArrayList<>(group.size());
    for (Committed sequenced : sequencedAfterHead) {
      rows.add(sequenced.toStored());
    }
    step(Faults.Step.HAND_OFF);
    int handedOffIn = generation;
    handedOff = true;
    sequencers
        .committer()
        .commit(docId, rows)
        .whenComplete(
            (ok, failure) -> continueWith(() -> afterCommit(group, handedOffIn, failure)));
  }

  /**
   * Sequences one request into {@code group}. A request refused, or one whose sequencing fails for
   * any reason, is answered and leaves no trace: the ops sequenced before it stay as they were.
   */
  private void sequence(SubmitRequest request, List<SubmitRequest> group) {
    int sequencedBefore = sequencedAfterHead.size();
    sequencing = request;
    try {
      request.sequence(this);
      if (request.sequenced() != null) {
        group.add(request);
        committing = group; // lets a duplicate later in this group join it
      }
    } catch (Throwable failure) {
      sequencedAfterHead.subList(sequencedBefore, sequencedAfterHead.size()).clear();
      if (!(failure instanceof TandemException)) {
        log.error("sequencing a submit to '{}' failed", docId, failure);
      }
      request.fail(
          failure instanceof TandemException tandem ? tandem : TandemException.internal(failure));
    } finally {
      sequencing = null;
      if (olderHistory != null && olderHistory.request() == request) {
        olderHistory = null;
      }
    }
  }

  /**
   * Whether {@code request} can be sequenced from memory (or from what was read for it): its {@code
   * (client, seq)} cannot have been committed before memory's time, and memory holds the ops after
   * its base revision.
   */
  private boolean isReady(SubmitRequest request) {
    if (readingFor.contains(request)) {
      return false;
    }
    if (olderHistory != null && olderHistory.request() == request) {
      // The ops after what was read come from memory, unless it moved on too far meanwhile.
      boolean verifiable =
          olderHistory.earlier().isPresent()
              && olderHistory.through() >= olderHistory.earlier().get().revision() - 1;
      return verifiable || history.holdsAfter(olderHistory.through(), head);
    }
    Sequencers.Submission submission = request.submission();
    return !needsLookUp(request) && !baseIsForgotten(submission);
  }

  /** Whether the database must say if {@code request}'s {@code (client, seq)} is stored. */
  private boolean needsLookUp(SubmitRequest request) {
    return request.storedAs() == null && mayBeCommittedBefore(request.submission());
  }

  private boolean mayBeCommittedBefore(Sequencers.Submission submission) {
    return history.bySeq(submission.clientId(), submission.seq()).isEmpty()
        && !history.isCertainlyNew(submission.clientId(), submission.seq());
  }

  private boolean baseIsForgotten(Sequencers.Submission submission) {
    return submission.baseRevision() <= head
        && !history.holdsAfter(submission.baseRevision(), head);
  }

  /**
   * Starts the read for the next lane, in round-robin order, that waits for one, unless a read is
   * under way. One read's result at a time: it is used before the next read starts (which would
   * replace it), unless memory moved on too far meanwhile and the same submit needs it again.
   */
  private void readForNextLane() {
    if (!readingFor.isEmpty() || !loaded || stale || loading) {
      return;
    }
    if (olderHistory != null && !waiting.isFirst(olderHistory.request())) {
      olderHistory = null; // its submit was answered meanwhile
    }
    SubmitRequest unready =
        waiting.takeTurn(
            next ->
                !isReady(next)
                    && (!baseIsForgotten(next.submission())
                        || olderHistory == null
                        || olderHistory.request() == next));
    if (unready == null) {
      return;
    }
    if (baseIsForgotten(unready.submission())) {
      readOlderHistory(unready);
    } else {
      List<SubmitRequest> lookUps = new ArrayList<>();
      lookUps.add(unready);
      lookUps.addAll(
          waiting.firsts(
              next -> next != unready && needsLookUp(next) && !baseIsForgotten(next.submission()),
              LOOK_UPS_PER_READ - 1));
      lookUpEarlier(lookUps);
    }
  }

  /**
   * Asks the database, in one read off this thread, whether each of {@code requests} (first submits
   * of their lanes, whose bases memory holds) is stored already; each keeps the answer. A look-up
   * is small, so the new senders waiting for one go together rather than in turn.
   */
  private void lookUpEarlier(List<SubmitRequest> requests) {
    readingFor = List.copyOf(requests);
    int readIn = generation;
    sequencers
        .readLater(
            () -> {
              sequencers.step(Faults.Step.OLDER_HISTORY_READ, docId);
              List<Optional<Committed>> found = new ArrayList<>(requests.size());
              for (SubmitRequest request : requests) {
                Sequencers.Submission submission = request.submission();
                found.add(
                    sequencers
                        .opLog()
                        .findBySeq(docId, submission.clientId(), submission.seq())
                        .map(Committed::of));
              }
              return found;
            })
        .whenComplete(
            (found, failure) ->
                continueWith(
                    () -> {
                      if (readIn != generation) {
                        return; // given up by a recovery, which answered the requests
                      }
                      step(Faults.Step.OLDER_HISTORY_READ_DONE);
                      readingFor = List.of();
                      for (int i = 0; i < requests.size(); i++) {
                        SubmitRequest request = requests.get(i);
                        if (failure != null) {
                          waiting.remove(request);
                          request.fail(asTandem(failure));
                        } else {
                          request.storedAs(found.get(i));
                        }
                      }
                      sequenceWaiting();
                    }));
  }

  /**
   * Reads what {@code request} needs off this thread, while the other lanes go on; its lane resumes
   * with it. Whatever it already held from an earlier read is dropped.
   */
  private void readOlderHistory(SubmitRequest request) {
    readingFor = List.of(request);
    if (olderHistory != null && olderHistory.request() == request) {
      olderHistory = null; // memory moved on too far since: read again
    }
    Sequencers.Submission submission = request.submission();
    boolean lookUpSeq = mayBeCommittedBefore(submission);
    boolean readOps = baseIsForgotten(submission);
    long upTo = head;
    int readIn = generation;
    sequencers
        .readLater(
            () -> {
              sequencers.step(Faults.Step.OLDER_HISTORY_READ, docId);
              Optional<Committed> earlier =
                  lookUpSeq
                      ? sequencers
                          .opLog()
                          .findBySeq(docId, submission.clientId(), submission.seq())
                          .map(Committed::of)
                      : Optional.empty();
              // To transform against, or to verify a resubmit against: up to the earlier commit.
              long base = submission.baseRevision();
              long through = readOps ? earlier.map(e -> e.revision() - 1).orElse(upTo) : base;
              List<Committed> ops = base < through ? readCommitted(base, through) : List.of();
              return new OlderHistory(request, earlier, ops, Math.max(base, through));
            })
        .whenComplete(
            (read, failure) ->
                continueWith(
                    () -> {
                      if (readIn != generation) {
                        return; // given up by a recovery, which answered the request
                      }
                      step(Faults.Step.OLDER_HISTORY_READ_DONE);
                      readingFor = List.of();
                      if (failure != null) {
                        waiting.remove(request);
                        request.fail(asTandem(failure));
                      } else {
                        olderHistory = read;
                      }
                      sequenceWaiting();
                    }));
  }

  private OlderHistory requireOlderHistory() {
    if (olderHistory == null || olderHistory.request() != sequencing) {
      throw new IllegalStateException("history of '" + docId + "' was not read for this submit");
    }
    return olderHistory;
  }

  /** The committed ops after {@code revision} (before {@code before}): as read, then memory's. */
  private List<Committed> readOpsAfter(long revision, long before) {
    OlderHistory older = requireOlderHistory();
    List<Committed> ops = new ArrayList<>(older.opsAfterBase());
    if (older.through() + 1 < before && older.through() < head) {
      ops.addAll(
          history
              .since(older.through(), head)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "ops of '" + docId + "' after " + older.through() + " were not read")));
    }
    return ops;
  }

  /** Only now: apply to memory, ack each sender, broadcast to everyone else, in revision order. */
  private void afterCommit(List<SubmitRequest> group, int handedOffIn, Throwable failure) {
    if (handedOffIn != generation) { // given up by a recovery, which answered its requests
      if (failure == null) {
        stale = true; // it landed after all: the reload delivers it
        resume();
      }
      return;
    }
    if (failure != null) {
      committing = List.of();
      sequencedAfterHead.clear();
      handedOff = false;
      // The outcome of a commit that failed may be unknown; reload before trusting memory again.
      stale = true;
      TandemException error =
          failure instanceof TandemException
              ? (TandemException) failure
              : new TandemException(ErrorCode.UNAVAILABLE, "the op was not stored", failure);
      for (SubmitRequest request : group) {
        safely("refusing", () -> request.afterFailure(error));
      }
      sequenceWaiting();
      return;
    }
    long before = head;
    step(Faults.Step.APPLY);
    // Memory takes the whole group before anyone is told, so a reply or subscriber that throws
    // cannot leave memory behind the database.
    for (SubmitRequest request : group) {
      Committed committed = request.sequenced();
      text = text.apply(committed.op());
      head = committed.revision();
      history.add(committed);
    }
    step(Faults.Step.DELIVER);
    GroupDelivery.deliver(group, subscribers.keySet(), this::safely);
    deliveredHead = head;
    committing = List.of();
    sequencedAfterHead.clear();
    handedOff = false;
    step(Faults.Step.CHECKPOINT);
    maybeCheckpoint(before);
    sequenceWaiting();
  }

  private void failWaiting(TandemException error) {
    olderHistory = null;
    for (SubmitRequest request : waiting.drain()) {
      request.fail(error);
    }
  }

  private void broadcast(List<Committed> committed) {
    OpRun run = new OpRun(List.copyOf(committed));
    for (Subscriber subscriber : subscribers.keySet()) {
      safely("broadcasting", () -> subscriber.ops(run));
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

  // ---- presence and leaving, on the executor
  // -----------------------------------------------------

  private void doPresence(Subscriber subscriber, PresenceUpdate update) {
    if (!subscribers.containsKey(subscriber)) {
      return; // closed in the meantime, or still catching up: nothing to relay
    }
    subscribers.put(subscriber, update);
    relay(subscriber, update);
  }

  /** Tells every other subscriber, except those of the same client id (its own other sockets). */
  private void relay(Subscriber from, PresenceUpdate update) {
    for (Subscriber to : subscribers.keySet()) {
      if (to != from && !sameClient(update, to.participant())) {
        to.presence(update);
      }
    }
  }

  private static boolean sameClient(PresenceUpdate update, Subscriber.Participant participant) {
    return participant != null && participant.clientId().equals(update.clientId());
  }

  /**
   * {@code present} moved to the head through the ops memory holds since its revision, or with its
   * selection unknown (empty) when memory no longer holds them: a joiner has no older ops to move
   * it through itself, and would not list the client at all.
   */
  private PresenceUpdate atHead(PresenceUpdate present) {
    if (present.revision() >= head) {
      return present; // a revision past the head is relayed as sent
    }
    return history
        .since(present.revision(), head)
        .map(ops -> present.movedTo(head, ops.stream().map(Committed::op).toList()))
        .orElseGet(() -> present.withoutSelection(head));
  }

  /**
   * Removes a subscriber wherever it is: subscribed, catching up, or with its open waiting for the
   * load. An open still under way is dropped, so a socket that closed meanwhile never becomes a
   * subscriber that nobody removes.
   */
  private void doLeave(Subscriber subscriber, boolean reply) {
    catchingUp.remove(subscriber);
    awaitingLoad.removeIf(use -> use.owner() == subscriber);
    PresenceUpdate last = subscribers.remove(subscriber);
    if (last != null) {
      // A client that reconnected before its old socket was found dead is still present.
      PresenceUpdate stillPresent = null;
      for (PresenceUpdate other : subscribers.values()) {
        if (other != null && other.clientId().equals(last.clientId())) {
          stillPresent = other;
        }
      }
      relay(
          subscriber,
          stillPresent != null ? stillPresent : PresenceUpdate.left(docId, last.clientId()));
    }
    if (reply) {
      subscriber.closed(docId);
    }
  }

  // ---- loading, on the executor
  // ------------------------------------------------------------------

  /**
   * Runs {@code action} with the document loaded and current: at once, or after a load read off
   * this thread. If the load fails, {@code failed} gets {@code unavailable} or {@code not_found}.
   */
  private void use(
      Subscriber owner, boolean mayCreate, Runnable action, Consumer<TandemException> failed) {
    if (loaded && !stale && !loading) {
      action.run();
      return;
    }
    if (awaitingLoad.size() >= Sequencers.QUEUE_LIMIT_PER_DOCUMENT) {
      failed.accept(busy(awaitingLoad.size() + " requests are waiting for it to load"));
      return;
    }
    awaitingLoad.addLast(new Use(owner, mayCreate, action, failed));
    if (!loading) {
      load(mayCreate);
    }
  }

  private void load(boolean create) {
    loading = true;
    boolean reload = loaded;
    long knownHead = deliveredHead;
    sequencers
        .readLater(
            () -> {
              sequencers.step(Faults.Step.LOAD_READ, docId);
              return read(create, reload, knownHead);
            })
        .whenComplete((result, failure) -> continueWith(() -> afterLoad(result, failure)));
  }

  /**
   * On the database pool: the document (created empty if {@code create}), and on a reload the ops
   * memory did not know (a commit whose failure was reported but which did land), so nobody misses
   * a revision.
   */
  private Loaded read(boolean create, boolean reload, long knownHead) {
    Optional<DocumentSnapshot> snapshot = sequencers.opLog().loadDocument(docId);
    if (snapshot.isEmpty() && create) {
      snapshot = Optional.of(create());
    }
    List<Committed> landed =
        reload && snapshot.isPresent() && snapshot.get().revision() > knownHead
            ? readCommitted(knownHead, snapshot.get().revision())
            : List.of();
    return new Loaded(snapshot, landed);
  }

  private void afterLoad(Loaded result, Throwable failure) {
    loading = false;
    List<Use> uses = new ArrayList<>(awaitingLoad);
    awaitingLoad.clear();
    usesInHand = uses;
    if (failure != null) {
      usesInHand = List.of();
      TandemException error = asTandem(failure);
      uses.forEach(use -> safely("refusing", () -> use.failed().accept(error)));
      return;
    }
    step(Faults.Step.LOADED);
    if (result.snapshot().isEmpty()) {
      TandemException notFound =
          new TandemException(ErrorCode.NOT_FOUND, "no document '" + docId + "'");
      usesInHand = List.of();
      for (Use use : uses) {
        if (use.mayCreate()) {
          awaitingLoad.addLast(use);
        } else {
          safely("refusing", () -> use.failed().accept(notFound));
        }
      }
      if (!awaitingLoad.isEmpty()) {
        load(true);
      }
      return;
    }
    DocumentSnapshot snapshot = result.snapshot().get();
    text = Rope.of(snapshot.text());
    headSnapshot = null; // a reload may hold other text at the same revision
    head = snapshot.revision();
    history = new History(sequencers.config().historyInMemory());
    if (!result.landed().isEmpty()) {
      broadcast(result.landed()); // their senders were told unavailable: they find them by seq
    }
    deliveredHead = head;
    loaded = true;
    stale = false;
    usesInHand = List.of();
    for (Use use : uses) {
      try {
        use.action().run();
      } catch (Throwable e) { // this request's own failure: the document is loaded and sound
        log.error("a request to '{}' failed after its load", docId, e);
        safely("refusing", () -> use.failed().accept(TandemException.internal(e)));
      }
    }
  }

  private DocumentSnapshot create() {
    try {
      return sequencers.opLog().createDocument(docId, "");
    } catch (DocumentExistsException e) { // created by someone else meanwhile
      return sequencers.opLog().loadDocument(docId).orElseThrow(() -> e);
    }
  }

  // ---- helpers
  // -----------------------------------------------------------------------------------

  /** Automatic checkpoints, every {@code checkpointInterval} revisions, written off this thread. */
  private void maybeCheckpoint(long before) {
    int interval = sequencers.config().checkpointInterval();
    if (head / interval == before / interval) {
      return;
    }
    long revision = head;
    Rope snapshot = text; // immutable: stays valid while the sequencer moves on
    sequencers
        .readLater(() -> sequencers.checkpoints().write(docId, revision, snapshot.toString()))
        .whenComplete(
            (info, failure) -> {
              if (failure != null) {
                log.warn(
                    "checkpoint of '{}' at {} failed: {}", docId, revision, failure.toString());
              }
            });
  }

  /** On the database pool: the committed ops after {@code after} up to {@code upTo}, densely. */
  private List<Committed> readCommitted(long after, long upTo) {
    List<Committed> ops = new ArrayList<>();
    long next = after + 1;
    while (next <= upTo) {
      List<StoredOp> page =
          sequencers.opLog().readRange(docId, next, (int) Math.min(READ_PAGE, upTo - next + 1));
      if (page.isEmpty() || page.get(0).revision() != next) {
        throw gapAt(next);
      }
      for (StoredOp stored : page) {
        ops.add(Committed.of(stored));
      }
      next += page.size();
    }
    return ops;
  }

  private Snapshot headSnapshot() {
    if (headSnapshot == null || headSnapshot.revision() != head) {
      headSnapshot = new Snapshot(docId, head, text.toString());
    }
    return headSnapshot;
  }

  private int sequencedLength() {
    return sequencedAfterHead.isEmpty()
        ? text.length()
        : sequencedAfterHead.get(sequencedAfterHead.size() - 1).op().targetLength();
  }

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
        stale = true;
      }
    }
  }

  /**
   * Gives up the work in hand when a step failed: every request it involved gets {@code failure}
   * ({@code internal} unless it is a {@link TandemException}), the sequencing state is emptied, and
   * if the group in hand may have reached the database, or memory was being changed, the document
   * is reloaded, delivering whatever did land to every subscriber. Continuations of the given-up
   * work find {@code generation} changed and do nothing but note that a commit landed.
   */
  private void recover(Throwable failure) {
    TandemException error;
    if (failure instanceof TandemException tandem) {
      error = tandem;
    } else {
      log.error("a step of document '{}' failed; its requests are answered", docId, failure);
      error = TandemException.internal(failure);
    }
    generation++;
    List<SubmitRequest> requests = new ArrayList<>(committing);
    if (sequencing != null) {
      requests.add(sequencing);
    }
    requests.addAll(readingFor);
    boolean memoryMayDiffer = handedOff || !usesInHand.isEmpty();
    List<Use> uses = usesInHand;
    CatchUp catchUp = catchUpInHand;
    committing = List.of();
    sequencedAfterHead.clear();
    olderHistory = null;
    sequencing = null;
    readingFor = List.of();
    handedOff = false;
    usesInHand = List.of();
    catchUpInHand = null;
    if (memoryMayDiffer) {
      stale = true;
    }
    for (SubmitRequest request : requests) {
      waiting.remove(request);
      safely("refusing", () -> request.afterFailure(error));
    }
    for (Use use : uses) {
      safely("refusing", () -> use.failed().accept(error));
    }
    if (catchUp != null && catchingUp.remove(catchUp.subscriber()) != null) {
      safely("refusing", () -> catchUp.subscriber().failed(docId, error));
    }
    continueWith(this::resume);
  }

  /** After a recovery: reloads at once if memory may differ (subscribers get what landed). */
  private void resume() {
    if (stale && !loading && loaded) {
      use(null, false, () -> {}, e -> {});
    }
    sequenceWaiting();
  }

  private TandemException busy(String why) {
    return new TandemException(ErrorCode.RATE_LIMITED, "document '" + docId + "' is busy: " + why);
  }

  private TandemException gapAt(long revision) {
    return new TandemException(
        ErrorCode.INTERNAL, "op log of '" + docId + "' has no revision " + revision);
  }

  /** A failure from the database pool as the client should see it. */
  static TandemException asTandem(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof TandemException) {
      return (TandemException) cause;
    }
    if (cause instanceof PersistenceException) {
      return unavailable((PersistenceException) cause);
    }
    log.error("a database read failed", cause);
    return TandemException.internal(cause);
  }

  private static <T> java.util.function.BiConsumer<T, Throwable> relay(CompletableFuture<T> to) {
    return (value, failure) -> {
      if (failure != null) {
        to.completeExceptionally(asTandem(failure));
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
