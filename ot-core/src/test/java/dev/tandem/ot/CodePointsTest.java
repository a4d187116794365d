package dev.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CodePointsTest {
  private static final String EMOJI = "😀"; // U+1F600, two UTF-16 units
  private static final String SCRIPT_X = "𝒳"; // U+1D4B3, two UTF-16 units

  @Test
  void countsCodePointsNotUtf16Units() {
    assertEquals(0, CodePoints.count(""));
    assertEquals(3, CodePoints.count("abc"));
    assertEquals(1, CodePoints.count(EMOJI));
    assertEquals(4, CodePoints.count("a" + EMOJI + SCRIPT_X + "é"));
    assertEquals(2, CodePoints.count(new StringBuilder("x").append(EMOJI)));
  }

  @Test
  void aLoneSurrogateCountsAsOneCodePoint() {
    assertEquals(2, CodePoints.count("a\uD83D"));
  }

  @Test
  void convertsCodePointOffsetsToUtf16AndBack() {
    String text = "a" + EMOJI + "b" + SCRIPT_X;
    assertEquals(0, CodePoints.utf16Offset(text, 0));
    assertEquals(1, CodePoints.utf16Offset(text, 1));
    assertEquals(3, CodePoints.utf16Offset(text, 2));
    assertEquals(4, CodePoints.utf16Offset(text, 3));
    assertEquals(6, CodePoints.utf16Offset(text, 4));
    assertEquals(0, CodePoints.codePointOffset(text, 0));
    assertEquals(2, CodePoints.codePointOffset(text, 3));
    assertEquals(4, CodePoints.codePointOffset(text, 6));
  }

  @Test
  void refusesOffsetsOutsideTheText() {
    InvalidOperationException past =
        assertThrows(InvalidOperationException.class, () -> CodePoints.utf16Offset(EMOJI, 2));
    assertEquals(
        "code point offset 2 is past the end of a text of 1 code points", past.getMessage());
    assertThrows(InvalidOperationException.class, () -> CodePoints.utf16Offset("abc", -1));
    assertThrows(InvalidOperationException.class, () -> CodePoints.codePointOffset("abc", 4));
  }

  @Test
  void findsLoneSurrogates() {
    assertTrue(CodePoints.isWellFormed(""));
    assertTrue(CodePoints.isWellFormed("a" + EMOJI + SCRIPT_X));
    assertEquals(-1, CodePoints.firstLoneSurrogate(EMOJI + EMOJI));
    assertEquals(1, CodePoints.firstLoneSurrogate("a\uD83D"));
    assertEquals(0, CodePoints.firstLoneSurrogate("\uDE00a"));
    assertEquals(2, CodePoints.firstLoneSurrogate(EMOJI + "\uDE00"));
    assertEquals(1, CodePoints.firstLoneSurrogate("a\uD83D\uD83D\uDE00"));
    assertFalse(CodePoints.isWellFormed("\uDE00\uD83D")); // halves in the wrong order
  }
}
