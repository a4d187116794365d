package dev.tandem.sequencer.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tandem.ot.InvalidOperationException;
import dev.tandem.ot.OperationJson;
import dev.tandem.ot.TextOperation;
import dev.tandem.sequencer.error.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The op of a submit (WebSocket or REST), from the JSON array its message was bound with. */
public final class Ops {
  private Ops() {}

  /**
   * The operation {@code op} holds; {@code invalid_op} if it is not a valid operation.
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
}
