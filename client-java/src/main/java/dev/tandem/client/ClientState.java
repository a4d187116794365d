package dev.tandem.client;

import dev.tandem.ot.TextOperation;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The ot.js client state machine of one document, as immutable values: {@link Synchronized} (the
 * server has every local edit), {@link AwaitingConfirm} (one op in flight) and {@link
 * AwaitingWithBuffer} (one op in flight, later local edits composed into a buffer).
 *
 * <p>Law: for every state and every server op {@code s} based on the server revision the state sits
 * on, with {@code step = state.applyServer(s)}, {@code apply(apply(server, s), pending')} == {@code
 * apply(local, step.toApply())}, where {@code pending} is the outstanding op composed with the
 * buffer. So a client that applies {@code toApply()} to its text and later sees its pending ops
 * committed (transformed as the server transforms them) ends with the server's text.
 *
 * <p>The client's own op is always the LEFT argument of {@code transform}, as on the server (see
 * DESIGN.md): on an insert tie the pending op's insert comes first on both sides.
 */
sealed interface ClientState {

  /** A local edit applied to the local text; {@code ids} names it if it goes in flight now. */
  ClientState applyClient(TextOperation op, Supplier<OpId> ids);

  /** A committed op of another client, based on the revision this state sits on. */
  ServerStep applyServer(TextOperation op);

  /** The in-flight op was committed; a buffer goes in flight named by {@code ids}. */
  ClientState serverAck(Supplier<OpId> ids);

  /** The same op in flight under another id: the server refused its id as used by someone else. */
  ClientState reissued(OpId id);

  /** The op in flight, if any. */
  Optional<Pending> inFlight();

  /**
   * The (client id, seq) an op is sent under: the server stores an op once per pair and answers a
   * resubmission of it with its first ack; this client recognises its own op among others' by it.
   */
  record OpId(String clientId, long seq) {}

  /** An op sent (or about to be sent) to the server under its id, kept for resubmission. */
  record Pending(TextOperation op, OpId id) {
    long seq() {
      return id.seq();
    }

    /** The same op, transformed, under the same id. */
    Pending with(TextOperation transformed) {
      return new Pending(transformed, id);
    }
  }

  /** The next state and the op to apply to the local text for one server op. */
  record ServerStep(ClientState next, TextOperation toApply) {}

  /** No local edit awaits the server. */
  record Synchronized() implements ClientState {
    @Override
    public ClientState applyClient(TextOperation op, Supplier<OpId> ids) {
      return new AwaitingConfirm(new Pending(op, ids.get()));
    }

    @Override
    public ServerStep applyServer(TextOperation op) {
      return new ServerStep(this, op);
    }

    @Override
    public ClientState serverAck(Supplier<OpId> ids) {
      throw new IllegalStateException("ack while synchronized: no op is in flight");
    }

    @Override
    public ClientState reissued(OpId id) {
      throw new IllegalStateException("reissue while synchronized: no op is in flight");
    }

    @Override
    public Optional<Pending> inFlight() {
      return Optional.empty();
    }
  }

  /**
   * One op in flight. A server op {@code s} meets it in the diamond:
   *
   * <pre>
   *              outstanding
   *     R  -------------------->  local text
   *     |                             |
   *     s                             s'   (applied to the local text)
   *     v                             v
   *    R+1 -------------------->  converged text
   *              outstanding'  (what the server will commit)
   *
   *   (outstanding', s') = transform(outstanding, s)
   * </pre>
   */
  record AwaitingConfirm(Pending outstanding) implements ClientState {
    @Override
    public ClientState applyClient(TextOperation op, Supplier<OpId> ids) {
      return new AwaitingWithBuffer(outstanding, op);
    }

    @Override
    public ServerStep applyServer(TextOperation op) {
      Ot.Pair pair = Ot.transform(outstanding.op(), op);
      return new ServerStep(
          new AwaitingConfirm(outstanding.with(pair.clientOp())), pair.serverOp());
    }

    @Override
    public ClientState serverAck(Supplier<OpId> ids) {
      return new Synchronized();
    }

    @Override
    public ClientState reissued(OpId id) {
      return new AwaitingConfirm(new Pending(outstanding.op(), id));
    }

    @Override
    public Optional<Pending> inFlight() {
      return Optional.of(outstanding);
    }
  }

  /**
   * One op in flight and a buffer of later local edits. A server op {@code s} crosses both, one
   * diamond after the other:
   *
   * <pre>
   *              outstanding               buffer
   *     R  -------------------->  .  ------------------->  local text
   *     |                         |                          |
   *     s                         s'                         s''  (applied to the local text)
   *     v                         v                          v
   *    R+1 -------------------->  .  ------------------->  converged text
   *              outstanding'              buffer'
   *
   *   (outstanding', s')  = transform(outstanding, s)
   *   (buffer', s'')      = transform(buffer, s')
   * </pre>
   */
  record AwaitingWithBuffer(Pending outstanding, TextOperation buffer) implements ClientState {
    @Override
    public ClientState applyClient(TextOperation op, Supplier<OpId> ids) {
      return new AwaitingWithBuffer(outstanding, buffer.compose(op));
    }

    @Override
    public ServerStep applyServer(TextOperation op) {
      Ot.Pair first = Ot.transform(outstanding.op(), op);
      Ot.Pair second = Ot.transform(buffer, first.serverOp());
      return new ServerStep(
          new AwaitingWithBuffer(outstanding.with(first.clientOp()), second.clientOp()),
          second.serverOp());
    }

    @Override
    public ClientState serverAck(Supplier<OpId> ids) {
      return new AwaitingConfirm(new Pending(buffer, ids.get()));
    }

    @Override
    public ClientState reissued(OpId id) {
      return new AwaitingWithBuffer(new Pending(outstanding.op(), id), buffer);
    }

    @Override
    public Optional<Pending> inFlight() {
      return Optional.of(outstanding);
    }
  }
}
