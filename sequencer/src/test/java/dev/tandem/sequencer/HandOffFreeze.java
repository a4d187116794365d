package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.sequencer.document.Faults;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Faults} seam that holds one document at its next hand-off to the committer, so a test
 * can fill the document's queues while it waits and then let it go on.
 */
final class HandOffFreeze implements Faults {
  /** One hold of one document. */
  record Hold(String docId, CountDownLatch entered, CountDownLatch released) {
    /** Waits (bounded) until the document is held. */
    void awaitHeld() throws InterruptedException {
      assertTrue(entered.await(WsClient.WAIT.toSeconds(), TimeUnit.SECONDS), "never held");
    }

    /** Lets the document go on. */
    void release() {
      released.countDown();
    }
  }

  private final AtomicReference<Hold> pending = new AtomicReference<>();

  /** Holds {@code docId} at its next hand-off. */
  Hold hold(String docId) {
    Hold hold = new Hold(docId, new CountDownLatch(1), new CountDownLatch(1));
    pending.set(hold);
    return hold;
  }

  /** Holds nothing more. */
  void clear() {
    pending.set(null);
  }

  @Override
  public void at(Step step, String docId) {
    Hold now = pending.get();
    if (step == Step.HAND_OFF
        && now != null
        && now.docId().equals(docId)
        && pending.compareAndSet(now, null)) {
      now.entered().countDown();
      try {
        now.released().await(WsClient.WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
