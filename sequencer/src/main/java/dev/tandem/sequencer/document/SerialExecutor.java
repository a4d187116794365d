package dev.tandem.sequencer.document;

import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: a document's sequencer runs on
 * one of these, so it never runs concurrently with itself and needs no locks, while thousands of
 * documents share a few threads. The queue is bounded: past {@code limit} waiting tasks, {@link
 * #execute} refuses with {@code rate_limited} instead of growing without end.
 */
final class SerialExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

  private static final int FAIRNESS_BATCH = 64;

  private final Executor pool;
  private final int limit;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();

  SerialExecutor(Executor pool, int limit) {
    this.pool = pool;
    this.limit = limit;
  }

  /**
   * Queues a task.
   *
   * @throws TandemException {@code rate_limited} if {@code limit} tasks are already waiting
   */
  @Override
  public void execute(Runnable task) {
    if (size.get() >= limit) {
      throw Errors.rateLimited("the document is busy: " + limit + " requests are waiting");
    }
    tasks.add(task);
    // The thread that raises the count from 0 starts the drain; the drain keeps running while
    // the count is above 0, so exactly one drain runs at a time.
    if (size.getAndIncrement() == 0) {
      pool.execute(this::drain);
    }
  }

  /** Queues a task that must run even when the queue is full (internal continuations). */
  void executeAlways(Runnable task) {
    tasks.add(task);
    if (size.getAndIncrement() == 0) {
      pool.execute(this::drain);
    }
  }

  /**
   * Runs {@code task} on the calling thread if nothing of this executor is queued or running;
   * otherwise queues it, always accepted. Tasks queued while it runs go on on the pool, so the
   * calling thread returns to its own work after this one task. An idle document's next step thus
   * costs no hand-off to the pool and no thread wake-up. For callers whose thread may run a
   * document's step: one that never blocks, and whose own work can wait for it.
   */
  void executeHereIfIdle(Runnable task) {
    tasks.add(task);
    if (size.getAndIncrement() == 0) {
      drain(1);
    }
  }

  /** Tasks queued or running, the running one included. */
  int queued() {
    return size.get();
  }

  private void drain() {
    drain(FAIRNESS_BATCH);
  }

  /** Runs queued tasks, at most {@code batch} of them on this thread; the pool runs the rest. */
  private void drain(int batch) {
    for (int ran = 1; ; ran++) {
      Runnable task = tasks.poll(); // never null: a task is queued before it is counted
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        log.error("sequencer task failed", e);
      }
      if (size.decrementAndGet() == 0) {
        return;
      }
      if (ran == batch) {
        // Give the thread to other documents; this drain continues as a new pool task.
        pool.execute(this::drain);
        return;
      }
    }
  }
}
