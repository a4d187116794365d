package dev.tandem.sequencer.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;

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

  /** The body of an HTTP error, {@code {code, message}}, as every HTTP answer of the server. */
  public static String error(ErrorCode code, String message) {
    ObjectNode body = object();
    body.put("code", code.code());
    body.put("message", message == null ? code.code() : message);
    return write(body);
  }

  /** Serializes a node; never fails for trees built in memory. */
  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a JSON tree", e);
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
