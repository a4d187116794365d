package dev.tandem.ot;

/**
 * Keeps the next {@code count} code points of the document. Wire form: the positive integer {@code
 * count}.
 *
 * @param count code points kept, {@code > 0}
 */
public record Retain(int count) implements Component {

  /** Checks that the count is positive. */
  public Retain {
    Checks.requirePositive(count, "retain count");
  }

  @Override
  public int length() {
    return count;
  }
}
