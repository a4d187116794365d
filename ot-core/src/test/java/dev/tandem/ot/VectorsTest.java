package dev.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared vectors in {@code src/test/resources/vectors/} (format in that folder's README.md),
 * which the JavaScript client passes too. Jackson reads the lines; operations go through {@link
 * OperationJson#fromValues}, as a Jackson-based server would convert them, and are checked to equal
 * {@link OperationJson#parse} of the same JSON.
 */
class VectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Named<JsonNode>> apply() {
    return cases("apply.jsonl");
  }

  static Stream<Named<JsonNode>> compose() {
    return cases("compose.jsonl");
  }

  static Stream<Named<JsonNode>> transform() {
    return cases("transform.jsonl");
  }

  static Stream<Named<JsonNode>> invert() {
    return cases("invert.jsonl");
  }

  static Stream<Named<JsonNode>> position() {
    return cases("position.jsonl");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void apply(JsonNode vector) {
    TextOperation op = op(vector, "op");
    assertEquals(vector.get("result").textValue(), op.apply(vector.get("text").textValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void compose(JsonNode vector) {
    String text = vector.get("text").textValue();
    TextOperation a = op(vector, "a");
    TextOperation b = op(vector, "b");
    TextOperation composed = op(vector, "composed");
    assertEquals(composed, a.compose(b));
    assertEquals(b.apply(a.apply(text)), composed.apply(text));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void transform(JsonNode vector) {
    String text = vector.get("text").textValue();
    TextOperation a = op(vector, "a");
    TextOperation b = op(vector, "b");
    Transformed t = TextOperation.transform(a, b);
    assertEquals(op(vector, "a1"), t.left(), "a1");
    assertEquals(op(vector, "b1"), t.right(), "b1");
    assertEquals(vector.get("result").textValue(), t.right().apply(a.apply(text)));
    assertEquals(vector.get("result").textValue(), t.left().apply(b.apply(text)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void invert(JsonNode vector) {
    String text = vector.get("text").textValue();
    TextOperation op = op(vector, "op");
    TextOperation inverse = op(vector, "inverse");
    assertEquals(inverse, op.invert(text));
    assertEquals(text, inverse.apply(op.apply(text)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void position(JsonNode vector) {
    TextOperation op = op(vector, "op");
    Side side = Side.valueOf(vector.get("side").textValue().toUpperCase(Locale.ROOT));
    assertEquals(
        vector.get("result").intValue(),
        op.transformPosition(vector.get("position").intValue(), side));
  }

  @Test
  void theFilesHoldEnoughCasesWithAstralCharacters() {
    int total = 0;
    int astral = 0;
    for (String file :
        List.of(
            "apply.jsonl", "compose.jsonl", "transform.jsonl", "invert.jsonl", "position.jsonl")) {
      List<String> lines = lines(file);
      assertTrue(lines.size() >= 20, file + " has " + lines.size() + " cases");
      total += lines.size();
      astral +=
          (int) lines.stream().filter(line -> line.codePoints().anyMatch(c -> c > 0xFFFF)).count();
    }
    assertTrue(total >= 200, total + " cases in all");
    assertTrue(astral >= 50, astral + " cases with astral characters");
  }

  @Test
  void theGeneratorStillProducesTheCommittedFiles() {
    for (Map.Entry<String, List<String>> file : VectorGenerator.generate().entrySet()) {
      assertEquals(
          file.getValue(), lines(file.getKey()), file.getKey() + " differs from VectorGenerator");
    }
  }

  /** The op in field {@code name}: canonical in the file, and read the same both ways. */
  private static TextOperation op(JsonNode vector, String name) {
    JsonNode array = vector.get(name);
    List<Object> values = new ArrayList<>();
    for (JsonNode element : array) {
      values.add(element.isTextual() ? element.textValue() : element.numberValue());
    }
    TextOperation op = OperationJson.fromValues(values);
    assertEquals(op, OperationJson.parse(array.toString()), name + " parsed from " + array);
    assertEquals(values, wireValues(op), name + " is canonical in the file");
    return op;
  }

  /** The op's components as wire values: n retains, -n deletes, a string inserts. */
  private static List<Object> wireValues(TextOperation op) {
    List<Object> values = new ArrayList<>();
    for (Component component : op.components()) {
      if (component instanceof Insert insert) {
        values.add(insert.text());
      } else {
        values.add(component instanceof Retain ? component.length() : -component.length());
      }
    }
    return values;
  }

  private static Stream<Named<JsonNode>> cases(String file) {
    List<String> lines = lines(file);
    List<Named<JsonNode>> cases = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      try {
        cases.add(Named.of(file + ":" + (i + 1) + " " + lines.get(i), JSON.readTree(lines.get(i))));
      } catch (IOException e) {
        throw new UncheckedIOException(file + ":" + (i + 1), e);
      }
    }
    return cases.stream();
  }

  private static List<String> lines(String file) {
    try (InputStream in = VectorsTest.class.getResourceAsStream("/vectors/" + file)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource vectors/" + file);
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      return reader.lines().filter(line -> !line.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
