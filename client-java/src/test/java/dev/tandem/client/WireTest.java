package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.ot.TextOperation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireTest {
  @Test
  void clientMessagesUseTheProtocolKeys() {
    assertEquals(
        "{\"type\":\"hello\",\"token\":\"t\",\"client\":\"c1\",\"protocol\":1}",
        Wire.encode(Wire.hello("t", "c1")));
    assertEquals("{\"type\":\"open\",\"doc\":\"d\"}", Wire.encode(Wire.open("d", null)));
    assertEquals("{\"type\":\"open\",\"doc\":\"d\",\"rev\":7}", Wire.encode(Wire.open("d", 7L)));
    TextOperation op = TextOperation.builder().retain(5).insert("h😀").delete(3).retain(10).build();
    assertEquals(
        "{\"type\":\"submit\",\"doc\":\"d\",\"rev\":3,\"op\":[5,\"h😀\",-3,10],\"seq\":42}",
        Wire.encode(Wire.submit("d", 3, op, 42)));
    assertEquals(
        "{\"type\":\"presence\",\"doc\":\"d\",\"rev\":2,\"selection\":[[1,4],[6,6]],"
            + "\"meta\":{\"name\":\"Ada\"}}",
        Wire.encode(
            Wire.presence(
                "d",
                2,
                List.of(new SelectionRange(1, 4), SelectionRange.caret(6)),
                Map.of("name", "Ada"))));
    assertEquals("{\"type\":\"close\",\"doc\":\"d\"}", Wire.encode(Wire.close("d")));
    assertEquals("{\"type\":\"ping\"}", Wire.encode(Wire.ping()));
  }

  @Test
  void serverFieldsMustHaveTheirExactTypes() {
    JsonNode ack = Wire.parse("{\"type\":\"ack\",\"doc\":\"d\",\"rev\":\"3\",\"seq\":1}");
    assertThrows(Wire.MalformedMessage.class, () -> Wire.integer(ack, "rev"));
    assertEquals(1, Wire.integer(ack, "seq"));
    JsonNode op = Wire.parse("{\"op\":[2,\"x\",-1]}");
    assertEquals(
        TextOperation.builder().retain(2).insert("x").delete(1).build(), Wire.op(op, "op"));
    assertThrows(Wire.MalformedMessage.class, () -> Wire.parse("[1,2]"));
    assertThrows(Wire.MalformedMessage.class, () -> Wire.parse("{nope"));
    JsonNode presence = Wire.parse("{\"selection\":[[1,2],[3]]}");
    assertThrows(Wire.MalformedMessage.class, () -> Wire.selection(presence, "selection"));
  }

  @Test
  void messageSizesCountUtf8Bytes() {
    assertEquals(0, TandemClient.utf8Length(""));
    assertEquals(3, TandemClient.utf8Length("abc"));
    assertEquals(2, TandemClient.utf8Length("é"));
    assertEquals(3, TandemClient.utf8Length("€"));
    assertEquals(4, TandemClient.utf8Length("😀"));
    String mixed = "a€😀é𝒳";
    assertEquals(
        mixed.getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
        TandemClient.utf8Length(mixed));
  }
}
