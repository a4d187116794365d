package dev.tandem.sequencer.ws;

import dev.tandem.sequencer.document.Committed;
import dev.tandem.sequencer.protocol.Json;
import dev.tandem.sequencer.protocol.ServerMessage;
import java.util.List;

/**
 * The frame that carries committed ops. A run's frame is built once and shared by every socket that
 * receives the run ({@link dev.tandem.sequencer.document.OpRun#encoded}).
 */
final class Frames {
  private Frames() {}

  /**
   * {@code ops {doc, ops: [{rev, op, client, seq, user}, …]}}: consecutive ops of one document, as
   * UTF-8 for a binary frame. Tyrus encodes a text frame anew for every socket; these bytes are
   * encoded once and written as they are to every socket that receives the run.
   */
  static byte[] ops(List<Committed> ops) {
    return new ServerMessage.Ops(ops.get(0).docId(), ops.stream().map(Frames::entry).toList())
        .utf8();
  }

  /** One committed op as an entry of {@code ops} and {@code opened}; its op JSON as stored. */
  static ServerMessage.OpEntry entry(Committed committed) {
    return new ServerMessage.OpEntry(
        committed.revision(),
        committed.opJson(),
        committed.clientId(),
        committed.seq(),
        committed.userId());
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
}
