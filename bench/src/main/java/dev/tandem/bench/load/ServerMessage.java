package dev.tandem.bench.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tandem.ot.TextOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of one server message that the load generator uses, read with Jackson's streaming
 * parser (no tree: the generator shares two cores with the server it measures). Absent fields are
 * null, or -1 for numbers. {@code ops} holds the entries of an {@code ops} message (several {@code
 * op} messages in one frame) or of an {@code opened} after a catch-up; {@code url} is where an
 * {@code error} of code {@code moved} sends the client.
 */
record ServerMessage(
    String type,
    String docId,
    long revision,
    long seq,
    String clientId,
    TextOperation op,
    int targetLength,
    String text,
    String code,
    String message,
    String url,
    List<Entry> ops) {

  /** One op of an {@code ops} message. */
  record Entry(long revision, TextOperation op, int targetLength, String clientId, long seq) {}

  /** An op as read: the op itself (null when not asked for) and its target length. */
  private record OpValue(TextOperation op, int targetLength) {}

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * A message in UTF-8, {@code utf8[offset, offset + length)}. {@code readOps}: parse ops into
   * {@link TextOperation}s, else skip them (left null).
   */
  static ServerMessage parse(byte[] utf8, int offset, int length, boolean readOps) {
    try (JsonParser parser = JSON.createParser(utf8, offset, length)) {
      return parse(parser, readOps);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "malformed server message: " + new String(utf8, offset, length, StandardCharsets.UTF_8),
          e);
    }
  }

  private static ServerMessage parse(JsonParser parser, boolean readOps) throws IOException {
    String type = null;
    String docId = null;
    long revision = -1;
    long seq = -1;
    String clientId = null;
    OpValue op = new OpValue(null, -1);
    String text = null;
    String code = null;
    String message = null;
    String url = null;
    List<Entry> ops = null;
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      throw new IllegalArgumentException("not a JSON object");
    }
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (field) {
        case "type" -> type = parser.getText();
        case "doc" -> docId = parser.getText();
        case "rev" -> revision = parser.getLongValue();
        case "seq" -> seq = parser.getLongValue();
        case "client" -> clientId = parser.getText();
        case "op" -> op = readOp(parser, readOps);
        case "text" -> text = parser.getText();
        case "code" -> code = parser.getText();
        case "message" -> message = parser.getText();
        case "url" -> url = parser.getText();
        case "ops" -> ops = readEntries(parser, readOps);
        default -> {
          if (value.isStructStart()) {
            parser.skipChildren();
          }
        }
      }
    }
    return new ServerMessage(
        type,
        docId,
        revision,
        seq,
        clientId,
        op.op(),
        op.targetLength(),
        text,
        code,
        message,
        url,
        ops);
  }

  private static List<Entry> readEntries(JsonParser parser, boolean readOps) throws IOException {
    List<Entry> entries = new ArrayList<>();
    while (parser.nextToken() == JsonToken.START_OBJECT) {
      long revision = -1;
      long seq = -1;
      String clientId = null;
      OpValue op = new OpValue(null, -1);
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "rev" -> revision = parser.getLongValue();
          case "seq" -> seq = parser.getLongValue();
          case "client" -> clientId = parser.getText();
          case "op" -> op = readOp(parser, readOps);
          default -> {
            if (value.isStructStart()) {
              parser.skipChildren();
            }
          }
        }
      }
      entries.add(new Entry(revision, op.op(), op.targetLength(), clientId, seq));
    }
    return entries;
  }

  /**
   * The wire form {@code [5, "hi", -3, 10]}: into the builder (which checks it) if {@code build},
   * else only its target length is added up (retains and inserted code points).
   */
  private static OpValue readOp(JsonParser parser, boolean build) throws IOException {
    TextOperation.Builder builder = build ? TextOperation.builder() : null;
    int targetLength = 0;
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token == JsonToken.VALUE_STRING) {
        String inserted = parser.getText();
        targetLength += inserted.codePointCount(0, inserted.length());
        if (build) {
          builder.insert(inserted);
        }
      } else {
        int count = parser.getIntValue();
        targetLength += Math.max(count, 0);
        if (build) {
          if (count > 0) {
            builder.retain(count);
          } else {
            builder.delete(-count);
          }
        }
      }
    }
    return new OpValue(build ? builder.build() : null, targetLength);
  }
}
