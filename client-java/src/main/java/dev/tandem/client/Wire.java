package dev.tandem.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.tandem.ot.OperationJson;
import dev.tandem.ot.TextOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON of the wire protocol: builds the client's messages and reads the server's fields with
 * their exact types. Ops go through {@link OperationJson}; nothing else sees raw op JSON.
 */
final class Wire {
  static final ObjectMapper JSON = new ObjectMapper();

  private Wire() {}

  /** A server message that does not have the shape the protocol promises. */
  static final class MalformedMessage extends RuntimeException {
    MalformedMessage(String message) {
      super(message);
    }
  }

  static ObjectNode message(String type) {
    ObjectNode node = JSON.createObjectNode();
    node.put("type", type);
    return node;
  }

  static ObjectNode hello(String token, String clientId) {
    return message("hello").put("token", token).put("client", clientId).put("protocol", 1);
  }

  static ObjectNode auth(String token) {
    return message("auth").put("token", token);
  }

  static ObjectNode open(String docId, Long revision) {
    ObjectNode node = message("open").put("doc", docId);
    if (revision != null) {
      node.put("rev", revision.longValue());
    }
    return node;
  }

  static ObjectNode submit(String docId, long baseRevision, TextOperation op, long seq) {
    ObjectNode node = message("submit").put("doc", docId).put("rev", baseRevision);
    node.putRawValue("op", new RawValue(OperationJson.toJson(op)));
    return node.put("seq", seq);
  }

  static ObjectNode presence(
      String docId, long revision, List<SelectionRange> selection, Map<String, Object> meta) {
    ObjectNode node = message("presence").put("doc", docId).put("rev", revision);
    ArrayNode ranges = node.putArray("selection");
    for (SelectionRange range : selection) {
      ranges.addArray().add(range.anchor()).add(range.head());
    }
    node.set("meta", JSON.valueToTree(meta));
    return node;
  }

  static ObjectNode close(String docId) {
    return message("close").put("doc", docId);
  }

  static ObjectNode ping() {
    return message("ping");
  }

  static String encode(ObjectNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + node, e);
    }
  }

  static JsonNode parse(String text) {
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || !node.isObject()) {
        throw new MalformedMessage("server message is not a JSON object: " + abbreviate(text));
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new MalformedMessage("server message is not JSON: " + abbreviate(text));
    }
  }

  static String string(JsonNode message, String field) {
    JsonNode value = message.get(field);
    if (value == null || !value.isTextual()) {
      throw malformed(message, field, "a string");
    }
    return value.textValue();
  }

  static String optionalString(JsonNode message, String field, String absent) {
    JsonNode value = message.get(field);
    return value == null || value.isNull() ? absent : string(message, field);
  }

  static long integer(JsonNode message, String field) {
    JsonNode value = message.get(field);
    if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
      throw malformed(message, field, "an integer");
    }
    return value.longValue();
  }

  static Long optionalInteger(JsonNode message, String field) {
    JsonNode value = message.get(field);
    return value == null || value.isNull() ? null : integer(message, field);
  }

  static boolean flag(JsonNode message, String field) {
    JsonNode value = message.get(field);
    return value != null && value.isBoolean() && value.booleanValue();
  }

  static TextOperation op(JsonNode message, String field) {
    JsonNode value = message.get(field);
    if (value == null || !value.isArray()) {
      throw malformed(message, field, "an op array");
    }
    return OperationJson.parse(value.toString());
  }

  static List<SelectionRange> selection(JsonNode message, String field) {
    JsonNode value = message.get(field);
    if (value == null || !value.isArray()) {
      throw malformed(message, field, "a list of [anchor, head]");
    }
    List<SelectionRange> ranges = new ArrayList<>();
    for (JsonNode pair : value) {
      if (!pair.isArray()
          || pair.size() != 2
          || !pair.get(0).canConvertToInt()
          || !pair.get(1).canConvertToInt()) {
        throw malformed(message, field, "a list of [anchor, head]");
      }
      ranges.add(new SelectionRange(pair.get(0).intValue(), pair.get(1).intValue()));
    }
    return ranges;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> meta(JsonNode message, String field) {
    JsonNode value = message.get(field);
    if (value == null || !value.isObject()) {
      return Map.of();
    }
    return JSON.convertValue(value, Map.class);
  }

  private static MalformedMessage malformed(JsonNode message, String field, String expected) {
    return new MalformedMessage(
        "server message field '"
            + field
            + "' is "
            + message.get(field)
            + " (expected "
            + expected
            + "): "
            + abbreviate(message.toString()));
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "…";
  }
}
