package dev.tandem.sequencer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Typed, strict reads of the fields of a JSON object. A field of the wrong JSON type is a {@code
 * bad_request} naming the field, its JSON type and the expected one; nothing is coerced.
 */
public final class Fields {
  private Fields() {}

  public static String requireString(ObjectNode object, String field) {
    return optionalString(object, field)
        .orElseThrow(() -> TandemException.badRequest("field '" + field + "' is required"));
  }

  public static Optional<String> optionalString(ObjectNode object, String field) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw wrongType(field, value, "a string");
    }
    return Optional.of(value.textValue());
  }

  public static long requireLong(ObjectNode object, String field) {
    OptionalLong value = optionalLong(object, field);
    if (value.isEmpty()) {
      throw TandemException.badRequest("field '" + field + "' is required");
    }
    return value.getAsLong();
  }

  /** An integer field; floats such as {@code 1.0} and integers beyond a long are refused. */
  public static OptionalLong optionalLong(ObjectNode object, String field) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return OptionalLong.empty();
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw wrongType(field, value, "an integer");
    }
    return OptionalLong.of(value.longValue());
  }

  public static long requireNonNegativeLong(ObjectNode object, String field) {
    long value = requireLong(object, field);
    if (value < 0) {
      throw TandemException.badRequest("field '" + field + "' : " + value + " (expected: >= 0)");
    }
    return value;
  }

  public static ArrayNode requireArray(ObjectNode object, String field) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      throw TandemException.badRequest("field '" + field + "' is required");
    }
    if (!value.isArray()) {
      throw wrongType(field, value, "an array");
    }
    return (ArrayNode) value;
  }

  /** A boolean field; absent or null is {@code false}. */
  public static boolean optionalBoolean(ObjectNode object, String field) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      throw wrongType(field, value, "true or false");
    }
    return value.booleanValue();
  }

  public static Optional<ObjectNode> optionalObject(ObjectNode object, String field) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isObject()) {
      throw wrongType(field, value, "an object");
    }
    return Optional.of((ObjectNode) value);
  }

  private static TandemException wrongType(String field, JsonNode value, String expected) {
    return TandemException.badRequest(
        "field '"
            + field
            + "' is "
            + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
            + " "
            + abbreviate(value.toString())
            + " (expected: "
            + expected
            + ")");
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "…";
  }
}
