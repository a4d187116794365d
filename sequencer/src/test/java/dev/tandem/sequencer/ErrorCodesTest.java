package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.persistence.OpLog;
import dev.tandem.sequencer.auth.Authorizer;
import dev.tandem.sequencer.document.Committed;
import dev.tandem.sequencer.document.OpRun;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.document.Snapshot;
import dev.tandem.sequencer.document.SubmitReply;
import dev.tandem.sequencer.document.Subscriber;
import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.protocol.PresenceUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The two codes no malformed input reaches: {@code rate_limited} (a socket over its message rate)
 * and {@code internal} (a bug met in the submit path, here an {@link Authorizer} that throws). Both
 * leave the document as it was and the server serving; so does a bug in a subscriber after the
 * commit, which no client is told about since the op is committed.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ErrorCodesTest {

  @Test
  void messagesOverTheSocketsRateAreRateLimitedAndDropped(OpLog opLog) throws Exception {
    String doc = Servers.freshDoc();
    try (TandemServer server = Servers.start(Servers.config().maxMessagesPerSecond(1).build());
        WsClient alice = WsClient.hello(server, "alice-rate")) {
      alice.send(Messages.open(doc));
      alice.next("opened");
      // One a second is allowed: of 30 sent at once, all but about one per elapsed second are
      // refused. Each would insert "x"; only the acknowledged ones may be in the document.
      for (int seq = 1; seq <= 30; seq++) {
        alice.send(Messages.submit(doc, 0, "[\"x\"]", seq));
      }
      List<Long> refused = new ArrayList<>();
      int acks = 0;
      for (int i = 0; i < 30; i++) {
        ObjectNode reply = alice.next();
        if ("ack".equals(reply.path("type").asText())) {
          acks++;
          continue;
        }
        assertEquals("rate_limited", reply.path("code").asText(), reply.toString());
        assertTrue(reply.path("retryable").asBoolean(), reply.toString());
        assertEquals(doc, reply.path("doc").asText());
        refused.add(reply.path("seq").asLong());
      }
      assertFalse(refused.isEmpty(), "nothing was rate limited");
      assertEquals(acks, opLog.head(doc).orElseThrow(), "only acknowledged submits were applied");
      assertEquals("x".repeat(acks), opLog.loadDocument(doc).orElseThrow().text());

      // A refused submit sent again after a pause is taken (the socket was not closed for it).
      long seq = refused.get(0);
      ObjectNode reply;
      do {
        Thread.sleep(200);
        alice.send(Messages.submit(doc, 0, "[\"x\"]", seq));
        reply = alice.next();
      } while ("rate_limited".equals(reply.path("code").asText()));
      assertEquals("ack", reply.path("type").asText(), reply.toString());
      assertEquals(acks + 1, reply.path("rev").asLong());
      assertFalse(alice.isClosed());
    }
  }

  @Test
  void aDocumentWithTooManyRequestsWaitingRefusesMoreWithRateLimited() throws Exception {
    String doc = Servers.freshDoc();
    try (Sequencers sequencers =
        new Sequencers(
            EmbeddedPostgresExtension.database(),
            // One sender fills the document's queue: its own bound must not stop it first.
            Servers.config()
                .submitQueuePerConnection(Sequencers.QUEUE_LIMIT_PER_DOCUMENT)
                .build())) {
      IdleUnloadTest.Recorder writer = new IdleUnloadTest.Recorder();
      sequencers.open(writer, doc, java.util.OptionalLong.empty(), true);
      ClientHarness.await(() -> !writer.calls.isEmpty(), () -> "not opened");
      assertEquals(1, IdleUnloadTest.submit(sequencers, writer, doc, 0));

      // The document's executor is held: submits (refused later, cheaply, as past the head) wait
      // for it until the next one is turned away at the door.
      java.util.concurrent.CountDownLatch release = IdleUnloadTest.hold(sequencers, doc);
      java.util.concurrent.atomic.AtomicInteger answered =
          new java.util.concurrent.atomic.AtomicInteger();
      SubmitReply counting =
          new SubmitReply() {
            @Override
            public void acked(Committed committed) {
              answered.incrementAndGet();
            }

            @Override
            public void failed(TandemException error) {
              answered.incrementAndGet();
            }
          };
      int queued = 0;
      TandemException refused = null;
      while (refused == null && queued <= Sequencers.QUEUE_LIMIT_PER_DOCUMENT) {
        try {
          sequencers.submit(
              writer,
              counting,
              new Sequencers.Submission(
                  doc,
                  99,
                  dev.tandem.ot.TextOperation.builder().insert("x").build(),
                  "writer",
                  2 + queued,
                  "ada"));
          queued++;
        } catch (TandemException e) {
          refused = e;
        }
      }
      release.countDown();
      assertEquals(ErrorCode.RATE_LIMITED, refused.code(), String.valueOf(refused));
      assertTrue(refused.code().retryable());
      // The hold takes one place, and so does the step that will take the arrived submits.
      assertEquals(Sequencers.QUEUE_LIMIT_PER_DOCUMENT - 2, queued, "places taken");
      int expected = queued;
      ClientHarness.await(() -> answered.get() == expected, () -> answered + " answered");
      assertEquals(2, IdleUnloadTest.submit(sequencers, writer, doc, 1), "still serving");
    }
  }

  /** Allows everything, until {@link #broken} is set: then a write check fails like a bug. */
  private static final class BreakableAuthorizer implements Authorizer {
    final AtomicBoolean broken = new AtomicBoolean();

    @Override
    public String authenticate(String token) {
      return "ada";
    }

    @Override
    public void checkRead(String user, String docId) {}

    @Override
    public void checkWrite(String user, String docId) {
      if (broken.get()) {
        throw new IllegalStateException("authorizer bug");
      }
    }
  }

  @Test
  void aBugInTheSubmitPathIsInternalAndChangesNothing(OpLog opLog) {
    String doc = Servers.freshDoc();
    BreakableAuthorizer authorizer = new BreakableAuthorizer();
    try (TandemServer server =
            TandemServer.builder()
                .config(Servers.config().build())
                .database(EmbeddedPostgresExtension.database())
                .authorizer(authorizer)
                .build()
                .start();
        WsClient alice = WsClient.hello(server, "alice-internal")) {
      alice.send(Messages.open(doc));
      alice.next("opened");
      alice.send(Messages.submit(doc, 0, "[\"a\"]", 1));
      assertEquals(1, alice.next("ack").path("rev").asLong());

      authorizer.broken.set(true);
      alice.send(Messages.submit(doc, 1, "[1,\"b\"]", 2));
      ObjectNode error = alice.next("error");
      assertEquals("internal", error.path("code").asText(), error.toString());
      assertFalse(error.path("retryable").asBoolean());
      assertEquals(doc, error.path("doc").asText());
      assertEquals(2, error.path("seq").asLong());
      assertTrue(
          error.path("message").asText().contains("IllegalStateException"), error.toString());
      Http.Reply rest =
          Http.post(server, "/api/docs/" + doc + "/ops", "{\"rev\":1,\"op\":[1,\"c\"]}");
      assertEquals(500, rest.status(), rest.body().toString());
      assertEquals("internal", rest.body().path("code").asText());

      // Nothing was applied, memory and the database agree, and the socket and server still serve.
      alice.send("{\"type\":\"ping\"}");
      alice.next("pong");
      assertEquals(1, opLog.head(doc).orElseThrow());
      Http.Reply text = Http.get(server, "/api/docs/" + doc);
      assertEquals("a", text.body().path("text").asText());
      assertEquals(opLog.loadDocument(doc).orElseThrow().text(), text.body().path("text").asText());
      authorizer.broken.set(false);
      alice.send(Messages.submit(doc, 1, "[1,\"b\"]", 2));
      assertEquals(2, alice.next("ack").path("rev").asLong());
      assertEquals("ab", opLog.loadDocument(doc).orElseThrow().text());
    }
  }

  /** A subscriber whose every delivery fails, as a buggy transport's would. */
  private static final class ThrowingSubscriber implements Subscriber {
    @Override
    public void opened(Snapshot snapshot) {}

    @Override
    public void resynced(Snapshot snapshot, java.util.OptionalLong lastSeq) {}

    @Override
    public java.util.concurrent.CompletionStage<Void> missed(List<Committed> ops) {
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    @Override
    public void caughtUp(String docId, long revision, List<Committed> missed) {}

    @Override
    public void ops(OpRun run) {
      throw new IllegalStateException("subscriber bug");
    }

    @Override
    public void presence(PresenceUpdate update) {}

    @Override
    public void closed(String docId) {}

    @Override
    public void failed(String docId, TandemException error) {}
  }

  @Test
  void aSubscriberThatThrowsNeitherStopsTheDocumentNorSplitsItFromTheDatabase(OpLog opLog) {
    String doc = Servers.freshDoc();
    try (TandemServer server = Servers.start();
        WsClient alice = WsClient.hello(server, "alice-bug");
        WsClient bob = WsClient.hello(server, "bob-bug")) {
      server.sequencers().open(new ThrowingSubscriber(), doc, java.util.OptionalLong.empty(), true);
      alice.send(Messages.open(doc));
      alice.next("opened");
      bob.send(Messages.open(doc));
      bob.next("opened");
      // Two ops in flight at once so that one group commit holds both.
      alice.send(Messages.submit(doc, 0, "[\"a\"]", 1));
      alice.send(Messages.submit(doc, 0, "[\"b\"]", 2));
      alice.next("ack");
      alice.next("ack");
      assertEquals(1, bob.next("op").path("rev").asLong());
      assertEquals(2, bob.next("op").path("rev").asLong());
      bob.send(Messages.submit(doc, 2, "[2,\"c\"]", 1));
      assertEquals(3, bob.next("ack").path("rev").asLong());
      String stored = opLog.loadDocument(doc).orElseThrow().text();
      assertEquals(3, stored.length());
      assertEquals(stored, Http.get(server, "/api/docs/" + doc).body().path("text").asText());
    }
  }
}
