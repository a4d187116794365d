package dev.tandem.sequencer.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.InvalidOperationException;
import dev.tandem.ot.OperationJson;
import dev.tandem.ot.TextOperation;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        .orElseThrow(() -> Errors.badRequest("field '" + field + "' is required"));
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
      throw Errors.badRequest("field '" + field + "' is required");
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
      throw Errors.badRequest("field '" + field + "' : " + value + " (expected: >= 0)");
    }
    return value;
  }

  public static ArrayNode requireArray(ObjectNode object, String field) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      throw Errors.badRequest("field '" + field + "' is required");
    }
    if (!value.isArray()) {
      throw wrongType(field, value, "an array");
    }
    return (ArrayNode) value;
  }

  /**
   * The op of a submit, from its JSON array; {@code invalid_op} if it is not a valid operation.
   *
   * <p>The elements go to {@link OperationJson#fromValues} as Jackson read them, never written back
   * to JSON and read again: Jackson reads a number with a fraction or an exponent as a double
   * ({@code 1e3} as 1000.0, {@code 1e999} as infinity, which it writes as the string {@code
   * "Infinity"}), and only its node type still tells that it was not a JSON integer.
   */
  public static TextOperation operation(ArrayNode op) {
    List<Object> values = new ArrayList<>(op.size());
    for (JsonNode element : op) {
      values.add(
          switch (element.getNodeType()) {
            case STRING -> element.textValue();
            case NUMBER -> element.numberValue(); // Integer, Long, BigInteger; or not integral
            case BOOLEAN -> element.booleanValue();
            case ARRAY -> List.of();
            case OBJECT -> Map.of();
            default -> null; // null (and nothing else a JSON reader makes)
          });
    }
    try {
      return OperationJson.fromValues(values);
    } catch (InvalidOperationException e) {
      throw Errors.invalidOp(e.getMessage());
    }
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
    return Errors.badRequest(
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
