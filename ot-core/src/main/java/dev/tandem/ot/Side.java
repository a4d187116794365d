package dev.tandem.ot;

/**
 * Where {@link TextOperation#transformPosition} puts a position at which the operation inserts
 * text: before the inserted text or after it. Positions elsewhere move the same way for both sides.
 *
 * <p>The sides agree with {@link TextOperation#transform}'s tie rule (the left argument's insert
 * comes first): {@code op.transformPosition(p, BEFORE)} is where an insert at {@code p} lands when
 * it is transformed as the <em>left</em> argument against {@code op}, and {@code AFTER} where it
 * lands as the <em>right</em> argument.
 */
public enum Side {
  /**
   * The position stays before text inserted exactly at it, like the left argument's insert of a
   * transform: for example a remote user's caret when the local user types at the same place.
   */
  BEFORE,
  /**
   * The position moves after text inserted exactly at it, like the right argument's insert of a
   * transform: for example the caret of the user who typed that text.
   */
  AFTER
}
