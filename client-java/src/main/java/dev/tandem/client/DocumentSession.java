package dev.tandem.client;

import dev.tandem.client.ClientState.AwaitingConfirm;
import dev.tandem.client.ClientState.AwaitingWithBuffer;
import dev.tandem.client.ClientState.OpId;
import dev.tandem.client.ClientState.Pending;
import dev.tandem.client.ClientState.ServerStep;
import dev.tandem.client.ClientState.Synchronized;
import dev.tandem.ot.Rope;
import dev.tandem.ot.TextDiff;
import dev.tandem.ot.TextOperation;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * The client side of one document, without I/O: local text, last known server revision, the {@link
 * ClientState}, the presences of others and this client's own selection. Everything it decides to
 * send or tell goes to a {@link Sink}. Not thread-safe: its owner calls it from one thread.
 *
 * <p>Invariant: {@code text} == the server text at {@code revision} with the pending ops (the
 * outstanding op, then the buffer) applied.
 */
final class DocumentSession {

  /** Where a session sends its submissions and reports what happened. */
  interface Sink {
    /**
     * Send {@code submit {rev: baseRevision, op, seq: id.seq()}} on a connection that said {@code
     * id.clientId()} in its hello; hold it if the connection says another id (it goes again at
     * {@link #goOnline()}).
     */
    void submit(long baseRevision, TextOperation op, OpId id);

    /** Send {@code presence {rev, selection, meta}}. */
    void publishPresence(long revision, List<SelectionRange> selection, Map<String, Object> meta);

    void changed(TextChange change);

    void acknowledged(long revision, long seq);

    void presence(RemotePresence presence);

    void presenceLeft(String clientId);

    /** Every local edit is committed. */
    void synchronizedNow();

    /**
     * Another client used this client's id with the seq of the op in flight (the server answered
     * {@code seq_reused}, or committed someone else's op under that pair): the op goes again under
     * the next id the session draws, so a client picks a fresh client id here.
     */
    void idTaken(OpId taken);
  }

  /** How many committed ops to keep for transforming late presence. */
  static final int HISTORY_LIMIT = 1_000;

  private final Supplier<OpId> ids;
  private final Sink sink;

  private String text = "";
  private long revision = -1;

  /**
   * The server's text at {@code revision}: what the unacknowledged edits apply to. Kept (as a rope,
   * O(log n) per op) for a resync after a prune, which rebases them onto a text whose history the
   * client never sees.
   */
  private Rope serverText = Rope.empty();

  private ClientState state = new Synchronized();
  private boolean online;

  /**
   * The id of the op in flight that a resync found not committed, or null. Its first send (on the
   * socket before the resync) may still land: it was in a group commit, or waiting on the server,
   * when the server read the seq it answered with. An op committed under this id is that op, as the
   * server transformed it through the pruned ops rather than the diff: see {@link #applyServer}.
   */
  private OpId unconfirmedAfterResync;

  /** The latest committed ops as the server committed them, oldest first. */
  private final Deque<Committed> history = new ArrayDeque<>();

  private final Map<String, RemotePresence> presences = new LinkedHashMap<>();

  /** Presence published at a revision this client has not reached yet, by client id. */
  private final Map<String, Published> early = new LinkedHashMap<>();

  private List<SelectionRange> ownSelection;
  private Map<String, Object> ownMeta = Map.of();
  private boolean ownSelectionUnpublished;

  private record Committed(long revision, TextOperation op) {}

  private record Published(
      String clientId,
      String userId,
      long revision,
      List<SelectionRange> selection,
      Map<String, Object> meta) {}

  /**
   * @param ids names each op that goes in flight: a client id and a seq that increases for it
   */
  DocumentSession(Supplier<OpId> ids, Sink sink) {
    this.ids = ids;
    this.sink = sink;
  }

  String text() {
    return text;
  }

  long revision() {
    return revision;
  }

  boolean initialized() {
    return revision >= 0;
  }

  ClientState state() {
    return state;
  }

  boolean isSynchronized() {
    return state instanceof Synchronized;
  }

  Map<String, RemotePresence> presences() {
    return Map.copyOf(presences);
  }

  /** The first {@code opened {rev, text}} of this document. */
  void initialize(long serverRevision, String serverText) {
    if (initialized()) {
      throw new IllegalStateException("document already initialized at revision " + revision);
    }
    text = serverText;
    revision = serverRevision;
    this.serverText = Rope.of(serverText);
  }

  /**
   * Replace everything local with the server's text at {@code serverRevision}, dropping pending
   * edits the server refused. Reported as a {@link TextChange.Origin#RESYNC} change.
   */
  void reset(long serverRevision, String serverText) {
    TextOperation replace =
        TextOperation.builder()
            .delete(text.codePointCount(0, text.length()))
            .insert(serverText)
            .build();
    text = serverText;
    revision = serverRevision;
    this.serverText = Rope.of(serverText);
    state = new Synchronized();
    unconfirmedAfterResync = null;
    history.clear();
    early.clear();
    transformPresences(replace);
    sink.changed(new TextChange(replace, text, revision, TextChange.Origin.RESYNC));
    sink.synchronizedNow();
  }

  /**
   * {@code opened {rev, text, resync: true, seq?}}: the revision this session knows was pruned, so
   * the ops from it to {@code headRevision} are gone. The edits the server does not have are
   * rebased onto {@code headText}: the op in flight counts as committed if {@code clientId}
   * committed a seq at least its own ({@code lastSeq}); what remains (it, or only the buffer) is
   * transformed against the diff from the server text it was made on to the head text, as if that
   * diff were the one op committed meanwhile. The local text becomes the head text with those edits
   * applied ({@link TextChange.Origin#RESYNC}), and they go in flight once online: the user keeps
   * them. An op in flight that did not land keeps its id and stays apart from the buffer: its first
   * send may still land, and then counts as it ({@link #applyServer}). See
   * docs/decisions/0006-resync-after-prune.md for what the diff can and cannot preserve.
   */
  void rebase(long headRevision, String headText, String clientId, OptionalLong lastSeq) {
    requireInitialized();
    String base = serverText.toString();
    Pending unlanded = null;
    TextOperation buffer = null;
    Optional<Pending> inFlight = state.inFlight();
    if (inFlight.isPresent()) {
      buffer = state instanceof AwaitingWithBuffer withBuffer ? withBuffer.buffer() : null;
      boolean landed =
          inFlight.get().id().clientId().equals(clientId)
              && lastSeq.isPresent()
              && lastSeq.getAsLong() >= inFlight.get().seq();
      if (landed) { // in the head text already: only the buffer is the server's to learn
        base = inFlight.get().op().apply(base);
      } else {
        unlanded = inFlight.get();
      }
    }
    TextOperation toApply = TextDiff.between(text, headText); // nothing unacknowledged: the head
    state = new Synchronized();
    unconfirmedAfterResync = null;
    if (unlanded != null || buffer != null) {
      // The op in flight and the buffer cross the diff one after the other, and stay apart: the
      // op keeps its id, and if its first send lands after all, only the buffer is left to send.
      TextOperation meanwhile = TextDiff.between(base, headText);
      if (unlanded != null) {
        Ot.Pair rebased = Ot.transform(unlanded.op(), meanwhile);
        unlanded = unlanded.with(rebased.clientOp());
        meanwhile = rebased.serverOp();
      }
      if (buffer != null) {
        Ot.Pair rebased = Ot.transform(buffer, meanwhile);
        buffer = rebased.clientOp();
        meanwhile = rebased.serverOp();
      }
      toApply = meanwhile;
      state = rebasedState(unlanded, buffer);
    }
    text = toApply.apply(text);
    revision = headRevision;
    serverText = Rope.of(headText);
    history.clear();
    early.clear();
    transformPresences(toApply);
    if (ownSelection != null) {
      ownSelection = transform(ownSelection, toApply);
    }
    sink.changed(new TextChange(toApply, text, revision, TextChange.Origin.RESYNC));
    if (isSynchronized()) {
      sink.synchronizedNow();
    }
  }

  /** What is unacknowledged after a rebase: the op that did not land (under its id), the buffer. */
  private ClientState rebasedState(Pending unlanded, TextOperation buffer) {
    boolean hasBuffer = buffer != null && !buffer.isNoop();
    if (unlanded != null && !unlanded.op().isNoop()) {
      unconfirmedAfterResync = unlanded.id();
      return hasBuffer ? new AwaitingWithBuffer(unlanded, buffer) : new AwaitingConfirm(unlanded);
    }
    return hasBuffer ? new AwaitingConfirm(new Pending(buffer, ids.get())) : new Synchronized();
  }

  /** The connection is lost: hold submissions until {@link #goOnline()}. */
  void goOffline() {
    online = false;
    early.clear();
    if (ownSelection != null) {
      ownSelectionUnpublished = true; // the server drops it with the socket: publish it again
    }
    List<String> gone = List.copyOf(presences.keySet());
    presences.clear();
    gone.forEach(sink::presenceLeft); // others publish again once this client is back
  }

  /**
   * The document is open on a live connection and caught up: resend the op in flight with its
   * original seq (the server acknowledges it once, with its original revision, if it was already
   * committed), and publish this client's selection again (the server forgot it with the old
   * socket; the others list this client from its open on, and see its caret from this on).
   */
  void goOnline() {
    online = true;
    resendOutstanding();
    flushOwnSelection();
  }

  boolean online() {
    return online;
  }

  /** Resend the op in flight if it is still the one sent as {@code id} (a retryable error). */
  void retry(OpId id) {
    if (isInFlight(id)) {
      resendOutstanding();
    }
  }

  /**
   * The server refused the op sent as {@code id} with {@code seq_reused}: another client used this
   * id and seq for a different op. The op goes again under a fresh id (see {@link Sink#idTaken}).
   *
   * @return whether that op was the one in flight (false: an old answer, nothing done)
   */
  boolean seqReused(OpId id) {
    if (!isInFlight(id)) {
      return false;
    }
    reissue();
    return true;
  }

  private void resendOutstanding() {
    if (online) {
      state.inFlight().ifPresent(p -> sink.submit(revision, p.op(), p.id()));
    }
  }

  private boolean isInFlight(OpId id) {
    return state.inFlight().map(p -> p.id().equals(id)).orElse(false);
  }

  /** The op in flight, never committed under its id, goes in flight again under a fresh one. */
  private void reissue() {
    sink.idTaken(state.inFlight().orElseThrow().id());
    state = state.reissued(ids.get());
    resendOutstanding();
  }

  /**
   * A local edit of the current local text.
   *
   * @throws dev.tandem.ot.InvalidOperationException if {@code op} does not apply to the text;
   *     nothing changes then
   */
  void applyClient(TextOperation op) {
    requireInitialized();
    String next = op.apply(text);
    boolean wasSynchronized = isSynchronized();
    text = next;
    state = state.applyClient(op, ids);
    transformPresences(op);
    if (ownSelection != null) {
      ownSelection = transform(ownSelection, op);
    }
    sink.changed(new TextChange(op, text, revision, TextChange.Origin.LOCAL));
    if (wasSynchronized) {
      resendOutstanding();
    }
  }

  /**
   * A committed op at {@code serverRevision}, live or caught up after a reconnect. This client's
   * own op (the client id and seq the op in flight was sent under, and the same op: the server
   * commits it transformed exactly as this client transformed it meanwhile) counts as its
   * acknowledgement; so is another op under that id after a resync found it not committed (its
   * first send landed after all, transformed otherwise: the rest is rebased onto it). Any other op
   * under that id and seq is someone else's use of this client's id: it is applied like any remote
   * op and the op in flight goes again under a fresh id.
   *
   * @return false if the op leaves a gap after the known revision: the caller must resync
   */
  boolean applyServer(long serverRevision, TextOperation op, String opClientId, long opSeq) {
    requireInitialized();
    if (serverRevision <= revision) {
      return true; // already seen: a duplicate delivery changes nothing
    }
    if (serverRevision != revision + 1) {
      return false;
    }
    OpId opId = new OpId(opClientId, opSeq);
    boolean sameId = isInFlight(opId);
    if (sameId && state.inFlight().orElseThrow().op().equals(op)) {
      acknowledge(serverRevision, opId);
      return true;
    }
    if (sameId && opId.equals(unconfirmedAfterResync)) {
      // The op sent before the resync landed after all, transformed through the pruned ops where
      // this client used the diff: it is in the server's text, and what follows it is rebased
      // onto that text as after a resync (its send under this id is refused: seq_reused).
      rebase(serverRevision, serverText.apply(op).toString(), opClientId, OptionalLong.of(opSeq));
      resendOutstanding();
      return true;
    }
    ServerStep step = state.applyServer(op);
    state = step.next();
    revision = serverRevision;
    serverText = serverText.apply(op);
    remember(serverRevision, op);
    text = step.toApply().apply(text);
    transformPresences(step.toApply());
    if (ownSelection != null) {
      ownSelection = transform(ownSelection, step.toApply());
    }
    sink.changed(new TextChange(step.toApply(), text, revision, TextChange.Origin.REMOTE));
    publishEarlyPresences();
    if (sameId) {
      reissue(); // the server refuses the op in flight under that pair: seq_reused
    }
    return true;
  }

  /**
   * {@code ack {rev, seq}} for the op sent as {@code id} (the seq, and the client id the connection
   * said in its hello). An ack for an op that is not in flight (a duplicate answer to a
   * resubmission whose op was already recognised among caught-up ops) changes nothing.
   */
  void acknowledge(long serverRevision, OpId id) {
    Optional<Pending> outstanding = state.inFlight();
    if (!isInFlight(id) || serverRevision <= revision) {
      return;
    }
    // the outstanding op, transformed through every op before serverRevision, is what was committed
    remember(serverRevision, outstanding.get().op());
    revision = serverRevision;
    serverText = serverText.apply(outstanding.get().op());
    state = state.serverAck(ids);
    sink.acknowledged(serverRevision, id.seq());
    publishEarlyPresences();
    if (isSynchronized()) {
      flushOwnSelection();
      sink.synchronizedNow();
    } else {
      resendOutstanding();
    }
  }

  /** This client's selection, in local coordinates; published once every local edit is acked. */
  void setOwnSelection(List<SelectionRange> selection, Map<String, Object> meta) {
    ownSelection = List.copyOf(selection);
    ownMeta = Collections.unmodifiableMap(new LinkedHashMap<>(meta));
    ownSelectionUnpublished = true;
    flushOwnSelection();
  }

  // Published only while synchronized: then local coordinates are those of the server revision,
  // so receivers transform it through exactly the ops committed after it.
  private void flushOwnSelection() {
    if (online && ownSelectionUnpublished && isSynchronized() && ownSelection != null) {
      ownSelectionUnpublished = false;
      sink.publishPresence(revision, ownSelection, ownMeta);
    }
  }

  /** Another client's {@code presence {client, user, rev, selection, meta}}. */
  void remotePresence(
      String opClientId,
      String userId,
      long atRevision,
      List<SelectionRange> selection,
      Map<String, Object> meta) {
    if (!initialized()) {
      return;
    }
    Published published = new Published(opClientId, userId, atRevision, selection, meta);
    if (atRevision > revision) {
      early.put(opClientId, published); // the ops it refers to are still on their way
      return;
    }
    early.remove(opClientId);
    place(published);
  }

  /** {@code presence {client, left: true}}. */
  void presenceLeft(String opClientId) {
    early.remove(opClientId);
    if (presences.remove(opClientId) != null) {
      sink.presenceLeft(opClientId);
    }
  }

  private void publishEarlyPresences() {
    if (early.isEmpty()) {
      return;
    }
    List<Published> due = new ArrayList<>();
    early.values().removeIf(p -> p.revision() <= revision && due.add(p));
    due.forEach(this::place);
  }

  /** Transform a selection from its revision to local coordinates, or drop it if too old. */
  private void place(Published published) {
    if (published.revision() < revision && oldestRemembered() > published.revision() + 1) {
      return; // the ops after it are no longer remembered: wait for a newer publication
    }
    try {
      List<SelectionRange> selection = published.selection();
      for (Committed committed : history) {
        if (committed.revision() > published.revision()) {
          selection = transform(selection, committed.op());
        }
      }
      Optional<Pending> outstanding = state.inFlight();
      if (outstanding.isPresent()) {
        selection = transform(selection, outstanding.get().op());
      }
      if (state instanceof ClientState.AwaitingWithBuffer withBuffer) {
        selection = transform(selection, withBuffer.buffer());
      }
      RemotePresence presence =
          new RemotePresence(published.clientId(), published.userId(), selection, published.meta());
      presences.put(published.clientId(), presence);
      sink.presence(presence);
    } catch (IllegalArgumentException outOfRange) {
      // a selection past the end of its text: ignore it rather than show it somewhere wrong
    }
  }

  private long oldestRemembered() {
    return history.isEmpty() ? revision + 1 : history.peekFirst().revision();
  }

  private void remember(long serverRevision, TextOperation op) {
    history.addLast(new Committed(serverRevision, op));
    if (history.size() > HISTORY_LIMIT) {
      history.removeFirst();
    }
  }

  private void transformPresences(TextOperation op) {
    presences.replaceAll(
        (id, p) -> new RemotePresence(id, p.userId(), transform(p.selection(), op), p.meta()));
  }

  private static List<SelectionRange> transform(List<SelectionRange> selection, TextOperation op) {
    return selection.stream().map(range -> range.transform(op)).toList();
  }

  private void requireInitialized() {
    if (!initialized()) {
      throw new IllegalStateException("document not opened yet");
    }
  }
}
