package dev.tandem.sequencer.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.CodePoints;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.protocol.Fields;
import dev.tandem.sequencer.protocol.Ids;
import java.util.OptionalLong;

/**
 * A message from client to server, parsed and shape-checked. {@link #parse} is the only way in: it
 * refuses unknown types, missing fields and fields of the wrong JSON type with {@code bad_request}.
 */
sealed interface ClientMessage {
  /** The protocol revision this server speaks. */
  int PROTOCOL = 1;

  /** Limits the relayed presence metadata, which every subscriber receives. */
  int MAX_PRESENCE_META_CHARS = 4096;

  /** Limits the ranges of one presence message. */
  int MAX_SELECTION_RANGES = 100;

  record Hello(String token, String clientId, long protocol) implements ClientMessage {}

  /** A fresh token for this connection's user, sent before the current one expires. */
  record Auth(String token) implements ClientMessage {}

  record Open(String docId, OptionalLong revision) implements ClientMessage {}

  /** {@code op} is the wire form, converted to an operation by the sequencer's edge. */
  record Submit(String docId, long baseRevision, ArrayNode op, long seq) implements ClientMessage {}

  record Presence(String docId, long revision, ArrayNode selection, ObjectNode meta)
      implements ClientMessage {}

  record Close(String docId) implements ClientMessage {}

  record Ping() implements ClientMessage {}

  static ClientMessage parse(ObjectNode message) {
    String type = Fields.requireString(message, "type");
    switch (type) {
      case "hello":
        return new Hello(
            Fields.optionalString(message, "token").orElse(""),
            Ids.checkClientId(Fields.requireString(message, "client")),
            Fields.requireLong(message, "protocol"));
      case "auth":
        return new Auth(Fields.requireString(message, "token"));
      case "open":
        {
          OptionalLong revision = Fields.optionalLong(message, "rev");
          if (revision.isPresent() && revision.getAsLong() < 0) {
            throw Errors.badRequest("field 'rev' : " + revision.getAsLong() + " (expected: >= 0)");
          }
          return new Open(docId(message), revision);
        }
      case "submit":
        return new Submit(
            docId(message),
            Fields.requireNonNegativeLong(message, "rev"),
            Fields.requireArray(message, "op"),
            Fields.requireNonNegativeLong(message, "seq"));
      case "presence":
        return new Presence(
            docId(message),
            Fields.requireNonNegativeLong(message, "rev"),
            selection(Fields.requireArray(message, "selection")),
            meta(message));
      case "close":
        return new Close(docId(message));
      case "ping":
        return new Ping();
      default:
        throw Errors.badRequest(
            "unknown message type '"
                + abbreviate(type)
                + "' (expected: hello, auth, open, submit, presence, close, ping)");
    }
  }

  private static String docId(ObjectNode message) {
    return Ids.checkDocumentId(Fields.requireString(message, "doc"));
  }

  /** A selection is a list of {@code [anchor, head]} pairs of non-negative integers. */
  private static ArrayNode selection(ArrayNode selection) {
    if (selection.size() > MAX_SELECTION_RANGES) {
      throw Errors.badRequest(
          "selection has "
              + selection.size()
              + " ranges (expected: at most "
              + MAX_SELECTION_RANGES
              + ")");
    }
    for (JsonNode range : selection) {
      boolean pair =
          range.isArray()
              && range.size() == 2
              && isPosition(range.get(0))
              && isPosition(range.get(1));
      if (!pair) {
        throw Errors.badRequest(
            "selection range "
                + abbreviate(range.toString())
                + " (expected: [anchor, head] of integers >= 0)");
      }
    }
    return selection;
  }

  private static boolean isPosition(JsonNode node) {
    return node.isIntegralNumber() && node.canConvertToInt() && node.intValue() >= 0;
  }

  private static ObjectNode meta(ObjectNode message) {
    ObjectNode meta =
        Fields.optionalObject(message, "meta")
            .orElseGet(dev.tandem.sequencer.protocol.Json::object);
    String json = meta.toString();
    int size = json.length();
    // Relayed to every other client as it came: a lone surrogate cannot be encoded as UTF-8.
    if (!CodePoints.isWellFormed(json)) {
      throw Errors.badRequest(
          "presence meta holds a lone surrogate at UTF-16 index "
              + CodePoints.firstLoneSurrogate(json)
              + " (expected: well-formed text)");
    }
    if (size > MAX_PRESENCE_META_CHARS) {
      throw Errors.tooLarge("presence meta is " + size + " characters", MAX_PRESENCE_META_CHARS);
    }
    return meta;
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "…";
  }
}
