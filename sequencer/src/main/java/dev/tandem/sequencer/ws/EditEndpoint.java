package dev.tandem.sequencer.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.TextOperation;
import dev.tandem.sequencer.auth.Principal;
import dev.tandem.sequencer.auth.Role;
import dev.tandem.sequencer.auth.RoleAuthorizer;
import dev.tandem.sequencer.config.TandemConfig;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.protocol.Json;
import dev.tandem.sequencer.protocol.Ops;
import dev.tandem.sequencer.protocol.PresenceUpdate;
import dev.tandem.sequencer.server.OutboundBudget;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The WebSocket transport at {@code /ws}: parses each message, checks the client's rights, hands
 * the request to the {@link Sequencers} and replies. No OT happens here (compare ShareDB's {@code
 * Agent._handleMessage}).
 *
 * <p>Rights: {@code hello} authenticates its token to a {@link Principal}, which the connection
 * keeps (and {@code auth} replaces) until its token expires (then 1008); {@code open} and {@code
 * presence} need {@link Role#READ}, {@code submit} and creating a document {@link Role#WRITE},
 * checked on every message, since roles can shrink with a fresh token and tokens expire.
 *
 * <p>Every message is answered or relayed; a bad one gets an {@code error} frame and the socket
 * stays open, unless the client sends {@code badMessageLimit} of them within the window (then 1008)
 * or anything but {@code hello} first (1008). A message over the size limit closes with 1009; one
 * over the socket's or its user's message rate is dropped with the retryable {@code rate_limited}.
 * A socket that answers no ping within the timeout is closed with 1001 (see {@link KeepAlive}).
 */
public final class EditEndpoint extends Endpoint {
  private static final Logger log = LoggerFactory.getLogger(EditEndpoint.class);
  private static final String CONNECTION = "tandem.connection";

  private final Sequencers sequencers;
  private final RoleAuthorizer authorizer;

  /** The authorizer's checks never wait: a quiet socket's message may be handled as it is read. */
  private final boolean checksFromMemory;

  private final TandemConfig config;
  private final OutboundBudget outboundBudget;
  private final UserLimits userLimits;
  private final InboundTurns inbound;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private volatile ScheduledExecutorService scheduler; // set by start, before any hello
  private volatile boolean goingAway;

  public EditEndpoint(
      Sequencers sequencers,
      RoleAuthorizer authorizer,
      TandemConfig config,
      OutboundBudget outboundBudget) {
    this.sequencers = sequencers;
    this.authorizer = authorizer;
    this.checksFromMemory = authorizer.checksFromMemory();
    this.config = config;
    this.outboundBudget = outboundBudget;
    this.userLimits =
        new UserLimits(config.maxConnectionsPerUser(), config.maxMessagesPerSecondPerUser());
    this.inbound =
        new InboundTurns(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            2L * config.maxMessageBytes()); // a largest message, and another after it
  }

  @Override
  public void onOpen(Session session, EndpointConfig endpointConfig) {
    Connection connection = new Connection(session, sequencers.metrics(), config, outboundBudget);
    session.getUserProperties().put(CONNECTION, connection);
    connections.add(connection);
    InboundTurns.Socket turns = inbound.socket();
    session.addMessageHandler(String.class, new TextMessages(connection, turns));
    session.addMessageHandler(
        PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> connection.heard());
    session.addMessageHandler(
        ByteBuffer.class,
        (MessageHandler.Partial<ByteBuffer>)
            (fragment, last) -> {
              connection.heard();
              if (last) { // the whole message is read: answer once, nothing was buffered
                handleInTurn(
                    connection,
                    turns,
                    0,
                    () ->
                        reject(
                            connection,
                            Errors.badRequest(
                                "binary frames are not part of the protocol (expected: JSON text)"),
                            null,
                            null),
                    false);
              }
            });
    // A socket that opens while closeAll() runs is added before the flag is read, so either
    // closeAll() sees it or it sees the flag: it never stays open on a stopping server.
    if (goingAway) {
      connection.close(CloseCodes.GOING_AWAY, "server shutting down");
    }
  }

  @Override
  public void onClose(Session session, CloseReason closeReason) {
    int code = closeReason.getCloseCode().getCode();
    sequencers.metrics().closed(code);
    Connection connection = (Connection) session.getUserProperties().get(CONNECTION);
    LoggingEventBuilder line =
        log.atInfo().setMessage("connection closed").addKeyValue("ws", session.getId());
    if (connection != null && connection.clientId() != null) { // null: it never said hello
      line.addKeyValue("client", connection.clientId());
    }
    line.addKeyValue("code", code).log();
    if (connection != null) {
      gone(connection);
    }
  }

  /**
   * The socket is closed or dead: its client leaves every document it had open. Leaving twice is
   * harmless, so onClose after a keep-alive close also takes an open that raced with it.
   */
  private void gone(Connection connection) {
    connection.closed(); // its queued bytes go back to the budget, its expiry is cancelled
    if (connection.releaseUserSlot()) {
      userLimits.disconnected(connection.userId());
    }
    connections.remove(connection);
    sequencers.disconnect(connection, Set.copyOf(connection.openDocuments()));
  }

  /**
   * Starts pinging silent sockets and closing dead ones (see {@link KeepAlive}) on {@code
   * scheduler}, the WebSocket container's, which stops with it; sockets whose token expires are
   * closed on it too.
   */
  public void startKeepAlive(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
    KeepAlive keepAlive =
        new KeepAlive(
            config.pingInterval(),
            config.pingTimeout(),
            connection -> {
              log.debug("{} answered no ping: closing it", connection);
              sequencers.metrics().socketFoundDead();
              // The close frame may never get through, nor onClose come soon: leave at once.
              connection.close(
                  CloseCodes.GOING_AWAY,
                  "no answer to ping within " + config.pingTimeout().toMillis() + " ms");
              gone(connection);
            },
            connection -> {
              log.debug("{} said no hello: closing it", connection);
              connection.close(
                  CloseCodes.POLICY_VIOLATION,
                  "no hello within " + config.pingTimeout().toMillis() + " ms");
              gone(connection);
            });
    long period = config.pingInterval().toNanos();
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            keepAlive.sweep(connections, System.nanoTime());
          } catch (RuntimeException e) { // a bug: log it, and keep sweeping
            log.error("keep-alive sweep failed", e);
          }
        },
        period,
        period,
        TimeUnit.NANOSECONDS);
  }

  @Override
  public void onError(Session session, Throwable error) {
    log.debug("socket {}: {}", session.getId(), error.toString());
  }

  /** Closes every socket with 1001 (going away), and every one that opens later, for shutdown. */
  public void closeAll() {
    goingAway = true;
    for (Connection connection : connections) {
      connection.close(CloseCodes.GOING_AWAY, "server shutting down");
    }
  }

  /** Stops the threads that handle messages; for a server that stopped. */
  public void stopHandling() {
    inbound.close();
  }

  /**
   * Waits until every socket has closed (its client answered the close frame, or went away), at
   * most until {@code deadlineNanos} of {@link System#nanoTime}; returns whether all did.
   */
  public boolean awaitClosed(long deadlineNanos) throws InterruptedException {
    while (!connections.isEmpty()) {
      if (System.nanoTime() - deadlineNanos >= 0) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /** The number of open sockets. */
  public int connectionCount() {
    return connections.size();
  }

  /**
   * Joins the fragments of one text message, keeping at most the size limit. An oversized message
   * is read to its last fragment and dropped before the socket closes with 1009: closing while the
   * client is still sending leaves unread data, and the kernel then answers with a reset, which the
   * client sees instead of the close frame. Tyrus calls this one fragment at a time per socket.
   */
  private final class TextMessages implements MessageHandler.Partial<String> {
    private final Connection connection;
    private final InboundTurns.Socket turns;
    private final MessageRate rate = // used in the socket's turns only, one at a time
        new MessageRate(config.maxMessagesPerSecond(), System.nanoTime());
    private StringBuilder message = new StringBuilder();
    private long bytes;

    TextMessages(Connection connection, InboundTurns.Socket turns) {
      this.connection = connection;
      this.turns = turns;
    }

    @Override
    public void onMessage(String fragment, boolean last) {
      connection.heard();
      if (bytes <= config.maxMessageBytes()) {
        bytes += Json.utf8Length(fragment);
        if (bytes <= config.maxMessageBytes()) {
          message.append(fragment);
        } else {
          message = new StringBuilder(); // over the limit: keep counting, stop keeping
        }
      }
      if (!last) {
        return;
      }
      long total = bytes;
      String text = message.toString();
      message = new StringBuilder();
      bytes = 0;
      if (total > config.maxMessageBytes()) {
        connection.close(
            CloseCodes.TOO_BIG, "message over the limit of " + config.maxMessageBytes() + " bytes");
      } else {
        handleInTurn(
            connection,
            turns,
            total,
            () -> onText(connection, rate, text),
            checksFromMemory && connection.greeted());
      }
    }
  }

  /**
   * Queues a message of {@code connection} for its turn (see {@link InboundTurns}), or handles it
   * at once if {@code mayHandleAtOnce} (after the hello, with an authorizer that checks from
   * memory: the reading thread must not wait) and the socket is quiet; a socket with more than
   * 1,024 messages or twice {@code max-message-bytes} waiting to be handled sends faster than the
   * server can handle, as a flood does: it is closed with 1013, and its client reconnects and sends
   * again what was not acknowledged.
   */
  private void handleInTurn(
      Connection connection,
      InboundTurns.Socket turns,
      long bytes,
      Runnable handle,
      boolean mayHandleAtOnce) {
    if (!connection.isClosing()
        && !(mayHandleAtOnce
            ? turns.handleOrOffer(bytes, handle, System.nanoTime())
            : turns.offer(bytes, handle))
        && connection.close(
            CloseCodes.TRY_AGAIN_LATER,
            "messages waiting to be handled over "
                + InboundTurns.MAX_WAITING_MESSAGES
                + " or "
                + 2L * config.maxMessageBytes()
                + " bytes")) {
      sequencers.metrics().floodClosed();
    }
  }

  private void onText(Connection connection, MessageRate rate, String text) {
    if (connection.isClosing()) {
      return;
    }
    ClientMessage message;
    try {
      message = ClientMessage.read(text);
    } catch (TandemException e) {
      refuseUnreadable(connection, text, e);
      return;
    }
    if (!connection.greeted()) {
      try {
        greet(connection, message);
      } catch (TandemException e) {
        refuseHello(connection, e);
      } catch (RuntimeException e) { // a bug, perhaps in a custom authorizer
        log.error("handling the hello of {}", connection, e);
        refuseHello(connection, Errors.internal(e));
      }
      return;
    }
    TandemException overRate = overRate(connection, rate, System.nanoTime());
    if (overRate != null) { // dropped unseen: the document is untouched
      reject(connection, overRate, message.docId(), message.seqOrNull());
      return;
    }
    try {
      dispatch(connection, message);
    } catch (TandemException e) {
      reject(connection, e, message.docId(), message.seqOrNull());
    } catch (RuntimeException e) {
      log.error("handling {} from {}", message.getClass().getSimpleName(), connection, e);
      reject(connection, Errors.internal(e), message.docId(), message.seqOrNull());
    }
  }

  /**
   * Answers a message that could not be read: with its {@code doc} and {@code seq} if it carried
   * them with the right types, so that a client can tell which of its submits was refused.
   */
  private void refuseUnreadable(Connection connection, String text, TandemException refusal) {
    ObjectNode raw;
    try {
      raw = Json.parseObject(text);
    } catch (TandemException notAnObject) {
      reject(connection, refusal, null, null);
      return;
    }
    reject(connection, refusal, wellTypedText(raw, "doc"), wellTypedLong(raw, "seq"));
  }

  /** Null if a message at {@code now} is within the socket's and its user's rates; else why not. */
  private TandemException overRate(Connection connection, MessageRate rate, long now) {
    if (!rate.tryAcquire(now)) {
      return Errors.rateLimited(
          "more than "
              + config.maxMessagesPerSecond()
              + " messages a second on this connection; send this one again after a pause");
    }
    if (!userLimits.tryAcquire(connection.userId(), now)) {
      return Errors.rateLimited(
          "more than "
              + userLimits.messagesPerSecond()
              + " messages a second from this user's connections; send this one again after a"
              + " pause");
    }
    return null;
  }

  /**
   * Nothing but hello is accepted before hello; a failed hello closes with 1008 (1013 if it may
   * succeed later): what this throws refuses the hello.
   */
  private void greet(Connection connection, ClientMessage message) {
    if (!(message instanceof ClientMessage.Hello)) {
      refuseHello(connection, Errors.badRequest("the first message must be hello"));
      return;
    }
    ClientMessage.Hello hello = (ClientMessage.Hello) message;
    if (hello.protocol() != ClientMessage.PROTOCOL) {
      refuseHello(
          connection,
          Errors.badRequest(
              "protocol " + hello.protocol() + " (expected: " + ClientMessage.PROTOCOL + ")"));
      return;
    }
    ScheduledExecutorService timers = scheduler(); // unavailable
    Principal principal = // unauthorized, bad_request
        Objects.requireNonNull(
            authorizer.authenticate(hello.token()), "the authorizer named no principal");
    sequencers.clientOwners().claim(hello.clientId(), principal.userId()); // forbidden
    if (UserLimits.applyTo(principal) && !holdUserSlot(connection, principal.userId())) {
      return;
    }
    connection.greet(hello.clientId(), principal);
    connection.expireAt(authorizer.acceptedUntil(principal), timers);
    connection.welcome();
    log.atInfo()
        .setMessage("connection opened")
        .addKeyValue("ws", connection.socketId())
        .addKeyValue("client", hello.clientId())
        .addKeyValue("user", principal.userId())
        .log();
  }

  /** Where token expiries are scheduled: the container's scheduler, once the server started. */
  private ScheduledExecutorService scheduler() {
    ScheduledExecutorService started = scheduler;
    if (started == null) { // a hello in the instant between deploying and starting the keep-alive
      throw Errors.unavailable("the server is starting; try again");
    }
    return started;
  }

  /** Counts the connection against its user's limit, or refuses the hello with 1013. */
  private boolean holdUserSlot(Connection connection, String userId) {
    if (!userLimits.tryConnect(userId)) {
      refuseHello(
          connection,
          Errors.rateLimited(
              "user '"
                  + userId
                  + "' has "
                  + userLimits.maxConnections()
                  + " connections open (expected: at most max-connections-per-user)"));
      return false;
    }
    if (!connection.holdUserSlot()) { // closed meanwhile: gone() has run and released nothing
      userLimits.disconnected(userId);
      return false;
    }
    return true;
  }

  /**
   * Handles a message of a greeted socket. What depends on the socket's open documents runs under
   * their set's monitor, which {@link Connection#failed} ends a document under: a refusal as "not
   * open" or "already open" is decided either before a document's end or after its error is queued.
   * {@code auth} stays outside it: checking a token may fetch a key set over the network, and a
   * document's thread must never wait for that to tell this socket of its end. (A socket's messages
   * are handled one at a time, so no other message of it runs meanwhile.)
   */
  private void dispatch(Connection connection, ClientMessage message) {
    if (message instanceof ClientMessage.Auth) {
      auth(connection, (ClientMessage.Auth) message);
      return;
    }
    synchronized (connection.openDocuments()) {
      if (message instanceof ClientMessage.Submit) {
        submit(connection, (ClientMessage.Submit) message);
      } else if (message instanceof ClientMessage.Presence) {
        presence(connection, (ClientMessage.Presence) message);
      } else if (message instanceof ClientMessage.Open) {
        open(connection, (ClientMessage.Open) message);
      } else if (message instanceof ClientMessage.Close) {
        close(connection, (ClientMessage.Close) message);
      } else if (message instanceof ClientMessage.Ping) {
        connection.pong();
      } else if (message instanceof ClientMessage.Hello) {
        throw Errors.badRequest("hello was already received on this connection");
      } else {
        throw new IllegalStateException("unhandled message " + message);
      }
    }
  }

  /**
   * A fresh token for the same user: the connection keeps it until it expires, and closes each open
   * document it may no longer read with {@code error forbidden {doc}}. A refused token changes
   * nothing (the old one serves until it expires).
   */
  private void auth(Connection connection, ClientMessage.Auth auth) {
    Principal fresh = authorizer.reauthenticate(connection.principal(), auth.token());
    connection.reauthenticated(fresh, authorizer.acceptedUntil(fresh), scheduler());
    connection.authed();
    for (String docId : Set.copyOf(connection.openDocuments())) {
      try {
        authorizer.check(fresh, docId, Role.READ);
      } catch (TandemException e) {
        // Gone from openDocuments first, so a waiting open of it is dropped; frames of it already
        // on their way may follow the error: the client ignores a document it does not have open.
        connection.openDocuments().remove(docId);
        sequencers.disconnect(connection, Set.of(docId));
        connection.error(e, docId, null);
      }
    }
  }

  private void open(Connection connection, ClientMessage.Open open) {
    String docId = open.docId();
    authorizer.check(connection.principal(), docId, Role.READ);
    if (connection.openDocuments().contains(docId)) {
      throw Errors.badRequest("document '" + docId + "' is already open on this connection");
    }
    if (connection.openDocuments().size() >= config.maxOpenDocumentsPerConnection()) {
      throw Errors.tooLarge(
          "too many open documents: "
              + connection.openDocuments().size()
              + " (expected: at most "
              + config.maxOpenDocumentsPerConnection()
              + " per connection)");
    }
    if (outboundBudget.isFull()) { // an open sends the document, or its missed ops
      throw outboundBudget.full();
    }
    connection.openDocuments().add(docId);
    boolean mayWrite = authorizer.allows(connection.principal(), docId, Role.WRITE);
    OptionalLong revision =
        open.revision() == null ? OptionalLong.empty() : OptionalLong.of(open.revision());
    connection.open(docId, () -> sequencers.open(connection, docId, revision, mayWrite)); // paced
  }

  private void submit(Connection connection, ClientMessage.Submit submit) {
    String docId = submit.docId();
    if (!connection.openDocuments().contains(docId)) {
      throw Errors.badRequest("document '" + docId + "' is not open on this connection");
    }
    Principal principal = connection.principal();
    authorizer.check(principal, docId, Role.WRITE); // every submit: roles shrink, tokens expire
    TextOperation op = Ops.operation(submit.op());
    sequencers.submit(
        connection,
        connection.replyTo(docId, submit.seq()),
        new Sequencers.Submission(
            docId,
            submit.baseRevision(),
            op,
            connection.clientId(),
            submit.seq(),
            principal.userId()));
  }

  private void presence(Connection connection, ClientMessage.Presence presence) {
    String docId = presence.docId();
    if (!connection.openDocuments().contains(docId)) {
      throw Errors.badRequest("document '" + docId + "' is not open on this connection");
    }
    Principal principal = connection.principal();
    authorizer.check(principal, docId, Role.READ);
    sequencers.presence(
        connection,
        new PresenceUpdate(
            docId,
            connection.clientId(),
            principal.userId(),
            presence.revision(),
            presence.selection(),
            Connection.presenceMeta(presence.meta(), principal),
            false));
  }

  private void close(Connection connection, ClientMessage.Close close) {
    String docId = close.docId();
    if (!connection.openDocuments().contains(docId)) {
      throw Errors.badRequest("document '" + docId + "' is not open on this connection");
    }
    sequencers.close(connection, docId);
  }

  /** A refused hello closes with 1008, or with 1013 when trying again later may succeed. */
  private void refuseHello(Connection connection, TandemException error) {
    connection.error(error, null, null);
    connection.close(
        error.code().retryable() ? CloseCodes.TRY_AGAIN_LATER : CloseCodes.POLICY_VIOLATION,
        error.getMessage());
  }

  private void reject(Connection connection, TandemException error, String docId, Long seq) {
    if (!connection.greeted()) {
      refuseHello(connection, error);
      return;
    }
    connection.error(error, docId, seq); // counted and logged there
    if (error.code().isClientFault() && connection.countBadMessage()) {
      connection.close(
          CloseCodes.POLICY_VIOLATION,
          config.badMessageLimit()
              + " bad messages within "
              + config.badMessageWindow().toSeconds()
              + " s");
    }
  }

  private static String wellTypedText(ObjectNode raw, String field) {
    JsonNode value = raw.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }

  private static Long wellTypedLong(ObjectNode raw, String field) {
    JsonNode value = raw.get(field);
    return value != null && value.isIntegralNumber() && value.canConvertToLong()
        ? value.longValue()
        : null;
  }
}
