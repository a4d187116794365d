package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.client.ClientState.OpId;
import dev.tandem.ot.TextOperation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * One open document of a {@link TandemClient}: its local text, the last server revision seen, local
 * edits and other clients' presence.
 *
 * <p>Local edits apply to the local text at once and go to the server one op at a time (the ot.js
 * state machine, {@link ClientState}); remote ops are transformed against the unacknowledged local
 * edits before they are applied, so every client ends with the server's text.
 *
 * <p>Threading: reads ({@link #text()}, {@link #revision()}, {@link #state()}) return the latest
 * published values from any thread. Edits run on the client's event thread: {@link #edit} gives its
 * function the local text as it is at that moment, so the op it returns always applies.
 */
public final class TandemDocument {
  private static final System.Logger LOG = System.getLogger(TandemDocument.class.getName());

  /** At most one own selection goes out per interval (a drag calls setSelection per frame). */
  public static final Duration SELECTION_THROTTLE = Duration.ofMillis(100);

  private final TandemClient client;
  private final String docId;
  private final DocumentSession session;
  private final Backoff retryBackoff;
  private final List<DocumentListener> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<TandemDocument> opened = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  private volatile String text = "";
  private volatile long revision = -1;
  private volatile DocumentState state = DocumentState.OPENING;
  private volatile Map<String, RemotePresence> presences = Map.of();

  // event thread only
  private final List<CompletableFuture<Void>> synchronizedWaiters = new ArrayList<>();
  private boolean openSent;
  private boolean resyncRequired;
  private boolean reopenOnClosed; // the close sent was the first half of a reopen
  private boolean closeRequested;
  private boolean closeSent;
  private int connections; // counts lost connections, so a late retry can tell it is stale
  private Selection pendingSelection; // the latest, until the throttle lets it out
  private boolean selectionThrottled; // one went out within the last interval

  private record Selection(List<SelectionRange> ranges, Map<String, Object> meta) {}

  TandemDocument(TandemClient client, String docId) {
    this.client = client;
    this.docId = docId;
    this.session = new DocumentSession(client::nextId, new Events());
    this.retryBackoff = client.settings().newBackoff();
  }

  public String id() {
    return docId;
  }

  /** The local text: the server's text at {@link #revision()} plus unacknowledged local edits. */
  public String text() {
    return text;
  }

  /** The last server revision this client has seen (acknowledged or received). */
  public long revision() {
    return revision;
  }

  public DocumentState state() {
    return state;
  }

  /**
   * Every other client with the document open, by client id, with its selection in the current
   * local text (empty while it has published none).
   */
  public Map<String, RemotePresence> presences() {
    return presences;
  }

  public void addListener(DocumentListener listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  public void removeListener(DocumentListener listener) {
    listeners.remove(listener);
  }

  /**
   * Applies a local edit: on the event thread, {@code editor} gets the current local text and
   * returns an op whose base length is that text's length in code points. The future completes with
   * the op once it is applied locally (not yet acknowledged; see {@link #whenSynchronized()}), or
   * fails if the op does not apply (nothing changes then) or the document is closed.
   */
  public CompletableFuture<TextOperation> edit(Function<String, TextOperation> editor) {
    Objects.requireNonNull(editor, "editor");
    CompletableFuture<TextOperation> result = new CompletableFuture<>();
    client.execute(
        () -> {
          if (closeRequested || state == DocumentState.CLOSED) {
            result.completeExceptionally(
                new IllegalStateException("document " + docId + " closed"));
            return;
          }
          try {
            TextOperation op = editor.apply(session.text());
            session.applyClient(op);
            publish();
            result.complete(op);
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        },
        result);
    return result;
  }

  /** {@link #edit} with a ready op, which must apply to the local text when it runs. */
  public CompletableFuture<TextOperation> submit(TextOperation op) {
    Objects.requireNonNull(op, "op");
    return edit(current -> op);
  }

  /**
   * Publishes this client's selection (code points of the local text) with a small {@code meta}
   * object. It goes out once every local edit is acknowledged, transformed through what happened
   * meanwhile, so receivers can place it exactly; at most one a {@link #SELECTION_THROTTLE} (100
   * ms), the latest given.
   */
  public void setSelection(List<SelectionRange> selection, Map<String, Object> meta) {
    Selection latest = new Selection(List.copyOf(selection), Map.copyOf(meta));
    client.execute(
        () -> {
          pendingSelection = latest;
          if (!selectionThrottled) {
            flushSelection();
          }
        });
  }

  private void flushSelection() {
    Selection pending = pendingSelection;
    if (pending == null || state == DocumentState.CLOSED) {
      selectionThrottled = false;
      return;
    }
    pendingSelection = null;
    session.setOwnSelection(pending.ranges(), pending.meta());
    selectionThrottled = true;
    client.schedule(this::flushSelection, SELECTION_THROTTLE);
  }

  /** Completes when every local edit made so far is acknowledged by the server. */
  public CompletableFuture<Void> whenSynchronized() {
    CompletableFuture<Void> result = new CompletableFuture<>();
    client.execute(
        () -> {
          if (state == DocumentState.CLOSED) {
            result.completeExceptionally(
                new IllegalStateException("document " + docId + " closed"));
          } else if (session.initialized() && session.isSynchronized()) {
            result.complete(null);
          } else {
            synchronizedWaiters.add(result);
          }
        },
        result);
    return result;
  }

  /**
   * Closes the document once every local edit is acknowledged: sends {@code close} and completes
   * when the server answers {@code closed}.
   */
  public CompletableFuture<Void> close() {
    client.execute(
        () -> {
          if (closeRequested || state == DocumentState.CLOSED) {
            return;
          }
          closeRequested = true;
          whenSynchronized().thenRun(() -> client.execute(this::sendClose));
        });
    return closed.copy();
  }

  // ---- driven by TandemClient, on the event thread ----

  CompletableFuture<TandemDocument> whenOpened() {
    return opened;
  }

  void connected() {
    if (closeRequested && session.initialized() && session.isSynchronized()) {
      finishClose();
      return;
    }
    sendOpen();
  }

  void disconnected() {
    connections++;
    openSent = false;
    closeSent = false;
    reopenOnClosed = false; // the reconnect reopens it
    session.goOffline();
    publish();
  }

  void received(String type, JsonNode message) {
    switch (type) {
      case "opened" -> opened(message);
      case "ops" -> serverOps(message);
      case "ack" ->
          session.acknowledge(
              Wire.integer(message, "rev"),
              new OpId(client.helloId(this), Wire.integer(message, "seq")));
      case "presence" -> presence(message);
      case "closed" -> closedByServer();
      default -> throw new IllegalArgumentException("not a document message: " + type);
    }
    publish();
  }

  void error(TandemException error) {
    tell(listener -> listener.onError(error));
    if (error.code() == ErrorCode.UNAUTHORIZED) {
      // about the token, not this document: the server closes the socket (1008) next, and what is
      // in flight goes again after a reconnect with a fresh token (or the client stops)
    } else if ((error.code() == ErrorCode.FORBIDDEN || error.code() == ErrorCode.NOT_FOUND)
        && error.seq().isEmpty()
        && session.initialized()) {
      // the refreshed token may no longer read it, or it was deleted: the server closed it
      finishClose();
    } else if (error.seq().isPresent()) {
      OpId sentAs = new OpId(client.helloId(this), error.seq().get()); // on its socket
      if (error.code() == ErrorCode.SEQ_REUSED) {
        session.seqReused(sentAs); // goes again under a fresh id
      } else if (error.retryable()) {
        int sameConnection = connections; // after a reconnect its resend has gone already
        client.schedule(
            () -> {
              if (connections == sameConnection) {
                session.retry(sentAs);
              }
            },
            retryBackoff.next());
      } else if (session.state().inFlight().map(p -> p.id().equals(sentAs)).orElse(false)) {
        // the server refused the op in flight: the local text can no longer converge with it,
        // unless what it was made on was pruned: a reopen at our revision resyncs and keeps it
        resyncRequired = error.code() != ErrorCode.GONE;
        session.goOffline();
        if (client.send(this, Wire.close(docId))) {
          closeSent = true;
          reopenOnClosed = true; // the reopen follows the server's closed
        }
      }
    } else if (error.retryable() && openSent && !session.online()) {
      int sameConnection = connections;
      client.schedule( // reopening failed for now
          () -> {
            if (connections == sameConnection && state != DocumentState.CLOSED) {
              sendOpen();
            }
          },
          retryBackoff.next());
    } else if (!session.initialized()) {
      opened.completeExceptionally(error); // the first open was refused
      finishClose();
    } else if (error.code() == ErrorCode.REV_OUT_OF_RANGE && openSent) {
      resyncRequired = true; // the server does not know our revision: start from its text
      sendOpen();
    }
    publish();
  }

  /** Whether this document's op in flight is under {@code clientId}. */
  boolean inFlightUnder(String clientId) {
    return session.state().inFlight().map(p -> p.id().clientId().equals(clientId)).orElse(false);
  }

  void clientClosed() {
    synchronizedWaiters.forEach(
        waiter -> waiter.completeExceptionally(new IllegalStateException("client closed")));
    synchronizedWaiters.clear();
    opened.completeExceptionally(new IllegalStateException("client closed"));
    closed.complete(null);
    setState(DocumentState.CLOSED);
  }

  private void sendOpen() {
    Long knownRevision = session.initialized() && !resyncRequired ? session.revision() : null;
    openSent = client.send(this, Wire.open(docId, knownRevision));
    publish();
  }

  /**
   * The end of an open. With {@code ops}, the last page of a catch-up: any older missed ops came
   * before in {@code ops} messages and were applied like live ones while the session was offline,
   * so only now does it go online and resend its op in flight.
   */
  private void opened(JsonNode message) {
    long serverRevision = Wire.integer(message, "rev");
    if (message.has("text")) {
      String serverText = Wire.string(message, "text");
      if (message.path("resync").asBoolean(false) && session.initialized()) {
        // our revision was pruned: rebase what the server does not have onto its head text
        session.rebase(
            serverRevision,
            serverText,
            client.helloId(this),
            message.has("seq")
                ? OptionalLong.of(Wire.integer(message, "seq"))
                : OptionalLong.empty());
      } else if (!session.initialized()) {
        session.initialize(serverRevision, serverText);
      } else {
        session.reset(serverRevision, serverText);
      }
      resyncRequired = false;
    } else if (!serverOps(message)) {
      return;
    }
    retryBackoff.reset();
    session.goOnline();
    publish();
    opened.complete(this);
  }

  /**
   * The committed ops of an {@code ops} message (or of {@code opened}), in revision order: others'
   * ops are applied, this client's own op in flight (its client id and seq) is its ack.
   *
   * @return false if an op left a gap and a resync started
   */
  private boolean serverOps(JsonNode message) {
    JsonNode ops = message.path("ops");
    if (!ops.isArray()) {
      throw new Wire.MalformedMessage(
          "'" + Wire.string(message, "type") + "' without an array ops");
    }
    for (JsonNode entry : ops) {
      if (!serverOp(
          Wire.integer(entry, "rev"),
          Wire.op(entry, "op"),
          Wire.optionalString(entry, "client", ""),
          seqOrZero(entry))) {
        return false;
      }
    }
    return true;
  }

  private boolean serverOp(long serverRevision, TextOperation op, String opClientId, long opSeq) {
    long before = session.revision();
    OpId opId = new OpId(opClientId, opSeq);
    boolean sentHere = session.state().inFlight().map(p -> p.id().equals(opId)).orElse(false);
    if (!session.applyServer(serverRevision, op, opClientId, opSeq)) {
      tell(
          listener ->
              listener.onError(
                  new TandemException(
                      ErrorCode.UNKNOWN,
                      "op at revision " + serverRevision + " after " + session.revision(),
                      true,
                      docId,
                      null)));
      client.resync(this); // reconnect and catch up with open {rev}
      return false;
    }
    if (serverRevision > before && !sentHere && opClientId.equals(client.clientId())) {
      // someone else commits under this client's id: move to a fresh one before using that seq
      client.idTaken(opId, docId);
    }
    return true;
  }

  private void presence(JsonNode message) {
    String from = Wire.string(message, "client");
    if (Wire.flag(message, "left")) {
      session.presenceLeft(from);
      return;
    }
    session.remotePresence(
        from,
        Wire.optionalString(message, "user", ""),
        Wire.integer(message, "rev"),
        Wire.selection(message, "selection"),
        Wire.meta(message, "meta"));
  }

  private void closedByServer() {
    openSent = false;
    closeSent = false;
    if (reopenOnClosed) {
      reopenOnClosed = false;
      sendOpen();
    } else {
      finishClose();
    }
  }

  private void sendClose() {
    if (state == DocumentState.CLOSED || closeSent) {
      return;
    }
    if (openSent && client.send(this, Wire.close(docId))) {
      closeSent = true;
    } else {
      finishClose();
    }
  }

  private void finishClose() {
    client.forget(this);
    session.goOffline();
    synchronizedWaiters.forEach(
        waiter -> waiter.completeExceptionally(new IllegalStateException("document closed")));
    synchronizedWaiters.clear();
    closed.complete(null);
    setState(DocumentState.CLOSED);
  }

  private static long seqOrZero(JsonNode message) {
    Long seq = Wire.optionalInteger(message, "seq");
    return seq == null ? 0 : seq;
  }

  /** Publishes the session's values for readers on other threads and tells state changes. */
  private void publish() {
    text = session.text();
    revision = session.revision();
    presences = session.presences();
    if (state == DocumentState.CLOSED) {
      return;
    }
    DocumentState next;
    if (!client.online(this)) {
      next = session.initialized() ? DocumentState.OFFLINE : DocumentState.OPENING;
    } else if (!session.online()) {
      next = DocumentState.OPENING;
    } else {
      next = session.isSynchronized() ? DocumentState.SYNCED : DocumentState.SENDING;
    }
    setState(next);
  }

  private void setState(DocumentState next) {
    if (state != next) {
      state = next;
      tell(listener -> listener.onStateChange(next));
    }
  }

  /** Calls every listener; one that throws is logged and does not stop the others or the client. */
  private void tell(java.util.function.Consumer<DocumentListener> call) {
    for (DocumentListener listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "listener of document " + docId + " failed", e);
      }
    }
  }

  /** What the session decides, carried out on the event thread. */
  private final class Events implements DocumentSession.Sink {
    @Override
    public void submit(long baseRevision, TextOperation op, OpId id) {
      if (!id.clientId().equals(client.helloId(TandemDocument.this))) {
        return; // under a newer id than the connection's: it goes after the reconnect under it
      }
      long seq = id.seq();
      String message = Wire.encode(Wire.submit(docId, baseRevision, op, seq));
      int bytes = TandemClient.utf8Length(message);
      if (bytes > client.messageLimit()) {
        TandemException tooLarge =
            new TandemException(
                ErrorCode.TOO_LARGE,
                "submit of "
                    + bytes
                    + " bytes not sent (expected at most "
                    + client.messageLimit()
                    + ")",
                false,
                docId,
                seq);
        client.execute(() -> error(tooLarge)); // a refusal, handled after the session's step
        return;
      }
      client.sendText(TandemDocument.this, message);
    }

    @Override
    public void publishPresence(
        long atRevision, List<SelectionRange> selection, Map<String, Object> meta) {
      client.send(TandemDocument.this, Wire.presence(docId, atRevision, selection, meta));
    }

    @Override
    public void changed(TextChange change) {
      text = change.text();
      revision = change.revision();
      tell(listener -> listener.onChange(change));
    }

    @Override
    public void acknowledged(long atRevision, long seq) {
      retryBackoff.reset();
      revision = atRevision;
      tell(listener -> listener.onAcknowledged(atRevision, seq));
    }

    @Override
    public void presence(RemotePresence presence) {
      tell(listener -> listener.onPresence(presence));
    }

    @Override
    public void presenceLeft(String clientId) {
      tell(listener -> listener.onPresenceLeft(clientId));
    }

    @Override
    public void idTaken(OpId taken) {
      client.idTaken(taken, docId);
    }

    @Override
    public void synchronizedNow() {
      List<CompletableFuture<Void>> waiters = List.copyOf(synchronizedWaiters);
      synchronizedWaiters.clear();
      waiters.forEach(waiter -> waiter.complete(null));
    }
  }
}
