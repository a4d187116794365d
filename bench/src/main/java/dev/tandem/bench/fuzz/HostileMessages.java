package dev.tandem.bench.fuzz;

import static dev.tandem.bench.fuzz.HostileValues.id;
import static dev.tandem.bench.fuzz.HostileValues.number;
import static dev.tandem.bench.fuzz.HostileValues.op;
import static dev.tandem.bench.fuzz.HostileValues.pick;
import static dev.tandem.bench.fuzz.HostileValues.quote;
import static dev.tandem.bench.fuzz.HostileValues.revision;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Malformed and hostile WebSocket messages for one socket, from its own seeded {@link Random}:
 * protocol messages with wrong types, odd numbers and ids, broken ops and wrong revisions,
 * truncated JSON, deep nesting, duplicate keys, random bytes in text and binary frames, and now and
 * then a valid open or submit (some of them land). Never a {@code ping}: the fuzzer's own pings end
 * its windows.
 */
final class HostileMessages {
  /** One frame to send: a text ({@code 0x1}) or binary ({@code 0x2}) opcode and its payload. */
  record Frame(int opcode, byte[] payload) {
    static Frame text(String json) {
      return new Frame(0x1, json.getBytes(StandardCharsets.UTF_8));
    }

    /** The payload as text, shortened, for failure reports. */
    String describe() {
      String text = new String(payload, StandardCharsets.UTF_8);
      String kind = opcode == 0x2 ? "binary " : "";
      return kind
          + (text.length() > 300 ? text.substring(0, 300) + "…(" + text.length() + ")" : text);
    }
  }

  private static final String JSON_CHARACTERS = "{}[]\":,0a-";

  private final Random random;
  private final List<String> documents;

  /** {@code documents}: the ids worth aiming at (the control documents and a small pool). */
  HostileMessages(Random random, List<String> documents) {
    this.random = random;
    this.documents = documents;
  }

  /** The socket's first message: a valid hello, or (one in ten) a hostile one. */
  Frame hello(String clientId) {
    if (random.nextInt(10) != 0) {
      return Frame.text(
          "{\"type\":\"hello\",\"token\":\"\",\"client\":" + quote(clientId) + ",\"protocol\":1}");
    }
    return switch (random.nextInt(6)) {
      case 0 -> Frame.text(next().describe()); // anything else first
      case 1 ->
          Frame.text(
              "{\"type\":\"hello\",\"token\":\"\",\"client\":"
                  + id(random, List.of(clientId))
                  + ",\"protocol\":1}");
      case 2 ->
          Frame.text(
              "{\"type\":\"hello\",\"client\":"
                  + quote(clientId)
                  + ",\"protocol\":"
                  + number(random)
                  + "}");
      case 3 ->
          Frame.text(
              "{\"type\":\"hello\",\"token\":"
                  + number(random)
                  + ",\"client\":"
                  + quote(clientId)
                  + ",\"protocol\":1}");
      case 4 -> new Frame(0x2, HostileValues.bytes(random, 64));
      default -> Frame.text("{\"type\":\"hello\"");
    };
  }

  /** The next message after the hello. */
  Frame next() {
    int kind = random.nextInt(100);
    if (kind < 25) {
      return Frame.text(submit());
    } else if (kind < 30) {
      return Frame.text(random.nextInt(2) == 0 ? validSubmit() : submitAtWrongRevision());
    } else if (kind < 38) {
      return Frame.text(open());
    } else if (kind < 45) {
      return Frame.text(presence());
    } else if (kind < 49) {
      return Frame.text("{\"type\":\"close\",\"doc\":" + id(random, documents) + "}");
    } else if (kind < 57) {
      return Frame.text(truncated(anyMessage()));
    } else if (kind < 62) {
      return Frame.text(wrongShape());
    } else if (kind < 66) {
      return Frame.text(HostileValues.deepNesting(random));
    } else if (kind < 70) {
      return Frame.text(
          "{\"type\":\"submit\",\"doc\":"
              + id(random, documents)
              + ",\"op\":"
              + HostileValues.deepNesting(random)
              + "}");
    } else if (kind < 75) {
      return Frame.text(duplicateOrTrailing());
    } else if (kind < 80) {
      return Frame.text(randomText());
    } else if (kind < 84) {
      return new Frame(0x2, HostileValues.bytes(random, 256));
    } else if (kind < 85 && random.nextInt(5) == 0) {
      return new Frame(0x1, HostileValues.bytes(random, 64)); // perhaps not UTF-8
    } else if (kind < 89) {
      return Frame.text("{\"type\":\"hello\",\"token\":\"\",\"client\":\"again\",\"protocol\":1}");
    } else if (kind < 99 || random.nextInt(20) != 0) {
      return Frame.text(submitAtWrongRevision());
    } else {
      return Frame.text(oversized()); // closes the socket (1009)
    }
  }

  private String submit() {
    return "{\"type\":\"submit\",\"doc\":"
        + id(random, documents)
        + ",\"rev\":"
        + revision(random)
        + ",\"op\":"
        + op(random)
        + ",\"seq\":"
        + (random.nextBoolean() ? Integer.toString(random.nextInt(1000)) : number(random))
        + "}";
  }

  /** An insert into an empty document's revision 0: right whenever the document began empty. */
  private String validSubmit() {
    return "{\"type\":\"submit\",\"doc\":"
        + quote(pick(random, documents))
        + ",\"rev\":0,\"op\":["
        + quote("f" + new String(Character.toChars(0x1F600 + random.nextInt(80))))
        + "],\"seq\":"
        + random.nextInt(1_000_000)
        + "}";
  }

  private String submitAtWrongRevision() {
    long revision =
        switch (random.nextInt(4)) {
          case 0 -> -1 - random.nextInt(5);
          case 1 -> 1_000_000 + random.nextInt(1000);
          case 2 -> Long.MAX_VALUE - random.nextInt(3);
          default -> random.nextInt(200);
        };
    return "{\"type\":\"submit\",\"doc\":"
        + quote(pick(random, documents))
        + ",\"rev\":"
        + revision
        + ",\"op\":[\"w\"],\"seq\":"
        + random.nextInt(1_000_000)
        + "}";
  }

  private String open() {
    StringBuilder open = new StringBuilder("{\"type\":\"open\",\"doc\":");
    open.append(random.nextInt(3) == 0 ? id(random, documents) : quote(pick(random, documents)));
    if (random.nextBoolean()) {
      open.append(",\"rev\":").append(revision(random));
    }
    return open.append('}').toString();
  }

  private String presence() {
    StringBuilder selection = new StringBuilder("[");
    int ranges = random.nextInt(10) == 0 ? 101 + random.nextInt(50) : random.nextInt(3);
    for (int i = 0; i < ranges; i++) {
      selection.append(i == 0 ? "" : ",").append('[').append(number(random)).append(',');
      selection.append(number(random)).append(']');
    }
    selection.append(']');
    String meta =
        switch (random.nextInt(5)) {
          case 0 -> "{\"name\":" + quote("m".repeat(5_000)) + "}";
          case 1 -> HostileValues.deepNesting(random);
          case 2 -> number(random);
          default -> "{\"name\":" + quote(HostileValues.text(random)) + "}";
        };
    return "{\"type\":\"presence\",\"doc\":"
        + id(random, documents)
        + ",\"rev\":"
        + revision(random)
        + ",\"selection\":"
        + (random.nextInt(8) == 0 ? number(random) : selection)
        + ",\"meta\":"
        + meta
        + "}";
  }

  private String anyMessage() {
    return switch (random.nextInt(4)) {
      case 0 -> submit();
      case 1 -> open();
      case 2 -> presence();
      default -> validSubmit();
    };
  }

  private String truncated(String message) {
    return message.substring(0, random.nextInt(message.length()));
  }

  private String wrongShape() {
    return switch (random.nextInt(9)) {
      case 0 -> "{}";
      case 1 -> "{\"type\":" + number(random) + "}";
      case 2 -> "{\"type\":\"no-such-type\",\"doc\":\"a\"}";
      case 3 -> "[]";
      case 4 -> "\"submit\"";
      case 5 -> number(random);
      case 6 -> "";
      case 7 -> "{\"type\":\"submit\"}";
      default -> "{\"type\":" + quote(HostileValues.text(random)) + "}";
    };
  }

  private String duplicateOrTrailing() {
    return switch (random.nextInt(3)) {
      case 0 ->
          "{\"type\":\"open\",\"type\":\"close\",\"doc\":" + quote(pick(random, documents)) + "}";
      case 1 -> "{\"type\":\"open\",\"doc\":" + quote(pick(random, documents)) + "} {}";
      default -> "{\"type\":\"open\",\"doc\":" + quote(pick(random, documents)) + "}x";
    };
  }

  /** Valid UTF-8 of random code points (controls, astral and unassigned ones included). */
  private String randomText() {
    StringBuilder text = new StringBuilder();
    for (int i = random.nextInt(200); i > 0; i--) {
      int codePoint = random.nextInt(0x110000);
      if (codePoint >= 0xD800 && codePoint <= 0xDFFF) {
        codePoint = '{';
      }
      text.appendCodePoint(random.nextInt(3) == 0 ? codePoint : JSON_CHARACTERS.charAt(i % 10));
    }
    return text.toString();
  }

  /** A submit inserting more than the op limit, and so beyond the message limit: close 1009. */
  private String oversized() {
    int length = random.nextInt(20) == 0 ? 1_100_000 : 1_048_577;
    return "{\"type\":\"submit\",\"doc\":"
        + quote(pick(random, documents))
        + ",\"rev\":0,\"op\":["
        + quote("o".repeat(length))
        + "],\"seq\":1}";
  }
}
