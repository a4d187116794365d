package dev.tandem.sequencer.ws;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.sequencer.auth.Principal;
import dev.tandem.sequencer.config.TandemConfig;
import dev.tandem.sequencer.document.Committed;
import dev.tandem.sequencer.document.OpRun;
import dev.tandem.sequencer.document.Snapshot;
import dev.tandem.sequencer.document.SubmitReply;
import dev.tandem.sequencer.document.Subscriber;
import dev.tandem.sequencer.error.BadRequestLog;
import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.MovedException;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.metrics.Metrics;
import dev.tandem.sequencer.protocol.Json;
import dev.tandem.sequencer.protocol.PresenceUpdate;
import dev.tandem.sequencer.protocol.ServerMessage;
import dev.tandem.sequencer.server.OutboundBudget;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCode;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket: who is on it (the {@link Principal} of its latest token, closed when that token
 * expires), which documents it has open, and its ordered, bounded way out. It is the {@link
 * Subscriber} the sequencers talk to, and turns what they say into frames.
 */
final class Connection implements Subscriber {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  /**
   * Opens of one socket handed to the sequencers at once; the others wait (see {@link #open}). Two
   * loads overlap, and at most two answers come on top of half the socket's bound.
   */
  static final int OPENS_AT_ONCE = 2;

  private record PendingOpen(String docId, Runnable open) {}

  /** An expiry this far away is never: the scheduler would not queue it (IdleTimerScheduler). */
  private static final Duration NEVER =
      Duration.ofMillis(WebSocketContainer.NO_IDLE_TIMEOUT_MILLIS);

  // One function, so that a run's frame is built (and measured) once for all sockets
  // (OpRun.encoded).
  private static final Function<OpRun, Outbox.Frame> OPS_FRAME =
      run -> Outbox.Frame.binary(Frames.ops(run.ops()));
  private static final Function<Snapshot, Outbox.Frame> OPENED_FRAME =
      snapshot ->
          Outbox.Frame.text(
              ServerMessage.Opened.text(snapshot.docId(), snapshot.revision(), snapshot.text())
                  .json());

  private final Session session;
  private final Metrics metrics;
  private final Outbox outbox;
  private final RecentEvents badMessages;
  private final RecentEvents refusedForRate; // rate_limited answers: a client that keeps sending
  private final String refusedForRateReason;
  private final int maxMessageBytes; // what one catch-up ops frame holds at most, about
  private final Set<String> openDocuments = ConcurrentHashMap.newKeySet();
  private final ArrayDeque<PendingOpen> waitingOpens = new ArrayDeque<>(); // guarded by itself
  private final Set<String> opening = ConcurrentHashMap.newKeySet(); // handed over, unanswered
  private boolean opensWaitForRoom; // guarded by waitingOpens
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile String clientId;
  private volatile Principal principal;
  private ScheduledFuture<?> expiry; // guarded by this
  private boolean holdsUserSlot; // guarded by this: counted in UserLimits
  private volatile Participant participant;
  private volatile long lastHeardNanos = System.nanoTime();
  private final long openedNanos = System.nanoTime();

  Connection(Session session, Metrics metrics, TandemConfig config, OutboundBudget outboundBudget) {
    this.session = session;
    this.metrics = metrics;
    this.maxMessageBytes = config.maxMessageBytes();
    long window = config.badMessageWindow().toNanos();
    this.badMessages = new RecentEvents(config.badMessageLimit(), window);
    this.refusedForRate = new RecentEvents(config.excessMessageLimit(), window);
    this.refusedForRateReason =
        config.excessMessageLimit()
            + " messages refused with rate_limited within "
            + config.badMessageWindow().toSeconds()
            + " s";
    this.outbox =
        new Outbox(
            SocketWriter.of(session),
            config.outboundQueueLimit(),
            config.outboundSocketBytes(),
            outboundBudget,
            reason -> {
              if (!reason.equals(Outbox.WRITE_FAILED)) {
                metrics.slowConsumerClosed();
              }
              close(CloseCodes.TRY_AGAIN_LATER, "slow consumer: " + reason);
            });
  }

  boolean greeted() {
    return clientId != null;
  }

  void greet(String clientId, Principal principal) {
    this.principal = principal;
    this.participant =
        new Participant(clientId, principal.userId(), presenceMeta(Json.object(), principal));
    this.clientId = clientId;
  }

  /**
   * From now on the connection is {@code fresh}'s (the same user's, with a later token), and is
   * closed at {@code acceptedUntil}, when that token stops being accepted (see {@link #expireAt}).
   */
  void reauthenticated(Principal fresh, Instant acceptedUntil, ScheduledExecutorService scheduler) {
    synchronized (this) {
      principal = fresh;
    }
    participant =
        new Participant(
            clientId, fresh.userId(), presenceMeta(Json.object(), fresh)); // later joins
    expireAt(acceptedUntil, scheduler);
  }

  /**
   * At {@code acceptedUntil} the current principal's token is no longer accepted: the client gets
   * {@code error unauthorized "token expired"} and the socket closes with 1008. Replaces the close
   * scheduled before; an expiry a century or more away (never) schedules nothing.
   */
  void expireAt(Instant acceptedUntil, ScheduledExecutorService scheduler) {
    Duration left = Duration.between(Instant.now(), acceptedUntil);
    synchronized (this) {
      if (expiry != null) {
        expiry.cancel(false);
        expiry = null;
      }
      if (closing.get() || left.compareTo(NEVER) >= 0) {
        return;
      }
      Principal expiring = principal;
      expiry =
          scheduler.schedule(
              () -> expired(expiring), Math.max(0, left.toMillis()), TimeUnit.MILLISECONDS);
    }
  }

  private void expired(Principal expiring) {
    synchronized (this) {
      if (principal != expiring) {
        return; // refreshed meanwhile
      }
    }
    error(Errors.tokenExpired(), null, null);
    close(CloseCodes.POLICY_VIOLATION, "token expired");
  }

  /**
   * Marks this connection as counted against its user's {@link UserLimits}; false if it is already
   * closing (then it will not release it: the caller must).
   */
  synchronized boolean holdUserSlot() {
    if (closing.get()) {
      return false;
    }
    holdsUserSlot = true;
    return true;
  }

  /** Whether this connection held a slot of its user's, which it gives up now (once). */
  synchronized boolean releaseUserSlot() {
    boolean held = holdsUserSlot;
    holdsUserSlot = false;
    return held;
  }

  String clientId() {
    return clientId;
  }

  /** The socket's id, as Tyrus names it, for the log. */
  String socketId() {
    return session.getId();
  }

  /**
   * The presence {@code meta} a client sent, with {@code name} and {@code color} from the
   * principal's profile (a verified token's {@code name} and {@code color}) when it has one, so
   * that no client can show itself to the others as someone else; as sent otherwise.
   */
  static ObjectNode presenceMeta(ObjectNode sent, Principal principal) {
    if (!principal.hasProfile()) {
      return sent;
    }
    ObjectNode meta = sent.deepCopy();
    meta.put("name", principal.displayName());
    principal.color().ifPresent(color -> meta.put("color", color));
    return meta;
  }

  /** Documents are opened only after hello, so the client and user are known by then. */
  @Override
  public Participant participant() {
    return participant;
  }

  /** Who is on this connection: the principal of its latest token. Known after hello. */
  Principal principal() {
    return principal;
  }

  String userId() {
    return principal.userId();
  }

  Set<String> openDocuments() {
    return openDocuments;
  }

  /**
   * Runs {@code open} (which hands an {@code open} of {@code docId} to the sequencers) once fewer
   * than {@link #OPENS_AT_ONCE} opens of this socket are unanswered and less than half its outbound
   * bound waits: the answers, a whole document or a catch-up each, then go out as the socket takes
   * them, so a client that opens many large documents at once is paced instead of closed as slow.
   * An error {@code open} throws is answered for the document.
   */
  void open(String docId, Runnable open) {
    synchronized (waitingOpens) {
      waitingOpens.removeIf(pending -> pending.docId().equals(docId)); // closed and opened again
      waitingOpens.addLast(new PendingOpen(docId, open));
    }
    startOpens();
  }

  private void startOpens() {
    while (true) {
      PendingOpen next = null;
      boolean waitForRoom = false;
      synchronized (waitingOpens) {
        if (waitingOpens.isEmpty() || opening.size() >= OPENS_AT_ONCE || closing.get()) {
          return; // an answer starts the next
        }
        if (outbox.isOverHalf()) {
          waitForRoom = !opensWaitForRoom;
          opensWaitForRoom = true;
        } else {
          next = waitingOpens.removeFirst();
          if (!openDocuments.contains(next.docId())) {
            continue; // closed meanwhile
          }
          opening.add(next.docId());
        }
      }
      if (next == null) {
        if (waitForRoom) { // outside the lock: the stage may be complete and run at once
          outbox.whenHalfEmpty().thenRun(this::roomForOpens);
        }
        return;
      }
      try {
        next.open().run();
      } catch (TandemException e) {
        openFailed(next.docId(), e);
      } catch (RuntimeException e) {
        log.error("opening {} for {}", next.docId(), this, e);
        openFailed(next.docId(), Errors.internal(e));
      }
    }
  }

  private void roomForOpens() {
    synchronized (waitingOpens) {
      opensWaitForRoom = false;
    }
    startOpens();
  }

  private void openFailed(String docId, TandemException error) {
    opening.remove(docId);
    openDocuments.remove(docId);
    error(error, docId, null);
  }

  /** The open of {@code docId}, if one was unanswered, is answered: the next may start. */
  private void answered(String docId) {
    if (opening.remove(docId)) {
      startOpens();
    }
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

  /** When the socket opened, on {@link System#nanoTime}'s scale. */
  long openedNanos() {
    return openedNanos;
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
    return badMessages.count(System.nanoTime());
  }

  /** The socket is closed: what still waits for it is released. */
  void closed() {
    closing.set(true);
    cancelExpiry();
    outbox.terminate();
  }

  /** Closes the socket once; later frames are dropped. Whether this call closed it. */
  boolean close(CloseCode code, String reason) {
    if (!closing.compareAndSet(false, true)) {
      return false;
    }
    cancelExpiry();
    outbox.shutdown();
    log.atDebug()
        .setMessage("closing connection")
        .addKeyValue("ws", session.getId())
        .addKeyValue("client", clientId)
        .addKeyValue("code", code.getCode())
        .addKeyValue("reason", reason)
        .log();
    try {
      // The close reason must fit in a control frame (123 bytes).
      String shortReason = reason.length() > 100 ? reason.substring(0, 100) : reason;
      session.close(new CloseReason(code, shortReason));
    } catch (IOException | IllegalStateException e) {
      log.debug("closing socket {}: {}", session.getId(), e.toString());
    }
    return true;
  }

  private synchronized void cancelExpiry() {
    if (expiry != null) {
      expiry.cancel(false);
      expiry = null;
    }
  }

  // ---- frames to the client -------------------------------------------------------------------

  /** {@code welcome {client, user, name, color?, exp?}}. */
  void welcome() {
    Principal current = principal;
    send(
        new ServerMessage.Welcome(
            clientId,
            current.userId(),
            current.displayName(),
            current.color().orElse(null),
            expiry(current)));
  }

  /** {@code authed {user, exp?}}: the fresh token of an {@code auth} is this connection's now. */
  void authed() {
    Principal current = principal;
    send(new ServerMessage.Authed(current.userId(), expiry(current)));
  }

  /**
   * {@code exp}: the token's expiry in epoch seconds, left out for a principal that never expires.
   */
  private static Long expiry(Principal principal) {
    return principal.expiresAt().equals(Instant.MAX)
        ? null
        : principal.expiresAt().getEpochSecond();
  }

  void pong() {
    send(new ServerMessage.Pong());
  }

  /**
   * An error frame; {@code docId} and {@code seq} are left out when null. A socket answered {@code
   * rate_limited} {@code excess-message-limit} times within the window kept sending instead of
   * pausing: after this answer it is closed with 1013, and so costs nothing more to read or answer
   * (a flood of messages, each refused, took the server's CPU from everyone else's).
   */
  void error(TandemException error, String docId, Long seq) {
    if (closing.get()) {
      return; // nothing goes out any more (the submits dropped as it left are answered here)
    }
    metrics.error(error.code());
    BadRequestLog.answered("WebSocket", error, docId, clientId, seq);
    send(
        new ServerMessage.Error(
            // as the client sent it, but sendable: a lone surrogate has no UTF-8
            docId == null ? null : TandemException.wellFormed(docId),
            seq,
            error.code().code(),
            error.getMessage(),
            error.code().retryable(),
            error instanceof MovedException moved ? moved.webSocketUrl() : null));
    if (error.code() == ErrorCode.RATE_LIMITED
        && refusedForRate.count(System.nanoTime())
        && close(CloseCodes.TRY_AGAIN_LATER, refusedForRateReason)) {
      metrics.floodClosed();
    }
  }

  /** The reply channel of one submit on this connection. */
  SubmitReply replyTo(String docId, long seq) {
    return new SubmitReply() {
      @Override
      public void acked(Committed committed) {
        send(new ServerMessage.Ack(committed.docId(), committed.revision(), committed.seq()));
      }

      @Override
      public void failed(TandemException error) {
        error(error, docId, seq);
      }
    };
  }

  @Override
  public void opened(Snapshot snapshot) {
    outbox.send(snapshot.encoded(OPENED_FRAME)); // one string for every socket opening it
    answered(snapshot.docId());
  }

  /**
   * {@code opened {doc, rev, text, resync: true, seq?}}: the revision the client asked for was
   * pruned; {@code seq} is its client id's highest seq committed up to {@code rev}.
   */
  @Override
  public void resynced(Snapshot snapshot, OptionalLong lastSeq) {
    send(
        new ServerMessage.Opened(
            snapshot.docId(),
            snapshot.revision(),
            snapshot.text(),
            null,
            true,
            lastSeq.isPresent() ? lastSeq.getAsLong() : null));
    answered(snapshot.docId());
  }

  /**
   * As {@code ops} messages of consecutive ops, each within about {@code max-message-bytes} (one op
   * at least), which clients take before {@code opened} like live ones. Paced by bytes: whenever
   * more than half the socket's bound waits, the rest of the part waits for the network to take it,
   * so a part of large ops never overflows the outbox of a client that reads.
   */
  @Override
  public CompletionStage<Void> missed(List<Committed> ops) {
    return missedFrom(ops, 0);
  }

  private CompletionStage<Void> missedFrom(List<Committed> ops, int from) {
    int next = from;
    while (next < ops.size() && !outbox.isOverHalf() && !closing.get()) {
      int end = Frames.endOfFrame(ops, next, maxMessageBytes);
      outbox.send(Outbox.Frame.binary(Frames.ops(ops.subList(next, end))));
      next = end;
    }
    int rest = next;
    return outbox
        .whenHalfEmpty()
        .thenCompose(
            room ->
                rest < ops.size() && !closing.get()
                    ? missedFrom(ops, rest)
                    : CompletableFuture.completedFuture(null));
  }

  @Override
  public void caughtUp(String docId, long revision, List<Committed> missed) {
    send(
        ServerMessage.Opened.catchUp(docId, revision, missed.stream().map(Frames::entry).toList()));
    answered(docId);
  }

  /**
   * One {@code ops} message in a binary frame, the same bytes for every socket of the document: the
   * client takes its own ops among them for its acks.
   */
  @Override
  public void ops(OpRun run) {
    outbox.send(run.encoded(OPS_FRAME));
  }

  @Override
  public void presence(PresenceUpdate update) {
    send(ServerMessage.Presence.of(update));
  }

  @Override
  public void closed(String docId) {
    openDocuments.remove(docId);
    send(new ServerMessage.Closed(docId));
    answered(docId);
  }

  /**
   * The document ended for this socket ({@code moved}, {@code not_found}, …). The error is queued
   * and the document leaves {@link #openDocuments} in one step under that set's monitor, which the
   * socket's messages about its documents are handled under too ({@code EditEndpoint.dispatch}),
   * never while waiting for the network: a submit read meanwhile is refused as "not open" only
   * after the error that explains it (a client following {@code moved} would take such a refusal
   * for a failure), and an open sent in answer to the error is never refused as "already open".
   */
  @Override
  public void failed(String docId, TandemException error) {
    synchronized (openDocuments) {
      error(error, docId, null);
      openDocuments.remove(docId);
    }
    answered(docId);
  }

  @Override
  public String toString() {
    return "ws " + session.getId() + " client " + clientId;
  }

  private void send(ServerMessage message) {
    outbox.send(message.json());
  }
}
