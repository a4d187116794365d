package dev.tandem.sequencer.document;

import dev.tandem.ot.OperationJson;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.StoredOp;
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

  StoredOp toStored() {
    return new StoredOp(docId, revision, op, clientId, seq, userId, time);
  }
}
