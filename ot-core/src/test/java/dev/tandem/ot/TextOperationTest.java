package dev.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-written examples of {@link TextOperation}; the laws are in TextOperationLawsTest. */
class TextOperationTest {
  static final String EMOJI = "😀"; // U+1F600
  static final String SCRIPT_X = "𝒳"; // U+1D4B3

  static TextOperation op(Object... components) {
    TextOperation.Builder builder = TextOperation.builder();
    for (Object component : components) {
      if (component instanceof String text) {
        builder.insert(text);
      } else if ((Integer) component >= 0) {
        builder.retain((Integer) component);
      } else {
        builder.delete(-(Integer) component);
      }
    }
    return builder.build();
  }

  // Builder and canonical form

  @Test
  void transformLeftKeepsGoingAfterBothDeletedTheLastCodePoint() {
    TextOperation backspace = TextOperation.builder().delete(1).build();
    TextOperation nothing = TextOperation.transformLeft(backspace, backspace);
    assertEquals(TextOperation.builder().build(), nothing);
    TextOperation typed = TextOperation.builder().insert("x").build();
    assertEquals(typed, TextOperation.transformLeft(typed, nothing));
    assertEquals(nothing, TextOperation.transformLeft(nothing, nothing));
    assertEquals(
        TextOperation.builder().retain(1).build(), TextOperation.transformLeft(nothing, typed));
  }

  @Test
  void builderMergesNeighboursOfTheSameKind() {
    TextOperation merged =
        TextOperation.builder()
            .retain(1)
            .retain(2)
            .insert("a")
            .insert("b")
            .delete(1)
            .delete(2)
            .build();
    assertEquals(List.of(new Retain(3), new Insert("ab"), new Delete(3)), merged.components());
  }

  @Test
  void builderDropsEmptyComponents() {
    TextOperation op =
        TextOperation.builder().retain(0).insert("").delete(0).retain(2).retain(0).build();
    assertEquals(List.of(new Retain(2)), op.components());
    assertEquals(List.of(), TextOperation.builder().retain(0).build().components());
  }

  @Test
  void builderPutsAnInsertBeforeADelete() {
    TextOperation op = TextOperation.builder().retain(1).delete(2).insert("x").build();
    assertEquals(List.of(new Retain(1), new Insert("x"), new Delete(2)), op.components());
    TextOperation merged =
        TextOperation.builder().insert("a").delete(1).insert("b").delete(1).insert("c").build();
    assertEquals(List.of(new Insert("abc"), new Delete(2)), merged.components());
  }

  @Test
  void manyInsertsInARowMerge() {
    TextOperation.Builder builder = TextOperation.builder();
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      String piece = i % 5 == 0 ? EMOJI : "x";
      builder.insert(piece);
      builder.delete(1);
      expected.append(piece);
    }
    TextOperation op = builder.build();
    assertEquals(List.of(new Insert(expected.toString()), new Delete(10_000)), op.components());
    assertEquals(10_000, op.targetLength());
  }

  @Test
  void builderMayGoOnAfterBuildWithoutChangingTheBuiltOp() {
    TextOperation.Builder builder = TextOperation.builder().retain(1).insert("a");
    TextOperation first = builder.build();
    TextOperation second = builder.insert("b").retain(2).build();
    assertEquals(op(1, "a"), first);
    assertEquals(op(1, "ab", 2), second);
  }

  @Test
  void builderAcceptsComponentRecords() {
    TextOperation op =
        TextOperation.builder()
            .add(new Retain(2))
            .add(new Delete(1))
            .add(new Insert(EMOJI))
            .build();
    assertEquals(op(2, EMOJI, -1), op);
  }

  @Test
  void builderRefusesNegativeCountsNullAndLoneSurrogates() {
    assertEquals(
        "retain count is -1 (expected >= 0)",
        assertThrows(InvalidOperationException.class, () -> TextOperation.builder().retain(-1))
            .getMessage());
    assertEquals(
        "delete count is -2 (expected >= 0)",
        assertThrows(InvalidOperationException.class, () -> TextOperation.builder().delete(-2))
            .getMessage());
    assertThrows(InvalidOperationException.class, () -> TextOperation.builder().insert(null));
    InvalidOperationException lone =
        assertThrows(
            InvalidOperationException.class, () -> TextOperation.builder().insert("a\uD83D"));
    assertEquals(
        "insert text 'a\\uD83D' has a lone surrogate U+D83D at UTF-16 index 1"
            + " (expected well-formed UTF-16)",
        lone.getMessage());
    // Each insert must be well-formed by itself, even if two halves would pair up when merged.
    assertThrows(
        InvalidOperationException.class,
        () -> TextOperation.builder().insert("\uD83D").insert("\uDE00"));
  }

  @Test
  void lengthsThatOverflowAreRefused() {
    TextOperation.Builder builder = TextOperation.builder().retain(Integer.MAX_VALUE);
    InvalidOperationException e =
        assertThrows(InvalidOperationException.class, () -> builder.delete(1));
    assertEquals("op base length 2147483648 is too large (expected <= 2147483647)", e.getMessage());
  }

  @Test
  void componentRecordsRefuseEmptyValues() {
    assertEquals(
        "retain count is 0 (expected > 0)",
        assertThrows(InvalidOperationException.class, () -> new Retain(0)).getMessage());
    assertEquals(
        "delete count is -3 (expected > 0)",
        assertThrows(InvalidOperationException.class, () -> new Delete(-3)).getMessage());
    assertEquals(
        "insert text is empty (expected a non-empty string)",
        assertThrows(InvalidOperationException.class, () -> new Insert("")).getMessage());
    assertThrows(InvalidOperationException.class, () -> new Insert("\uDE00"));
    assertEquals(1, new Insert(SCRIPT_X).length());
  }

  // Lengths, noop, apply

  @Test
  void lengthsCountCodePoints() {
    TextOperation op = op(2, EMOJI + "a", -3, 1);
    assertEquals(6, op.baseLength());
    assertEquals(5, op.targetLength());
    assertEquals(0, op().baseLength());
    assertEquals(0, op().targetLength());
  }

  @Test
  void noopOnlyRetains() {
    assertTrue(op().isNoop());
    assertTrue(op(5).isNoop());
    assertFalse(op("a").isNoop());
    assertFalse(op(-1).isNoop());
    assertFalse(op(1, "a", 1).isNoop());
  }

  @Test
  void appliesToText() {
    assertEquals("hello world", op(5, " world").apply("hello"));
    assertEquals("heyo", op(2, "y", -2, 1).apply("hello"));
    assertEquals("", op(-5).apply("hello"));
    assertEquals("abc", op("abc").apply(""));
    assertEquals("", op().apply(""));
    assertEquals("xhellox", op("x", 5, "x").apply("hello"));
  }

  @Test
  void appliesAcrossAstralCharacters() {
    String text = EMOJI + "a" + SCRIPT_X + "b";
    assertEquals(EMOJI + SCRIPT_X + "b", op(1, -1, 2).apply(text));
    assertEquals(EMOJI + "a" + EMOJI + "b", op(2, EMOJI, -1, 1).apply(text));
    assertEquals("a" + SCRIPT_X, op(-1, 2, -1).apply(text));
    assertEquals(SCRIPT_X, op(SCRIPT_X).apply(""));
  }

  @Test
  void applyRefusesATextOfAnotherLength() {
    InvalidOperationException e =
        assertThrows(InvalidOperationException.class, () -> op(3, "x").apply("ab" + EMOJI + "c"));
    assertEquals("op base length 3 does not match text length 4", e.getMessage());
    assertThrows(InvalidOperationException.class, () -> op().apply("a"));
  }

  // Equality and display

  @Test
  void equalityIsStructuralOverCanonicalForm() {
    assertEquals(op(1, 1, "a", "b"), op(2, "ab"));
    assertEquals(op(1, 1, "a", "b").hashCode(), op(2, "ab").hashCode());
    assertEquals(op(-1, "x"), op("x", -1));
    assertNotEquals(op(2, "ab"), op(2, "ba"));
    assertNotEquals(op(2), op(-2));
    assertNotEquals(op(1), op("a"));
    assertNotEquals(op(), op(1));
  }

  @Test
  void toStringReadsLikeOtJs() {
    assertEquals("retain 2, insert 'lo', delete 5", op(2, "lo", -5).toString());
    assertEquals("(empty)", op().toString());
  }

  @Test
  void componentsAreUnmodifiable() {
    List<Component> components = op(1, "a").components();
    assertThrows(UnsupportedOperationException.class, () -> components.add(new Retain(1)));
  }

  // Compose

  @Test
  void composesSequentialEdits() {
    TextOperation a = op(5, " world");
    TextOperation b = op(-1, "H", 10);
    assertEquals(op("H", -1, 4, " world"), a.compose(b));
    assertEquals("Hello world", a.compose(b).apply("hello"));
  }

  @Test
  void composeCancelsAnInsertThatTheNextOpDeletes() {
    TextOperation a = op(2, "abc", 1);
    TextOperation b = op(3, -2, 1);
    assertEquals(op(2, "a", 1), a.compose(b));
  }

  @Test
  void composeCutsInsertsBetweenCodePoints() {
    TextOperation a = op(EMOJI + SCRIPT_X + "a" + EMOJI);
    TextOperation b = op(1, -2, 1);
    assertEquals(op(EMOJI + EMOJI), a.compose(b));
    assertEquals(op(EMOJI + "!" + SCRIPT_X + "a" + EMOJI), a.compose(op(1, "!", 3)));
  }

  @Test
  void composeOfEmptyDocumentOps() {
    assertEquals(op(), op().compose(op()));
    assertEquals(op("ab"), op("a").compose(op(1, "b")));
    assertEquals(op(), op("a").compose(op(-1)));
    assertEquals(op(-3), op(-3).compose(op()));
  }

  @Test
  void composeRefusesMismatchedLengths() {
    InvalidOperationException e =
        assertThrows(InvalidOperationException.class, () -> op(3, "x").compose(op(3)));
    assertEquals(
        "compose needs the next op's base length to equal this op's target length:"
            + " next base length 3, target length 4",
        e.getMessage());
  }

  // Transform

  @Test
  void transformsConcurrentInsertsAtDifferentPlaces() {
    Transformed t = TextOperation.transform(op(1, "x", 2), op(3, "y"));
    assertEquals(op(4, "y"), t.right());
    assertEquals(op(1, "x", 3), t.left());
    assertConverges("abc", op(1, "x", 2), op(3, "y"), "axbcy");
  }

  @Test
  void theLeftInsertComesFirstOnATie() {
    TextOperation a = op(1, "a", 1);
    TextOperation b = op(1, "b", 1);
    assertConverges("xy", a, b, "xaby");
    assertConverges("xy", b, a, "xbay");
    Transformed t = TextOperation.transform(a, b);
    assertEquals(op(1, "a", 2), t.left());
    assertEquals(op(2, "b", 1), t.right());
  }

  @Test
  void insertsAtBothEnds() {
    assertConverges("mid", op("<", 3), op(3, ">"), "<mid>");
    assertConverges("mid", op(3, ">"), op("<", 3), "<mid>");
    assertConverges("mid", op("[", 3, "]"), op("(", 3, ")"), "[(mid])");
    assertConverges("", op("a"), op("b"), "ab");
  }

  @Test
  void overlappingDeletesDeleteOnce() {
    assertConverges("abcdef", op(1, -3, 2), op(2, -3, 1), "af");
    Transformed t = TextOperation.transform(op(1, -3, 2), op(2, -3, 1));
    assertEquals(op(1, -1, 1), t.left());
    assertEquals(op(1, -1, 1), t.right());
    assertConverges("abc", op(-3), op(-3), "");
    assertConverges("abcd", op(-4), op(1, -2, 1), "");
  }

  @Test
  void anInsertInsideADeletedRangeSurvives() {
    assertConverges("abcd", op(2, "X", 2), op(1, -3), "aX");
    assertConverges("abcd", op(1, -3), op(2, "X", 2), "aX");
  }

  @Test
  void transformsAcrossAstralCharacters() {
    String text = EMOJI + SCRIPT_X + EMOJI;
    assertConverges(text, op(1, SCRIPT_X, 2), op(1, -1, 1), EMOJI + SCRIPT_X + EMOJI);
    assertConverges(
        text, op(2, EMOJI, 1), op(2, SCRIPT_X, 1), EMOJI + SCRIPT_X + EMOJI + SCRIPT_X + EMOJI);
  }

  @Test
  void transformOfEmptyDocumentOps() {
    Transformed t = TextOperation.transform(op(), op());
    assertEquals(op(), t.left());
    assertEquals(op(), t.right());
    Transformed inserted = TextOperation.transform(op(), op(EMOJI));
    assertEquals(op(1), inserted.left());
    assertEquals(op(EMOJI), inserted.right());
  }

  @Test
  void transformRefusesOpsOnDifferentBases() {
    InvalidOperationException e =
        assertThrows(
            InvalidOperationException.class, () -> TextOperation.transform(op(2), op(3, "x")));
    assertEquals(
        "transform needs two ops on the same text: left base length 2, right base length 3",
        e.getMessage());
  }

  // Invert

  @Test
  void invertUndoes() {
    String text = "a" + EMOJI + "bc" + SCRIPT_X;
    TextOperation a = op(1, -1, "x" + EMOJI, 2, -1, "!");
    TextOperation inverse = a.invert(text);
    assertEquals(op(1, EMOJI, -2, 2, SCRIPT_X, -1), inverse);
    assertEquals(text, inverse.apply(a.apply(text)));
    assertEquals(op(), op().invert(""));
    assertEquals(op(-2), op(EMOJI + "a").invert(""));
  }

  @Test
  void invertRefusesTheWrongText() {
    InvalidOperationException e =
        assertThrows(InvalidOperationException.class, () -> op(2, -1).invert("ab"));
    assertEquals("op base length 3 does not match text length 2", e.getMessage());
  }

  // Transform position

  @Test
  void positionsMoveThroughInsertsAndDeletes() {
    TextOperation a = op(2, "xy", 2, -2, 1); // "abcdefg" -> "abxycdg"
    int[] expected = {0, 1, 2, 5, 6, 6, 6, 7};
    for (int position = 0; position <= 7; position++) {
      int before = position == 2 ? 2 : expected[position];
      assertEquals(before, a.transformPosition(position, Side.BEFORE), "BEFORE at " + position);
      int after = position == 2 ? 4 : expected[position];
      assertEquals(after, a.transformPosition(position, Side.AFTER), "AFTER at " + position);
    }
  }

  @Test
  void sideDecidesOnlyAtAnInsertPoint() {
    TextOperation a = op(1, "XY", -2, 1); // insert before a delete, as canonical form puts it
    assertEquals(1, a.transformPosition(1, Side.BEFORE));
    assertEquals(3, a.transformPosition(1, Side.AFTER));
    assertEquals(3, a.transformPosition(2, Side.BEFORE)); // inside the deleted range
    assertEquals(3, a.transformPosition(3, Side.BEFORE)); // at the end of the deleted range
    assertEquals(4, a.transformPosition(4, Side.AFTER));
  }

  @Test
  void positionsAtTheEndsOfTheDocument() {
    TextOperation a = op(EMOJI, 3, SCRIPT_X);
    assertEquals(0, a.transformPosition(0, Side.BEFORE));
    assertEquals(1, a.transformPosition(0, Side.AFTER));
    assertEquals(4, a.transformPosition(3, Side.BEFORE));
    assertEquals(5, a.transformPosition(3, Side.AFTER));
    assertEquals(0, op().transformPosition(0, Side.AFTER));
    assertEquals(2, op("ab").transformPosition(0, Side.AFTER));
  }

  @Test
  void transformPositionAgreesWithTransformsTieRule() {
    TextOperation a = op(2, "xy", 1);
    TextOperation cursor = op(2, "|", 1);
    String asLeft = TextOperation.transform(cursor, a).left().apply(a.apply("abc"));
    String asRight = TextOperation.transform(a, cursor).right().apply(a.apply("abc"));
    assertEquals(asLeft.indexOf('|'), a.transformPosition(2, Side.BEFORE));
    assertEquals(asRight.indexOf('|'), a.transformPosition(2, Side.AFTER));
  }

  @Test
  void transformPositionRefusesPositionsOutsideTheBaseText() {
    InvalidOperationException e =
        assertThrows(InvalidOperationException.class, () -> op(3).transformPosition(4, Side.AFTER));
    assertEquals("position 4 is outside the op's base text (expected 0..3)", e.getMessage());
    assertThrows(InvalidOperationException.class, () -> op(3).transformPosition(-1, Side.AFTER));
    assertThrows(InvalidOperationException.class, () -> op(3).transformPosition(1, null));
  }

  static void assertConverges(String text, TextOperation a, TextOperation b, String expected) {
    Transformed t = TextOperation.transform(a, b);
    assertEquals(expected, t.right().apply(a.apply(text)), "b' after a");
    assertEquals(expected, t.left().apply(b.apply(text)), "a' after b");
  }
}
