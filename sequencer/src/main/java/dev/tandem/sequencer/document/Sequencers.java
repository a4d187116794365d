package dev.tandem.sequencer.document;

import dev.tandem.ot.CodePoints;
import dev.tandem.ot.Component;
import dev.tandem.ot.Insert;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.Archive;
import dev.tandem.persistence.ArchivedOp;
import dev.tandem.persistence.CheckpointInfo;
import dev.tandem.persistence.CheckpointStore;
import dev.tandem.persistence.Database;
import dev.tandem.persistence.DocumentExistsException;
import dev.tandem.persistence.DocumentNotFoundException;
import dev.tandem.persistence.DocumentSnapshot;
import dev.tandem.persistence.HistoryMismatchException;
import dev.tandem.persistence.OpLog;
import dev.tandem.persistence.PersistenceException;
import dev.tandem.persistence.RevisionOutOfRangeException;
import dev.tandem.persistence.RevisionPrunedException;
import dev.tandem.persistence.StoredOp;
import dev.tandem.sequencer.config.TandemConfig;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.MovedException;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.metrics.Metrics;
import dev.tandem.sequencer.protocol.PresenceUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The documents a server holds: one {@link DocumentSequencer} per active document, created on first
 * use and unloaded when idle, all sharing one thread pool and one {@link Committer}. This is what
 * the transports talk to; every method returns without waiting for the database. The sequencers'
 * pool never touches the database: reads (and checkpoint writes) run on a pool of their own, so a
 * slow read delays only the document or request that asked for it.
 *
 * <p>The path of one edit: {@link #submit} → the document's {@link DocumentSequencer} → {@link
 * Submits} (queue, group) → {@link SubmitRequest#sequence} → {@link GroupCommit} (one transaction
 * by the {@link Committer}, then {@link GroupDelivery}) → the sender's {@link SubmitReply} and
 * every other {@link Subscriber}. docs/architecture.md walks through it.
 */
public final class Sequencers implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Sequencers.class);

  /**
   * Requests one document may have waiting, in its executor's queue and again in its own (submits
   * waiting for a commit, requests waiting for its load); more are refused with {@code
   * rate_limited}.
   */
  public static final int QUEUE_LIMIT_PER_DOCUMENT = 10_000;

  /** Ops one read of history takes at most. */
  private static final int READ_PAGE = 1000;

  private final OpLog opLog;
  private final Archive archive;
  private final CheckpointStore checkpoints;
  private final TandemConfig config;
  private final Committer committer;
  private final Ownership ownership;
  private final Metrics metrics = new Metrics();
  private final ExecutorService pool;
  private final ExecutorService database;
  private final ScheduledExecutorService sweeper;
  private final ConcurrentHashMap<String, DocumentSequencer> documents = new ConcurrentHashMap<>();
  private final Set<Runnable> streamClosers = ConcurrentHashMap.newKeySet();
  private final Faults faults; // null but in fault-injection tests
  private final ClientOwners clientOwners = new ClientOwners();
  private final ConcurrentHashMap<Subscriber, Integer> queuedBySender = new ConcurrentHashMap<>();
  private final AtomicInteger queuedSubmits = new AtomicInteger();
  private volatile boolean stopping;

  /** A submitted op as the transports hand it over: shape-checked, not yet sequenced. */
  public record Submission(
      String docId, long baseRevision, TextOperation op, String clientId, long seq, String userId) {
    public Submission {
      Objects.requireNonNull(docId, "docId");
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(clientId, "clientId");
      Objects.requireNonNull(userId, "userId");
    }
  }

  /** A page of a document's history: {@code next} is the {@code from} of the next page, or null. */
  public record OpsPage(List<ArchivedOp> ops, Long next) {}

  public Sequencers(Database database, TandemConfig config) {
    this(database, config, null);
  }

  public Sequencers(Database database, TandemConfig config, Faults faults) {
    this.faults = faults;
    this.opLog = database.opLog();
    this.checkpoints = database.checkpoints();
    this.archive = database.archive();
    this.config = config;
    this.committer = new Committer(opLog, metrics);
    this.ownership =
        new Ownership(
            database.leases(),
            config.effectiveNodeId(),
            config.heartbeatInterval(),
            config.nodeDeadAfter(),
            this::leaseLost);
    int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    this.pool = Executors.newFixedThreadPool(threads, daemonThreads("tandem-sequencer"));
    this.database = Executors.newFixedThreadPool(threads, daemonThreads("tandem-database"));
    this.sweeper = Executors.newSingleThreadScheduledExecutor(daemonThreads("tandem-sweeper"));
    long period = Math.max(1, Math.min(30, config.idleUnloadAfter().toSeconds() / 2));
    sweeper.scheduleWithFixedDelay(
        () -> unloadIdle(config.idleUnloadAfter()), period, period, TimeUnit.SECONDS);
  }

  // ---- the WebSocket protocol ------------------------------------------------------------------

  /**
   * Subscribes to a document and answers with {@link Subscriber#opened} or {@link
   * Subscriber#caughtUp} (or {@link Subscriber#failed}); a missing document is created empty if
   * {@code mayCreate}.
   */
  public void open(Subscriber subscriber, String docId, OptionalLong revision, boolean mayCreate) {
    route(docId, d -> d.open(subscriber, revision, mayCreate));
  }

  /**
   * Sequences, commits and acknowledges one op; {@code reply} learns the outcome.
   *
   * @param sender the subscriber that must not get the op back as an {@code op} message; null for
   *     REST
   * @throws TandemException {@code invalid_op} or {@code too_large} for an op that can never be
   *     accepted, {@code rate_limited} if the document has too many requests waiting
   */
  public void submit(Subscriber sender, SubmitReply reply, Submission submission) {
    checkOp(submission.op());
    Runnable release = admit(sender);
    SubmitRequest request = new SubmitRequest(sender, reply, submission, release, metrics);
    try {
      route(submission.docId(), d -> d.submit(request));
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
  }

  /**
   * Counts a submit against its sender's bound ({@code submit-queue-per-connection}) until it is
   * answered; returns what frees its place.
   *
   * @throws TandemException {@code rate_limited} if the sender has as many waiting
   */
  private Runnable admit(Subscriber sender) {
    if (sender != null) {
      int limit = config.submitQueuePerConnection();
      boolean[] admitted = {false};
      queuedBySender.compute(
          sender,
          (key, queued) -> {
            int count = queued == null ? 0 : queued;
            admitted[0] = count < limit;
            return admitted[0] ? count + 1 : queued;
          });
      if (!admitted[0]) {
        throw Errors.rateLimited(
            limit + " submits of this connection are waiting for their ack; send after an ack");
      }
    }
    queuedSubmits.incrementAndGet();
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        queuedSubmits.decrementAndGet();
        if (sender != null) {
          queuedBySender.computeIfPresent(sender, (key, queued) -> queued <= 1 ? null : queued - 1);
        }
      }
    };
  }

  /** Submits accepted and not yet answered, on every document. */
  public int queuedSubmits() {
    return queuedSubmits.get();
  }

  /**
   * Who may use which client id: the first user to use it. The transports claim a client id where
   * it is presented (a WebSocket's {@code hello}, a REST submit that names one), not per op.
   */
  public ClientOwners clientOwners() {
    return clientOwners;
  }

  /** Relays a presence to the document's other subscribers. */
  public void presence(Subscriber subscriber, PresenceUpdate update) {
    route(update.docId(), d -> d.presence(subscriber, update));
  }

  /** Unsubscribes and answers {@link Subscriber#closed}. */
  public void close(Subscriber subscriber, String docId) {
    DocumentSequencer document = documents.get(docId);
    if (document == null) {
      subscriber.closed(docId);
    } else {
      document.leave(subscriber, true);
    }
  }

  /** Unsubscribes from every document in {@code docIds} without answering (the socket is gone). */
  public void disconnect(Subscriber subscriber, Set<String> docIds) {
    for (String docId : docIds) {
      DocumentSequencer document = documents.get(docId);
      if (document != null) {
        document.leave(subscriber, false);
      }
    }
  }

  // ---- REST ----------------------------------------------------------------------------------

  /**
   * The text at {@code revision}, or at the head when empty. A past revision is history: it is read
   * from the database (nearest checkpoint plus replay) without going through the document.
   */
  public CompletableFuture<DocumentSnapshot> text(String docId, OptionalLong revision) {
    if (revision.isPresent()) {
      long at = revision.getAsLong();
      return readLater(
          () -> {
            long head = opLog.head(docId).orElseThrow(() -> notFound(docId));
            if (at < 0 || at > head) {
              throw Errors.revOutOfRange(docId, at, head);
            }
            return opLog.textAt(docId, at);
          });
    }
    CompletableFuture<DocumentSnapshot>[] result = new CompletableFuture[1];
    route(docId, d -> result[0] = d.text());
    // another node sequences it: any node reads the committed text from the database
    return result[0].exceptionallyCompose(
        failure ->
            asTandem(failure) instanceof MovedException
                ? readLater(() -> opLog.loadDocument(docId).orElseThrow(() -> notFound(docId)))
                : CompletableFuture.failedFuture(failure));
  }

  /** Creates a document at revision 0 holding {@code initialText}. */
  public CompletableFuture<DocumentSnapshot> create(String docId, String initialText) {
    checkText(initialText);
    return readLater(
        () -> {
          try {
            return opLog.createDocument(docId, initialText);
          } catch (DocumentExistsException e) {
            throw Errors.documentExists(docId);
          }
        });
  }

  /** At most {@code limit} committed ops from revision {@code from} on. */
  public CompletableFuture<OpsPage> ops(String docId, long from, int limit) {
    return readLater(
        () -> {
          long head = opLog.head(docId).orElseThrow(() -> notFound(docId));
          List<ArchivedOp> ops = archive.ops(docId, from, limit);
          long next = from + ops.size();
          return new OpsPage(ops, next <= head ? next : null);
        });
  }

  /** The document's checkpoints, by ascending revision. */
  public CompletableFuture<List<CheckpointInfo>> checkpoints(String docId) {
    return readLater(
        () -> {
          opLog.head(docId).orElseThrow(() -> notFound(docId));
          return checkpoints.list(docId);
        });
  }

  /**
   * Deletes a document with its whole history, through its sequencer: once no group of it is being
   * committed, with its requests held meanwhile; then its subscribers get {@code not_found}
   * ("deleted"), and later requests find no document. Completes with whether it existed.
   */
  public CompletableFuture<Boolean> delete(String docId) {
    CompletableFuture<Boolean>[] result = new CompletableFuture[1];
    route(docId, d -> result[0] = d.delete());
    return result[0];
  }

  /**
   * Prunes the document's history before {@code before} ({@link Archive#prune}); a loaded document
   * learns where its history starts now, so a client that asks for a revision below it is resynced
   * (see {@link Subscriber#resynced}) whatever memory still holds.
   */
  public CompletableFuture<Archive.PruneSummary> prune(String docId, long before) {
    return this.<Archive.PruneSummary>archive(archive -> archive.prune(docId, before))
        .thenApply(
            summary -> {
              DocumentSequencer document = documents.get(docId);
              if (document != null) {
                document.pruned(summary.start());
              }
              return summary;
            });
  }

  /** Writes a checkpoint at the document's head. */
  public CompletableFuture<CheckpointInfo> createCheckpoint(String docId) {
    CompletableFuture<CheckpointInfo>[] result = new CompletableFuture[1];
    route(docId, d -> result[0] = d.checkpoint());
    return result[0];
  }

  /**
   * Work on whole documents (list, export, import, the revision at a time) on the database pool: a
   * missing document is {@code not_found}, a taken id {@code already_exists}, a revision past the
   * head {@code rev_out_of_range}, a history that does not verify or a malformed one {@code
   * bad_request}.
   */
  public <T> CompletableFuture<T> archive(Function<Archive, T> work) {
    return readLater(
        () -> {
          try {
            return work.apply(archive);
          } catch (DocumentNotFoundException e) {
            throw Errors.noDocument(e.docId().orElse(""));
          } catch (DocumentExistsException e) {
            throw Errors.documentExists(e.docId().orElse(""));
          } catch (RevisionOutOfRangeException e) {
            throw Errors.revOutOfRange(e.getMessage());
          } catch (HistoryMismatchException | IllegalArgumentException e) {
            throw Errors.badRequest(e.getMessage());
          }
        });
  }

  /** Registers something to close when the server shuts down (an SSE stream); returns a remover. */
  public Runnable onShutdown(Runnable closer) {
    streamClosers.add(closer);
    return () -> streamClosers.remove(closer);
  }

  /**
   * Runs {@code task} once after {@code delay} on the server's timer thread (an SSE stream's end at
   * its token's expiry, the end of a document's pause after a long delivery); returns a canceller.
   * The task must be short and must not block.
   *
   * @throws java.util.concurrent.RejectedExecutionException once the server has stopped
   */
  public Runnable schedule(Runnable task, Duration delay) {
    long nanos =
        delay.isNegative()
            ? 0
            : delay.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L - 1
                ? Long.MAX_VALUE
                : delay.toNanos();
    ScheduledFuture<?> scheduled = sweeper.schedule(task, nanos, TimeUnit.NANOSECONDS);
    return () -> scheduled.cancel(false);
  }

  // ---- the cluster (docs/scaling.md) -----------------------------------------------------------

  /** This node's id among the servers sharing the database. */
  public String nodeId() {
    return ownership.nodeId();
  }

  /** Registers this node, reachable at {@code advertiseUrl}, and starts its heartbeat. */
  public void joinCluster(String advertiseUrl) {
    ownership.join(advertiseUrl);
  }

  /**
   * A graceful stop, after the last commit: the node is dead from now on, so the next node a client
   * opens a document of this one on takes it over at once.
   */
  public void leaveCluster() {
    ownership.leave();
  }

  /** The heartbeat found the document taken over: it reloads, which makes it step down. */
  private void leaseLost(String docId) {
    DocumentSequencer document = documents.get(docId);
    if (document != null) {
      document.leaseLost();
    }
  }

  /** An unloaded document's lease is given up, so any node takes it at once. */
  void released(String docId, long leaseEpoch) {
    ownership.release(
        docId,
        leaseEpoch,
        release ->
            readLater(
                () -> {
                  release.run();
                  return null;
                }));
  }

  Ownership ownership() {
    return ownership;
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  /** From now on, submits are refused with {@code unavailable}. */
  public void stopAccepting() {
    stopping = true;
  }

  /**
   * Waits until the commits in flight are done and their acks and broadcasts handed to the
   * subscribers, at most {@code timeout}.
   */
  public boolean awaitCommitted(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!committer.awaitIdle(timeout)) {
      return false;
    }
    // Each document answers its committed ops on its own executor: wait for them to get there.
    List<DocumentSequencer> loaded = List.copyOf(documents.values());
    CountDownLatch answered = new CountDownLatch(loaded.size());
    for (DocumentSequencer document : loaded) {
      document.afterPendingWork(answered::countDown);
    }
    return answered.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /** The SSE streams registered by {@link #onShutdown}: open, or waiting for their document. */
  public int streams() {
    return streamClosers.size();
  }

  /** Ends every SSE stream. */
  public void closeStreams() {
    for (Runnable closer : List.copyOf(streamClosers)) {
      closer.run();
    }
  }

  /** The server's counters. */
  public Metrics metrics() {
    return metrics;
  }

  /** Subscriptions to the documents in memory (WebSocket opens and SSE streams). */
  public int subscriberCount() {
    int count = 0;
    for (DocumentSequencer document : documents.values()) {
      count += document.subscriberCount();
    }
    return count;
  }

  /** The number of documents in memory. */
  public int loadedDocuments() {
    return documents.size();
  }

  @Override
  public void close() {
    stopping = true;
    sweeper.shutdownNow();
    ownership.close();
    committer.close();
    pool.shutdown();
    database.shutdown();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
      database.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      metrics.close();
    }
  }

  // ---- for the document sequencers -------------------------------------------------------------

  /** Unloads the documents nobody used for {@code idle}; the sweeper calls this periodically. */
  public void unloadIdle(Duration idle) {
    long idleNanos = idle.toNanos();
    documents.values().forEach(document -> document.unloadIfIdle(idleNanos));
  }

  /**
   * Hands {@code action} the document's sequencer, created if none is loaded. The action queues its
   * request while the map entry is locked, so it cannot race an unload ({@link #forgetIfUnused}): a
   * request never lands on a sequencer that was just forgotten.
   */
  public void route(String docId, Consumer<DocumentSequencer> action) {
    documents.compute(
        docId,
        (id, loaded) -> {
          DocumentSequencer document =
              loaded != null
                  ? loaded
                  : new DocumentSequencer(
                      id, this, new SerialExecutor(pool, QUEUE_LIMIT_PER_DOCUMENT));
          action.accept(document);
          return document;
        });
  }

  /**
   * Forgets {@code document} if {@code unused} holds while its map entry is locked; returns whether
   * it did.
   */
  boolean forgetIfUnused(String docId, DocumentSequencer document, BooleanSupplier unused) {
    return documents.computeIfPresent(
            docId, (id, loaded) -> loaded == document && unused.getAsBoolean() ? null : loaded)
        == null;
  }

  /** Marks a named step of {@code docId}'s work, where a test may inject a failure. */
  void step(Faults.Step step, String docId) {
    if (faults != null) {
      faults.at(step, docId);
    }
  }

  public boolean isStopping() {
    return stopping;
  }

  OpLog opLog() {
    return opLog;
  }

  CheckpointStore checkpoints() {
    return checkpoints;
  }

  Committer committer() {
    return committer;
  }

  TandemConfig config() {
    return config;
  }

  /** Runs {@code read} on the database pool; a database failure becomes {@code unavailable}. */
  <T> CompletableFuture<T> readLater(Supplier<T> read) {
    try {
      return CompletableFuture.supplyAsync(
          () -> {
            try {
              return read.get();
            } catch (RevisionPrunedException e) { // not the database's failure: history is gone
              throw Errors.gone(e.getMessage());
            } catch (PersistenceException e) {
              throw Errors.databaseUnavailable(e);
            }
          },
          database);
    } catch (RejectedExecutionException closed) {
      return CompletableFuture.failedFuture(Errors.shuttingDown());
    }
  }

  /**
   * On the database pool: the committed ops of {@code docId} after {@code after} up to {@code
   * upTo}, densely, a page at a time.
   */
  List<Committed> readCommitted(String docId, long after, long upTo) {
    List<Committed> ops = new ArrayList<>();
    long next = after + 1;
    while (next <= upTo) {
      List<StoredOp> page =
          opLog.readRange(docId, next, (int) Math.min(READ_PAGE, upTo - next + 1));
      if (page.isEmpty() || page.get(0).revision() != next) {
        throw Errors.gapAt(docId, next);
      }
      for (StoredOp stored : page) {
        ops.add(Committed.of(stored));
      }
      next += page.size();
    }
    return ops;
  }

  /** On the database pool: deletes the document's rows; whether it existed. */
  boolean deleteRows(String docId) {
    return archive.delete(docId);
  }

  /** A failure from the database pool as the client should see it. */
  static TandemException asTandem(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof TandemException) {
      return (TandemException) cause;
    }
    if (cause instanceof PersistenceException) {
      return Errors.databaseUnavailable(cause);
    }
    log.error("a database read failed", cause);
    return Errors.internal(cause);
  }

  /** What makes an op unacceptable whatever the document: its size, and U+0000. */
  private void checkOp(TextOperation op) {
    long inserted = 0;
    for (Component component : op.components()) {
      if (component instanceof Insert) {
        String text = ((Insert) component).text();
        inserted += text.codePointCount(0, text.length());
        if (text.indexOf('\u0000') >= 0) {
          throw Errors.invalidOp("insert holds U+0000, which Tandem does not store");
        }
      }
    }
    if (inserted > config.maxOpCodePoints()) {
      throw Errors.tooLarge("op inserts " + inserted + " code points", config.maxOpCodePoints());
    }
  }

  private void checkText(String text) {
    if (text.indexOf('\u0000') >= 0) {
      throw Errors.badRequest("text holds U+0000, which Tandem does not store");
    }
    int lone = CodePoints.firstLoneSurrogate(text);
    if (lone >= 0) {
      throw Errors.badRequest("text has a lone surrogate at UTF-16 index " + lone);
    }
    int length = text.codePointCount(0, text.length());
    if (length > config.maxDocumentCodePoints()) {
      throw Errors.tooLarge("text has " + length + " code points", config.maxDocumentCodePoints());
    }
  }

  private static TandemException notFound(String docId) {
    return Errors.noDocument(docId);
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
