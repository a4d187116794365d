package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.client.ClientState.AwaitingConfirm;
import dev.tandem.client.ClientState.AwaitingWithBuffer;
import dev.tandem.client.ClientState.OpId;
import dev.tandem.client.ClientState.Pending;
import dev.tandem.client.ClientState.ServerStep;
import dev.tandem.client.ClientState.Synchronized;
import dev.tandem.ot.TextOperation;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ClientStateTest {
  private static OpId id(long seq) {
    return new OpId("me", seq);
  }

  private final AtomicLong seqs = new AtomicLong(1);
  private final Supplier<OpId> nextSeq = () -> id(seqs.getAndIncrement());

  private static TextOperation insert(int before, String text, int after) {
    TextOperation.Builder op = TextOperation.builder();
    if (before > 0) {
      op.retain(before);
    }
    op.insert(text);
    if (after > 0) {
      op.retain(after);
    }
    return op.build();
  }

  @Test
  void firstLocalEditGoesInFlightWithTheNextSeq() {
    ClientState state = new Synchronized().applyClient(insert(0, "a", 3), nextSeq);
    assertEquals(new AwaitingConfirm(new Pending(insert(0, "a", 3), id(1))), state);
  }

  @Test
  void laterLocalEditsComposeIntoTheBuffer() {
    ClientState state =
        new Synchronized()
            .applyClient(insert(0, "a", 3), nextSeq)
            .applyClient(insert(4, "b", 0), nextSeq)
            .applyClient(insert(5, "😀", 0), nextSeq);
    assertEquals(
        new AwaitingWithBuffer(new Pending(insert(0, "a", 3), id(1)), insert(4, "b😀", 0)), state);
  }

  @Test
  void ackSendsTheBufferWithAFreshSeqThenSynchronizes() {
    ClientState state =
        new Synchronized()
            .applyClient(insert(0, "a", 3), nextSeq)
            .applyClient(insert(4, "b", 0), nextSeq);
    ClientState afterFirstAck = state.serverAck(nextSeq);
    assertEquals(new AwaitingConfirm(new Pending(insert(4, "b", 0), id(2))), afterFirstAck);
    assertInstanceOf(Synchronized.class, afterFirstAck.serverAck(nextSeq));
  }

  @Test
  void ackWhileSynchronizedIsABug() {
    assertThrows(IllegalStateException.class, () -> new Synchronized().serverAck(nextSeq));
  }

  @Test
  void ownInsertComesFirstOnATie() {
    // both insert at 0 of "xyz": the client's op is the left argument, so its insert goes first
    ClientState state = new Synchronized().applyClient(insert(0, "A", 3), nextSeq);
    ServerStep step = state.applyServer(insert(0, "B", 3));
    assertEquals("ABxyz", step.toApply().apply("Axyz"));
    assertEquals(new AwaitingConfirm(new Pending(insert(0, "A", 4), id(1))), step.next());
  }

  @Test
  void serverOpCrossesOutstandingAndBuffer() {
    String server = "hello";
    ClientState state =
        new Synchronized()
            .applyClient(insert(5, " world", 0), nextSeq) // hello world
            .applyClient(insert(11, "!", 0), nextSeq); // hello world!
    TextOperation remote = TextOperation.builder().delete(1).insert("J").retain(4).build();
    ServerStep step = state.applyServer(remote);
    assertEquals("Jello world!", step.toApply().apply("hello world!"));
    AwaitingWithBuffer next = assertInstanceOf(AwaitingWithBuffer.class, step.next());
    assertEquals(
        "Jello world!", next.buffer().apply(next.outstanding().op().apply(remote.apply(server))));
    assertEquals(1, next.outstanding().seq(), "the op in flight keeps its seq");
  }

  static LongStream seeds() {
    return LongStream.rangeClosed(1, 300);
  }

  /** The diamond law: local text + server op' == server text + pending ops'. */
  @ParameterizedTest
  @MethodSource("seeds")
  void transformedPendingOpsConvergeWithTheServer(long seed) {
    Random random = new Random(seed);
    RandomEdits edits = new RandomEdits(random);
    String server = edits.fresh(random.nextInt(12));
    String local = server;
    ClientState state = new Synchronized();
    for (int i = random.nextInt(4); i > 0; i--) {
      TextOperation op = edits.operation(local);
      local = op.apply(local);
      state = state.applyClient(op, nextSeq);
    }
    for (int i = 1 + random.nextInt(4); i > 0; i--) {
      TextOperation remote = edits.operation(server);
      server = remote.apply(server);
      ServerStep step = state.applyServer(remote);
      local = step.toApply().apply(local);
      state = step.next();
      assertEquals(local, pendingApplied(state, server), "seed " + seed);
    }
  }

  private static String pendingApplied(ClientState state, String server) {
    if (state instanceof AwaitingConfirm confirm) {
      return confirm.outstanding().op().apply(server);
    }
    if (state instanceof AwaitingWithBuffer withBuffer) {
      return withBuffer.buffer().apply(withBuffer.outstanding().op().apply(server));
    }
    return server;
  }
}
