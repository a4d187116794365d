package dev.tandem.client;

import dev.tandem.ot.TextOperation;

/**
 * One range of a selection, in code points: the {@code anchor} where it started and the {@code
 * head} where the cursor is. A caret is a range whose anchor equals its head. On the wire it is the
 * pair {@code [anchor, head]}.
 */
public record SelectionRange(int anchor, int head) {
  public SelectionRange {
    if (anchor < 0 || head < 0) {
      throw new IllegalArgumentException(
          "selection range [" + anchor + ", " + head + "] is negative (expected >= 0)");
    }
  }

  /** A caret at {@code position}. */
  public static SelectionRange caret(int position) {
    return new SelectionRange(position, position);
  }

  /**
   * This range moved through {@code op}: a position where {@code op} inserts moves after the
   * insert, so a cursor keeps standing before the character it stood before.
   */
  public SelectionRange transform(TextOperation op) {
    return new SelectionRange(Ot.transformPosition(op, anchor), Ot.transformPosition(op, head));
  }
}
