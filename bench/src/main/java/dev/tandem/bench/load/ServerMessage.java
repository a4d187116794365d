package dev.tandem.bench.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tandem.ot.TextOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of one server message that the load generator uses, read with Jackson's streaming
 * parser (no tree: the generator shares two cores with the server it measures). Absent fields are
 * null, or -1 for numbers. {@code ops} holds the entries of an {@code ops} message (several {@code
 * op} messages in one frame).
 */
record ServerMessage(
    String type,
    String docId,
    long revision,
    long seq,
    String clientId,
    TextOperation op,
    String text,
    String code,
    String message,
    List<Entry> ops) {

  /** One op of an {@code ops} message. */
  record Entry(long revision, TextOperation op, String clientId, long seq) {}

  private static final JsonFactory JSON = new JsonFactory();

  static ServerMessage parse(String frame) {
    String type = null;
    String docId = null;
    long revision = -1;
    long seq = -1;
    String clientId = null;
    TextOperation op = null;
    String text = null;
    String code = null;
    String message = null;
    List<Entry> ops = null;
    try (JsonParser parser = JSON.createParser(frame)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object: " + frame);
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
          case "op" -> op = readOp(parser);
          case "text" -> text = parser.getText();
          case "code" -> code = parser.getText();
          case "message" -> message = parser.getText();
          case "ops" -> ops = readEntries(parser);
          default -> {
            if (value.isStructStart()) {
              parser.skipChildren();
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("malformed server message: " + frame, e);
    }
    return new ServerMessage(type, docId, revision, seq, clientId, op, text, code, message, ops);
  }

  private static List<Entry> readEntries(JsonParser parser) throws IOException {
    List<Entry> entries = new ArrayList<>();
    while (parser.nextToken() == JsonToken.START_OBJECT) {
      long revision = -1;
      long seq = -1;
      String clientId = null;
      TextOperation op = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "rev" -> revision = parser.getLongValue();
          case "seq" -> seq = parser.getLongValue();
          case "client" -> clientId = parser.getText();
          case "op" -> op = readOp(parser);
          default -> {
            if (value.isStructStart()) {
              parser.skipChildren();
            }
          }
        }
      }
      entries.add(new Entry(revision, op, clientId, seq));
    }
    return entries;
  }

  /** The wire form {@code [5, "hi", -3, 10]}, straight into the builder (which checks it). */
  private static TextOperation readOp(JsonParser parser) throws IOException {
    TextOperation.Builder builder = TextOperation.builder();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token == JsonToken.VALUE_STRING) {
        builder.insert(parser.getText());
      } else {
        int count = parser.getIntValue();
        if (count > 0) {
          builder.retain(count);
        } else {
          builder.delete(-count);
        }
      }
    }
    return builder.build();
  }
}
