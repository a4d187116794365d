package dev.tandem.sequencer.document;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The submits handed to one document and not yet in its {@link SubmitQueue}: they are taken in one
 * step of the document's executor, many at a time, rather than each in a task of its own. A submit
 * thus reaches its sender's lane after the few tasks queued before that step, not behind one task
 * per submit that other senders sent before it (ten flooding sockets queued hundreds, and an honest
 * editor's submit waited for all of them before its lane could serve it in its turn).
 *
 * <p>Thread-safe: submits arrive on the transports' threads. One step is queued or running while
 * submits wait here, and none otherwise.
 */
final class Arrivals {
  /** Submits one step takes at most; the next step takes the rest, after the tasks queued since. */
  static final int PER_STEP = 1000;

  private final ConcurrentLinkedQueue<SubmitRequest> requests = new ConcurrentLinkedQueue<>();
  private final AtomicInteger count = new AtomicInteger();
  private final Runnable scheduleStep;

  /**
   * @param scheduleStep queues a step on the document's executor (always accepted) that calls
   *     {@link #takeInto}
   */
  Arrivals(Runnable scheduleStep) {
    this.scheduleStep = scheduleStep;
  }

  /** Submits handed over and not yet taken. */
  int size() {
    return Math.max(0, count.get());
  }

  void add(SubmitRequest request) {
    requests.add(request);
    // The thread that raises the count from 0 queues the step; the step queues the next one while
    // the count stays above 0, so exactly one step is queued or running while submits wait.
    if (count.getAndIncrement() == 0) {
      scheduleStep.run();
    }
  }

  /**
   * In a step of the document's executor: hands {@code arrive} the waiting submits in the order
   * they came, at most {@link #PER_STEP}; queues the next step if more wait (even if {@code arrive}
   * throws, so no submit is left without one).
   */
  void takeInto(Consumer<SubmitRequest> arrive) {
    boolean more = true;
    try {
      for (int taken = 0; more && taken < PER_STEP; taken++) {
        SubmitRequest request = requests.poll(); // never null: a submit is queued before counted
        more = count.decrementAndGet() > 0;
        arrive.accept(request);
      }
    } finally {
      if (more) {
        scheduleStep.run();
      }
    }
  }
}
