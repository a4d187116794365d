package dev.tandem.ot;

/**
 * Removes the next {@code count} code points of the document. Wire form: the negative integer
 * {@code -count}.
 *
 * @param count code points removed, {@code > 0}
 */
public record Delete(int count) implements Component {

  /** Checks that the count is positive. */
  public Delete {
    Checks.requirePositive(count, "delete count");
  }

  @Override
  public int length() {
    return count;
  }
}
