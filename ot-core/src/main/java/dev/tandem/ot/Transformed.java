package dev.tandem.ot;

/**
 * The result of {@link TextOperation#transform(TextOperation, TextOperation) transform(left,
 * right)} for two operations on the same text {@code s}: each one rebased to apply after the other.
 *
 * <pre>
 *            s
 *     left  / \  right
 *          /   \
 *          \   /
 *  right()  \ /  left()
 *            s'
 * </pre>
 *
 * <p>Law (convergence): {@code right().apply(left.apply(s)).equals(left().apply(right.apply(s)))}.
 *
 * @param left the left argument transformed against the right one, applies after {@code right}
 * @param right the right argument transformed against the left one, applies after {@code left}
 */
public record Transformed(TextOperation left, TextOperation right) {}
