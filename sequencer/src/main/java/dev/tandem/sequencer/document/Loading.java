package dev.tandem.sequencer.document;

import dev.tandem.persistence.DocumentExistsException;
import dev.tandem.persistence.DocumentSnapshot;
import dev.tandem.persistence.Leases;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.MovedException;
import dev.tandem.sequencer.error.TandemException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loading one document into memory, and reloading it when memory may differ from the database
 * (after a failed commit, or a step that failed while memory was changing). Work that needs the
 * document waits here ({@link #use}) while one read runs on the database pool; a reload delivers to
 * the subscribers the ops that landed without being delivered, so nobody misses a revision. Not
 * thread-safe: owned by the document's sequencer.
 */
final class Loading {
  private static final Logger log = LoggerFactory.getLogger(Loading.class);

  private final DocumentState doc;
  private final Sequencers sequencers;
  private final Subscribers subscribers;
  private final Executor continueWith;
  private final GroupDelivery.Guard guard;
  private final Consumer<TandemException> stepDown;

  private boolean loaded;
  private boolean stale;
  private boolean loading;
  private final ArrayDeque<Use> awaitingLoad = new ArrayDeque<>();

  /** The requests of the load being taken into memory (so a failure there answers them). */
  private List<Use> usesInHand = List.of();

  /** Work waiting for the document to load; {@code owner} is the subscriber it is for, if any. */
  private record Use(
      Subscriber owner, boolean mayCreate, Runnable action, Consumer<TandemException> failed) {}

  /** What a load read: the document if it exists, and on a reload the ops that landed meanwhile. */
  private record Loaded(
      Optional<DocumentSnapshot> snapshot,
      long leaseEpoch,
      long historyStart,
      List<Committed> landed) {}

  Loading(
      DocumentState doc,
      Sequencers sequencers,
      Subscribers subscribers,
      Executor continueWith,
      GroupDelivery.Guard guard,
      Consumer<TandemException> stepDown) {
    this.stepDown = stepDown;
    this.doc = doc;
    this.sequencers = sequencers;
    this.subscribers = subscribers;
    this.continueWith = continueWith;
    this.guard = guard;
  }

  /** Whether memory holds the document as the database has it. */
  boolean isCurrent() {
    return loaded && !stale && !loading;
  }

  boolean isLoading() {
    return loading;
  }

  /** Memory may differ from the database: reload before the next use. */
  void markStale() {
    stale = true;
  }

  /**
   * The document stepped down (another node took its lease): memory is forgotten, and the next use
   * loads it again, under a new lease or with {@code moved}.
   */
  void forget() {
    loaded = false;
    stale = false;
  }

  /** After a recovery: reloads at once if memory may differ (subscribers get what landed). */
  void reloadIfStale() {
    if (stale && !loading && loaded) {
      use(null, false, () -> {}, e -> {});
    }
  }

  /**
   * Runs {@code action} with the document loaded and current: at once, or after a load read off
   * this thread. If the load fails, {@code failed} gets {@code unavailable} or {@code not_found}.
   */
  void use(Subscriber owner, boolean mayCreate, Runnable action, Consumer<TandemException> failed) {
    if (isCurrent()) {
      action.run();
      return;
    }
    if (awaitingLoad.size() >= Sequencers.QUEUE_LIMIT_PER_DOCUMENT) {
      failed.accept(
          Errors.busy(doc.docId(), awaitingLoad.size() + " requests are waiting for it to load"));
      return;
    }
    awaitingLoad.addLast(new Use(owner, mayCreate, action, failed));
    if (!loading) {
      load(mayCreate);
    }
  }

  /**
   * Holds every request that needs the document, as a load does, until {@link #delete} is done: a
   * deletion waits for the group being committed, and nothing new may start meanwhile.
   */
  void holdForDelete() {
    loading = true;
  }

  /**
   * Deletes the document's rows on the database pool, as a load reads them, while its requests wait
   * ({@link #holdForDelete}); then memory no longer holds it, and the waiting requests find it gone
   * ({@code not_found}), or create it anew if they may (an {@code open} that creates). If the
   * delete failed, they get its error and the document reloads before its next use.
   */
  void delete(CompletableFuture<Boolean> result, Runnable afterDeleted) {
    sequencers
        .readLater(() -> sequencers.deleteRows(doc.docId()))
        .whenComplete(
            (deleted, failure) ->
                continueWith.execute(
                    () -> {
                      if (failure != null) {
                        stale = true; // whether the rows are gone is unknown
                        result.completeExceptionally(Sequencers.asTandem(failure));
                        afterLoad(null, failure);
                        return;
                      }
                      loaded = false;
                      stale = false;
                      afterDeleted.run();
                      result.complete(deleted);
                      afterLoad(new Loaded(Optional.empty(), 0, 0, List.of()), null);
                    }));
  }

  /** Drops the work of {@code owner} still waiting for the load (its socket went away). */
  void cancel(Subscriber owner) {
    awaitingLoad.removeIf(use -> use.owner() == owner);
  }

  /** Whether a failure now leaves memory half changed: a load was being taken. */
  boolean takingLoad() {
    return !usesInHand.isEmpty();
  }

  /** Gives up the load being taken when a step failed: its requests get {@code error}. */
  void giveUp(TandemException error) {
    List<Use> uses = usesInHand;
    usesInHand = List.of();
    for (Use use : uses) {
      guard.run("refusing", () -> use.failed().accept(error));
    }
  }

  private void load(boolean create) {
    loading = true;
    boolean reload = loaded;
    long knownHead = doc.deliveredHead();
    sequencers
        .readLater(
            () -> {
              sequencers.step(Faults.Step.LOAD_READ, doc.docId());
              return read(create, reload, knownHead);
            })
        .whenComplete((result, failure) -> continueWith.execute(() -> afterLoad(result, failure)));
  }

  /**
   * On the database pool: the document (created empty if {@code create}), and on a reload the ops
   * memory did not know (a commit whose failure was reported but which did land), so nobody misses
   * a revision.
   */
  private Loaded read(boolean create, boolean reload, long knownHead) {
    // The lease first, then the read: an append of the previous owner either committed before the
    // lease moved (the read sees it) or is fenced by the new epoch (docs/scaling.md).
    Leases.Acquisition lease = sequencers.ownership().acquire(doc.docId());
    if (lease instanceof Leases.NoDocument && create) {
      create();
      lease = sequencers.ownership().acquire(doc.docId());
    }
    if (!(lease instanceof Leases.Held held)) {
      return new Loaded(Optional.empty(), 0, 0, List.of());
    }
    Optional<DocumentSnapshot> snapshot = sequencers.opLog().loadDocument(doc.docId());
    List<Committed> landed =
        reload && snapshot.isPresent() && snapshot.get().revision() > knownHead
            ? readCommitted(knownHead, snapshot.get().revision())
            : List.of();
    long historyStart =
        snapshot.isPresent() ? sequencers.opLog().historyStart(doc.docId()).orElse(0) : 0;
    return new Loaded(snapshot, held.epoch(), historyStart, landed);
  }

  private void afterLoad(Loaded result, Throwable failure) {
    loading = false;
    List<Use> uses = new ArrayList<>(awaitingLoad);
    awaitingLoad.clear();
    usesInHand = uses;
    if (failure != null) {
      usesInHand = List.of();
      TandemException error = Sequencers.asTandem(failure);
      if (error instanceof MovedException && loaded) {
        stepDown.accept(error); // another node sequences it now
      }
      uses.forEach(use -> guard.run("refusing", () -> use.failed().accept(error)));
      return;
    }
    sequencers.step(Faults.Step.LOADED, doc.docId());
    if (result.snapshot().isEmpty()) {
      TandemException notFound = Errors.noDocument(doc.docId());
      usesInHand = List.of();
      for (Use use : uses) {
        if (use.mayCreate()) {
          awaitingLoad.addLast(use);
        } else {
          guard.run("refusing", () -> use.failed().accept(notFound));
        }
      }
      if (!awaitingLoad.isEmpty()) {
        load(true);
      }
      return;
    }
    doc.reset(
        result.snapshot().get(),
        result.leaseEpoch(),
        result.historyStart(),
        sequencers.config().historyInMemory());
    log.atInfo()
        .setMessage(loaded ? "document reloaded" : "document loaded")
        .addKeyValue("doc", doc.docId())
        .addKeyValue("rev", doc.head())
        .log();
    if (!result.landed().isEmpty()) {
      subscribers.broadcast(result.landed());
    }
    doc.delivered();
    loaded = true;
    stale = false;
    usesInHand = List.of();
    for (Use use : uses) {
      try {
        use.action().run();
      } catch (Throwable e) { // this request's own failure: the document is loaded and sound
        log.error("a request to '{}' failed after its load", doc.docId(), e);
        guard.run("refusing", () -> use.failed().accept(Errors.internal(e)));
      }
    }
  }

  private void create() {
    try {
      sequencers.opLog().createDocument(doc.docId(), "");
    } catch (DocumentExistsException e) { // created by someone else meanwhile
    }
  }

  private List<Committed> readCommitted(long after, long upTo) {
    return sequencers.readCommitted(doc.docId(), after, upTo);
  }
}
