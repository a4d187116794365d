package dev.tandem.ot;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * The wire form of an operation: a JSON array whose elements are a positive integer {@code n}
 * (retain n code points), a non-empty string (insert it) or a negative integer {@code -n} (delete n
 * code points), for example {@code [5, "hi", -3, 10]}.
 *
 * <p>Law: {@code parse(toJson(op)).equals(op)} for every operation. Parsing is strict: it accepts
 * only RFC 8259 JSON, integers within {@code ±2147483647} written without fraction or exponent
 * ({@code 1.0} is refused), non-empty strings that are well-formed UTF-16 by themselves after
 * unescaping. A valid op that is not canonical (for example {@code [1, 1]}) is accepted and
 * canonicalized. Anything else throws {@link InvalidOperationException} whose message names the
 * element, its value and what was expected. No JSON library is needed.
 */
public final class OperationJson {
  private OperationJson() {}

  /** The compact wire form of {@code op}, for example {@code [5,"hi",-3,10]}. */
  public static String toJson(TextOperation op) {
    int count = op.componentCount();
    StringBuilder out = new StringBuilder(8 + count * 8);
    out.append('[');
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        out.append(',');
      }
      String text = op.insertAt(i);
      if (text != null) {
        appendString(out, text);
      } else {
        out.append(op.spanAt(i)); // retain n as n, delete n as -n: the internal sign is the wire's
      }
    }
    return out.append(']').toString();
  }

  /**
   * Parses the wire form.
   *
   * @throws InvalidOperationException if {@code json} is not a valid operation
   */
  public static TextOperation parse(String json) {
    if (json == null) {
      throw new InvalidOperationException("op JSON is null (expected a JSON array)");
    }
    return new Parser(json).parseOperation();
  }

  /**
   * Converts values already read from a JSON array by another parser (for example the elements of a
   * Jackson array node): integral {@link Number}s ({@code Integer}, {@code Long}, {@code Short},
   * {@code Byte}, {@code BigInteger}) and {@link CharSequence}s, with the same rules and messages
   * as {@link #parse}. Any other number ({@code Double}, {@code Float}, {@code BigDecimal}) stands
   * for a JSON number with a fraction or an exponent and is refused, as {@code 1.0} and {@code 1e3}
   * are by {@link #parse}, and so is an infinite one (a parser's reading of {@code 1e999}). A
   * {@link List} or {@link Map} stands for a JSON array or object, and is refused.
   *
   * @throws InvalidOperationException if the values do not form a valid operation
   */
  public static TextOperation fromValues(List<?> values) {
    if (values == null) {
      throw new InvalidOperationException("op is null (expected a list of components)");
    }
    TextOperation.Builder builder = TextOperation.builder(values.size());
    int index = 0;
    for (Object value : values) {
      if (value instanceof CharSequence text) {
        addInsert(builder, index, text.toString());
      } else if (value instanceof Integer
          || value instanceof Long
          || value instanceof Short
          || value instanceof Byte) {
        String shown = value.toString();
        addCount(builder, index, ((Number) value).longValue(), shown, 0, shown.length());
      } else if (value instanceof BigInteger big) {
        long number = big.bitLength() < 63 ? big.longValue() : Long.MAX_VALUE;
        String shown = big.toString();
        addCount(builder, index, number, shown, 0, shown.length());
      } else if (value instanceof Number number) {
        throw notIntegral(index, shownNumber(number));
      } else {
        throw new InvalidOperationException(
            "op[" + index + "] is " + shownValue(value) + " " + EXPECTED_COMPONENT);
      }
      index++;
    }
    return builder.build();
  }

  private static String shownNumber(Number number) {
    boolean infinite =
        (number instanceof Double d && d.isInfinite())
            || (number instanceof Float f && f.isInfinite());
    return infinite ? "a number too large for a double" : number.toString();
  }

  private static String shownValue(Object value) {
    if (value == null || value instanceof Boolean) {
      return String.valueOf(value); // as JSON writes it
    }
    if (value instanceof List) {
      return "an array";
    }
    if (value instanceof Map) {
      return "an object";
    }
    return value + " (" + value.getClass().getSimpleName() + ")";
  }

  private static InvalidOperationException notIntegral(int index, String shown) {
    return new InvalidOperationException(
        "op[" + index + "] is " + shown + " (expected an integer without fraction or exponent)");
  }

  private static final String EXPECTED_COMPONENT =
      "(expected a non-zero integer or a non-empty string)";

  /**
   * Adds the count {@code number} as op[{@code index}]. How it was written, {@code written} from
   * {@code from} to {@code to}, is cut out only for a message, so that parsing a valid op makes no
   * string per number.
   */
  private static void addCount(
      TextOperation.Builder builder, int index, long number, String written, int from, int to) {
    if (number == 0) {
      throw new InvalidOperationException(
          "op["
              + index
              + "] is "
              + written.substring(from, to)
              + " (expected a non-zero integer: n retains, -n deletes)");
    }
    if (number > Integer.MAX_VALUE || number < -Integer.MAX_VALUE) {
      throw new InvalidOperationException(
          "op["
              + index
              + "] is "
              + written.substring(from, to)
              + " (expected an integer from -"
              + Integer.MAX_VALUE
              + " to "
              + Integer.MAX_VALUE
              + ")");
    }
    try {
      if (number > 0) {
        builder.retain((int) number);
      } else {
        builder.delete((int) -number);
      }
    } catch (InvalidOperationException e) {
      throw new InvalidOperationException("op[" + index + "]: " + e.getMessage());
    }
  }

  private static void addInsert(TextOperation.Builder builder, int index, String text) {
    if (text.isEmpty()) {
      throw new InvalidOperationException(
          "op[" + index + "] is an empty string (expected a non-empty insert)");
    }
    try {
      builder.insert(text);
    } catch (InvalidOperationException e) {
      throw new InvalidOperationException("op[" + index + "]: " + e.getMessage());
    }
  }

  private static void appendString(StringBuilder out, String text) {
    out.append('"');
    int length = text.length();
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** A strict recursive-descent reader of one JSON array of integers and strings. */
  private static final class Parser {
    private final String json;
    private int pos;

    Parser(String json) {
      this.json = json;
    }

    TextOperation parseOperation() {
      skipWhitespace();
      if (pos >= json.length() || json.charAt(pos) != '[') {
        throw malformed("expected '[' opening the op array");
      }
      pos++;
      TextOperation.Builder builder = TextOperation.builder(8);
      skipWhitespace();
      if (peek() == ']') {
        pos++;
      } else {
        int index = 0;
        while (true) {
          skipWhitespace();
          parseComponent(builder, index++);
          skipWhitespace();
          char c = peek();
          if (c == ',') {
            pos++;
          } else if (c == ']') {
            pos++;
            break;
          } else {
            throw malformed("expected ',' or ']' after op[" + (index - 1) + "]");
          }
        }
      }
      skipWhitespace();
      if (pos < json.length()) {
        throw malformed("expected the end of input after the op array");
      }
      return builder.build();
    }

    private void parseComponent(TextOperation.Builder builder, int index) {
      char c = peek();
      if (c == '"') {
        addInsert(builder, index, parseString());
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        parseNumber(builder, index);
      } else if (c == '{' || c == '[') {
        throw new InvalidOperationException(
            "op["
                + index
                + "] is "
                + (c == '{' ? "an object" : "an array")
                + " "
                + EXPECTED_COMPONENT);
      } else if (json.startsWith("true", pos)
          || json.startsWith("false", pos)
          || json.startsWith("null", pos)) {
        String literal = json.startsWith("true", pos) ? "true" : c == 'f' ? "false" : "null";
        throw new InvalidOperationException(
            "op[" + index + "] is " + literal + " " + EXPECTED_COMPONENT);
      } else {
        throw malformed("expected a number or a string for op[" + index + "]");
      }
    }

    private void parseNumber(TextOperation.Builder builder, int index) {
      int start = pos;
      if (peek() == '-') {
        pos++;
      }
      int digitsStart = pos;
      if (peek() == '0') {
        pos++;
        if (isDigit(peek())) {
          throw malformed("a number must not have a leading zero");
        }
      } else if (isDigit(peek())) {
        while (isDigit(peek())) {
          pos++;
        }
      } else {
        throw malformed("expected a digit");
      }
      int digitsEnd = pos;
      boolean integral = true;
      if (peek() == '.') {
        pos++;
        requireDigits("after the decimal point");
        integral = false;
      }
      if (peek() == 'e' || peek() == 'E') {
        pos++;
        if (peek() == '+' || peek() == '-') {
          pos++;
        }
        requireDigits("in the exponent");
        integral = false;
      }
      if (!integral) {
        throw notIntegral(index, json.substring(start, pos));
      }
      long number = Long.MAX_VALUE; // stands for "out of range" when there are too many digits
      if (digitsEnd - digitsStart <= 18) {
        number = Long.parseLong(json, digitsStart, digitsEnd, 10);
      }
      addCount(builder, index, start == digitsStart ? number : -number, json, start, pos);
    }

    private void requireDigits(String where) {
      if (!isDigit(peek())) {
        throw malformed("expected a digit " + where);
      }
      while (isDigit(peek())) {
        pos++;
      }
    }

    private String parseString() {
      pos++; // the opening quote
      int start = pos;
      StringBuilder unescaped = null; // only when the string has an escape
      while (true) {
        if (pos >= json.length()) {
          throw malformed("unterminated string");
        }
        char c = json.charAt(pos);
        if (c == '"') {
          String text =
              unescaped == null
                  ? json.substring(start, pos)
                  : unescaped.append(json, start, pos).toString();
          pos++;
          return text;
        }
        if (c < 0x20) {
          throw malformed("control character U+" + hex4(c) + " must be escaped inside a string");
        }
        if (c != '\\') {
          pos++;
          continue;
        }
        if (unescaped == null) {
          unescaped = new StringBuilder();
        }
        unescaped.append(json, start, pos);
        pos++;
        if (pos >= json.length()) {
          throw malformed("unterminated escape");
        }
        char escaped = json.charAt(pos++);
        switch (escaped) {
          case '"' -> unescaped.append('"');
          case '\\' -> unescaped.append('\\');
          case '/' -> unescaped.append('/');
          case 'b' -> unescaped.append('\b');
          case 'f' -> unescaped.append('\f');
          case 'n' -> unescaped.append('\n');
          case 'r' -> unescaped.append('\r');
          case 't' -> unescaped.append('\t');
          case 'u' -> unescaped.append(parseHex4());
          default -> {
            pos--;
            throw malformed("invalid escape '\\" + escaped + "'");
          }
        }
        start = pos;
      }
    }

    private char parseHex4() {
      if (pos + 4 > json.length()) {
        throw malformed("expected four hex digits after \\u");
      }
      int value = 0;
      for (int i = 0; i < 4; i++) {
        int digit = Character.digit(json.charAt(pos), 16);
        if (digit < 0) {
          throw malformed("expected four hex digits after \\u");
        }
        value = value * 16 + digit;
        pos++;
      }
      return (char) value; // surrogate halves combine, or are refused as lone, by the builder
    }

    private void skipWhitespace() {
      while (pos < json.length()) {
        char c = json.charAt(pos);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        pos++;
      }
    }

    private char peek() {
      return pos < json.length() ? json.charAt(pos) : '\0';
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }

    private InvalidOperationException malformed(String expectation) {
      String found =
          pos >= json.length()
              ? "the end of input"
              : json.charAt(pos) < 0x20 || Character.isSurrogate(json.charAt(pos))
                  ? "U+" + hex4(json.charAt(pos))
                  : "'" + json.charAt(pos) + "'";
      return new InvalidOperationException(
          "malformed op JSON at offset " + pos + ": " + expectation + ", found " + found);
    }

    private static String hex4(char c) {
      return String.format("%04X", (int) c);
    }
  }
}
