package dev.tandem.sequencer.document;

import dev.tandem.ot.OperationJson;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.StoredOp;
import dev.tandem.sequencer.protocol.Json;
import java.time.Instant;
import java.util.Objects;

/**
 * An op that is durably stored at {@code revision} of {@code docId}: the unit that is acknowledged,
 * broadcast and read back from history. {@code op} applies to the text at {@code revision - 1};
 * {@code opJson} is its wire form, encoded once however many subscribers receive it.
 */
public record Committed(
    String docId,
    long revision,
    TextOperation op,
    String clientId,
    long seq,
    String userId,
    Instant time,
    String opJson) {

  public Committed(
      String docId,
      long revision,
      TextOperation op,
      String clientId,
      long seq,
      String userId,
      Instant time) {
    this(docId, revision, op, clientId, seq, userId, time, OperationJson.toJson(op));
  }

  public Committed {
    Objects.requireNonNull(opJson, "opJson");
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(time, "time");
    if (revision < 1) {
      throw new IllegalArgumentException("revision : " + revision + " (expected: >= 1)");
    }
  }

  static Committed of(StoredOp stored) {
    return new Committed(
        stored.docId(),
        stored.revision(),
        stored.op(),
        stored.clientId(),
        stored.clientSeq(),
        stored.userId(),
        stored.createdAt());
  }

  /**
   * About the UTF-8 bytes of this op's entry in an {@code ops} or {@code opened} message: what a
   * catch-up counts to keep each message within {@code max-message-bytes}.
   */
  public long entryBytes() {
    return Json.utf8Length(opJson)
        + Json.utf8Length(clientId)
        + Json.utf8Length(userId)
        + 64; // the keys and numbers around each op
  }

  StoredOp toStored() {
    return new StoredOp(docId, revision, op, clientId, seq, userId, time);
  }
}
