package dev.tandem.sequencer.ws;

import dev.tandem.ot.TextOperation;
import dev.tandem.sequencer.document.Committed;
import dev.tandem.sequencer.protocol.Ops;
import dev.tandem.sequencer.protocol.ServerMessage;
import java.time.Instant;
import java.util.List;

/**
 * Reads and writes each message of an editor's first round trips once, as a server starts: the
 * first client after a start (a restart's reconnecting editors) then finds Jackson's readers and
 * writers for them built, rather than waiting while they are made from the records by reflection.
 * Pure: it touches no socket, document, metric or log.
 */
public final class ProtocolWarmUp {
  private static final List<String> CLIENT_MESSAGES =
      List.of(
          "{\"type\":\"hello\",\"client\":\"warm-up\",\"protocol\":1}",
          "{\"type\":\"open\",\"doc\":\"warm-up\",\"rev\":1}",
          "{\"type\":\"submit\",\"doc\":\"warm-up\",\"rev\":1,\"op\":[1,\"x\"],\"seq\":1}",
          "{\"type\":\"presence\",\"doc\":\"warm-up\",\"rev\":1,\"selection\":[[0,1]],"
              + "\"meta\":{\"name\":\"Ada\"}}");

  private ProtocolWarmUp() {}

  public static void run() {
    for (String text : CLIENT_MESSAGES) {
      if (ClientMessage.read(text) instanceof ClientMessage.Submit submit) {
        Ops.operation(submit.op());
      }
    }
    new ServerMessage.Welcome("warm-up", "warm-up", null, null, null).json();
    ServerMessage.Opened.text("warm-up", 1, "x").json();
    Frames.ops(
        List.of(
            new Committed(
                "warm-up",
                2,
                TextOperation.builder().retain(1).insert("x").build(),
                "warm-up",
                1,
                "warm-up",
                Instant.EPOCH)));
  }
}
