package dev.tandem.sequencer.ws;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.tandem.sequencer.Committed;
import dev.tandem.sequencer.Json;
import dev.tandem.sequencer.Metrics;
import dev.tandem.sequencer.OpRun;
import dev.tandem.sequencer.PresenceUpdate;
import dev.tandem.sequencer.SubmitReply;
import dev.tandem.sequencer.Subscriber;
import dev.tandem.sequencer.TandemException;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCode;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket: who is on it, which documents it has open, and its ordered, bounded way out. It is
 * the {@link Subscriber} the sequencers talk to, and turns what they say into frames.
 */
final class Connection implements Subscriber {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  // One function each, so that a run's frames are built once for all sockets (OpRun.encoded).
  private static final Function<OpRun, byte[]> OPS_FRAME = run -> Frames.ops(run.ops());
  private static final Function<OpRun, List<String>> OP_FRAMES = Frames::opEach;

  private final Session session;
  private final Metrics metrics;
  private final Outbox outbox;
  private final int badMessageLimit;
  private final long badMessageWindowNanos;
  private final ArrayDeque<Long> badMessageTimes = new ArrayDeque<>(); // guarded by itself
  private final Set<String> openDocuments = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile String clientId;
  private volatile String userId;
  private volatile boolean batching;
  private volatile Participant participant;
  private volatile long lastHeardNanos = System.nanoTime();

  Connection(
      Session session,
      Metrics metrics,
      int outboundQueueLimit,
      int badMessageLimit,
      long badMessageWindowNanos) {
    this.session = session;
    this.metrics = metrics;
    this.badMessageLimit = badMessageLimit;
    this.badMessageWindowNanos = badMessageWindowNanos;
    this.outbox =
        new Outbox(
            session.getAsyncRemote(),
            outboundQueueLimit,
            reason -> close(CloseCodes.TRY_AGAIN_LATER, "slow consumer: " + reason));
  }

  boolean greeted() {
    return clientId != null;
  }

  /** {@code batching}: the client accepts {@code ops} messages. */
  void greet(String clientId, String userId, boolean batching) {
    this.userId = userId;
    this.batching = batching;
    this.participant = new Participant(clientId, userId);
    this.clientId = clientId;
  }

  String clientId() {
    return clientId;
  }

  /** Documents are opened only after hello, so the client and user are known by then. */
  @Override
  public Participant participant() {
    return participant;
  }

  String userId() {
    return userId;
  }

  Set<String> openDocuments() {
    return openDocuments;
  }

  boolean isClosing() {
    return closing.get();
  }

  /** The client sent something: a message, a fragment of one, or a pong. See {@link KeepAlive}. */
  void heard() {
    lastHeardNanos = System.nanoTime();
  }

  long lastHeardNanos() {
    return lastHeardNanos;
  }

  /** A WebSocket ping, which the client's WebSocket answers with a pong by itself. */
  void ping() {
    try {
      session.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
    } catch (IOException | RuntimeException e) {
      log.debug("pinging socket {}: {}", session.getId(), e.toString());
    }
  }

  /**
   * Counts a client-fault error; returns true when the connection has now sent too many within the
   * window and must be closed.
   */
  boolean countBadMessage() {
    long now = System.nanoTime();
    synchronized (badMessageTimes) {
      badMessageTimes.addLast(now);
      while (now - badMessageTimes.peekFirst() > badMessageWindowNanos) {
        badMessageTimes.removeFirst();
      }
      return badMessageTimes.size() >= badMessageLimit;
    }
  }

  /** Closes the socket once; later frames are dropped. */
  void close(CloseCode code, String reason) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    outbox.shutdown();
    try {
      // The close reason must fit in a control frame (123 bytes).
      String shortReason = reason.length() > 100 ? reason.substring(0, 100) : reason;
      session.close(new CloseReason(code, shortReason));
    } catch (IOException | IllegalStateException e) {
      log.debug("closing socket {}: {}", session.getId(), e.toString());
    }
  }

  // ---- frames to the client -------------------------------------------------------------------

  void welcome() {
    ObjectNode frame = frame("welcome");
    frame.put("client", clientId);
    frame.put("user", userId);
    if (batching) {
      frame.put("batch", true);
    }
    send(frame);
  }

  void pong() {
    send(frame("pong"));
  }

  /** An error frame; {@code docId} and {@code seq} are left out when null. */
  void error(TandemException error, String docId, Long seq) {
    metrics.error(error.code());
    ObjectNode frame = frame("error");
    if (docId != null) {
      frame.put("doc", docId);
    }
    if (seq != null) {
      frame.put("seq", seq);
    }
    frame.put("code", error.code().code());
    frame.put("message", error.getMessage());
    frame.put("retryable", error.code().retryable());
    send(frame);
  }

  /** The reply channel of one submit on this connection. */
  SubmitReply replyTo(String docId, long seq) {
    return new SubmitReply() {
      @Override
      public void acked(Committed committed) {
        ObjectNode frame = frame("ack");
        frame.put("doc", committed.docId());
        frame.put("rev", committed.revision());
        frame.put("seq", committed.seq());
        send(frame);
      }

      @Override
      public void failed(TandemException error) {
        error(error, docId, seq);
      }
    };
  }

  @Override
  public void opened(String docId, long revision, String text) {
    ObjectNode frame = frame("opened");
    frame.put("doc", docId);
    frame.put("rev", revision);
    frame.put("text", text);
    send(frame);
  }

  /** Each as an {@code op} message, which clients take before {@code opened} like live ones. */
  @Override
  public CompletionStage<Void> missed(List<Committed> ops) {
    for (Committed committed : ops) {
      op(committed);
    }
    return outbox.whenHalfEmpty();
  }

  @Override
  public void caughtUp(String docId, long revision, List<Committed> missed) {
    ObjectNode frame = frame("opened");
    frame.put("doc", docId);
    frame.put("rev", revision);
    ArrayNode ops = frame.putArray("ops");
    for (Committed committed : missed) {
      ObjectNode op = ops.addObject();
      op.put("rev", committed.revision());
      op.putRawValue("op", opJson(committed));
      op.put("client", committed.clientId());
      op.put("seq", committed.seq());
      op.put("user", committed.userId());
    }
    send(frame);
  }

  @Override
  public void op(Committed committed) {
    if (batching) {
      outbox.sendBinary(Frames.ops(List.of(committed)));
    } else {
      outbox.send(Frames.op(committed));
    }
  }

  /**
   * One {@code ops} message, in a binary frame, if the client said {@code batch}; else an {@code
   * op} frame each.
   */
  @Override
  public void ops(OpRun run) {
    if (batching) {
      outbox.sendBinary(run.encoded(OPS_FRAME));
      return;
    }
    for (String frame : run.encoded(OP_FRAMES)) {
      outbox.send(frame);
    }
  }

  /** A batching client takes its own ops in {@code ops} messages for its acks. */
  @Override
  public boolean receivesOwnOps() {
    return batching;
  }

  @Override
  public void presence(PresenceUpdate update) {
    ObjectNode frame = frame("presence");
    frame.put("doc", update.docId());
    frame.put("client", update.clientId());
    if (update.left()) {
      frame.put("left", true);
    } else {
      frame.put("user", update.userId());
      frame.put("rev", update.revision());
      frame.set("selection", update.selection());
      frame.set("meta", update.meta());
    }
    send(frame);
  }

  @Override
  public void closed(String docId) {
    openDocuments.remove(docId);
    ObjectNode frame = frame("closed");
    frame.put("doc", docId);
    send(frame);
  }

  @Override
  public void failed(String docId, TandemException error) {
    openDocuments.remove(docId);
    error(error, docId, null);
  }

  @Override
  public String toString() {
    return "ws " + session.getId() + " client " + clientId;
  }

  private static ObjectNode frame(String type) {
    ObjectNode frame = Json.object();
    frame.put("type", type);
    return frame;
  }

  private static RawValue opJson(Committed committed) {
    return new RawValue(committed.opJson());
  }

  private void send(ObjectNode frame) {
    outbox.send(Json.write(frame));
  }
}
