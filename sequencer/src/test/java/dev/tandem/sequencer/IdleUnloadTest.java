package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.config.TandemConfig;
import dev.tandem.sequencer.document.Committed;
import dev.tandem.sequencer.document.OpRun;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.document.Snapshot;
import dev.tandem.sequencer.document.SubmitReply;
import dev.tandem.sequencer.document.Subscriber;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.protocol.PresenceUpdate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Documents nobody has open are unloaded after the idle time, and load again on next use; and an
 * unload racing an open, or a socket that closes while its open is under way, never leaves a
 * subscriber behind that nobody removes (it would keep the document loaded forever and receive
 * every op). The races are staged, not hoped for: the document's executor is held while the
 * requests queue up behind it in the order under test.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class IdleUnloadTest {
  private static final String WRITER = "writer";

  @Test
  void anIdleDocumentIsUnloadedAndReloadsOnNextUse() throws InterruptedException {
    String doc = Servers.freshDoc();
    try (TandemServer server =
        Servers.start(Servers.config().idleUnloadAfter(Duration.ofSeconds(1)).build())) {
      try (WsClient alice = WsClient.hello(server, "alice-u1")) {
        alice.send(Messages.open(doc));
        alice.next("opened");
        alice.send(Messages.submit(doc, 0, "[\"kept\"]", 1));
        alice.next("ack");
        alice.send(Messages.close(doc));
        alice.next("closed");
      }
      assertEquals(1, server.sequencers().loadedDocuments());
      ClientHarness.await(
          () -> server.sequencers().loadedDocuments() == 0, () -> "document still loaded");
      assertEquals(0, server.sequencers().loadedDocuments());
      try (WsClient bob = WsClient.hello(server, "bob-u1")) {
        bob.send(Messages.open(doc));
        assertEquals("kept", bob.next("opened").path("text").asText());
        bob.send(Messages.submit(doc, 1, "[4,\"!\"]", 1));
        assertEquals(2, bob.next("ack").path("rev").asLong());
      }
    }
  }

  /**
   * Records what a document tells it; its catch-up parts wait for {@link #room}. Its own ops (as
   * {@link #submit} sends them) complete their futures in {@link #ownOps}: they are its acks.
   */
  static final class Recorder implements Subscriber {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> room = new CompletableFuture<>();
    final Map<Long, CompletableFuture<Long>> ownOps = new ConcurrentHashMap<>(); // by seq

    @Override
    public void opened(Snapshot snapshot) {
      calls.add("opened " + snapshot.revision());
    }

    @Override
    public void resynced(Snapshot snapshot, java.util.OptionalLong lastSeq) {
      calls.add("resynced " + snapshot.revision());
    }

    @Override
    public CompletionStage<Void> missed(List<Committed> ops) {
      calls.add("missed " + ops.size());
      return room;
    }

    @Override
    public void caughtUp(String docId, long revision, List<Committed> missed) {
      calls.add("caughtUp " + revision);
    }

    @Override
    public void ops(OpRun run) {
      for (Committed committed : run.ops()) {
        calls.add("op " + committed.revision());
        CompletableFuture<Long> own =
            committed.clientId().equals(WRITER) ? ownOps.remove(committed.seq()) : null;
        if (own != null) {
          own.complete(committed.revision());
        }
      }
    }

    @Override
    public void presence(PresenceUpdate update) {}

    @Override
    public void closed(String docId) {
      calls.add("closed");
    }

    @Override
    public void failed(String docId, TandemException error) {
      calls.add("failed " + error.code());
    }
  }

  private static Sequencers sequencers() {
    // The sweeper must not run on its own here (the idle time is long): the tests sweep.
    return new Sequencers(EmbeddedPostgresExtension.database(), Servers.config().build());
  }

  /** Holds the document's executor until the returned latch is counted down. */
  static CountDownLatch hold(Sequencers sequencers, String doc) {
    CountDownLatch release = new CountDownLatch(1);
    sequencers.route(
        doc,
        d ->
            d.afterPendingWork(
                () -> {
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }));
    return release;
  }

  private static void awaitUnloaded(Sequencers sequencers) throws InterruptedException {
    ClientHarness.await(
        () -> {
          sequencers.unloadIdle(Duration.ZERO);
          return sequencers.loadedDocuments() == 0;
        },
        () -> "a document stays loaded: a subscriber was left behind");
  }

  @Test
  void anUnloadQueuedBeforeAnOpenAndADisconnectLeavesNoSubscriber() throws Exception {
    String doc = Servers.freshDoc();
    try (Sequencers sequencers = sequencers()) {
      Recorder first = new Recorder();
      sequencers.open(first, doc, OptionalLong.empty(), true);
      ClientHarness.await(() -> !first.calls.isEmpty(), () -> "not opened");
      sequencers.close(first, doc);
      ClientHarness.await(() -> first.calls.contains("closed"), () -> "not closed");

      // Queued behind the hold, in this order: the unload, an open, the socket's disconnect.
      CountDownLatch release = hold(sequencers, doc);
      sequencers.unloadIdle(Duration.ZERO);
      Recorder socket = new Recorder();
      sequencers.open(socket, doc, OptionalLong.empty(), false);
      sequencers.disconnect(socket, Set.of(doc));
      release.countDown();
      ClientHarness.await(() -> !socket.calls.isEmpty(), () -> "not opened");

      // An op committed now must not reach the socket that went away.
      Recorder writer = new Recorder();
      sequencers.open(writer, doc, OptionalLong.empty(), false);
      ClientHarness.await(() -> !writer.calls.isEmpty(), () -> "not opened");
      assertEquals(1, submit(sequencers, writer, doc, 0));
      sequencers.close(writer, doc);
      awaitUnloaded(sequencers);
      assertEquals(List.of("opened 0"), socket.calls);
    }
  }

  /**
   * Submits an insert at the end of a document of {@code rev} characters; the acked revision (an
   * ack, or the op among the sender's ops if it follows the document).
   */
  static long submit(Sequencers sequencers, Subscriber sender, String doc, long rev)
      throws Exception {
    CompletableFuture<Long> acked = new CompletableFuture<>();
    if (sender instanceof Recorder recorder) {
      recorder.ownOps.put(rev + 1, acked);
    }
    sequencers.submit(
        sender,
        new SubmitReply() {
          @Override
          public void acked(Committed committed) {
            acked.complete(committed.revision());
          }

          @Override
          public void failed(TandemException error) {
            acked.completeExceptionally(error);
          }
        },
        new Sequencers.Submission(
            doc,
            rev,
            dev.tandem.ot.TextOperation.builder().retain((int) rev).insert("x").build(),
            WRITER,
            rev + 1,
            "ada"));
    return acked.get(ClientHarness.DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void aSocketThatClosesWhileItsOpenWaitsForTheLoadIsNeverSubscribed() throws Exception {
    String doc = Servers.freshDoc();
    try (Sequencers sequencers = sequencers()) {
      CountDownLatch release = hold(sequencers, doc); // a fresh instance: not loaded yet
      Recorder socket = new Recorder();
      sequencers.open(socket, doc, OptionalLong.empty(), true);
      sequencers.disconnect(socket, Set.of(doc));
      release.countDown();

      awaitUnloaded(sequencers);
      assertEquals(List.of(), socket.calls, "the open was dropped with its socket");
    }
  }

  @Test
  void aSocketThatClosesDuringItsCatchUpIsNeverSubscribed() throws Exception {
    String doc = Servers.freshDoc();
    TandemConfig config = Servers.config().catchUpPage(2).build();
    try (Sequencers sequencers = new Sequencers(EmbeddedPostgresExtension.database(), config)) {
      Recorder writer = new Recorder();
      sequencers.open(writer, doc, OptionalLong.empty(), true);
      ClientHarness.await(() -> !writer.calls.isEmpty(), () -> "not opened");
      for (int rev = 0; rev < 6; rev++) {
        assertEquals(rev + 1, submit(sequencers, writer, doc, rev));
      }
      sequencers.close(writer, doc);

      Recorder socket = new Recorder();
      sequencers.open(socket, doc, OptionalLong.of(0), false);
      ClientHarness.await(() -> socket.calls.contains("missed 2"), () -> "" + socket.calls);
      sequencers.disconnect(socket, Set.of(doc)); // while its first part waits for room
      socket.room.complete(null);

      awaitUnloaded(sequencers);
      assertEquals(List.of("missed 2"), socket.calls, "the catch-up stopped with its socket");
    }
  }
}
