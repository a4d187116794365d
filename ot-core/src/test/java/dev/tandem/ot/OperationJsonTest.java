package dev.tandem.ot;

import static dev.tandem.ot.TextOperationTest.EMOJI;
import static dev.tandem.ot.TextOperationTest.SCRIPT_X;
import static dev.tandem.ot.TextOperationTest.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OperationJsonTest {

  @Test
  void writesTheCompactWireForm() {
    assertEquals("[5,\"hi\",-3,10]", OperationJson.toJson(op(5, "hi", -3, 10)));
    assertEquals("[]", OperationJson.toJson(op()));
    assertEquals("[\"" + EMOJI + "\"]", OperationJson.toJson(op(EMOJI)));
  }

  @Test
  void escapesWhatJsonRequires() {
    String text = "q\"b\\n\nr\rt\tb\bf\fz\u0001/";
    assertEquals("[\"q\\\"b\\\\n\\nr\\rt\\tb\\bf\\fz\\u0001/\"]", OperationJson.toJson(op(text)));
    assertEquals(op(text), OperationJson.parse(OperationJson.toJson(op(text))));
  }

  @Test
  void parsesTheWireForm() {
    assertEquals(op(5, "hi", -3, 10), OperationJson.parse("[5, \"hi\", -3, 10]"));
    assertEquals(op(), OperationJson.parse("[]"));
    assertEquals(op(), OperationJson.parse(" \t\r\n[ \n]\n"));
    assertEquals(op(2147483647), OperationJson.parse("[2147483647]"));
    assertEquals(op(-2147483647), OperationJson.parse("[-2147483647]"));
  }

  @Test
  void parsingCanonicalizesValidInput() {
    assertEquals(op(2), OperationJson.parse("[1,1]"));
    assertEquals(op(1, "ab", -2), OperationJson.parse("[1,-1,\"a\",-1,\"b\"]"));
  }

  @Test
  void unescapesStringsIncludingSurrogatePairs() {
    assertEquals(op(EMOJI), OperationJson.parse("[\"\\uD83D\\ude00\"]"));
    assertEquals(op(SCRIPT_X + "é"), OperationJson.parse("[\"\\ud835\\udcb3\\u00e9\"]"));
    assertEquals(
        op("a\"\\/\b\f\n\r\tb"), OperationJson.parse("[\"a\\\"\\\\\\/\\b\\f\\n\\r\\tb\"]"));
    assertEquals(op(EMOJI + "x"), OperationJson.parse("[\"" + EMOJI + "x\"]"));
  }

  @ParameterizedTest(name = "{index}: {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "`` | malformed op JSON at offset 0: expected '[' opening the op array, found the end of input",
        "{} | malformed op JSON at offset 0: expected '[' opening the op array, found '{'",
        "[1 | malformed op JSON at offset 2: expected ',' or ']' after op[0], found the end of input",
        "[1,] | malformed op JSON at offset 3: expected a number or a string for op[1], found ']'",
        "[,1] | malformed op JSON at offset 1: expected a number or a string for op[0], found ','",
        "[1] x | malformed op JSON at offset 4: expected the end of input after the op array, found 'x'",
        "[1 2] | malformed op JSON at offset 3: expected ',' or ']' after op[0], found '2'",
        "[01] | malformed op JSON at offset 2: a number must not have a leading zero, found '1'",
        "[+1] | malformed op JSON at offset 1: expected a number or a string for op[0], found '+'",
        "[-] | malformed op JSON at offset 2: expected a digit, found ']'",
        "[1.] | malformed op JSON at offset 3: expected a digit after the decimal point, found ']'",
        "[1e] | malformed op JSON at offset 3: expected a digit in the exponent, found ']'",
        "[\"abc] | malformed op JSON at offset 6: unterminated string, found the end of input",
        "[\"a\\x\"] | malformed op JSON at offset 4: invalid escape '\\x', found 'x'",
        "[\"\\u12\"] | malformed op JSON at offset 6: expected four hex digits after \\u, found '\"'",
        "[tru] | malformed op JSON at offset 1: expected a number or a string for op[0], found 't'",
        "[0] | op[0] is 0 (expected a non-zero integer: n retains, -n deletes)",
        "[1, -0] | op[1] is -0 (expected a non-zero integer: n retains, -n deletes)",
        "[1.5] | op[0] is 1.5 (expected an integer without fraction or exponent)",
        "[1.0] | op[0] is 1.0 (expected an integer without fraction or exponent)",
        "[1e3] | op[0] is 1e3 (expected an integer without fraction or exponent)",
        "[2147483648] | op[0] is 2147483648 (expected an integer from -2147483647 to 2147483647)",
        "[-2147483648] | op[0] is -2147483648 (expected an integer from -2147483647 to 2147483647)",
        "[99999999999999999999999] | op[0] is 99999999999999999999999 (expected an integer from -2147483647 to 2147483647)",
        "[\"\"] | op[0] is an empty string (expected a non-empty insert)",
        "[true] | op[0] is true (expected a non-zero integer or a non-empty string)",
        "[1, null] | op[1] is null (expected a non-zero integer or a non-empty string)",
        "[[1]] | op[0] is an array (expected a non-zero integer or a non-empty string)",
        "[{}] | op[0] is an object (expected a non-zero integer or a non-empty string)",
        "[2147483647, 1] | op[1]: op base length 2147483648 is too large (expected <= 2147483647)",
      })
  void refusesInvalidInputNamingValueAndExpectation(String json, String message) {
    InvalidOperationException e =
        assertThrows(InvalidOperationException.class, () -> OperationJson.parse(json));
    assertEquals(message, e.getMessage());
  }

  @Test
  void refusesLoneSurrogatesEvenWhenTwoInsertsWouldPairUp() {
    InvalidOperationException escaped =
        assertThrows(InvalidOperationException.class, () -> OperationJson.parse("[\"\\ud83d\"]"));
    assertEquals(
        "op[0]: insert text '\\uD83D' has a lone surrogate U+D83D at UTF-16 index 0"
            + " (expected well-formed UTF-16)",
        escaped.getMessage());
    assertThrows(
        InvalidOperationException.class, () -> OperationJson.parse("[\"\\ud83d\", \"\\ude00\"]"));
    assertThrows(InvalidOperationException.class, () -> OperationJson.parse("[\"a\uDE00\"]"));
  }

  @Test
  void errorMessagesAreWellFormedEvenForLoneSurrogates() {
    for (String json :
        List.of("[\uD83D]", "[\"a\uDE00\"]", "[\"" + "x".repeat(60) + "\uD83D\"]", "[1\uD83D]")) {
      String message =
          assertThrows(InvalidOperationException.class, () -> OperationJson.parse(json))
              .getMessage();
      assertTrue(CodePoints.isWellFormed(message), message);
    }
    assertEquals(
        "malformed op JSON at offset 1: expected a number or a string for op[0], found U+D83D",
        assertThrows(InvalidOperationException.class, () -> OperationJson.parse("[\uD83D]"))
            .getMessage());
  }

  @Test
  void longInsertsAreShortenedInMessages() {
    String message =
        assertThrows(
                InvalidOperationException.class,
                () -> OperationJson.parse("[\"" + "x".repeat(39) + EMOJI + "\uD83D\"]"))
            .getMessage();
    assertEquals(
        "op[0]: insert text '"
            + "x".repeat(39)
            + "…' (42 UTF-16 units) has a lone surrogate U+D83D at UTF-16 index 41"
            + " (expected well-formed UTF-16)",
        message);
  }

  @Test
  void refusesUnescapedControlCharacters() {
    InvalidOperationException e =
        assertThrows(InvalidOperationException.class, () -> OperationJson.parse("[\"a\nb\"]"));
    assertEquals(
        "malformed op JSON at offset 3: control character U+000A must be escaped inside a string,"
            + " found U+000A",
        e.getMessage());
  }

  @Test
  void refusesNull() {
    assertThrows(InvalidOperationException.class, () -> OperationJson.parse(null));
    assertThrows(InvalidOperationException.class, () -> OperationJson.fromValues(null));
  }

  @Test
  void convertsValuesAlreadyParsedByAnotherLibrary() {
    assertEquals(
        op(5, "hi", -3, 10), OperationJson.fromValues(List.of(5, "hi", -3L, BigInteger.TEN)));
    assertEquals(op(2), OperationJson.fromValues(List.of((short) 1, (byte) 1)));
    assertEquals(op(), OperationJson.fromValues(List.of()));
    assertEquals(op(EMOJI), OperationJson.fromValues(List.of(new StringBuilder(EMOJI))));
  }

  @Test
  void valuesFollowTheSameRulesAsJson() {
    assertEquals(
        "op[1] is 0 (expected a non-zero integer: n retains, -n deletes)", message(List.of(1, 0)));
    assertEquals(
        "op[0] is 1.0 (expected an integer without fraction or exponent)", message(List.of(1.0)));
    assertEquals(message("[1.0]"), message(List.of(1.0)), "the same words as the JSON reader");
    assertEquals(
        "op[0] is 1000.0 (expected an integer without fraction or exponent)",
        message(List.of(1e3)));
    assertEquals(
        "op[1] is 1.5 (expected an integer without fraction or exponent)",
        message(List.of(1, new BigDecimal("1.5"))));
    assertEquals(
        "op[0] is -0.0 (expected an integer without fraction or exponent)",
        message(List.of(-0.0f)));
    assertEquals(
        "op[0] is 4294967296 (expected an integer from -2147483647 to 2147483647)",
        message(List.of(4294967296L)));
    assertEquals(
        "op[0] is 100000000000000000000 (expected an integer from -2147483647 to 2147483647)",
        message(List.of(new BigInteger("100000000000000000000"))));
    assertEquals("op[0] is an empty string (expected a non-empty insert)", message(List.of("")));
    assertEquals(
        "op[0] is null (expected a non-zero integer or a non-empty string)",
        message(Arrays.asList((Object) null)));
    assertEquals(message("[true]"), message(List.of(true)));
    assertEquals(message("[null]"), message(Arrays.asList((Object) null)));
    assertEquals(message("[[1]]"), message(List.of(List.of(1))));
    assertEquals(message("[{}]"), message(List.of(Map.of())));
    assertEquals(
        "op[0] is an array (expected a non-zero integer or a non-empty string)",
        message(List.of(List.of())));
    assertThrows(
        InvalidOperationException.class, () -> OperationJson.fromValues(List.of("\uD83D")));
  }

  /**
   * Issue 12: a JSON parser reads {@code 1e999} as an infinite double, whose JSON form Jackson
   * writes as the string {@code "Infinity"}: re-serialised, it became an insert. Refused here.
   */
  @Test
  void refusesInfiniteNumbersWhateverTheirSign() {
    assertEquals(
        "op[0] is a number too large for a double"
            + " (expected an integer without fraction or exponent)",
        message(List.of(Double.POSITIVE_INFINITY)));
    assertEquals(
        "op[2] is a number too large for a double"
            + " (expected an integer without fraction or exponent)",
        message(List.of(1, "a", Float.NEGATIVE_INFINITY)));
    assertEquals(
        "op[0] is NaN (expected an integer without fraction or exponent)",
        message(List.of(Double.NaN)));
    assertEquals(
        "op[0] is 1e999 (expected an integer without fraction or exponent)", message("[1e999]"));
    assertEquals(
        "op[0] is -0 (expected a non-zero integer: n retains, -n deletes)", message("[-0]"));
    assertEquals(
        "op[0] is 1E3 (expected an integer without fraction or exponent)", message("[1E3]"));
  }

  private static String message(String json) {
    return assertThrows(InvalidOperationException.class, () -> OperationJson.parse(json))
        .getMessage();
  }

  private static String message(List<?> values) {
    return assertThrows(InvalidOperationException.class, () -> OperationJson.fromValues(values))
        .getMessage();
  }
}
