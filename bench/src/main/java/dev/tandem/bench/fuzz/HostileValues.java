package dev.tandem.bench.fuzz;

import java.util.List;
import java.util.Random;

/**
 * The pieces hostile messages and requests are made of, each a JSON text: odd numbers, odd ids,
 * broken ops and strings, deep nesting. Plain functions of a {@link Random}, so a seed replays
 * them. Strings are written with every surrogate and control character as a {@code \}{@code uXXXX}
 * escape, so a lone surrogate reaches the server as JSON (the frame itself stays valid UTF-8).
 */
final class HostileValues {
  private static final List<String> NUMBERS =
      List.of(
          "0",
          "1",
          "-1",
          "-0",
          "1.5",
          "1.0",
          "0.0",
          "1e3",
          "1E2",
          "1e999",
          "-1e999",
          "2147483647",
          "2147483648",
          "-2147483649",
          "9223372036854775807",
          "9223372036854775808",
          "-9223372036854775809",
          "123456789012345678901234567890",
          "\"1\"",
          "\"\"",
          "null",
          "true",
          "[]",
          "{}",
          "[1]");

  private static final List<String> ODD_IDS =
      List.of(
          "",
          " ",
          "a b",
          "a/b",
          "/",
          "..",
          ".",
          "%2F",
          "%ff",
          "%",
          "a?b",
          "a#b",
          "a\u0000b",
          "\u0000",
          "\u0001",
          "a\tb",
          "a\nb",
          "\u007f",
          "\ud800",
          "\udc00",
          "a\ud83d",
          "\ude00b",
          "\ud83d\ude00",
          "é",
          "\u202e",
          "\ufeff",
          "\uffff");

  private HostileValues() {}

  /** A JSON number, or a value of another type where a number belongs. */
  static String number(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> Integer.toString(random.nextInt(20));
      case 1 -> Long.toString(random.nextLong());
      default -> pick(random, NUMBERS);
    };
  }

  /** A revision: mostly small (so some are right), else any odd number. */
  static String revision(Random random) {
    return random.nextInt(3) == 0 ? number(random) : Integer.toString(random.nextInt(4));
  }

  /** A JSON value where an id belongs: one of {@code valid}, an odd string, or another type. */
  static String id(Random random, List<String> valid) {
    return switch (random.nextInt(10)) {
      case 0, 1, 2, 3, 4 -> quote(pick(random, valid));
      case 5 -> quote("x".repeat(random.nextBoolean() ? 10_240 : 129));
      case 6 -> quote(pick(random, valid) + pick(random, ODD_IDS));
      case 7 -> number(random);
      default -> quote(pick(random, ODD_IDS));
    };
  }

  /** An odd id as a Java string (for REST paths, which encode it themselves). */
  static String oddId(Random random) {
    return random.nextInt(8) == 0 ? "y".repeat(10_240) : pick(random, ODD_IDS);
  }

  /** An op: right now and then, mostly malformed, impossible or oversized. */
  static String op(Random random) {
    return switch (random.nextInt(22)) {
      case 0 -> "[]";
      case 1 -> "[0]";
      case 2 -> "[-0]";
      case 3 -> "[1e999]";
      case 4 -> "[1.5,\"a\"]";
      case 5 -> "[" + quote("\ud800") + "]";
      case 6 -> "[" + quote("a\u0000b") + "]";
      case 7 -> "[" + quote("a\udc00") + "]";
      case 8 -> "[2147483648,\"x\"]";
      case 9 -> "[-2147483649]";
      case 10 -> "[9223372036854775807,\"x\"]";
      case 11 -> "[\"\"]";
      case 12 -> "[true]";
      case 13 -> "[null]";
      case 14 -> "[[1]]";
      case 15 -> "[{}]";
      case 16 -> "[" + "1,".repeat(random.nextInt(10_000)) + "1]";
      case 17 -> "[" + quote("z".repeat(10_000 + random.nextInt(40_000))) + "]";
      case 18 -> "\"not an op\"";
      case 19 -> "[" + number(random) + "," + quote(text(random)) + "]";
      case 20 -> "[" + quote(text(random)) + "," + number(random) + "]";
      default -> "[" + quote(text(random)) + "]"; // applies to an empty document at revision 0
    };
  }

  /** A short text: letters, astral characters, and now and then a control or a lone surrogate. */
  static String text(Random random) {
    StringBuilder text = new StringBuilder();
    for (int i = 1 + random.nextInt(6); i > 0; i--) {
      switch (random.nextInt(12)) {
        case 0 -> text.appendCodePoint(0x1F600 + random.nextInt(80));
        case 1 -> text.appendCodePoint(0x20000 + random.nextInt(0xA6D0));
        case 2 -> text.append((char) (0xD800 + random.nextInt(0x800))); // lone surrogate
        case 3 -> text.append((char) random.nextInt(0x20)); // control, U+0000 included
        default -> text.append((char) ('a' + random.nextInt(26)));
      }
    }
    return text.toString();
  }

  /** Nested arrays or objects, 100 to 20,000 deep, closed or not. */
  static String deepNesting(Random random) {
    int depth =
        switch (random.nextInt(8)) {
          case 0 -> 20_000;
          case 1, 2, 3 -> 1_001; // Jackson's default limit is 1,000
          default -> 100;
        };
    boolean arrays = random.nextBoolean();
    String open = arrays ? "[" : "{\"a\":";
    String close = arrays ? "]" : "}";
    return open.repeat(depth) + "1" + (random.nextBoolean() ? close.repeat(depth) : "");
  }

  /** Random bytes, which need not be UTF-8. */
  static byte[] bytes(Random random, int maxLength) {
    byte[] bytes = new byte[random.nextInt(maxLength + 1)];
    random.nextBytes(bytes);
    return bytes;
  }

  /** A JSON string literal; surrogates, controls and non-ASCII BMP characters escaped. */
  static String quote(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c >= 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  static <T> T pick(Random random, List<T> values) {
    return values.get(random.nextInt(values.size()));
  }
}
