package dev.tandem.ot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes the shared test vectors in {@code src/test/resources/vectors/} (format: that folder's
 * README.md). Run by hand after changing it, never by the build:
 *
 * <pre>
 * mvn -B -q test-compile -pl ot-core
 * java -cp ot-core/target/test-classes dev.tandem.ot.VectorGenerator ot-core/src/test/resources/vectors
 * </pre>
 *
 * <p>The expected values come from {@link Reference}, a deliberately naive implementation on arrays
 * of single code point steps that shares no code with {@link TextOperation}, so the vectors check
 * TextOperation (and the JavaScript client) against an independent oracle. Hand-written cases carry
 * their own expected values, which the generator checks against the reference too.
 */
public final class VectorGenerator {
  private static final long SEED = 20261122L;
  private static final String[] ALPHABET = {"a", "b", "c", "d", "x", "y", "z", " ", "é"};
  private static final String[] ASTRAL = {"😀", "𝒳", "🎉"};

  public static void main(String[] args) throws IOException {
    Path folder = Path.of(args.length > 0 ? args[0] : "ot-core/src/test/resources/vectors");
    Files.createDirectories(folder);
    for (Map.Entry<String, List<String>> file : generate().entrySet()) {
      Path path = folder.resolve(file.getKey());
      Files.writeString(path, String.join("\n", file.getValue()) + "\n", StandardCharsets.UTF_8);
      System.out.println(path + ": " + file.getValue().size() + " cases");
    }
  }

  /** File name to lines, in a fixed order; the same every run. */
  static Map<String, List<String>> generate() {
    Random rnd = new Random(SEED);
    Map<String, List<String>> files = new LinkedHashMap<>();
    files.put("apply.jsonl", applyCases(rnd));
    files.put("compose.jsonl", composeCases(rnd));
    files.put("transform.jsonl", transformCases(rnd));
    files.put("invert.jsonl", invertCases(rnd));
    files.put("position.jsonl", positionCases(rnd));
    return files;
  }

  // apply: {"text", "op", "result"}

  private static List<String> applyCases(Random rnd) {
    List<String> lines = new ArrayList<>();
    applyCase(lines, "", ops(), "");
    applyCase(lines, "", ops("abc"), "abc");
    applyCase(lines, "hello", ops(5, " world"), "hello world");
    applyCase(lines, "hello", ops(2, "y", -2, 1), "heyo");
    applyCase(lines, "hello", ops(-5), "");
    applyCase(lines, "hello", ops("<", 5, ">"), "<hello>");
    applyCase(lines, "😀a𝒳b", ops(1, -1, 2), "😀𝒳b");
    applyCase(lines, "😀a𝒳b", ops(2, "😀", -1, 1), "😀a😀b");
    applyCase(lines, "😀a𝒳b", ops(-1, 2, -1), "a𝒳");
    applyCase(lines, "", ops("𝒳"), "𝒳");
    applyCase(lines, "a\"b\\c", ops(1, "\n\t", 4), "a\n\t\"b\\c");
    for (int i = 0; i < 60; i++) {
      String text = randomText(rnd, 12);
      List<Object> op = randomOp(rnd, text);
      applyCase(lines, text, op, Reference.apply(text, op));
    }
    return lines;
  }

  private static void applyCase(List<String> lines, String text, List<Object> op, String result) {
    requireCanonical(op);
    check(result, Reference.apply(text, op), "apply " + op + " to " + text);
    lines.add(json("text", text, "op", op, "result", result));
  }

  // compose: {"text", "a", "b", "composed"}; a applies to text, b to a's result

  private static List<String> composeCases(Random rnd) {
    List<String> lines = new ArrayList<>();
    composeCase(lines, "hello", ops(5, " world"), ops("H", -1, 10), ops("H", -1, 4, " world"));
    composeCase(lines, "abc", ops(2, "abc", 1), ops(3, -2, 1), ops(2, "a", 1));
    composeCase(lines, "", ops("😀𝒳a😀"), ops(1, -2, 1), ops("😀😀"));
    composeCase(lines, "", ops("😀𝒳a😀"), ops(1, "!", 3), ops("😀!𝒳a😀"));
    composeCase(lines, "", ops(), ops(), ops());
    composeCase(lines, "", ops("a"), ops(-1), ops());
    composeCase(lines, "ab", ops(-2), ops("xy"), ops("xy", -2));
    composeCase(lines, "abc", ops(3), ops(-3), ops(-3));
    composeCase(lines, "a𝒳c", ops(-1, 2), ops(1, "😀", 1), ops(-1, 1, "😀", 1));
    for (int i = 0; i < 60; i++) {
      String text = randomText(rnd, 12);
      List<Object> a = randomOp(rnd, text);
      List<Object> b = randomOp(rnd, Reference.apply(text, a));
      composeCase(lines, text, a, b, Reference.compose(a, b));
    }
    return lines;
  }

  private static void composeCase(
      List<String> lines, String text, List<Object> a, List<Object> b, List<Object> composed) {
    requireCanonical(a);
    requireCanonical(b);
    check(composed, Reference.compose(a, b), "compose " + a + " " + b);
    check(
        Reference.apply(Reference.apply(text, a), b),
        Reference.apply(text, composed),
        "compose law");
    lines.add(json("text", text, "a", a, "b", b, "composed", composed));
  }

  // transform: {"text", "a", "b", "a1", "b1", "result"}; a1 = a after b, b1 = b after a

  private static List<String> transformCases(Random rnd) {
    List<String> lines = new ArrayList<>();
    transformCase(lines, "xy", ops(1, "a", 1), ops(1, "b", 1), ops(1, "a", 2), ops(2, "b", 1));
    transformCase(lines, "xy", ops(1, "b", 1), ops(1, "a", 1), ops(1, "b", 2), ops(2, "a", 1));
    transformCase(lines, "abcdef", ops(1, -3, 2), ops(2, -3, 1), ops(1, -1, 1), ops(1, -1, 1));
    transformCase(lines, "abc", ops(-3), ops(-3), ops(), ops());
    transformCase(lines, "abcd", ops(-4), ops(1, -2, 1), ops(-2), ops());
    transformCase(lines, "mid", ops("<", 3), ops(3, ">"), ops("<", 4), ops(4, ">"));
    transformCase(
        lines, "mid", ops("[", 3, "]"), ops("(", 3, ")"), ops("[", 4, "]", 1), ops(1, "(", 4, ")"));
    transformCase(lines, "", ops(), ops(), ops(), ops());
    transformCase(lines, "", ops("a"), ops("b"), ops("a", 1), ops(1, "b"));
    transformCase(lines, "", ops(), ops("😀"), ops(1), ops("😀"));
    transformCase(lines, "abcd", ops(2, "X", 2), ops(1, -3), ops(1, "X"), ops(1, -1, 1, -2));
    transformCase(lines, "ab", ops(1, -1), ops(1, "X", 1), ops(2, -1), ops(1, "X"));
    transformCase(lines, "😀𝒳😀", ops(1, "𝒳", 2), ops(1, -1, 1), ops(1, "𝒳", 1), ops(2, -1, 1));
    transformCase(
        lines, "😀𝒳😀", ops(2, "😀", 1), ops(2, "𝒳", 1), ops(2, "😀", 2), ops(3, "𝒳", 1));
    for (int i = 0; i < 90; i++) {
      String text = randomText(rnd, i < 30 ? 4 : 12); // short texts: many ties and overlaps
      List<Object> a = randomOp(rnd, text);
      List<Object> b = randomOp(rnd, text);
      List<List<Object>> t = Reference.transform(a, b);
      transformCase(lines, text, a, b, t.get(0), t.get(1));
    }
    return lines;
  }

  private static void transformCase(
      List<String> lines,
      String text,
      List<Object> a,
      List<Object> b,
      List<Object> a1,
      List<Object> b1) {
    requireCanonical(a);
    requireCanonical(b);
    List<List<Object>> t = Reference.transform(a, b);
    check(a1, t.get(0), "transform a1 of " + a + " " + b);
    check(b1, t.get(1), "transform b1 of " + a + " " + b);
    String result = Reference.apply(Reference.apply(text, a), b1);
    check(result, Reference.apply(Reference.apply(text, b), a1), "convergence");
    lines.add(json("text", text, "a", a, "b", b, "a1", a1, "b1", b1, "result", result));
  }

  // invert: {"text", "op", "inverse"}; inverse applies to op's result and gives text back

  private static List<String> invertCases(Random rnd) {
    List<String> lines = new ArrayList<>();
    invertCase(lines, "a😀bc𝒳", ops(1, "x😀", -1, 2, "!", -1), ops(1, "😀", -2, 2, "𝒳", -1));
    invertCase(lines, "", ops(), ops());
    invertCase(lines, "", ops("😀a"), ops(-2));
    invertCase(lines, "abc", ops(-3), ops("abc"));
    invertCase(lines, "abc", ops(3), ops(3));
    invertCase(lines, "ab", ops("x", -2), ops("ab", -1));
    for (int i = 0; i < 50; i++) {
      String text = randomText(rnd, 12);
      List<Object> op = randomOp(rnd, text);
      invertCase(lines, text, op, Reference.invert(text, op));
    }
    return lines;
  }

  private static void invertCase(
      List<String> lines, String text, List<Object> op, List<Object> inverse) {
    requireCanonical(op);
    check(inverse, Reference.invert(text, op), "invert " + op + " on " + text);
    check(text, Reference.apply(Reference.apply(text, op), inverse), "invert law");
    lines.add(json("text", text, "op", op, "inverse", inverse));
  }

  // position: {"op", "position", "side", "result"}

  private static List<String> positionCases(Random rnd) {
    List<String> lines = new ArrayList<>();
    List<Object> edit = ops(2, "xy", 2, -2, 1);
    int[] expected = {0, 1, 2, 5, 6, 6, 6, 7};
    for (int p = 0; p <= 7; p++) {
      positionCase(lines, edit, p, "before", expected[p]);
      positionCase(lines, edit, p, "after", p == 2 ? 4 : expected[p]);
    }
    positionCase(lines, ops(1, "XY", -2, 1), 1, "before", 1);
    positionCase(lines, ops(1, "XY", -2, 1), 1, "after", 3);
    positionCase(lines, ops(1, "XY", -2, 1), 2, "before", 3);
    positionCase(lines, ops(1, "XY", -2, 1), 3, "after", 3);
    positionCase(lines, ops(), 0, "before", 0);
    positionCase(lines, ops("ab"), 0, "before", 0);
    positionCase(lines, ops("ab"), 0, "after", 2);
    positionCase(lines, ops("😀", 3, "𝒳"), 0, "after", 1);
    positionCase(lines, ops("😀", 3, "𝒳"), 3, "before", 4);
    positionCase(lines, ops("😀", 3, "𝒳"), 3, "after", 5);
    positionCase(lines, ops(-3), 2, "after", 0);
    for (int i = 0; i < 60; i++) {
      String text = randomText(rnd, 12);
      List<Object> op = randomOp(rnd, text);
      int position = rnd.nextInt(text.codePointCount(0, text.length()) + 1);
      String side = rnd.nextBoolean() ? "before" : "after";
      positionCase(lines, op, position, side, Reference.transformPosition(op, position, side));
    }
    return lines;
  }

  private static void positionCase(
      List<String> lines, List<Object> op, int position, String side, int result) {
    requireCanonical(op);
    check(result, Reference.transformPosition(op, position, side), "position in " + op);
    lines.add(json("op", op, "position", position, "side", side, "result", result));
  }

  // Random inputs

  private static String randomText(Random rnd, int maxLength) {
    int length = rnd.nextInt(maxLength + 1);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < length; i++) {
      out.append(
          rnd.nextInt(6) == 0
              ? ASTRAL[rnd.nextInt(ASTRAL.length)]
              : ALPHABET[rnd.nextInt(ALPHABET.length)]);
    }
    return out.toString();
  }

  /** A canonical random op on text, as runs of up to 4 code points; one insert in five astral. */
  private static List<Object> randomOp(Random rnd, String text) {
    int length = text.codePointCount(0, text.length());
    List<int[]> units = new ArrayList<>();
    int spanned = 0;
    while (spanned < length) {
      int run = 1 + rnd.nextInt(Math.min(length - spanned, 4));
      int kind = rnd.nextInt(5);
      if (kind == 0) {
        addInsert(rnd, units);
      } else {
        for (int i = 0; i < run; i++) {
          units.add(kind == 1 ? Reference.DELETE : Reference.RETAIN);
        }
        spanned += run;
      }
    }
    if (rnd.nextInt(3) == 0) {
      addInsert(rnd, units);
    }
    return Reference.canonical(units);
  }

  private static void addInsert(Random rnd, List<int[]> units) {
    int length = 1 + rnd.nextInt(3);
    boolean astral = rnd.nextInt(5) == 0;
    for (int i = 0; i < length; i++) {
      String c =
          astral && i == 0
              ? ASTRAL[rnd.nextInt(ASTRAL.length)]
              : ALPHABET[rnd.nextInt(ALPHABET.length)];
      units.add(new int[] {'I', c.codePointAt(0)});
    }
  }

  // Checks and JSON output

  static List<Object> ops(Object... components) {
    return Arrays.asList(components);
  }

  private static void requireCanonical(List<Object> op) {
    check(op, Reference.canonical(Reference.units(op)), "canonical form");
  }

  private static void check(Object expected, Object actual, String what) {
    if (!expected.equals(actual)) {
      throw new AssertionError(
          what + ": expected " + expected + " but the reference gives " + actual);
    }
  }

  /** A one-line JSON object of the given keys and values (strings, integers, lists of them). */
  private static String json(Object... keysAndValues) {
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < keysAndValues.length; i += 2) {
      if (i > 0) {
        out.append(',');
      }
      writeJson(out, keysAndValues[i]);
      out.append(':');
      writeJson(out, keysAndValues[i + 1]);
    }
    return out.append('}').toString();
  }

  private static void writeJson(StringBuilder out, Object value) {
    if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        writeJson(out, list.get(i));
      }
      out.append(']');
    } else if (value instanceof String text) {
      out.append('"');
      for (char c : text.toCharArray()) {
        if (c == '"' || c == '\\') {
          out.append('\\').append(c);
        } else if (c == '\n') {
          out.append("\\n");
        } else if (c == '\t') {
          out.append("\\t");
        } else if (c < 0x20) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      out.append('"');
    } else {
      out.append(value); // an Integer
    }
  }

  /**
   * The oracle: an operation expanded into single code point steps, {@code RETAIN}, {@code DELETE}
   * or {@code {'I', codePoint}}, where every algorithm is a plain walk, one step at a time.
   */
  static final class Reference {
    static final int[] RETAIN = {'R'};
    static final int[] DELETE = {'D'};

    /** Steps from the wire form: n retains, -n deletes, a string inserts. */
    static List<int[]> units(List<Object> op) {
      List<int[]> units = new ArrayList<>();
      for (Object component : op) {
        if (component instanceof String text) {
          text.codePoints().forEach(c -> units.add(new int[] {'I', c}));
        } else {
          int n = (Integer) component;
          for (int i = 0; i < Math.abs(n); i++) {
            units.add(n > 0 ? RETAIN : DELETE);
          }
        }
      }
      return units;
    }

    /**
     * The canonical wire form of steps: between two retains, all inserted code points in order as
     * one string, then all deletes as one count.
     */
    static List<Object> canonical(List<int[]> units) {
      List<Object> out = new ArrayList<>();
      int retained = 0;
      StringBuilder inserted = new StringBuilder();
      int deleted = 0;
      for (int[] unit : units) {
        if (unit[0] == 'R') {
          if (inserted.length() > 0 || deleted > 0) {
            flush(out, inserted, deleted);
            inserted.setLength(0);
            deleted = 0;
          }
          retained++;
        } else {
          if (retained > 0) {
            out.add(retained);
            retained = 0;
          }
          if (unit[0] == 'D') {
            deleted++;
          } else {
            inserted.appendCodePoint(unit[1]);
          }
        }
      }
      flush(out, inserted, deleted);
      if (retained > 0) {
        out.add(retained);
      }
      return out;
    }

    private static void flush(List<Object> out, StringBuilder inserted, int deleted) {
      if (inserted.length() > 0) {
        out.add(inserted.toString());
      }
      if (deleted > 0) {
        out.add(-deleted);
      }
    }

    static String apply(String text, List<Object> op) {
      int[] codePoints = text.codePoints().toArray();
      StringBuilder out = new StringBuilder();
      int at = 0;
      for (int[] unit : units(op)) {
        if (unit[0] == 'R') {
          out.appendCodePoint(codePoints[at++]);
        } else if (unit[0] == 'D') {
          at++;
        } else {
          out.appendCodePoint(unit[1]);
        }
      }
      check(codePoints.length, at, "op spans the text");
      return out.toString();
    }

    static List<Object> compose(List<Object> a, List<Object> b) {
      List<int[]> first = units(a);
      List<int[]> second = units(b);
      List<int[]> out = new ArrayList<>();
      int i = 0;
      int j = 0;
      while (i < first.size() || j < second.size()) {
        if (i < first.size() && first.get(i)[0] == 'D') {
          out.add(DELETE);
          i++;
        } else if (j < second.size() && second.get(j)[0] == 'I') {
          out.add(second.get(j++));
        } else {
          int[] x = first.get(i++);
          int[] y = second.get(j++);
          if (y[0] == 'R') {
            out.add(x); // a kept or inserted code point that b keeps
          } else if (x[0] == 'R') {
            out.add(DELETE); // b deletes a kept code point; one a inserted just vanishes
          }
        }
      }
      return canonical(out);
    }

    /** [a1, b1]: a after b, b after a; a's insert first on a tie. */
    static List<List<Object>> transform(List<Object> a, List<Object> b) {
      List<int[]> left = units(a);
      List<int[]> right = units(b);
      List<int[]> leftOut = new ArrayList<>();
      List<int[]> rightOut = new ArrayList<>();
      int i = 0;
      int j = 0;
      while (i < left.size() || j < right.size()) {
        if (i < left.size() && left.get(i)[0] == 'I') {
          leftOut.add(left.get(i++));
          rightOut.add(RETAIN);
        } else if (j < right.size() && right.get(j)[0] == 'I') {
          leftOut.add(RETAIN);
          rightOut.add(right.get(j++));
        } else {
          int[] x = left.get(i++);
          int[] y = right.get(j++);
          if (x[0] == 'R' && y[0] == 'R') {
            leftOut.add(RETAIN);
            rightOut.add(RETAIN);
          } else if (x[0] == 'R') {
            rightOut.add(DELETE);
          } else if (y[0] == 'R') {
            leftOut.add(DELETE);
          }
        }
      }
      return List.of(canonical(leftOut), canonical(rightOut));
    }

    static List<Object> invert(String text, List<Object> op) {
      int[] codePoints = text.codePoints().toArray();
      List<int[]> out = new ArrayList<>();
      int at = 0;
      for (int[] unit : units(op)) {
        if (unit[0] == 'R') {
          out.add(RETAIN);
          at++;
        } else if (unit[0] == 'D') {
          out.add(new int[] {'I', codePoints[at++]});
        } else {
          out.add(DELETE);
        }
      }
      return canonical(out);
    }

    /** The number of target code points before the cursor at base position {@code position}. */
    static int transformPosition(List<Object> op, int position, String side) {
      int base = 0;
      int result = 0;
      for (int[] unit : units(op)) {
        if (unit[0] == 'I') {
          if (base < position || (base == position && side.equals("after"))) {
            result++;
          }
        } else {
          if (unit[0] == 'R' && base < position) {
            result++;
          }
          base++;
        }
      }
      return result;
    }
  }
}
