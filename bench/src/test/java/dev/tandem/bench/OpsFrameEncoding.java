package dev.tandem.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tandem.sequencer.protocol.Json;
import dev.tandem.sequencer.protocol.ServerMessage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes an {@code ops} frame of 1 and of 20 ops the old way (Jackson's streaming generator, by
 * hand) and the new way ({@link ServerMessage.Ops} by data binding), alternating, and prints the
 * median time per frame of each (docs/decisions/0008-json-by-data-binding.md). Checks the bytes are
 * equal.
 */
public final class OpsFrameEncoding {
  record C(String docId, long revision, String clientId, long seq, String userId, String opJson) {}

  static byte[] streamed(List<C> ops) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 96 * ops.size());
    try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      json.writeStartObject();
      json.writeStringField("type", "ops");
      json.writeStringField("doc", ops.get(0).docId());
      json.writeArrayFieldStart("ops");
      for (C c : ops) {
        json.writeStartObject();
        json.writeNumberField("rev", c.revision());
        json.writeFieldName("op");
        json.writeRawValue(c.opJson());
        json.writeStringField("client", c.clientId());
        json.writeNumberField("seq", c.seq());
        json.writeStringField("user", c.userId());
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
    return out.toByteArray();
  }

  static byte[] bound(List<C> ops) {
    return new ServerMessage.Ops(
            ops.get(0).docId(),
            ops.stream()
                .map(
                    c ->
                        new ServerMessage.OpEntry(
                            c.revision(), c.opJson(), c.clientId(), c.seq(), c.userId()))
                .toList())
        .utf8();
  }

  private OpsFrameEncoding() {}

  public static void main(String[] args) throws Exception {
    for (int size : new int[] {1, 20}) {
      List<C> ops = new ArrayList<>();
      for (int i = 0; i < size; i++)
        ops.add(new C("doc-bench", 1000 + i, "client-" + i, i, "user-" + i, "[120,\"x\",4000]"));
      if (!Arrays.equals(streamed(ops), bound(ops)))
        throw new AssertionError(new String(streamed(ops)) + "\n" + new String(bound(ops)));
      double[][] ns = new double[2][15];
      int n = 200_000;
      long sink = 0;
      for (int round = 0; round < 15; round++) {
        for (int which = 0; which < 2; which++) {
          long t = System.nanoTime();
          for (int i = 0; i < n; i++) sink += which == 0 ? streamed(ops).length : bound(ops).length;
          ns[which][round] = (System.nanoTime() - t) / (double) n;
        }
      }
      for (int which = 0; which < 2; which++) {
        double[] r = Arrays.copyOfRange(ns[which], 5, 15);
        Arrays.sort(r);
        System.out.printf(
            "ops per frame %d, %s: median %.0f ns per frame (rounds 6-15)%n",
            size, which == 0 ? "streamed (before)" : "records (after)", (r[4] + r[5]) / 2);
      }
      System.out.println(sink == 0 ? "" : "bytes equal: yes");
    }
  }
}
