package dev.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RopeTest {

  private static final String[] ASTRAL = {"😀", "𝒳", "👍🏽", "🇫🇷", "𐍈"};

  @Test
  void emptyRope() {
    Rope empty = Rope.empty();
    assertEquals("", empty.toString());
    assertEquals(0, empty.length());
    assertTrue(empty.isEmpty());
    assertSame(empty, Rope.of(""));
  }

  @Test
  void insertsAtBothEndsAndInTheMiddle() {
    Rope rope = Rope.of("bd").insert(0, "a").insert(2, "c").insert(4, "e");
    assertEquals("abcde", rope.toString());
    assertEquals(5, rope.length());
  }

  @Test
  void lengthsCountCodePoints() {
    Rope rope = Rope.of("a😀b𝒳");
    assertEquals(4, rope.length());
    assertEquals(6, rope.toString().length());
    assertEquals("😀b", rope.substring(1, 3));
    assertEquals("a😀!b𝒳", rope.insert(2, "!").toString());
    assertEquals("ab𝒳", rope.delete(1, 1).toString());
    assertEquals("a😀bx", rope.replace(3, 4, "x").toString());
  }

  @Test
  void editsLeaveTheOriginalUnchanged() {
    Rope original = Rope.of("hello world");
    Rope edited = original.replace(0, 5, "goodbye");
    assertEquals("goodbye world", edited.toString());
    assertEquals("hello world", original.toString());
  }

  @Test
  void longTextIsChunkedWithoutCuttingSurrogatePairs() {
    // Every chunk boundary falls next to an astral character, whatever the chunk size.
    String text = "😀".repeat(Rope.MAX_CHUNK * 3 + 1) + "a" + "𝒳".repeat(Rope.MAX_CHUNK);
    Rope rope = Rope.of(text);
    assertTrue(rope.checkInvariants() > 4);
    assertEquals(text, rope.toString());
    assertEquals(text.codePointCount(0, text.length()), rope.length());
    Rope shifted = rope.insert(1, "b").insert(Rope.MAX_CHUNK, "c");
    shifted.checkInvariants();
    assertEquals(
        "😀b" + "😀".repeat(Rope.MAX_CHUNK - 2) + "c" + "😀".repeat(2 * Rope.MAX_CHUNK + 2),
        shifted.substring(0, 3 * Rope.MAX_CHUNK + 3));
  }

  @Test
  void deletingEverythingLeavesTheEmptyRope() {
    Rope rope = Rope.of("x".repeat(5 * Rope.MAX_CHUNK));
    Rope emptied = rope.delete(0, rope.length());
    assertTrue(emptied.isEmpty());
    assertEquals("", emptied.toString());
  }

  @Test
  void noopEditReturnsTheSameRope() {
    Rope rope = Rope.of("abc");
    assertSame(rope, rope.insert(1, ""));
    assertSame(rope, rope.delete(2, 0));
  }

  @Test
  void rejectsLoneSurrogates() {
    Rope rope = Rope.of("abc");
    InvalidOperationException high =
        assertThrows(InvalidOperationException.class, () -> rope.insert(1, "x\uD83D"));
    assertEquals(
        "text has a lone surrogate U+D83D at UTF-16 index 1 (expected well-formed UTF-16)",
        high.getMessage());
    assertThrows(InvalidOperationException.class, () -> rope.insert(1, "\uDE00y"));
    assertThrows(InvalidOperationException.class, () -> Rope.of("\uDE00\uD83D"));
  }

  @Test
  void rejectsRangesOutsideTheDocument() {
    Rope rope = Rope.of("a😀c");
    IndexOutOfBoundsException past =
        assertThrows(IndexOutOfBoundsException.class, () -> rope.insert(4, "x"));
    assertEquals("range [4, 4) (expected: within [0, 3])", past.getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> rope.insert(-1, "x"));
    assertThrows(IndexOutOfBoundsException.class, () -> rope.delete(2, 2));
    assertThrows(IndexOutOfBoundsException.class, () -> rope.delete(1, -1));
    assertThrows(IndexOutOfBoundsException.class, () -> rope.substring(2, 1));
  }

  @Test
  void appliesAnOperation() {
    Rope rope = Rope.of("hello 😀 world");
    TextOperation op =
        TextOperation.builder()
            .retain(6)
            .delete(1)
            .insert("𝒳𝒳")
            .retain(3)
            .insert("!")
            .delete(3)
            .build();
    assertEquals("hello 𝒳𝒳 wo!", rope.apply(op).toString());
    assertEquals("hello 😀 world", rope.toString());
  }

  @Test
  void applyRejectsABaseLengthMismatch() {
    Rope rope = Rope.of("a😀c");
    TextOperation op = TextOperation.builder().retain(4).insert("x").build();
    InvalidOperationException mismatch =
        assertThrows(InvalidOperationException.class, () -> rope.apply(op));
    assertEquals("op base length 4 does not match text length 3", mismatch.getMessage());
  }

  @Test
  void applyingANoopReturnsTheSameRope() {
    Rope rope = Rope.of("abc");
    assertSame(rope, rope.apply(TextOperation.builder().retain(3).build()));
    assertSame(Rope.empty(), Rope.empty().apply(TextOperation.builder().build()));
  }

  /** Random whole-document ops, chained, against TextOperation.apply on a String. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void applyMatchesTextOperationApply(int seed) {
    Random random = new Random(seed);
    String text = randomText(random, random.nextInt(2 * Rope.MAX_CHUNK));
    Rope rope = Rope.of(text);
    for (int step = 0; step < 200; step++) {
      TextOperation op = randomOperation(random, text.codePointCount(0, text.length()));
      text = op.apply(text);
      rope = rope.apply(op);
      assertEquals(text, rope.toString(), "seed " + seed + ", step " + step + ", op " + op);
    }
    rope.checkInvariants();
  }

  /** A random op on a text of {@code length} code points: few components, some long. */
  private static TextOperation randomOperation(Random random, int length) {
    TextOperation.Builder op = TextOperation.builder();
    int remaining = length;
    while (remaining > 0) {
      int kind = random.nextInt(5);
      if (kind == 0) {
        op.insert(randomText(random, 1 + pickSize(random)));
        continue;
      }
      int count = 1 + random.nextInt(Math.min(remaining, 1 + pickSize(random)));
      if (kind == 1) {
        op.delete(count);
      } else if (kind == 2) {
        op.retain(remaining); // most real ops touch one place
        count = remaining;
      } else {
        op.retain(count);
      }
      remaining -= count;
    }
    if (random.nextBoolean()) {
      op.insert(randomText(random, 1 + pickSize(random)));
    }
    return op.build();
  }

  static IntStream seeds() {
    return IntStream.range(0, 25);
  }

  /** Random edits, small and large, against a plain String model. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomEditsMatchAStringModel(int seed) {
    Random random = new Random(seed);
    String model = randomText(random, random.nextInt(3 * Rope.MAX_CHUNK));
    Rope rope = Rope.of(model);
    for (int step = 0; step < 1000; step++) {
      int length = model.codePointCount(0, model.length());
      int from = random.nextInt(length + 1);
      int to = from + random.nextInt(Math.min(length - from, pickSize(random)) + 1);
      // Keep the document a few chunks long so that the String model stays cheap.
      boolean shrink = random.nextInt(3) == 0 || length > 8 * Rope.MAX_CHUNK;
      String text = shrink ? "" : randomText(random, pickSize(random));
      Rope before = rope;
      String beforeText = model;
      rope = rope.replace(from, to, text);
      model =
          model.substring(0, model.offsetByCodePoints(0, from))
              + text
              + model.substring(model.offsetByCodePoints(0, to));
      String context = "seed " + seed + ", step " + step + ", replace [" + from + ", " + to + ")";
      assertEquals(model.codePointCount(0, model.length()), rope.length(), context);
      if (step % 50 == 0) {
        assertEquals(model, rope.toString(), context);
        assertEquals(beforeText, before.toString(), context + ": snapshot changed");
        rope.checkInvariants();
        int a = random.nextInt(rope.length() + 1);
        int b = a + random.nextInt(rope.length() - a + 1);
        assertEquals(
            model.substring(model.offsetByCodePoints(0, a), model.offsetByCodePoints(0, b)),
            rope.substring(a, b),
            context + ", substring [" + a + ", " + b + ")");
      }
    }
    assertEquals(model, rope.toString(), "seed " + seed);
    rope.checkInvariants();
  }

  /** Keystroke-like edits: mostly one character near the previous one; chunks fill and split. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void typingMatchesAStringModel(int seed) {
    Random random = new Random(seed);
    StringBuilder model = new StringBuilder();
    Rope rope = Rope.empty();
    int cursor = 0;
    for (int step = 0; step < 3000; step++) {
      int length = rope.length();
      if (random.nextInt(20) == 0) {
        cursor = random.nextInt(length + 1);
      }
      if (random.nextInt(5) == 0 && cursor > 0) {
        cursor--;
        int at = model.offsetByCodePoints(0, cursor);
        model.delete(at, model.offsetByCodePoints(at, 1));
        rope = rope.delete(cursor, 1);
      } else {
        String text = randomText(random, 1);
        model.insert(model.offsetByCodePoints(0, cursor), text);
        rope = rope.insert(cursor, text);
        cursor++;
      }
    }
    assertEquals(model.toString(), rope.toString(), "seed " + seed);
    rope.checkInvariants();
  }

  private static int pickSize(Random random) {
    return switch (random.nextInt(10)) {
      case 0 -> random.nextInt(4 * Rope.MAX_CHUNK);
      case 1, 2 -> random.nextInt(Rope.MAX_CHUNK);
      default -> random.nextInt(4);
    };
  }

  /** {@code codePoints} code points; one in five is astral. */
  static String randomText(Random random, int codePoints) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < codePoints; i++) {
      if (random.nextInt(5) == 0) {
        text.appendCodePoint(ASTRAL[random.nextInt(ASTRAL.length)].codePointAt(0));
      } else {
        text.append((char) ('a' + random.nextInt(26)));
      }
    }
    return text.toString();
  }
}
