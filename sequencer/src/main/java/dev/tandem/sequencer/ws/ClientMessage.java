package dev.tandem.sequencer.ws;

import static dev.tandem.sequencer.protocol.Checks.nonNegative;
import static dev.tandem.sequencer.protocol.Checks.required;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.CodePoints;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.protocol.Ids;
import dev.tandem.sequencer.protocol.Json;
import java.util.Locale;
import java.util.Map;

/**
 * A message from client to server, bound by Jackson to one of the records below by its {@code
 * type}, with the strict rules of {@link Json} (a field of the wrong JSON type, a missing one, an
 * unknown {@code type}: {@code bad_request}; unknown fields are ignored). Each record's constructor
 * checks what JSON types cannot say (ids, ranges, sizes). {@link #read} is the way in: one pass
 * from the text to the record; only a message it refuses is parsed again ({@link #parse}), to tell
 * the client precisely why.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ClientMessage.Hello.class, name = "hello"),
  @JsonSubTypes.Type(value = ClientMessage.Auth.class, name = "auth"),
  @JsonSubTypes.Type(value = ClientMessage.Open.class, name = "open"),
  @JsonSubTypes.Type(value = ClientMessage.Submit.class, name = "submit"),
  @JsonSubTypes.Type(value = ClientMessage.Presence.class, name = "presence"),
  @JsonSubTypes.Type(value = ClientMessage.Close.class, name = "close"),
  @JsonSubTypes.Type(value = ClientMessage.Ping.class, name = "ping")
})
sealed interface ClientMessage {
  /** The protocol revision this server speaks. */
  int PROTOCOL = 1;

  /** Limits the relayed presence metadata, which every subscriber receives. */
  int MAX_PRESENCE_META_CHARS = 4096;

  /** Limits the ranges of one presence message. */
  int MAX_SELECTION_RANGES = 100;

  /** The document the message is about, if it names one (an error answering it names it too). */
  default String docId() {
    return null;
  }

  /** The seq of a submit, which an error answering it names; null for other messages. */
  default Long seqOrNull() {
    return null;
  }

  /**
   * The message {@code text} holds.
   *
   * @throws dev.tandem.sequencer.error.TandemException {@code bad_request} (or what a record's
   *     constructor throws) naming what is wrong
   */
  static ClientMessage read(String text) {
    try {
      ClientMessage message = Json.read(text, ClientMessage.class); // one pass, no tree
      if (message != null) { // the JSON literal null binds to null: refused below
        return message;
      }
    } catch (RuntimeException refused) {
      // the precise refusal below
    }
    return parse(Json.parseObject(text));
  }

  /** The record of each {@code type}. */
  Map<String, Class<? extends ClientMessage>> TYPES =
      Map.of(
          "hello", Hello.class,
          "auth", Auth.class,
          "open", Open.class,
          "submit", Submit.class,
          "presence", Presence.class,
          "close", Close.class,
          "ping", Ping.class);

  /** {@code token} is optional (may be empty). */
  record Hello(
      String token,
      @JsonProperty(value = "client", required = true) String clientId,
      @JsonProperty(required = true) long protocol)
      implements ClientMessage {
    public Hello {
      token = token == null ? "" : token;
      Ids.checkClientId(clientId);
    }
  }

  /** A fresh token for this connection's user, sent before the current one expires. */
  record Auth(@JsonProperty(required = true) String token) implements ClientMessage {
    public Auth {
      required(token, "token");
    }
  }

  /** {@code revision} is null without {@code rev}: the client wants the text at the head. */
  record Open(
      @JsonProperty(value = "doc", required = true) String docId,
      @JsonProperty("rev") Long revision)
      implements ClientMessage {
    public Open {
      Ids.checkDocumentId(docId);
      if (revision != null) {
        nonNegative(revision, "rev");
      }
    }
  }

  /** {@code op} is the wire form, converted to an operation by the sequencer's edge. */
  record Submit(
      @JsonProperty(value = "doc", required = true) String docId,
      @JsonProperty(value = "rev", required = true) long baseRevision,
      @JsonProperty(required = true) ArrayNode op,
      @JsonProperty(required = true) long seq)
      implements ClientMessage {
    public Submit {
      Ids.checkDocumentId(docId);
      nonNegative(baseRevision, "rev");
      required(op, "op");
      nonNegative(seq, "seq");
    }

    @Override
    public Long seqOrNull() {
      return seq;
    }
  }

  /** A selection is a list of {@code [anchor, head]} pairs of non-negative integers. */
  record Presence(
      @JsonProperty(value = "doc", required = true) String docId,
      @JsonProperty(value = "rev", required = true) long revision,
      @JsonProperty(required = true) ArrayNode selection,
      ObjectNode meta)
      implements ClientMessage {
    public Presence {
      Ids.checkDocumentId(docId);
      nonNegative(revision, "rev");
      checkSelection(required(selection, "selection"));
      meta = checkMeta(meta == null ? Json.object() : meta);
    }
  }

  record Close(@JsonProperty(value = "doc", required = true) String docId)
      implements ClientMessage {
    public Close {
      Ids.checkDocumentId(docId);
    }
  }

  record Ping() implements ClientMessage {}

  /**
   * The message {@code message} is, by its {@code type}.
   *
   * @throws dev.tandem.sequencer.error.TandemException {@code bad_request} naming what is wrong
   */
  static ClientMessage parse(ObjectNode message) {
    JsonNode type = message.get("type");
    if (type == null || type.isNull()) {
      throw Errors.badRequest("field 'type' is required");
    }
    if (!type.isTextual()) {
      throw Errors.badRequest(
          "field 'type' is "
              + type.getNodeType().name().toLowerCase(Locale.ROOT)
              + " "
              + Json.abbreviate(type.toString())
              + " (expected: a string)");
    }
    Class<? extends ClientMessage> record = TYPES.get(type.textValue());
    if (record == null) {
      throw Errors.badRequest(
          "unknown message type '"
              + Json.abbreviate(type.textValue())
              + "' (expected: hello, auth, open, submit, presence, close, ping)");
    }
    return Json.bind(message, record);
  }

  private static void checkSelection(ArrayNode selection) {
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
                + Json.abbreviate(range.toString())
                + " (expected: [anchor, head] of integers >= 0)");
      }
    }
  }

  private static boolean isPosition(JsonNode node) {
    return node.getNodeType() == JsonNodeType.NUMBER
        && node.isIntegralNumber()
        && node.canConvertToInt()
        && node.intValue() >= 0;
  }

  /** Relayed to every other client as it came: bounded, and sendable as UTF-8. */
  private static ObjectNode checkMeta(ObjectNode meta) {
    String json = meta.toString();
    if (!CodePoints.isWellFormed(json)) {
      throw Errors.badRequest(
          "presence meta holds a lone surrogate at UTF-16 index "
              + CodePoints.firstLoneSurrogate(json)
              + " (expected: well-formed text)");
    }
    if (json.length() > MAX_PRESENCE_META_CHARS) {
      throw Errors.tooLarge(
          "presence meta is " + json.length() + " characters", MAX_PRESENCE_META_CHARS);
    }
    return meta;
  }
}
