package dev.tandem.bench.load;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tandem.ot.OperationJson;
import dev.tandem.ot.Rope;
import dev.tandem.ot.TextOperation;
import dev.tandem.ot.Transformed;
import java.net.URI;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A lean client of the wire protocol for load: one WebSocket of {@link LeanSockets}, one open
 * document, at most one op in flight (submit, wait for the ack, next). As its {@link Kind} says, it
 * keeps the document's text and transforms what it receives against its op in flight as the ot.js
 * client does (its ops are then always valid and its text is compared with the server's at the
 * end), or it only counts revisions.
 *
 * <p>Why not {@code client-java}: it gives every client an event thread of its own, which is right
 * for an application and too much for thousands of simulated editors on two cores shared with the
 * server. Here every socket's messages are handled on the few selector threads of {@link
 * LeanSockets}.
 *
 * <p>Client ids are {@code e<index>}, so a receiver knows the sender of an op by its index.
 *
 * <p>On several nodes (docs/scaling.md) it follows {@code error {code: "moved", url}} as
 * client-java does: it leaves its socket for one to the named node (at once the first time, after a
 * growing pause if redirected again within a second), reopens the document there with {@code open
 * {rev}}, applies the ops it missed and resends its op in flight under the same seq, which the
 * server applies once. An {@code unavailable} of the op in flight (a node stepping down answers so
 * before its {@code moved}) sends it again after a pause.
 */
final class Editor {
  /** What a workload learns from its editors; called on the socket's thread, under its lock. */
  interface Observer {
    /** An op is about to be sent. */
    default void sending(Editor editor, long seq, long nanos) {}

    /** The server acknowledged the op in flight. */
    default void acked(Editor editor, long seq, long revision, long sentNanos, long nanos) {}

    /** Another client's op arrived. */
    default void received(Editor editor, String senderClientId, long seq, long nanos) {}
  }

  /** What an editor types and what it keeps of the document. */
  enum Kind {
    /** Random one-character inserts and deletes; keeps the text. */
    EDITOR(false, true),
    /** Inserts only (typing); keeps the text. */
    TYPIST(true, true),
    /**
     * Inserts only, among typists that all insert only: this editor keeps only the document's
     * length, read off each op it receives (its target length) and its own acked inserts, and never
     * applies or transforms an op. The server does the same work for it as for any client; the
     * generator much less, so that hundreds of typists fit beside the server.
     */
    LIGHT_TYPIST(true, false);

    private final boolean insertsOnly;
    private final boolean keepsText;

    Kind(boolean insertsOnly, boolean keepsText) {
      this.insertsOnly = insertsOnly;
      this.keepsText = keepsText;
    }

    boolean insertsOnly() {
      return insertsOnly;
    }

    boolean keepsText() {
      return keepsText;
    }
  }

  /** Binary frames ({@code ops} messages) are the same bytes for every editor of a document. */
  private static final SharedParses PARSES = new SharedParses(false);

  private static final SharedParses PARSES_WITH_OPS = new SharedParses(true);

  /** A redirect within this long of the previous one waits before it is followed. */
  private static final long REDIRECTS_APART_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final long FIRST_PAUSE_MILLIS = 50;
  private static final long LONGEST_PAUSE_MILLIS = 2_000;

  private final int index;
  private final Kind kind;
  private final String clientId;
  private final String docId;
  private final Random random;
  private final Observer observer;
  private final CompletableFuture<Editor> opened = new CompletableFuture<>();
  private final LeanSockets sockets;

  // Guarded by this.
  private Connection connection; // the current one: events of those left behind are dropped
  private boolean online; // the document is open on the current connection: submits may go
  private Rope text = Rope.empty(); // kinds that keep the text
  private int length; // the others: the length at revision, with no op in flight
  private long revision = -1;
  private TextOperation inFlight;
  private long inFlightSeq;
  private long inFlightBase; // the revision it was first sent on
  private long inFlightSentNanos;
  private long nextSeq = 1;
  private long owed;
  private long edits;
  private boolean editing = true;
  private boolean closing;
  private String failure;
  private int moves;
  private int quickMoves; // redirects in a row, each within a second of the one before
  private long lastMoveNanos;
  private String lastError; // the last error the server sent, for a report of an editor stuck
  private String lastAck; // the last ack of a resubmit, likewise

  private Editor(
      LeanSockets sockets, int index, Kind kind, String docId, long seed, Observer observer) {
    this.sockets = sockets;
    this.index = index;
    this.kind = kind;
    this.clientId = "e" + index;
    this.docId = docId;
    this.random = new Random(seed);
    this.observer = observer;
  }

  /** Connects, says hello and opens {@code docId}; completes once the document is open. */
  static CompletableFuture<Editor> open(
      LeanSockets sockets,
      URI uri,
      int index,
      Kind kind,
      String docId,
      long seed,
      Observer observer) {
    Editor editor = new Editor(sockets, index, kind, docId, seed, observer);
    editor.connect(uri);
    return editor.opened;
  }

  /** The sender index of a client id {@code e<index>}, or -1 for any other id. */
  static int indexOf(String clientId) {
    try {
      return clientId.startsWith("e") ? Integer.parseInt(clientId, 1, clientId.length(), 10) : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  int index() {
    return index;
  }

  String docId() {
    return docId;
  }

  /**
   * Sends a random edit now, or buffers it until the ack of the op in flight and returns false. As
   * in ot.js's client, what is buffered goes as one op at the ack: a typist's buffered keystrokes
   * as one insert of as many characters.
   */
  synchronized boolean edit() {
    if (!editing) {
      return false;
    }
    if (inFlight != null || !online) {
      owed++;
      return false;
    }
    submit(1);
    return true;
  }

  /** From now on no edit is sent; the op in flight still gets its ack. */
  synchronized void stopEditing() {
    editing = false;
    owed = 0;
  }

  synchronized boolean isIdle() {
    return inFlight == null;
  }

  synchronized long revision() {
    return revision;
  }

  /** The text, or null for a kind that does not keep it. */
  synchronized String text() {
    return kind.keepsText() ? text.toString() : null;
  }

  /** Whether what this editor knows of the document matches the server's text at its revision. */
  synchronized boolean agreesWith(String serverText) {
    return kind.keepsText()
        ? text.toString().equals(serverText)
        : length == serverText.codePointCount(0, serverText.length());
  }

  /** Edits sent so far. */
  synchronized long edits() {
    return edits;
  }

  /** The {@code moved} redirects this editor followed. */
  synchronized int moves() {
    return moves;
  }

  /** What this editor knows, for a report of an editor that did not reach the server's head. */
  synchronized String describe() {
    return clientId
        + " at revision "
        + revision
        + (inFlight == null
            ? ", nothing in flight"
            : ", seq " + inFlightSeq + " in flight since revision " + inFlightBase)
        + (online ? "" : ", offline")
        + ", "
        + moves
        + " move(s)"
        + (lastError == null ? "" : ", last error: " + lastError)
        + (lastAck == null ? "" : ", last resubmit ack: " + lastAck);
  }

  /** The first thing that went wrong (an error from the server, a broken order), or null. */
  synchronized String failure() {
    return failure;
  }

  /** Closes the socket normally; completes when the server has answered the close. */
  synchronized CompletableFuture<Void> close() {
    closing = true;
    editing = false;
    LeanSockets.Socket socket = connection == null ? null : connection.socket;
    return socket == null ? CompletableFuture.completedFuture(null) : socket.close();
  }

  // ---- the connection: one socket's events, in order -------------------------------------------

  /** One socket to one node; the editor's current one until a redirect leaves it behind. */
  private final class Connection implements LeanSockets.Listener {
    private LeanSockets.Socket socket; // guarded by the editor

    @Override
    public void onOpen(LeanSockets.Socket socket) {
      connected(this, socket);
    }

    @Override
    public void onMessage(
        LeanSockets.Socket socket, byte[] data, int offset, int length, boolean binary) {
      message(this, data, offset, length, binary);
    }

    @Override
    public void onClose(LeanSockets.Socket socket, int statusCode, String reason) {
      closed(this, statusCode, reason);
    }

    @Override
    public void onError(LeanSockets.Socket socket, Throwable error) {
      failed(this, error);
    }
  }

  private synchronized void connect(URI uri) {
    connection = new Connection();
    sockets.connect(uri, connection);
  }

  /**
   * Says hello and opens the document: at the head the first time, from its revision after a
   * redirect (the ops it missed come first, then {@code opened}).
   */
  private synchronized void connected(Connection from, LeanSockets.Socket socket) {
    from.socket = socket;
    if (from != connection || closing) {
      socket.close();
      return;
    }
    send("{\"type\":\"hello\",\"token\":\"\",\"client\":\"" + clientId + "\",\"protocol\":1}");
    send(
        "{\"type\":\"open\",\"doc\":\""
            + docId
            + (revision < 0 ? "\"}" : "\",\"rev\":" + revision + "}"));
  }

  /**
   * A message in UTF-8; {@code ops} messages come in binary frames, the same bytes for every editor
   * of the document, so their parse is shared (see {@link SharedParses}).
   */
  private void message(Connection from, byte[] data, int offset, int length, boolean binary) {
    long now = System.nanoTime();
    try {
      ServerMessage message =
          binary
              ? (kind.keepsText() ? PARSES_WITH_OPS : PARSES).parse(data, offset, length)
              : ServerMessage.parse(data, offset, length, kind.keepsText());
      handle(from, message, now);
    } catch (RuntimeException e) {
      fail("cannot handle " + abbreviate(new String(data, offset, length, UTF_8)) + ": " + e);
    }
  }

  private synchronized void closed(Connection from, int statusCode, String reason) {
    if (from == connection && !closing) {
      fail("closed by the server: " + statusCode + " " + reason);
    }
  }

  private synchronized void failed(Connection from, Throwable error) {
    if (from == connection) {
      fail("socket error: " + error);
    }
  }

  // ---- the client side of the protocol ---------------------------------------------------------

  private synchronized void handle(Connection from, ServerMessage message, long now) {
    if (from != connection) {
      return; // a socket left behind for the owner
    }
    switch (message.type()) {
      case "opened" -> {
        if (revision < 0) {
          text = kind.keepsText() ? Rope.of(message.text()) : Rope.empty();
          length = message.text().codePointCount(0, message.text().length());
          revision = message.revision();
        } else if (message.ops() != null) { // reopened after a redirect: the last ops it missed
          committed(message.ops(), now);
        } else {
          fail("reopened at revision " + revision + " without the ops after it (a resync)");
        }
        if (failure == null) {
          online = true;
          opened.complete(this);
          sendInFlightOrOwed();
        }
      }
      case "ops" -> committed(message.ops(), now);
      case "error" -> error(message);
      case "ack" -> resubmitAcked(message);
      default -> {} // welcome, presence, pong, closed: nothing to do
    }
  }

  /** Committed ops, own ones included: an own op's place in them is its ack. */
  private void committed(List<ServerMessage.Entry> ops, long now) {
    for (ServerMessage.Entry op : ops) {
      if (op.clientId().equals(clientId)) {
        acked(op.revision(), op.seq(), now);
      } else {
        received(op.revision(), op.op(), op.targetLength(), op.clientId(), op.seq(), now);
      }
    }
  }

  /**
   * An {@code ack} answers only a resubmit of an op stored before, which came among the committed
   * ops (at its commit, after a reopen, or at the reload of a recovery) and was acked there: kept
   * only for {@link #describe}.
   */
  private void resubmitAcked(ServerMessage message) {
    lastAck = "seq " + message.seq() + " at " + message.revision();
  }

  private void error(ServerMessage message) {
    lastError = message.code() + " (seq " + message.seq() + "): " + message.message();
    if ("moved".equals(message.code()) && message.url() != null) {
      follow(message.url());
    } else if ("unavailable".equals(message.code())
        && message.seq() == inFlightSeq
        && inFlight != null) {
      // the op in flight was not committed (a node stepping down answers so before its moved)
      Connection sentOn = connection;
      CompletableFuture.delayedExecutor(FIRST_PAUSE_MILLIS, TimeUnit.MILLISECONDS)
          .execute(() -> retry(sentOn, message.seq()));
    } else {
      fail("error " + message.code() + ": " + message.message());
    }
  }

  /**
   * Another node sequences the document: leave this socket for one to it, where the document
   * reopens from this editor's revision and the op in flight goes again.
   */
  private void follow(String url) {
    URI owner;
    try {
      owner = URI.create(url);
    } catch (IllegalArgumentException e) {
      fail("moved to a bad URL: " + url);
      return;
    }
    long now = System.nanoTime();
    quickMoves = now - lastMoveNanos < REDIRECTS_APART_NANOS ? quickMoves + 1 : 0;
    lastMoveNanos = now;
    moves++;
    online = false;
    LeanSockets.Socket left = connection.socket;
    connection = null; // until the next connect: nothing of the old socket counts any more
    left.close();
    long pause =
        quickMoves == 0
            ? 0
            : Math.min(LONGEST_PAUSE_MILLIS, FIRST_PAUSE_MILLIS << Math.min(quickMoves, 10));
    CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS).execute(() -> reconnect(owner));
  }

  private synchronized void reconnect(URI owner) {
    if (!closing && failure == null) {
      connect(owner);
    }
  }

  /** The op in flight, refused for now on {@code sentOn}, goes again if nothing changed since. */
  private synchronized void retry(Connection sentOn, long seq) {
    if (sentOn == connection && online && inFlight != null && inFlightSeq == seq) {
      sendInFlight();
    }
  }

  /**
   * Back online: the op in flight goes again under its seq, on the revision it is now based on
   * (kinds that keep the text transformed it against every op since, as client-java does; the
   * others did not, so it goes on the revision it was first sent on); else what was typed meanwhile
   * goes as one op.
   */
  private void sendInFlightOrOwed() {
    if (inFlight != null) {
      sendInFlight();
    } else if (owed > 0 && editing) {
      submit((int) owed);
      owed = 0;
    }
  }

  private void sendInFlight() {
    sendSubmit(kind.keepsText() ? revision : inFlightBase, inFlight, inFlightSeq);
  }

  private void acked(long ackRevision, long seq, long now) {
    if (inFlight == null || seq != inFlightSeq || ackRevision != revision + 1) {
      fail("ack of seq " + seq + " at " + ackRevision + " after revision " + revision);
      return;
    }
    revision = ackRevision;
    length += inFlight.targetLength() - inFlight.baseLength(); // only kept for insert-only kinds
    inFlight = null;
    observer.acked(this, seq, revision, inFlightSentNanos, now);
    if (inFlight == null && owed > 0 && editing && online) {
      submit((int) owed);
      owed = 0;
    }
  }

  /**
   * Another client's op, based on the revision before it. With an op in flight:
   *
   * <pre>
   *            revision
   *           /        \
   *     in flight      remote
   *           \        /
   *     remote'        in flight'   (remote' applies to the local text)
   * </pre>
   */
  private void received(
      long opRevision, TextOperation op, int targetLength, String sender, long seq, long now) {
    if (failure != null) {
      return;
    }
    if (opRevision != revision + 1) {
      fail("op at " + opRevision + " after revision " + revision);
      return;
    }
    if (kind.keepsText()) {
      TextOperation remote = op;
      if (inFlight != null) {
        Transformed pair = TextOperation.transform(inFlight, remote);
        inFlight = pair.left();
        remote = pair.right();
      }
      text = text.apply(remote);
    }
    length = targetLength;
    revision = opRevision;
    observer.received(this, sender, seq, now);
  }

  /** Sends one op: {@code keystrokes} characters typed, or one edit for an {@link Kind#EDITOR}. */
  private void submit(int keystrokes) {
    int documentLength = kind.keepsText() ? text.length() : length;
    TextOperation op =
        kind.insertsOnly()
            ? RandomEdits.typing(random, documentLength, keystrokes)
            : RandomEdits.edit(random, documentLength);
    long seq = nextSeq++;
    if (kind.keepsText()) {
      text = text.apply(op);
    }
    inFlight = op;
    inFlightSeq = seq;
    inFlightBase = revision;
    edits++;
    inFlightSentNanos = System.nanoTime();
    observer.sending(this, seq, inFlightSentNanos);
    sendSubmit(revision, op, seq);
  }

  private void sendSubmit(long base, TextOperation op, long seq) {
    send(
        "{\"type\":\"submit\",\"doc\":\""
            + docId
            + "\",\"rev\":"
            + base
            + ",\"op\":"
            + OperationJson.toJson(op)
            + ",\"seq\":"
            + seq
            + "}");
  }

  private void send(String frame) {
    connection.socket.send(frame);
  }

  private synchronized void fail(String reason) {
    if (failure == null) {
      failure = clientId + ": " + reason;
    }
    editing = false;
    opened.completeExceptionally(new IllegalStateException(failure));
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "…";
  }
}
