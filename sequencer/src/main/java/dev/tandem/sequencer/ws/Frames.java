package dev.tandem.sequencer.ws;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tandem.sequencer.document.Committed;
import dev.tandem.sequencer.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The frame that carries committed ops, written with Jackson's streaming generator. A run's frame
 * is built once and shared by every socket that receives the run ({@link
 * dev.tandem.sequencer.OpRun#encoded}).
 */
final class Frames {
  private Frames() {}

  /**
   * {@code ops {doc, ops: [{rev, op, client, seq, user}, …]}}: consecutive ops of one document, as
   * UTF-8 for a binary frame. Tyrus encodes a text frame anew for every socket; these bytes are
   * encoded once and written as they are to every socket that receives the run.
   */
  static byte[] ops(List<Committed> ops) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 96 * ops.size());
    try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      json.writeStartObject();
      json.writeStringField("type", "ops");
      json.writeStringField("doc", ops.get(0).docId());
      json.writeArrayFieldStart("ops");
      for (Committed committed : ops) {
        json.writeStartObject();
        entryFields(json, committed);
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a frame", e); // a byte array does not fail
    }
    return out.toByteArray();
  }

  /**
   * Where the {@code ops} message that starts at {@code from} ends: after the most ops whose
   * entries stay within about {@code maxBytes} ({@link Committed#entryBytes}), one at least.
   */
  static int endOfFrame(List<Committed> ops, int from, long maxBytes) {
    long budget =
        maxBytes
            - 32 // {"type":"ops","doc":…,"ops":[]}
            - Json.utf8Length(ops.get(from).docId())
            - ops.get(from).entryBytes();
    int end = from + 1;
    while (end < ops.size() && (budget -= ops.get(end).entryBytes()) >= 0) {
      end++;
    }
    return end;
  }

  private static void entryFields(JsonGenerator json, Committed committed) throws IOException {
    json.writeNumberField("rev", committed.revision());
    json.writeFieldName("op");
    json.writeRawValue(committed.opJson());
    json.writeStringField("client", committed.clientId());
    json.writeNumberField("seq", committed.seq());
    json.writeStringField("user", committed.userId());
  }
}
