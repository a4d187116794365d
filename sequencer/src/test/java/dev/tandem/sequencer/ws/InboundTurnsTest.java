package dev.tandem.sequencer.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The sockets' messages taken in turns: one message per socket per turn, in order within a socket,
 * and the bytes waiting per socket bounded.
 */
class InboundTurnsTest {
  private static final int FLOODERS = 10;
  private static final int FLOOD_MESSAGES = 200;

  /**
   * Ten sockets have 200 messages each waiting when an honest socket's message comes: it is handled
   * after at most one more message of each, not after the 2,000 that came before it.
   */
  @Test
  void aMessageWaitsForAtMostOneMessageOfEachOtherSocket() throws Exception {
    List<String> handled = new CopyOnWriteArrayList<>();
    CountDownLatch release = new CountDownLatch(1);
    try (InboundTurns turns = new InboundTurns(1, Long.MAX_VALUE)) {
      // The one thread is held by the first message, so that everything after it waits.
      holdTheThread(turns.socket(), release);
      for (int f = 0; f < FLOODERS; f++) {
        InboundTurns.Socket flooder = turns.socket();
        for (int i = 0; i < FLOOD_MESSAGES; i++) {
          String name = "flood-" + f + "-" + i;
          assertTrue(flooder.offer(70, () -> handled.add(name)));
        }
      }
      CountDownLatch honestHandled = new CountDownLatch(1);
      assertTrue(
          turns
              .socket()
              .offer(
                  70,
                  () -> {
                    handled.add("honest");
                    honestHandled.countDown();
                  }));
      release.countDown();
      assertTrue(honestHandled.await(10, TimeUnit.SECONDS));
      // Each flooder's first message had its turn before the honest socket came; then it came.
      int before = handled.indexOf("honest");
      assertEquals(FLOODERS, before, "messages handled before the honest one: " + handled);

      // Within a socket, in the order they came; every message handled once.
      awaitSize(handled, FLOODERS * FLOOD_MESSAGES + 1);
      for (int f = 0; f < FLOODERS; f++) {
        List<String> own = new ArrayList<>();
        for (String name : handled) {
          if (name.startsWith("flood-" + f + "-")) {
            own.add(name);
          }
        }
        assertEquals(FLOOD_MESSAGES, own.size());
        for (int i = 0; i < FLOOD_MESSAGES; i++) {
          assertEquals("flood-" + f + "-" + i, own.get(i));
        }
      }
    }
  }

  /**
   * A quiet socket's message is handled at once on the calling thread, even while every turn thread
   * is busy; one that follows it within {@link InboundTurns#QUIET_NANOS} (the rest of a read) waits
   * for its turn, and so does everything after it until the socket's queue is empty again.
   */
  @Test
  void aQuietSocketsMessageIsHandledAtOnceAndTheRestOfABurstWaits() throws Exception {
    List<String> handled = new CopyOnWriteArrayList<>();
    CountDownLatch release = new CountDownLatch(1);
    try (InboundTurns turns = new InboundTurns(1, Long.MAX_VALUE)) {
      holdTheThread(turns.socket(), release); // the one turn thread is busy from now on
      InboundTurns.Socket socket = turns.socket();
      long now = System.nanoTime();
      Thread caller = Thread.currentThread();
      assertTrue(
          socket.handleOrOffer(
              10, () -> handled.add(Thread.currentThread() == caller ? "1 at once" : "1"), now));
      assertEquals(List.of("1 at once"), handled);
      assertTrue(socket.handleOrOffer(10, () -> handled.add("2"), now + 1_000));
      assertTrue(
          socket.handleOrOffer(10, () -> handled.add("3"), now + 2 * InboundTurns.QUIET_NANOS));
      assertEquals(List.of("1 at once"), handled, "2 came in the same read; 3 comes after 2");
      release.countDown();
      awaitSize(handled, 3);
      assertEquals(List.of("1 at once", "2", "3"), handled);
      assertTrue(
          socket.handleOrOffer(
              10,
              () -> {
                handled.add(Thread.currentThread() == caller ? "4 at once" : "4");
                throw new IllegalStateException("a bug");
              },
              now + 4 * InboundTurns.QUIET_NANOS));
      assertTrue(
          socket.handleOrOffer(
              10,
              () -> handled.add(Thread.currentThread() == caller ? "5 at once" : "5"),
              now + 6 * InboundTurns.QUIET_NANOS));
      assertEquals(List.of("1 at once", "2", "3", "4 at once", "5 at once"), handled);
    }
  }

  /** A socket's messages run one at a time, even with many threads to run them. */
  @Test
  void aSocketsMessagesNeverRunAtOnce() throws Exception {
    List<Integer> order = new CopyOnWriteArrayList<>();
    int[] running = {0};
    boolean[] overlapped = {false};
    try (InboundTurns turns = new InboundTurns(4, Long.MAX_VALUE)) {
      InboundTurns.Socket socket = turns.socket();
      for (int i = 0; i < 500; i++) {
        int n = i;
        socket.offer(
            10,
            () -> {
              synchronized (running) {
                overlapped[0] |= ++running[0] > 1;
              }
              order.add(n);
              synchronized (running) {
                running[0]--;
              }
            });
      }
      awaitSize(order, 500);
    }
    assertFalse(overlapped[0], "two messages of one socket ran at once");
    for (int i = 0; i < 500; i++) {
      assertEquals(i, order.get(i));
    }
  }

  /**
   * Past the bound of waiting bytes a message is not queued; a socket with nothing waiting always
   * queues one, however large; what was handled makes room again.
   */
  @Test
  void theBytesWaitingPerSocketAreBounded() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch held = new CountDownLatch(1);
    try (InboundTurns turns = new InboundTurns(1, 1000)) {
      InboundTurns.Socket socket = turns.socket();
      assertTrue(
          socket.offer(
              5000,
              () -> {
                held.countDown();
                await(release);
              }),
          "alone, over the bound");
      assertTrue(held.await(10, TimeUnit.SECONDS)); // taken off the queue: nothing waits now
      assertTrue(socket.offer(600, () -> {}));
      assertFalse(socket.offer(600, () -> {}), "1,200 bytes would wait");
      assertTrue(socket.offer(10, () -> {}), "a small one counts 64 bytes");
      assertTrue(turns.socket().offer(900, () -> {}), "another socket has a bound of its own");
      CountDownLatch drained = new CountDownLatch(1);
      release.countDown();
      assertTrue(socket.offer(300, drained::countDown));
      assertTrue(drained.await(10, TimeUnit.SECONDS));
      assertTrue(socket.offer(900, () -> {}), "room again once handled");
    }
  }

  /** However small its messages, a socket has at most 1,024 waiting. */
  @Test
  void theMessagesWaitingPerSocketAreBounded() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (InboundTurns turns = new InboundTurns(1, Long.MAX_VALUE)) {
      InboundTurns.Socket socket = turns.socket();
      holdTheThread(socket, release); // taken off the queue: it holds the thread
      for (int i = 0; i < InboundTurns.MAX_WAITING_MESSAGES; i++) {
        assertTrue(socket.offer(2, () -> {}), "message " + i);
      }
      assertFalse(socket.offer(2, () -> {}), "one more");
      release.countDown();
    }
  }

  /**
   * Queues on {@code socket} a message that holds its thread until {@code release}; waits for it.
   */
  private static void holdTheThread(InboundTurns.Socket socket, CountDownLatch release)
      throws InterruptedException {
    CountDownLatch held = new CountDownLatch(1);
    assertTrue(
        socket.offer(
            10,
            () -> {
              held.countDown();
              await(release);
            }));
    assertTrue(held.await(10, TimeUnit.SECONDS));
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitSize(List<?> list, int size) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (list.size() < size && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(size, list.size());
  }
}
