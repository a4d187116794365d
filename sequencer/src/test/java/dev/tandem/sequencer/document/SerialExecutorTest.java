package dev.tandem.sequencer.document;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A document's executor: one task at a time, in order, on the pool or on an idle caller's thread.
 */
class SerialExecutorTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final SerialExecutor executor = new SerialExecutor(pool, 100);

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  @Test
  void anIdleExecutorRunsTheTaskHereAndWhatItQueuedMeanwhileOnThePool() throws Exception {
    List<Thread> ranOn = new CopyOnWriteArrayList<>();
    CountDownLatch queuedRan = new CountDownLatch(1);
    executor.executeHereIfIdle(
        () -> {
          ranOn.add(Thread.currentThread());
          executor.executeAlways(
              () -> {
                ranOn.add(Thread.currentThread());
                queuedRan.countDown();
              });
        });
    assertSame(Thread.currentThread(), ranOn.get(0), "idle: run on the caller's thread");
    assertTrue(queuedRan.await(10, TimeUnit.SECONDS));
    assertNotSame(Thread.currentThread(), ranOn.get(1), "the caller went back to its own work");
    assertEquals(2, ranOn.size());
  }

  @Test
  void aBusyExecutorQueuesTheTaskBehindWhatRunsAndRunsItOnThePool() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    List<String> order = new CopyOnWriteArrayList<>();
    List<Thread> ranOn = new CopyOnWriteArrayList<>();
    executor.executeAlways(
        () -> {
          running.countDown();
          await(release);
          order.add("first");
        });
    assertTrue(running.await(10, TimeUnit.SECONDS));

    executor.executeHereIfIdle(
        () -> {
          order.add("second");
          ranOn.add(Thread.currentThread());
          done.countDown();
        });
    assertEquals(List.of(), order, "not run here: the executor was busy");
    release.countDown();
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals(List.of("first", "second"), order);
    assertNotSame(Thread.currentThread(), ranOn.get(0));
  }

  @Test
  void aTaskThatThrowsLeavesTheExecutorServing() {
    List<Thread> ranOn = new CopyOnWriteArrayList<>();
    executor.executeHereIfIdle(
        () -> {
          throw new IllegalStateException("a bug in a step");
        });
    executor.executeHereIfIdle(() -> ranOn.add(Thread.currentThread()));
    assertSame(Thread.currentThread(), ranOn.get(0), "idle again, so run here");
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
