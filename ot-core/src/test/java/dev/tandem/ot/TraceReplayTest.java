package dev.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
