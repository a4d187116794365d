package dev.tandem.sequencer.document;

import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The submits of one document, from their arrival to their group's delivery, in the order things
 * happen: {@link #arrive} admits a submit to the {@link SubmitQueue}; {@link #sequenceWaiting}
 * takes ready submits round-robin into one {@link GroupCommit}, each {@link SubmitRequest}
 * sequencing itself; the group goes to the committer; {@link #afterCommit} applies it and delivers
 * it. A submit whose history memory no longer holds waits for one read at a time (its lane waits,
 * the others go on). Not thread-safe: owned by the document's sequencer.
 */
final class Submits {
  private static final Logger log = LoggerFactory.getLogger(Submits.class);

  /**
   * Ops one group may hold. A submit that arrives waits for the group under way, its commit and its
   * delivery (one frame per subscriber, on this thread): a small group keeps that wait short under
   * a flood, and the committer still writes many documents' groups at once.
   */
  private static final int MAX_OPS_PER_COMMIT = 100;

  /**
   * How long sequencing one group may take before it stops taking submits, so that a submit that
   * arrives meanwhile waits for little however costly the ones before it are (old bases, large
   * ops). A time, not a count of transforms: a count low enough for a flood's costly transforms cut
   * the groups of 500 typists on one document (cheap keystroke transforms, some 350 each) to 20
   * ops, and the five times as many commits and broadcast frames per op tripled the server's CPU
   * per op (bench/compare.sh, typists:500: 687 against 1,982 acked ops/s).
   */
  private static final long MAX_SEQUENCING_NANOS = 20_000_000;

  /** New senders whose first submits one read looks up at most. */
  private static final int LOOK_UPS_PER_READ = 64;

  /**
   * A delivery that cost the document's thread at least this much CPU is followed by a pause as
   * long (at most {@link #MAX_PAUSE_NANOS}) before the next group is sequenced. A group costs one
   * frame per subscriber whatever its size, so a document with hundreds of subscribers that started
   * its next group at once would commit ever more, ever smaller groups the faster it delivered, and
   * spend its CPU writing frames: with the pause it delivers at most about half the time, and the
   * submits that arrive meanwhile go out together. CPU, not wall time: a delivery that was slow
   * because the thread was descheduled saved nothing by waiting (paused after such deliveries,
   * hot-doc 50's closed loop slowed). Typists 500 (bench/compare.sh, docs/performance.md): 0.79 →
   * 0.62 server cores, broadcast p95 43.2 → 41.1 ms.
   */
  private static final long PAUSE_AFTER_CPU_NANOS = 1_000_000;

  /** The longest pause: what delivering costs grows with the audience, the pause does not. */
  private static final long MAX_PAUSE_NANOS = 20_000_000;

  /**
   * How long past its end a pause still counts as under way (the timer may be late): one that never
   * ends is then a stall, and the sweeper reports it.
   */
  private static final long STALLED_PAUSE_NANOS = 1_000_000_000;

  /**
   * Deliveries to fewer subscribers are not timed: a few frames cost microseconds, far from {@link
   * #PAUSE_AFTER_CPU_NANOS}, while reading the thread's CPU clock is a system call (about 1.5 µs
   * here), which a lone editor's every op would pay twice.
   */
  private static final int TIMED_FROM_SUBSCRIBERS = 16;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final DocumentState doc;
  private final Sequencers sequencers;
  private final Loading loading;
  private final Subscribers subscribers;
  private final Checkpoints checkpoints;
  private final Executor continueWith;
  private final Executor continueAfterCommit;
  private final GroupDelivery.Guard guard;

  private final SubmitQueue waiting = new SubmitQueue();

  /** The group being sequenced or committed; null if none. */
  private GroupCommit group;

  /** Whether the next group waits for the pause after a long delivery ({@link #pauseAfter}). */
  private boolean pausing;

  /** When the pause should end, by {@link System#nanoTime}: past it, a stall is reported. */
  private long pauseEndsNanos;

  private boolean sequenceAfterLoad;

  /** The one waiting submit that holds what was read for it, or null. */
  private SubmitRequest holdingRead;

  /** The request inside {@link SubmitRequest#sequence} right now. */
  private SubmitRequest sequencing;

  /**
   * The requests whose older history or earlier commit is being read (they stay in their lanes
   * meanwhile); empty if no read is under way.
   */
  private List<SubmitRequest> readingFor = List.of();

  /** Bumped by every {@link #giveUp}: a continuation of work given up finds it changed. */
  private int generation;

  /**
   * When {@link #stalledFor} last found the submits moving (none waiting, or something under way):
   * the sweeper's own clock, so the path of a group keeps no record for it.
   */
  private long progressNanos = System.nanoTime();

  /** Work waiting for the group with the committer to be done ({@link #whenNoGroupHandedOff}). */
  private final List<Runnable> afterGroup = new ArrayList<>();

  Submits(
      DocumentState doc,
      Sequencers sequencers,
      Loading loading,
      Subscribers subscribers,
      Checkpoints checkpoints,
      Executor continueWith,
      Executor continueAfterCommit,
      GroupDelivery.Guard guard) {
    this.doc = doc;
    this.sequencers = sequencers;
    this.loading = loading;
    this.subscribers = subscribers;
    this.checkpoints = checkpoints;
    this.continueWith = continueWith;
    this.continueAfterCommit = continueAfterCommit;
    this.guard = guard;
  }

  /** Whether no submit waits, is read for or is being committed, and no pause holds the next. */
  boolean isIdle() {
    return waiting.isEmpty() && group == null && readingFor.isEmpty() && !pausing;
  }

  // ---- arrival ----------------------------------------------------------------------------------

  /**
   * {@code sender} left the document (its socket is gone, or it may no longer read it): its waiting
   * submits are dropped, all but the first of its lane, which may be under way. Nobody would get
   * their acks; its client sends them again after reconnecting.
   */
  void senderLeft(Subscriber sender) {
    for (SubmitRequest dropped : waiting.removeAfterFirst(sender)) {
      dropped.fail(Errors.unavailable("the connection left the document before this submit"));
    }
  }

  /**
   * A submit arrives: it waits in its sender's lane, within the document's bounds, or is refused.
   * The caller sequences what waits ({@link #sequenceWaiting}) once the submits that arrived
   * together are all in their lanes, so that the round-robin serves each in its turn.
   */
  void arrive(SubmitRequest request) {
    if (sequencers.isStopping()) {
      request.fail(Errors.shuttingDown());
      return;
    }
    // What sequencing it costs: the ops it is transformed against (or verified against), read from
    // the database if memory no longer holds them.
    long sequencedHead = doc.head() + (group == null ? 0 : group.opCount());
    request.cost(1 + Math.max(0, sequencedHead - request.submission().baseRevision()));
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
    }
  }

  // ---- sequencing a group -----------------------------------------------------------------------

  /**
   * Sequences waiting submits into one group and hands it to the committer. Runs when no group is
   * being committed (and no pause after a long delivery holds the next), so a failed group never
   * has later ops built on top of it. The lanes of the waiting queue are served round-robin; a lane
   * whose first submit needs history that memory no longer holds waits for it to be read (one read
   * at a time per document) while the others go on.
   */
  void sequenceWaiting() {
    if (waiting.isEmpty()) {
      return;
    }
    if (group != null || pausing) {
      readForNextLane(); // meanwhile
      return; // resumes when the commit is done, or the pause
    }
    if (!loading.isCurrent()) {
      if (!sequenceAfterLoad) { // once, however many submits arrive during the load
        sequenceAfterLoad = true;
        loading.use(
            null,
            false,
            () -> {
              sequenceAfterLoad = false;
              continueWith.execute(this::sequenceWaiting); // a step of its own, not the load's
            },
            error -> {
              sequenceAfterLoad = false;
              failWaiting(error);
            });
      }
      return;
    }
    group = new GroupCommit(doc);
    long started = System.nanoTime();
    // The bounds end a group only once it holds an op: a group that ended empty (its submits
    // refused, or this thread descheduled past the time bound before the first) would leave the
    // ready submits behind it with nothing to sequence them again, their senders waiting for acks.
    while (group.isEmpty()
        || (group.opCount() < MAX_OPS_PER_COMMIT
            && System.nanoTime() - started < MAX_SEQUENCING_NANOS)) {
      SubmitRequest request = waiting.poll(this::isReady);
      if (request == null) {
        break;
      }
      sequence(request);
    }
    readForNextLane();
    if (group.isEmpty()) {
      group = null;
      return;
    }
    GroupCommit committing = group;
    int handedOffIn = generation;
    committing
        .commit(sequencers)
        .whenComplete(
            (ok, failure) ->
                continueAfterCommit.execute(() -> afterCommit(committing, handedOffIn, failure)));
  }

  /**
   * Sequences one request into the group. A request refused, or one whose sequencing fails for any
   * reason, is answered and leaves no trace: the ops sequenced before it stay as they were.
   */
  private void sequence(SubmitRequest request) {
    int sequencedBefore = group.opCount();
    sequencing = request;
    try {
      request.sequence(doc, group, sequencers);
    } catch (Throwable failure) {
      group.dropOpsFrom(sequencedBefore);
      if (!(failure instanceof TandemException)) {
        log.error("sequencing a submit to '{}' failed", doc.docId(), failure);
      }
      request.fail(failure instanceof TandemException tandem ? tandem : Errors.internal(failure));
    } finally {
      sequencing = null;
      if (holdingRead == request) {
        dropRead();
      }
    }
  }

  // ---- reading what memory no longer holds ------------------------------------------------------

  /**
   * Whether {@code request} can be sequenced from memory (or from what was read for it): its {@code
   * (client, seq)} cannot have been committed before memory's time, and memory holds the ops after
   * its base revision.
   */
  private boolean isReady(SubmitRequest request) {
    if (readingFor.contains(request)) {
      return false;
    }
    SubmitRequest.OlderHistory read = request.read();
    if (read != null) {
      // The ops after what was read come from memory, unless it moved on too far meanwhile.
      boolean verifiable =
          read.earlier().isPresent()
              && (read.through() >= read.earlier().get().revision() - 1
                  || SubmitRequest.isPastVerifying(read.earlier().get(), doc));
      return verifiable || doc.history().holdsAfter(read.through(), doc.head());
    }
    return !needsLookUp(request)
        && (!baseIsForgotten(request.submission()) || isPastVerifyingInMemory(request));
  }

  /** A resubmit of an op memory holds at or below the pruned history's start: nothing to read. */
  private boolean isPastVerifyingInMemory(SubmitRequest request) {
    Sequencers.Submission submission = request.submission();
    return doc.history()
        .bySeq(submission.clientId(), submission.seq())
        .map(stored -> SubmitRequest.isPastVerifying(stored, doc))
        .orElse(false);
  }

  /** Whether the database must say if {@code request}'s {@code (client, seq)} is stored. */
  private boolean needsLookUp(SubmitRequest request) {
    return request.storedAs() == null && mayBeCommittedBefore(request.submission());
  }

  private boolean mayBeCommittedBefore(Sequencers.Submission submission) {
    return doc.history().bySeq(submission.clientId(), submission.seq()).isEmpty()
        && !doc.history().isCertainlyNew(submission.clientId(), submission.seq());
  }

  private boolean baseIsForgotten(Sequencers.Submission submission) {
    return submission.baseRevision() <= doc.head()
        && !doc.history().holdsAfter(submission.baseRevision(), doc.head());
  }

  /**
   * Starts the read for the next lane, in round-robin order, that waits for one, unless a read is
   * under way. One read's result at a time: it is used before the next read starts (which would
   * replace it), unless memory moved on too far meanwhile and the same submit needs it again.
   */
  private void readForNextLane() {
    if (!readingFor.isEmpty() || !loading.isCurrent()) {
      return;
    }
    if (holdingRead != null && !waiting.isFirst(holdingRead)) {
      dropRead(); // its submit was answered meanwhile
    }
    SubmitRequest unready =
        waiting.takeTurn(
            next ->
                !isReady(next)
                    && (!baseIsForgotten(next.submission())
                        || holdingRead == null
                        || holdingRead == next));
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
    String docId = doc.docId();
    readThenResume(
        requests,
        () -> {
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
        },
        found -> {
          for (int i = 0; i < requests.size(); i++) {
            requests.get(i).storedAs(found.get(i));
          }
        });
  }

  /**
   * Reads what {@code request} needs off this thread, while the other lanes go on; its lane resumes
   * with it. Whatever it already held from an earlier read is dropped.
   */
  private void readOlderHistory(SubmitRequest request) {
    if (holdingRead == request) {
      dropRead(); // memory moved on too far since: read again
    }
    Sequencers.Submission submission = request.submission();
    boolean lookUpSeq = mayBeCommittedBefore(submission);
    boolean readOps = baseIsForgotten(submission);
    long upTo = doc.head();
    long historyStart = doc.historyStart();
    String docId = doc.docId();
    readThenResume(
        List.of(request),
        () -> {
          Optional<Committed> earlier =
              lookUpSeq
                  ? sequencers
                      .opLog()
                      .findBySeq(docId, submission.clientId(), submission.seq())
                      .map(Committed::of)
                  : Optional.empty();
          long base = submission.baseRevision();
          if (earlier.isPresent() && earlier.get().revision() <= historyStart) {
            return new SubmitRequest.OlderHistory(earlier, List.of(), base); // pruned: gone
          }
          if (readOps && base < historyStart) { // what it was made on was pruned
            throw Errors.gone(docId, base, historyStart);
          }
          // To transform against, or to verify a resubmit against: up to the earlier commit.
          long through = readOps ? earlier.map(e -> e.revision() - 1).orElse(upTo) : base;
          List<Committed> ops =
              base < through ? sequencers.readCommitted(docId, base, through) : List.of();
          return new SubmitRequest.OlderHistory(earlier, ops, Math.max(base, through));
        },
        read -> {
          dropRead();
          request.read(read);
          holdingRead = request;
        });
  }

  /**
   * Runs {@code read} for {@code requests} off this thread and resumes here with {@code use}, then
   * sequences what is ready; a failed read fails the requests. A recovery in between has answered
   * them already, so then nothing happens.
   */
  private <T> void readThenResume(List<SubmitRequest> requests, Supplier<T> read, Consumer<T> use) {
    readingFor = List.copyOf(requests);
    int readIn = generation;
    String docId = doc.docId();
    sequencers
        .readLater(
            () -> {
              sequencers.step(Faults.Step.OLDER_HISTORY_READ, docId);
              return read.get();
            })
        .whenComplete(
            (value, failure) ->
                continueWith.execute(
                    () -> {
                      if (readIn != generation) {
                        return; // given up by a recovery, which answered the requests
                      }
                      sequencers.step(Faults.Step.OLDER_HISTORY_READ_DONE, docId);
                      readingFor = List.of();
                      if (failure != null) {
                        for (SubmitRequest request : requests) {
                          waiting.remove(request);
                          request.fail(Sequencers.asTandem(failure));
                        }
                      } else {
                        use.accept(value);
                      }
                      sequenceWaiting();
                    }));
  }

  private void dropRead() {
    if (holdingRead != null) {
      holdingRead.read(null);
      holdingRead = null;
    }
  }

  // ---- after the commit -------------------------------------------------------------------------

  /** Only now: apply to memory, ack each sender, broadcast to everyone else, in revision order. */
  private void afterCommit(GroupCommit committed, int handedOffIn, Throwable failure) {
    if (handedOffIn != generation) { // given up by a recovery, which answered its requests
      if (failure == null) {
        loading.markStale(); // it landed after all: the reload delivers it
        resume();
      }
      return;
    }
    if (failure != null) {
      groupDone();
      // The outcome of a commit that failed may be unknown; reload before trusting memory again.
      loading.markStale();
      TandemException error =
          failure instanceof TandemException
              ? (TandemException) failure
              : Errors.unavailable("the op was not stored", failure);
      committed.failed(error, guard);
      sequenceWaiting();
      return;
    }
    // The group stays in hand until delivered: a failure in between gives it up, and reloads.
    long before = doc.head();
    sequencers.step(Faults.Step.APPLY, doc.docId());
    committed.apply();
    boolean timed = subscribers.count() >= TIMED_FROM_SUBSCRIBERS;
    long cpuBefore = timed ? THREADS.getCurrentThreadCpuTime() : 0; // -1 if the JVM cannot tell
    sequencers.step(Faults.Step.DELIVER, doc.docId());
    committed.deliver(subscribers, guard, sequencers.metrics());
    long deliveryCpu = timed && cpuBefore >= 0 ? THREADS.getCurrentThreadCpuTime() - cpuBefore : 0;
    groupDone();
    boolean paused =
        deliveryCpu >= PAUSE_AFTER_CPU_NANOS && !sequencers.isStopping() && pauseAfter(deliveryCpu);
    sequencers.step(Faults.Step.CHECKPOINT, doc.docId());
    checkpoints.afterCommit(before);
    if (!paused) {
      sequenceWaiting();
    }
  }

  /**
   * Sequences the next group only after a pause as long as the delivery that cost {@code
   * deliveryNanos} of CPU (see {@link #PAUSE_AFTER_CPU_NANOS}), in a step of its own on the
   * server's timer. A recovery meanwhile ends the pause ({@link #giveUp}); the timer's step then
   * finds it given up. Returns whether it paused (not once the server's timer has stopped).
   */
  private boolean pauseAfter(long deliveryNanos) {
    long pause = Math.min(deliveryNanos, MAX_PAUSE_NANOS);
    int pausedIn = generation;
    try {
      sequencers.schedule(
          () -> continueWith.execute(() -> endPause(pausedIn)), Duration.ofNanos(pause));
    } catch (RejectedExecutionException stopped) {
      return false;
    }
    pausing = true;
    pauseEndsNanos = System.nanoTime() + pause;
    sequencers.metrics().paused(pause);
    return true;
  }

  private void endPause(int pausedIn) {
    if (pausedIn != generation) {
      return; // a recovery ended it and went on
    }
    pausing = false;
    sequenceWaiting();
  }

  /** After a recovery: reloads at once if memory may differ, and goes on with what waits. */
  void resume() {
    loading.reloadIfStale();
    sequenceWaiting();
  }

  // ---- failures ---------------------------------------------------------------------------------

  /** Refuses every waiting submit (the document could not be loaded). */
  private void failWaiting(TandemException error) {
    dropRead();
    for (SubmitRequest request : waiting.drain()) {
      request.fail(error);
    }
  }

  /** Whether a failure now may leave memory behind the database: a group went to the committer. */
  boolean groupHandedOff() {
    return group != null && group.handedOff();
  }

  /**
   * Runs {@code task} once no group of the document is with the committer: now, or in a step of its
   * own once the commit in flight is done or given up.
   */
  void whenNoGroupHandedOff(Runnable task) {
    if (groupHandedOff()) {
      afterGroup.add(task);
    } else {
      task.run();
    }
  }

  /** The group in hand is done with (committed and delivered, failed, or given up). */
  private void groupDone() {
    group = null;
    for (Runnable task : afterGroup) {
      continueWith.execute(task);
    }
    afterGroup.clear();
  }

  /**
   * Gives up the submits in hand when a step failed: the group, the one being sequenced and those
   * being read for each get {@code error}; continuations of this work will find it given up.
   */
  void giveUp(TandemException error) {
    generation++;
    pausing = false; // resume() sequences what waits
    List<SubmitRequest> requests = new ArrayList<>();
    if (group != null) {
      requests.addAll(group.requests());
    }
    if (sequencing != null) {
      requests.add(sequencing);
    }
    requests.addAll(readingFor);
    groupDone();
    dropRead();
    sequencing = null;
    readingFor = List.of();
    for (SubmitRequest request : requests) {
      waiting.remove(request);
      guard.run("refusing", () -> request.afterFailure(error));
    }
  }

  // ---- a report of a stall ----------------------------------------------------------------------

  /**
   * How long submits have waited with nothing under way that would sequence them (no group, read or
   * load, or pause), at {@code now}; 0 otherwise. Such a document is stalled, a bug: this is what
   * the sweeper reports it by. A slow commit or read (a stalled database) is no stall.
   */
  long stalledFor(long now) {
    boolean underWay =
        group != null
            || (pausing && now - pauseEndsNanos < STALLED_PAUSE_NANOS)
            || !readingFor.isEmpty()
            || sequenceAfterLoad
            || loading.isLoading();
    if (waiting.isEmpty() || underWay) {
      progressNanos = now;
      return 0;
    }
    return now - progressNanos;
  }

  /** What the submits wait for, for the report of a stall. */
  String describe() {
    StringBuilder state =
        new StringBuilder()
            .append(waiting.size())
            .append(" waiting, group ")
            .append(
                group == null ? "none" : group.opCount() + " ops, handed off " + groupHandedOff())
            .append(pausing ? ", pausing" : "")
            .append(", reading for ")
            .append(readingFor.size())
            .append(holdingRead == null ? "" : ", holding a read")
            .append(sequenceAfterLoad ? ", sequencing after the load" : "")
            .append(", loading current ")
            .append(loading.isCurrent())
            .append(" (loading ")
            .append(loading.isLoading())
            .append("), generation ")
            .append(generation)
            .append(", head ")
            .append(doc.head());
    for (SubmitRequest first : waiting.firsts(request -> true, 4)) {
      Sequencers.Submission submission = first.submission();
      state
          .append("; first of a lane: seq ")
          .append(submission.seq())
          .append(" on ")
          .append(submission.baseRevision())
          .append(", ready ")
          .append(isReady(first))
          .append(", needs look-up ")
          .append(needsLookUp(first))
          .append(", base forgotten ")
          .append(baseIsForgotten(submission));
    }
    return state.toString();
  }

  private TandemException busy(String why) {
    return Errors.busy(doc.docId(), why);
  }
}
