package dev.tandem.client;

import dev.tandem.ot.Side;
import dev.tandem.ot.TextOperation;
import dev.tandem.ot.Transformed;

/** The two ot-core calls the client state machine makes, with the client's roles named. */
final class Ot {
  private Ot() {}

  /**
   * The two halves of a transform: this client's op and the server's, each moved past the other.
   */
  record Pair(TextOperation clientOp, TextOperation serverOp) {}

  /**
   * Transforms this client's pending op against a server op on the same base. The client op is the
   * left argument, as on the server, so on an insert tie both sides put the client's insert first.
   */
  static Pair transform(TextOperation clientOp, TextOperation serverOp) {
    Transformed transformed = TextOperation.transform(clientOp, serverOp);
    return new Pair(transformed.left(), transformed.right());
  }

  /** A cursor moved through {@code op}; text inserted exactly at it goes before it, as in ot.js. */
  static int transformPosition(TextOperation op, int position) {
    return op.transformPosition(position, Side.AFTER);
  }
}
