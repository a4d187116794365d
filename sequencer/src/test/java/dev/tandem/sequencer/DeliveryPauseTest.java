package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.document.Faults;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A delivery that costs much CPU (here made so by the test's hook at {@link Faults.Step#DELIVER},
 * which spins) to a large enough audience is followed by a pause before the document's next group:
 * what arrives meanwhile is committed after it, every subscriber sees every revision once, and a
 * failure during the pause ends it without leaving the document stuck.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class DeliveryPauseTest {
  /** The CPU the slowed delivery takes: more than the pause's cap, so the pause is the cap. */
  private static final long SLOW_DELIVERY_CPU_NANOS = 300_000_000;

  /** Subscribers enough for a delivery to be timed. */
  private static final int AUDIENCE = 20;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** The document whose next delivery is slowed, once; counted down as it starts. */
  private record Slowed(String docId, CountDownLatch delivering, AtomicBoolean fired) {}

  private static final AtomicReference<Slowed> slowed = new AtomicReference<>();

  /**
   * The document whose next automatic checkpoint step fails, once: the step after the delivery,
   * taken once the pause has begun.
   */
  private static final AtomicReference<String> failCheckpointOf = new AtomicReference<>();

  private static final AtomicBoolean checkpointFailed = new AtomicBoolean();

  private static TandemServer server;

  @BeforeAll
  static void start() {
    server = Servers.start(Servers.config().build(), DeliveryPauseTest::hook);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @AfterEach
  void disarm() {
    slowed.set(null);
    failCheckpointOf.set(null);
  }

  private static void hook(Faults.Step step, String docId) {
    Slowed slow = slowed.get();
    if (step == Faults.Step.DELIVER
        && slow != null
        && slow.docId().equals(docId)
        && slow.fired().compareAndSet(false, true)) {
      slow.delivering().countDown();
      long spinUntil = THREADS.getCurrentThreadCpuTime() + SLOW_DELIVERY_CPU_NANOS;
      while (THREADS.getCurrentThreadCpuTime() < spinUntil) {
        Thread.onSpinWait(); // the test's submits arrive meanwhile
      }
    }
    if (step == Faults.Step.CHECKPOINT
        && docId.equals(failCheckpointOf.get())
        && checkpointFailed.compareAndSet(false, true)) {
      throw new IllegalStateException("injected failure at " + step);
    }
  }

  @Test
  void whatArrivesDuringALongDeliveryIsCommittedAfterThePause() throws Exception {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"hello\"}").status());
    List<WsClient> audience = audience(doc);
    try {
      long pausesBefore = server.sequencers().metrics().pauses();
      assertAllAcked(submitsAroundASlowDelivery(doc, List.of("b", "c", "d")));
      assertTrue(server.sequencers().metrics().pauses() > pausesBefore, "the document paused");
      assertEquals(4, assertTextIsReplayOfOps(doc));
      assertEquals(5, submit(doc, 4, "[9,\"!\"]", "e", 1).body().path("rev").asLong());
      for (WsClient watcher : audience) {
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), revisionsSeen(watcher, 5));
      }
    } finally {
      audience.forEach(WsClient::close);
    }
  }

  @Test
  void aFailureDuringThePauseIsAnsweredAndTheDocumentKeepsServing() throws Exception {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"hello\"}").status());
    List<WsClient> audience = audience(doc);
    try {
      long pausesBefore = server.sequencers().metrics().pauses();
      checkpointFailed.set(false);
      failCheckpointOf.set(doc);
      // The checkpoint step fails after the ack, in the pause: the ack stands, the recovery ends
      // the pause, and what waited is sequenced (a pause left on would hold it for good).
      assertAllAcked(submitsAroundASlowDelivery(doc, List.of("b", "c")));
      assertTrue(checkpointFailed.get(), "the failure was injected");
      assertTrue(server.sequencers().metrics().pauses() > pausesBefore, "the document paused");
      assertEquals(3, assertTextIsReplayOfOps(doc));
      assertEquals(4, submit(doc, 3, "[8,\"!\"]", "d", 1).body().path("rev").asLong());
      for (WsClient watcher : audience) {
        assertEquals(List.of(1L, 2L, 3L, 4L), revisionsSeen(watcher, 4));
      }
    } finally {
      audience.forEach(WsClient::close);
    }
  }

  /** {@link #AUDIENCE} sockets that follow {@code doc}. */
  private static List<WsClient> audience(String doc) {
    List<WsClient> audience = new ArrayList<>();
    for (int i = 0; i < AUDIENCE; i++) {
      WsClient watcher = WsClient.hello(server, "watcher-" + i);
      audience.add(watcher);
      watcher.send(Messages.open(doc));
      watcher.next("opened");
    }
    return audience;
  }

  /**
   * Submits a's op to {@code doc} (on "hello" at revision 0), its group's delivery slowed, and
   * while it is delivered those of {@code others} on the same revision (transformed past it);
   * returns their replies, a's first.
   */
  private static List<CompletableFuture<Http.Reply>> submitsAroundASlowDelivery(
      String doc, List<String> others) throws InterruptedException {
    CountDownLatch delivering = new CountDownLatch(1);
    slowed.set(new Slowed(doc, delivering, new AtomicBoolean()));
    List<CompletableFuture<Http.Reply>> replies = new ArrayList<>();
    replies.add(submitLater(doc, 0, "[5,\"a\"]", "a", 1));
    assertTrue(delivering.await(30, TimeUnit.SECONDS), "the first group was delivered");
    for (String client : others) {
      replies.add(submitLater(doc, 0, "[5,\"" + client + "\"]", client, 1));
    }
    return replies;
  }

  private static void assertAllAcked(List<CompletableFuture<Http.Reply>> replies) throws Exception {
    for (CompletableFuture<Http.Reply> reply : replies) {
      Http.Reply acked = reply.get(30, TimeUnit.SECONDS);
      assertEquals(200, acked.status(), acked.body().toString());
    }
  }

  private static CompletableFuture<Http.Reply> submitLater(
      String doc, long rev, String op, String client, long seq) {
    return CompletableFuture.supplyAsync(() -> submit(doc, rev, op, client, seq));
  }

  private static Http.Reply submit(String doc, long rev, String op, String client, long seq) {
    return RestOps.submit(server, doc, rev, op, client, seq);
  }

  /** The revisions of the first {@code count} ops {@code watcher} is sent, in order. */
  private static List<Long> revisionsSeen(WsClient watcher, int count) {
    List<Long> seen = new ArrayList<>();
    while (seen.size() < count) {
      ObjectNode message = watcher.next();
      if (message.path("type").asText().equals("op")) {
        seen.add(message.path("rev").asLong());
      }
    }
    return seen;
  }

  private static long assertTextIsReplayOfOps(String doc) {
    return RestOps.assertTextIsReplayOfOps(server, doc, "hello");
  }
}
