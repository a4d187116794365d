package dev.tandem.ot;

/**
 * Inserts {@code text} at the operation's cursor. Wire form: the JSON string {@code text}.
 *
 * @param text the inserted text: non-empty and well-formed UTF-16 by itself (no lone surrogate, so
 *     a surrogate pair is never split across two inserts)
 */
public record Insert(String text) implements Component {

  /** Checks that the text is non-empty and well-formed UTF-16. */
  public Insert {
    Checks.requireInsertText(text);
  }

  /** The number of code points inserted. */
  @Override
  public int length() {
    return CodePoints.count(text);
  }
}
