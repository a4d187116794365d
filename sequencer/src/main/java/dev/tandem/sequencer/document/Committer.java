package dev.tandem.sequencer.document;

import dev.tandem.persistence.DatabaseUnavailableException;
import dev.tandem.persistence.OpLog;
import dev.tandem.persistence.PersistenceException;
import dev.tandem.persistence.StoredOp;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.metrics.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: one thread takes the sequenced ops of every document that has some waiting and
 * writes them in one {@link OpLog#append} transaction, so many documents share one disk flush.
 *
 * <p>Law: a batch's future completes normally only after its ops are durably committed, and
 * exceptionally only if none of them is. When a multi-document transaction fails for a reason other
 * than an unavailable database, each document's batch is retried alone, so one document's conflict
 * (a stale writer, a duplicate) never fails the others.
 */
final class Committer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Committer.class);
  private static final int MAX_ROWS_PER_TRANSACTION = 2000;
  private static final int QUEUE_CAPACITY = 100_000;

  private final OpLog opLog;
  private final Metrics metrics;
  private final LinkedBlockingQueue<Batch> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
  private final Thread thread;
  private final Object idle = new Object();
  private int unfinished; // guarded by idle
  private volatile boolean running = true;

  /**
   * While the committer thread completes a transaction that held one document's batch and nothing
   * else waits to be committed: that document's next step may run on this thread ({@link
   * #mayContinueHere}). Written and read on the committer thread only.
   */
  private boolean completingLoneBatch;

  /** The ops of one document, in revision order, and who waits for them. */
  private record Batch(
      String docId, long leaseEpoch, List<StoredOp> ops, CompletableFuture<Void> done) {}

  Committer(OpLog opLog, Metrics metrics) {
    this.opLog = opLog;
    this.metrics = metrics;
    this.thread = new Thread(this::run, "tandem-committer");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues the ops of one document for the next transaction, fenced by this node's lease epoch.
   *
   * @return completes when they are committed, or exceptionally with a {@link TandemException}
   *     ({@code unavailable}) when they are not
   */
  CompletableFuture<Void> commit(String docId, long leaseEpoch, List<StoredOp> ops) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    synchronized (idle) {
      unfinished++;
    }
    if (!running || !queue.offer(new Batch(docId, leaseEpoch, List.copyOf(ops), done))) {
      finished(1);
      done.completeExceptionally(
          Errors.unavailable(running ? "commit queue is full" : "server is shutting down"));
    }
    return done;
  }

  /**
   * Whether the calling thread may run the next step of the document whose commit it is completing:
   * only the committer thread, and only when that commit was the transaction's one batch and
   * nothing waits to be committed, so no other document's commit waits for the step (the document
   * delivers its group and sequences the next one, which it could not do before this commit, so the
   * same work on another thread would only add a hand-off and a wake-up).
   */
  boolean mayContinueHere() {
    return Thread.currentThread() == thread && completingLoneBatch;
  }

  /** Waits until every queued batch is committed or failed, at most {@code timeout}. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (idle) {
      while (unfinished > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(idle, left);
      }
    }
    return true;
  }

  /** Finishes what is queued, then stops. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    List<Batch> batches = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        Batch first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batches.add(first);
        int rows = first.ops().size();
        Batch next;
        while (rows < MAX_ROWS_PER_TRANSACTION && (next = queue.poll()) != null) {
          batches.add(next);
          rows += next.ops().size();
        }
        write(batches, batches.size() == 1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error e) {
        log.error("committer failed", e);
        fail(batches, e);
      } finally {
        batches.clear();
      }
    }
  }

  /**
   * Stores {@code batches} in one transaction. {@code alone}: one batch, all this thread took (not
   * a retry among others), so its document may continue here ({@link #mayContinueHere}) if nothing
   * else waits.
   */
  private void write(List<Batch> batches, boolean alone) {
    List<StoredOp> rows = new ArrayList<>();
    Map<String, Long> epochs = new HashMap<>();
    for (Batch batch : batches) {
      rows.addAll(batch.ops());
      epochs.put(batch.docId(), batch.leaseEpoch());
    }
    try {
      long start = System.nanoTime();
      opLog.append(rows, epochs); // fenced: a document taken over by another node stores nothing
      metrics.committed(rows.size(), System.nanoTime() - start);
      succeed(batches, alone);
    } catch (DatabaseUnavailableException e) {
      fail(batches, e);
    } catch (PersistenceException e) {
      if (batches.size() == 1) {
        fail(batches, e);
        return;
      }
      log.warn(
          "group commit of {} documents failed ({}); retrying each alone",
          batches.size(),
          e.getMessage());
      for (Batch batch : batches) {
        write(List.of(batch), false); // the other documents' retries wait for none of its steps
      }
    }
  }

  private void succeed(List<Batch> batches, boolean alone) {
    completingLoneBatch = alone && queue.isEmpty();
    try {
      for (Batch batch : batches) {
        batch.done().complete(null);
      }
    } finally {
      completingLoneBatch = false;
    }
    finished(batches.size());
  }

  private void fail(List<Batch> batches, Throwable cause) {
    metrics.commitFailed();
    TandemException error =
        Errors.unavailable("the op was not stored: " + cause.getMessage(), cause);
    int count = 0;
    for (Batch batch : batches) {
      if (batch.done().completeExceptionally(error)) {
        count++;
      }
    }
    finished(count);
  }

  private void finished(int count) {
    synchronized (idle) {
      unfinished -= count;
      if (unfinished == 0) {
        idle.notifyAll();
      }
    }
  }
}
