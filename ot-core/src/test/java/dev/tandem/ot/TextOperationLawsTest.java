package dev.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The laws of {@link TextOperation} and {@link OperationJson} on seeded random texts and operations
 * ({@link RandomOps}): {@value #SEEDS} seeds of {@value #CASES_PER_SEED} cases each per law. Every
 * failure message starts with the seed and the case, and names the texts and operations, so it
 * replays.
 */
class TextOperationLawsTest {
  static final int SEEDS = 100;
  static final int CASES_PER_SEED = 50;

  static LongStream seeds() {
    return LongStream.range(0, SEEDS).map(i -> 0x5EED_0000L + i);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void applyGivesTheTargetLength(long seed) {
    forEachCase(
        seed,
        (rnd, where) -> {
          String s = RandomOps.text(rnd, 30);
          TextOperation a = RandomOps.operation(rnd, s);
          String result = a.apply(s);
          assertEquals(a.targetLength(), CodePoints.count(result), () -> where.with(s, a));
          assertEquals(CodePoints.count(s), a.baseLength(), () -> where.with(s, a));
        });
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void composeThenApplyEqualsApplyThenApply(long seed) {
    forEachCase(
        seed,
        (rnd, where) -> {
          String s = RandomOps.text(rnd, 30);
          TextOperation a = RandomOps.operation(rnd, s);
          String afterA = a.apply(s);
          TextOperation b = RandomOps.operation(rnd, afterA);
          TextOperation ab = a.compose(b);
          Supplier<String> detail = () -> where.with(s, a, b) + ", a.compose(b) = " + ab;
          assertEquals(b.apply(afterA), ab.apply(s), detail);
          assertEquals(a.baseLength(), ab.baseLength(), detail);
          assertEquals(b.targetLength(), ab.targetLength(), detail);
          assertCanonical(ab, detail);
        });
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void transformConverges(long seed) {
    forEachCase(
        seed,
        (rnd, where) -> {
          String s = RandomOps.text(rnd, 20);
          TextOperation a = RandomOps.operation(rnd, s);
          TextOperation b = RandomOps.operation(rnd, s);
          Transformed t = TextOperation.transform(a, b);
          Supplier<String> detail = () -> where.with(s, a, b) + ", transformed = " + t;
          assertEquals(t.right().apply(a.apply(s)), t.left().apply(b.apply(s)), detail);
          assertEquals(a.compose(t.right()), b.compose(t.left()), detail);
          assertCanonical(t.left(), detail);
          assertCanonical(t.right(), detail);
        });
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void transformLeftOfAKeystrokeIsTheLeftOfTransform(long seed) {
    forEachCase(
        seed,
        (rnd, where) -> {
          String s = RandomOps.text(rnd, 20);
          TextOperation a = keystroke(rnd, s.codePointCount(0, s.length())); // the fast paths
          TextOperation b = RandomOps.operation(rnd, s);
          TextOperation left = TextOperation.transformLeft(a, b);
          assertEquals(TextOperation.transform(a, b).left(), left, () -> where.with(s, a, b));
          assertCanonical(left, () -> where.with(s, a, b));
        });
  }

  /**
   * A server's rebase of one op over a run of concurrent keystrokes and backspaces on a short text
   * (so that texts empty out): transformLeft step by step equals transform's left side, including
   * on the ops transformLeft itself produced.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void transformLeftChainsLikeTransform(long seed) {
    forEachCase(
        seed,
        (rnd, where) -> {
          String s = RandomOps.text(rnd, 3);
          TextOperation fast = keystroke(rnd, s.codePointCount(0, s.length()));
          TextOperation slow = fast;
          String text = s;
          for (int i = 0; i < 6; i++) {
            TextOperation concurrent = keystroke(rnd, text.codePointCount(0, text.length()));
            TextOperation before = fast;
            fast = TextOperation.transformLeft(fast, concurrent);
            slow = TextOperation.transform(slow, concurrent).left();
            String at = text;
            assertEquals(slow, fast, () -> where.with(at, before, concurrent));
            text = concurrent.apply(text);
          }
        });
  }

  /** One typed character or one backspace (when there is text), at a random place. */
  private static TextOperation keystroke(Random rnd, int length) {
    if (length > 0 && rnd.nextBoolean()) {
      int at = rnd.nextInt(length);
      return TextOperation.builder().retain(at).delete(1).retain(length - at - 1).build();
    }
    return RandomOps.insertAt(rnd.nextInt(length + 1), RandomOps.insertText(rnd), length);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void transformLeftIsTheLeftOfTransform(long seed) {
    forEachCase(
        seed,
        (rnd, where) -> {
          String s = RandomOps.text(rnd, 20);
          TextOperation a = RandomOps.operation(rnd, s);
          TextOperation b = RandomOps.operation(rnd, s);
          assertEquals(
              TextOperation.transform(a, b).left(),
              TextOperation.transformLeft(a, b),
              () -> where.with(s, a, b));
        });
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void invertRoundTrips(long seed) {
    forEachCase(
        seed,
        (rnd, where) -> {
          String s = RandomOps.text(rnd, 30);
          TextOperation a = RandomOps.operation(rnd, s);
          String after = a.apply(s);
          TextOperation inverse = a.invert(s);
          Supplier<String> detail = () -> where.with(s, a) + ", inverse = " + inverse;
          assertEquals(s, inverse.apply(after), detail);
          assertEquals(a, inverse.invert(after), detail);
          assertEquals(s, a.compose(inverse).apply(s), detail);
          assertCanonical(inverse, detail);
        });
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void builderOutputIsCanonicalAndKeepsTheEffect(long seed) {
    forEachCase(
        seed,
        (rnd, where) -> {
          String s = RandomOps.text(rnd, 30);
          // Components in any order, empty ones included: a delete may come before an insert.
          List<Object> raw = new ArrayList<>();
          TextOperation.Builder builder = TextOperation.builder();
          int left = CodePoints.count(s);
          while (left > 0 || rnd.nextInt(4) == 0) {
            int kind = rnd.nextInt(3);
            int n = left == 0 ? 0 : rnd.nextInt(Math.min(left, 5) + 1);
            if (kind == 0) {
              String text = rnd.nextInt(6) == 0 ? "" : RandomOps.insertText(rnd);
              raw.add(text);
              builder.insert(text);
            } else if (kind == 1) {
              raw.add(n);
              builder.retain(n);
              left -= n;
            } else {
              raw.add(-n);
              builder.delete(n);
              left -= n;
            }
          }
          TextOperation op = builder.build();
          Supplier<String> detail = () -> where.with(s, op) + ", components given = " + raw;
          assertCanonical(op, detail);
          assertEquals(naiveApply(s, raw), op.apply(s), detail);
        });
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void transformPositionFollowsTheKeptCodePoints(long seed) {
    forEachCase(
        seed,
        (rnd, where) -> {
          String s = RandomOps.text(rnd, 30);
          TextOperation a = RandomOps.operation(rnd, s);
          int[] before = s.codePoints().toArray();
          int[] after = a.apply(s).codePoints().toArray();
          boolean[] kept = keptCodePoints(a);
          int previous = 0;
          for (int p = 0; p <= before.length; p++) {
            int moved = a.transformPosition(p, Side.AFTER);
            int position = p;
            Supplier<String> detail =
                () -> where.with(s, a) + ", position " + position + " -> " + moved;
            assertTrue(
                moved >= previous && moved <= after.length,
                () -> detail.get() + " (monotonic, in range)");
            assertTrue(
                a.transformPosition(p, Side.BEFORE) <= moved,
                () -> detail.get() + " (BEFORE <= AFTER)");
            if (p < before.length && kept[p]) {
              assertEquals(before[p], after[moved], detail);
            }
            previous = moved;
          }
        });
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void transformPositionAgreesWithTransformOnTies(long seed) {
    forEachCase(
        seed,
        (rnd, where) -> {
          String s = RandomOps.text(rnd, 20);
          TextOperation a = RandomOps.operation(rnd, s);
          int length = CodePoints.count(s);
          int p = rnd.nextInt(length + 1);
          TextOperation cursor = RandomOps.insertAt(p, "#", length);
          String afterA = a.apply(s);
          Supplier<String> detail = () -> where.with(s, a) + ", position " + p;
          String asLeft = TextOperation.transform(cursor, a).left().apply(afterA);
          String asRight = TextOperation.transform(a, cursor).right().apply(afterA);
          assertEquals(markerPosition(asLeft, afterA), a.transformPosition(p, Side.BEFORE), detail);
          assertEquals(markerPosition(asRight, afterA), a.transformPosition(p, Side.AFTER), detail);
        });
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void jsonRoundTrips(long seed) {
    forEachCase(
        seed,
        (rnd, where) -> {
          String s = RandomOps.text(rnd, 30);
          TextOperation a = RandomOps.operation(rnd, s);
          String json = OperationJson.toJson(a);
          Supplier<String> detail = () -> where.with(s, a) + ", json = " + json;
          assertEquals(a, OperationJson.parse(json), detail);
          List<Object> values = new ArrayList<>();
          for (Component component : a.components()) {
            values.add(
                component instanceof Insert insert
                    ? insert.text()
                    : component instanceof Retain retain ? retain.count() : -component.length());
          }
          assertEquals(a, OperationJson.fromValues(values), detail);
        });
  }

  // Helpers

  interface Case {
    void run(Random rnd, Where where);
  }

  /** The seed and case of a failure, and a description of its inputs. */
  record Where(long seed, int index) {
    String with(String text, TextOperation... ops) {
      StringBuilder out = new StringBuilder();
      out.append("seed ").append(seed).append(" case ").append(index);
      out.append(": text = ")
          .append(OperationJson.toJson(TextOperation.builder().insert(text).build()));
      char name = 'a';
      for (TextOperation op : ops) {
        out.append(", ").append(name++).append(" = ").append(OperationJson.toJson(op));
      }
      return out.toString();
    }
  }

  static void forEachCase(long seed, Case body) {
    Random rnd = new Random(seed);
    for (int i = 0; i < CASES_PER_SEED; i++) {
      body.run(rnd, new Where(seed, i));
    }
  }

  /** No empty component, no two neighbours of the same kind, no insert right after a delete. */
  static void assertCanonical(TextOperation op, Supplier<String> detail) {
    List<Component> components = op.components();
    for (int i = 0; i < components.size(); i++) {
      Component c = components.get(i);
      int index = i;
      assertTrue(c.length() > 0, () -> detail.get() + ": empty component " + index + " in " + op);
      if (i > 0) {
        Component previous = components.get(i - 1);
        assertTrue(
            previous.getClass() != c.getClass(),
            () -> detail.get() + ": same kind at " + index + " in " + op);
        assertTrue(
            !(previous instanceof Delete && c instanceof Insert),
            () -> detail.get() + ": insert after delete at " + index + " in " + op);
      }
    }
  }

  /** Applies components given in any order, empty ones included, on code point arrays. */
  static String naiveApply(String text, List<Object> components) {
    int[] codePoints = text.codePoints().toArray();
    StringBuilder out = new StringBuilder();
    int at = 0;
    for (Object component : components) {
      if (component instanceof String inserted) {
        out.append(inserted);
      } else if ((Integer) component >= 0) {
        int n = (Integer) component;
        out.append(new String(codePoints, at, n));
        at += n;
      } else {
        at -= (Integer) component;
      }
    }
    assertEquals(codePoints.length, at, "naive apply spans the text");
    return out.toString();
  }

  /** For each code point of the base text, whether the operation keeps it. */
  static boolean[] keptCodePoints(TextOperation op) {
    boolean[] kept = new boolean[op.baseLength()];
    int at = 0;
    for (Component component : op.components()) {
      if (component instanceof Retain retain) {
        for (int i = 0; i < retain.count(); i++) {
          kept[at++] = true;
        }
      } else if (component instanceof Delete delete) {
        at += delete.count();
      }
    }
    return kept;
  }

  /** The code point position of the one marker '#' that {@code marked} has and plain has not. */
  static int markerPosition(String marked, String plain) {
    int[] a = marked.codePoints().toArray();
    int[] b = plain.codePoints().toArray();
    assertEquals(b.length + 1, a.length, "marked text has one more code point");
    int i = 0;
    while (i < b.length && a[i] == b[i]) {
      i++;
    }
    // The marker sits at the first difference, or later inside a run of equal code points; '#' is
    // not in the generators' alphabet, so the first difference is the marker itself.
    assertEquals('#', a[i], "marker at the first difference");
    return i;
  }
}
