package dev.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Replays real editing traces as whole-document ops and compares with their end content. */
class TraceReplayTest {

  /** Traces small enough to replay on a plain String too, which costs O(document) per op. */
  static final List<String> SMALL =
      List.of("friendsforever_flat", "clownschool_flat", "sveltecomponent");

  private static final int CHUNK = 10_000;

  private static final Map<String, EditingTrace> LOADED = new ConcurrentHashMap<>();
  private static final Map<String, List<TextOperation>> OPERATIONS = new ConcurrentHashMap<>();

  private static List<TextOperation> operations(String name) {
    return OPERATIONS.computeIfAbsent(name, n -> trace(n).operations());
  }

  private static EditingTrace trace(String name) {
    return LOADED.computeIfAbsent(name, EditingTrace::load);
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("dev.tandem.ot.EditingTrace#NAMES")
  void replaysIntoTheRope(String name) {
    List<TextOperation> ops = operations(name);
    assertEquals(trace(name).patchCount(), ops.size());
    Rope rope = Rope.empty();
    for (int i = 0; i < ops.size(); i++) {
      rope = rope.apply(ops.get(i));
    }
    assertEquals(trace(name).endContent(), rope.toString(), name);
    assertTrue(rope.checkInvariants() > 0);
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("SMALL")
  void replaysIntoAString(String name) {
    String text = "";
    for (TextOperation op : operations(name)) {
      text = op.apply(text);
    }
    assertEquals(trace(name).endContent(), text, name);
  }

  /**
   * Composes the trace into one op per chunk of {@value #CHUNK} patches, then those into one op:
   * each applies to what the ones before it produced, and the whole one to the empty text.
   */
  @ParameterizedTest(name = "{0}")
  @FieldSource("dev.tandem.ot.EditingTrace#NAMES")
  void composesIntoAFewLargeOps(String name) {
    List<TextOperation> ops = operations(name);
    String endContent = trace(name).endContent();
    List<TextOperation> chunks = new ArrayList<>();
    for (int from = 0; from < ops.size(); from += CHUNK) {
      chunks.add(composeAll(ops, from, Math.min(from + CHUNK, ops.size())));
    }
    Rope rope = Rope.empty();
    for (TextOperation chunk : chunks) {
      rope = rope.apply(chunk);
    }
    assertEquals(endContent, rope.toString(), name + ": chunk ops applied to the rope");
    rope.checkInvariants();

    TextOperation whole = composeAll(chunks, 0, chunks.size());
    assertEquals(0, whole.baseLength());
    assertEquals(endContent, whole.apply(""), name + ": whole op applied to a String");
    assertEquals(endContent, Rope.empty().apply(whole).toString(), name + ": whole op, rope");
  }

  /**
   * Composes {@code ops[from, to)} pairwise, as a balanced tree: O(c log c) for c components in
   * all, where composing them one after another would cost O(c^2) on a long trace.
   */
  private static TextOperation composeAll(List<TextOperation> ops, int from, int to) {
    if (to - from == 1) {
      return ops.get(from);
    }
    int middle = (from + to) >>> 1;
    return composeAll(ops, from, middle).compose(composeAll(ops, middle, to));
  }
}
