package dev.tandem.sequencer.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * The server's one strict Jackson configuration, used by the WebSocket and REST transports.
 *
 * <p>Strict means: no coercion between JSON types (a string where a number belongs, a float where
 * an integer belongs, {@code null} for a primitive are all errors), duplicate keys and trailing
 * tokens are errors, and nesting is shallow. Unknown fields are <em>ignored</em>, so that clients
 * written against a later protocol revision keep working; the README's protocol reference says so.
 */
public final class Json {
  private static final int MAX_NESTING_DEPTH = 32;

  /** The configured mapper; thread-safe once built. */
  public static final ObjectMapper MAPPER = build();

  private Json() {}

  private static ObjectMapper build() {
    JsonMapper mapper =
        JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .withCoercionConfigDefaults(
                config -> {
                  config.setCoercion(CoercionInputShape.String, CoercionAction.Fail);
                  config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
                  config.setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
                  config.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
                  config.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
                })
            .build();
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build());
    return mapper;
  }

  /** A new empty JSON object. */
  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /**
   * Parses one JSON object.
   *
   * @throws TandemException {@code bad_request} if the text is not exactly one JSON object
   */
  public static ObjectNode parseObject(String text) {
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw Errors.badRequest("malformed JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw Errors.badRequest("expected a JSON object");
    }
    return (ObjectNode) node;
  }

  /**
   * Binds one JSON object to {@code type} (a record), with the strict rules above.
   *
   * @throws TandemException {@code bad_request} (see {@link #refusal}), or what the record's
   *     constructor throws while checking its fields
   */
  public static <T> T read(String text, Class<T> type) {
    try {
      return MAPPER.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw refusal(e);
    }
  }

  /** Binds a parsed JSON object to {@code type}, as {@link #read} does. */
  public static <T> T bind(ObjectNode object, Class<T> type) {
    try {
      return MAPPER.treeToValue(object, type);
    } catch (JsonProcessingException e) {
      throw refusal(e);
    } catch (IllegalArgumentException e) { // a tree from memory: what its binding threw
      throw e.getCause() instanceof JsonProcessingException json ? refusal(json) : e;
    }
  }

  /**
   * What a client is told when Jackson refuses its JSON: the {@link TandemException} a record's
   * constructor threw while checking a field; for a field of the wrong JSON type {@code bad_request
   * "field 'rev' is a string "1" (expected: an integer)"}, for a missing one {@code "field 'rev' is
   * required"}; {@code "malformed JSON: …"} for anything else.
   */
  public static TandemException refusal(JsonProcessingException failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof TandemException checked) {
        return checked;
      }
    }
    if (failure instanceof InvalidTypeIdException unknownType) {
      return Errors.badRequest(
          "unknown "
              + unknownType.getBaseType().getRawClass().getSimpleName().toLowerCase(Locale.ROOT)
              + " type '"
              + abbreviate(String.valueOf(unknownType.getTypeId()))
              + "'");
    }
    if (failure instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
      String field = field(mapping.getPath());
      if (failure.getOriginalMessage().startsWith("Missing required creator property")) {
        return Errors.badRequest("field '" + field + "' is required");
      }
      if (failure instanceof MismatchedInputException mismatch
          && failure.getProcessor() instanceof JsonParser parser
          && parser.currentToken() != null) {
        return Errors.badRequest(
            "field '"
                + field
                + "' is "
                + kind(parser.currentToken())
                + (parser.currentToken().isScalarValue()
                        && parser.currentToken() != JsonToken.VALUE_NULL
                    ? " " + abbreviate(text(parser))
                    : "")
                + " (expected: "
                + expected(mismatch.getTargetType())
                + ")");
      }
      return Errors.badRequest("field '" + field + "': " + failure.getOriginalMessage());
    }
    if (failure instanceof MismatchedInputException
        && failure.getProcessor() instanceof JsonParser parser
        && parser.currentToken() != null
        && parser.currentToken() != JsonToken.START_OBJECT) {
      return Errors.badRequest("expected a JSON object (got " + kind(parser.currentToken()) + ")");
    }
    return Errors.badRequest("malformed JSON: " + failure.getOriginalMessage());
  }

  private static String field(List<JsonMappingException.Reference> path) {
    StringBuilder field = new StringBuilder();
    for (JsonMappingException.Reference reference : path) {
      if (reference.getFieldName() != null) {
        field.append(field.isEmpty() ? "" : ".").append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        field.append('[').append(reference.getIndex()).append(']');
      }
    }
    return field.toString();
  }

  private static String kind(JsonToken token) {
    return switch (token) {
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a number with a fraction or exponent";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      case START_ARRAY, END_ARRAY -> "an array";
      case START_OBJECT, END_OBJECT, FIELD_NAME -> "an object";
      default -> "a " + token.name().toLowerCase(Locale.ROOT);
    };
  }

  private static String text(JsonParser parser) {
    try {
      return parser.currentToken() == JsonToken.VALUE_STRING
          ? '"' + parser.getText() + '"'
          : parser.getText();
    } catch (IOException e) {
      return "";
    }
  }

  private static String expected(Class<?> type) {
    if (type == null) {
      return "another type";
    }
    if (type == long.class || type == Long.class || type == int.class || type == Integer.class) {
      return "an integer";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "a boolean";
    }
    if (ArrayNode.class.isAssignableFrom(type) || List.class.isAssignableFrom(type)) {
      return "an array";
    }
    return "an object";
  }

  /** Client input quoted in a message: at most 40 characters. */
  public static String abbreviate(String text) {
    return text == null || text.length() <= 40 ? text : text.substring(0, 40) + "…";
  }

  /** The body of every HTTP error of the server. */
  public record ErrorBody(String code, String message) {
    public ErrorBody(ErrorCode code, String message) {
      this(code.code(), message == null ? code.code() : message);
    }
  }

  /** The body of an HTTP error, {@code {code, message}}, as every HTTP answer of the server. */
  public static String error(ErrorCode code, String message) {
    return write(new ErrorBody(code, message));
  }

  /** Serializes a record as UTF-8; never fails for values built in memory. */
  public static byte[] writeUtf8(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }

  /** Serializes a record or a tree; never fails for values built in memory. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }

  /**
   * The UTF-8 size of {@code text}; a surrogate counts 2 bytes, so a pair counts 4 even if split.
   */
  public static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return bytes;
  }
}
