package dev.tandem.sequencer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.sequencer.protocol.Json;

/** Builds protocol messages for tests. */
final class Messages {
  private Messages() {}

  static String open(String doc) {
    return "{\"type\":\"open\",\"doc\":\"" + doc + "\"}";
  }

  static String open(String doc, long rev) {
    return "{\"type\":\"open\",\"doc\":\"" + doc + "\",\"rev\":" + rev + "}";
  }

  static String submit(String doc, long rev, String opJson, long seq) {
    return "{\"type\":\"submit\",\"doc\":\""
        + doc
        + "\",\"rev\":"
        + rev
        + ",\"op\":"
        + opJson
        + ",\"seq\":"
        + seq
        + "}";
  }

  static String close(String doc) {
    return "{\"type\":\"close\",\"doc\":\"" + doc + "\"}";
  }

  static String presence(String doc, long rev, int anchor, int head) {
    return "{\"type\":\"presence\",\"doc\":\""
        + doc
        + "\",\"rev\":"
        + rev
        + ",\"selection\":[["
        + anchor
        + ","
        + head
        + "]],\"meta\":{\"name\":\"Ada\"}}";
  }

  static ObjectNode object(String json) {
    return Json.parseObject(json);
  }
}
