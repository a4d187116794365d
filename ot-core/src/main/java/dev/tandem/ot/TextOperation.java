package dev.tandem.ot;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An edit of a whole document of Unicode code points: a sequence of {@link Retain}, {@link Insert}
 * and {@link Delete} components that walks the document from its start to its end.
 *
 * <p>Immutable and always canonical: no empty component, no two adjacent components of the same
 * kind, and an insert directly before a delete rather than after it. Only {@link Builder} makes
 * operations and it canonicalizes what it is given, so {@link #equals} is structural: operations
 * built from {@code [1, 1, "a", "b"]} and {@code [2, "ab"]}, or {@code [-1, "x"]} and {@code ["x",
 * -1]}, are equal.
 *
 * <p>{@link #baseLength()} is the length of the text the operation applies to (retains plus
 * deletes) and {@link #targetLength()} the length of the result (retains plus inserted code
 * points). Every length and position counts Unicode code points, never UTF-16 units. The laws, for
 * every text {@code s} of {@code a.baseLength()} code points (tested with seeded random operations
 * in {@code TextOperationLawsTest}):
 *
 * <ul>
 *   <li>length: {@code codePointCount(a.apply(s)) == a.targetLength()};
 *   <li>compose: {@code b.apply(a.apply(s)).equals(a.compose(b).apply(s))};
 *   <li>convergence: with {@code t = transform(a, b)}, {@code t.right().apply(a.apply(s))
 *       .equals(t.left().apply(b.apply(s)))}, and {@code a}'s insert comes first on a tie;
 *   <li>invert: {@code a.invert(s).apply(a.apply(s)).equals(s)};
 *   <li>cursor: a code point at {@code p} that {@code a} keeps is at {@code a.transformPosition(p,
 *       Side.AFTER)} in {@code a.apply(s)}.
 * </ul>
 *
 * <p>Every invalid argument throws {@link InvalidOperationException}.
 */
public final class TextOperation {
  /*
   * Compact representation, because the server transforms and applies ops on its hot path. For
   * component i < size: textAt(i) != null for an insert, whose code point length is spans[i];
   * otherwise spans[i] > 0 retains and spans[i] < 0 deletes -spans[i] code points. The arrays may
   * be longer than size and are never written after construction.
   */
  private final int[] spans;
  private final String[] texts; // null when there is no insert
  private final int size;
  private final int baseLength;
  private final int targetLength;
  private List<Component> components; // built on first use; a benign race like String.hash

  private TextOperation(int[] spans, String[] texts, int size, int baseLength, int targetLength) {
    this.spans = spans;
    this.texts = texts;
    this.size = size;
    this.baseLength = baseLength;
    this.targetLength = targetLength;
  }

  /** A builder for an operation, used like ot.js: {@code builder().retain(2).insert("x")...}. */
  public static Builder builder() {
    return new Builder(4);
  }

  static Builder builder(int expectedComponents) {
    return new Builder(expectedComponents);
  }

  /** The canonical components, in document order. Unmodifiable. */
  public List<Component> components() {
    List<Component> list = components;
    if (list == null) {
      Component[] array = new Component[size];
      for (int i = 0; i < size; i++) {
        int span = spans[i];
        if (textAt(i) != null) {
          array[i] = new Insert(textAt(i));
        } else if (span > 0) {
          array[i] = new Retain(span);
        } else {
          array[i] = new Delete(-span);
        }
      }
      list = List.of(array);
      components = list;
    }
    return list;
  }

  /** The code point length of the text this operation applies to: retains plus deletes. */
  public int baseLength() {
    return baseLength;
  }

  /** The code point length of the text this operation produces: retains plus inserts. */
  public int targetLength() {
    return targetLength;
  }

  /** Whether this operation leaves every text unchanged: it only retains, or is empty. */
  public boolean isNoop() {
    return size == 0 || (size == 1 && textAt(0) == null && spans[0] > 0);
  }

  /**
   * Applies this operation to {@code text}.
   *
   * @throws InvalidOperationException if the text's code point length is not {@link #baseLength()}
   */
  public String apply(String text) {
    int textLength = CodePoints.count(text);
    if (textLength != baseLength) {
      throw new InvalidOperationException(
          "op base length " + baseLength + " does not match text length " + textLength);
    }
    boolean unitPerCodePoint = textLength == text.length(); // no surrogate pair: skip the walk
    StringBuilder out = new StringBuilder(text.length() + 16);
    int index = 0; // UTF-16 index in text
    for (int i = 0; i < size; i++) {
      int span = spans[i];
      String inserted = textAt(i);
      if (inserted != null) {
        out.append(inserted);
      } else if (span > 0) {
        int end = unitPerCodePoint ? index + span : text.offsetByCodePoints(index, span);
        out.append(text, index, end);
        index = end;
      } else {
        index = unitPerCodePoint ? index - span : text.offsetByCodePoints(index, -span);
      }
    }
    return out.toString();
  }

  /**
   * The operation that has the effect of this operation followed by {@code next}.
   *
   * <p>Law: {@code next.apply(this.apply(s)).equals(this.compose(next).apply(s))} for every text
   * {@code s} of length {@link #baseLength()}.
   *
   * @throws InvalidOperationException if {@code next.baseLength() != this.targetLength()}
   */
  public TextOperation compose(TextOperation next) {
    if (targetLength != next.baseLength) {
      throw new InvalidOperationException(
          "compose needs the next op's base length to equal this op's target length: next base"
              + " length "
              + next.baseLength
              + ", target length "
              + targetLength);
    }
    Builder out = new Builder(size + next.size);
    // Invariant: this op's cursor (component ai, aLeft code points of it unconsumed, aOffset UTF-16
    // units into an insert's text) and next's cursor (bi, bLeft) stand at the same position of the
    // intermediate text, this.apply(s).
    int ai = 0;
    int aLeft = lengthAt(0);
    int aOffset = 0;
    int bi = 0;
    int bLeft = next.lengthAt(0);
    while (ai < size || bi < next.size) {
      if (ai < size && textAt(ai) == null && spans[ai] < 0) {
        out.delete(aLeft); // gone before next sees it
        aLeft = lengthAt(++ai);
        continue;
      }
      if (bi < next.size && next.textAt(bi) != null) {
        out.insertWellFormed(next.textAt(bi), bLeft);
        bLeft = next.lengthAt(++bi);
        continue;
      }
      int n = Math.min(aLeft, bLeft);
      boolean nextRetains = next.spans[bi] > 0;
      String inserted = textAt(ai);
      if (inserted == null) {
        if (nextRetains) {
          out.retain(n);
        } else {
          out.delete(n);
        }
      } else {
        int end =
            inserted.length() == spans[ai]
                ? aOffset + n
                : inserted.offsetByCodePoints(aOffset, n); // cuts between code points only
        if (nextRetains) {
          out.insertWellFormed(
              aOffset == 0 && end == inserted.length()
                  ? inserted
                  : inserted.substring(aOffset, end),
              n);
        } // else next deletes what this op inserted: neither appears
        aOffset = end;
      }
      aLeft -= n;
      bLeft -= n;
      if (aLeft == 0) {
        aLeft = lengthAt(++ai);
        aOffset = 0;
      }
      if (bLeft == 0) {
        bLeft = next.lengthAt(++bi);
      }
    }
    return out.build();
  }

  /**
   * Rebases two concurrent operations on the same text over each other: {@code left()} applies
   * after {@code right}, {@code right()} after {@code left}.
   *
   * <p>Law (convergence): {@code t.right().apply(left.apply(s)).equals(t.left().apply(right.apply(
   * s)))} where {@code t = transform(left, right)}.
   *
   * <p>Tie rule: when both insert at the same position, the left argument's text comes first. As in
   * ot.js, the server passes an incoming op as the left argument against each op committed since
   * its base revision, and a client passes its own unacknowledged op as the left argument against
   * each op the server sends, so both sides order every tie the same way.
   *
   * @throws InvalidOperationException if the two base lengths differ
   */
  public static Transformed transform(TextOperation left, TextOperation right) {
    Builder leftOut = new Builder(left.size + right.size);
    Builder rightOut = new Builder(left.size + right.size);
    transform(left, right, leftOut, rightOut);
    return new Transformed(leftOut.build(), rightOut.build());
  }

  /**
   * {@code transform(left, right).left()}, without building the right side: what a server needs
   * when it rebases an incoming op over each op committed since its base revision.
   *
   * @throws InvalidOperationException if the two base lengths differ
   */
  public static TextOperation transformLeft(TextOperation left, TextOperation right) {
    int insert = left.soleInsertIndex();
    if (insert >= 0 && left.baseLength == right.baseLength) {
      // A keystroke: only where the insert lands moves, which transformPosition knows (its law
      // ties BEFORE to this transform's tie rule), with no builder on the way.
      int at = insert == 0 ? 0 : left.spans[0];
      int position = right.transformPosition(at, Side.BEFORE);
      return inserting(position, left.texts[insert], left.spans[insert], right.targetLength);
    }
    int delete = left.soleDeleteOfOneIndex();
    if (delete >= 0 && left.baseLength == right.baseLength) {
      // A backspace: gone if right deleted the same code point, else it deletes where the code
      // point went (transformPosition's law for kept code points).
      int at = delete == 0 ? 0 : left.spans[0];
      return right.deletesCodePoint(at)
          ? retaining(right.targetLength)
          : deleting(right.transformPosition(at, Side.AFTER), right.targetLength);
    }
    Builder leftOut = new Builder(left.size + right.size);
    transform(left, right, leftOut, null);
    return leftOut.build();
  }

  /** The transform into {@code leftOut} and, unless it is null, {@code rightOut}. */
  private static void transform(
      TextOperation left, TextOperation right, Builder leftOut, Builder rightOut) {
    if (left.baseLength != right.baseLength) {
      throw new InvalidOperationException(
          "transform needs two ops on the same text: left base length "
              + left.baseLength
              + ", right base length "
              + right.baseLength);
    }
    boolean both = rightOut != null;
    // Invariant: both cursors (component ai with aLeft code points unconsumed, bi with bLeft)
    // stand at the same position of the base text; inserts take no base text, so they go first,
    // the left one before the right one.
    int ai = 0;
    int aLeft = left.lengthAt(0);
    int bi = 0;
    int bLeft = right.lengthAt(0);
    while (ai < left.size || bi < right.size) {
      if (ai < left.size && left.textAt(ai) != null) {
        leftOut.insertWellFormed(left.textAt(ai), aLeft);
        if (both) {
          rightOut.retain(aLeft);
        }
        aLeft = left.lengthAt(++ai);
        continue;
      }
      if (bi < right.size && right.textAt(bi) != null) {
        leftOut.retain(bLeft);
        if (both) {
          rightOut.insertWellFormed(right.textAt(bi), bLeft);
        }
        bLeft = right.lengthAt(++bi);
        continue;
      }
      int n = Math.min(aLeft, bLeft);
      boolean leftRetains = left.spans[ai] > 0;
      boolean rightRetains = right.spans[bi] > 0;
      if (leftRetains && rightRetains) {
        leftOut.retain(n);
        if (both) {
          rightOut.retain(n);
        }
      } else if (leftRetains) {
        if (both) {
          rightOut.delete(n); // right deletes text that left kept
        }
      } else if (rightRetains) {
        leftOut.delete(n); // left deletes text that right kept
      } // else both delete it: nothing is left to delete on either side
      aLeft -= n;
      bLeft -= n;
      if (aLeft == 0) {
        aLeft = left.lengthAt(++ai);
      }
      if (bLeft == 0) {
        bLeft = right.lengthAt(++bi);
      }
    }
  }

  /**
   * The operation that undoes this one: it applies to {@code this.apply(text)} and gives back
   * {@code text}. Deleted text comes from {@code text}, so invert needs the text this operation was
   * applied to.
   *
   * <p>Law: {@code this.invert(s).apply(this.apply(s)).equals(s)}.
   *
   * @throws InvalidOperationException if the text's code point length is not {@link #baseLength()}
   */
  public TextOperation invert(String text) {
    int textLength = CodePoints.count(text);
    if (textLength != baseLength) {
      throw new InvalidOperationException(
          "op base length " + baseLength + " does not match text length " + textLength);
    }
    boolean unitPerCodePoint = textLength == text.length();
    Builder out = new Builder(size + 1);
    int index = 0; // UTF-16 index in text
    for (int i = 0; i < size; i++) {
      int span = spans[i];
      if (textAt(i) != null) {
        out.delete(span);
      } else if (span > 0) {
        out.retain(span);
        index = unitPerCodePoint ? index + span : text.offsetByCodePoints(index, span);
      } else {
        int end = unitPerCodePoint ? index - span : text.offsetByCodePoints(index, -span);
        out.insert(text.substring(index, end)); // checked: the text may hold a lone surrogate
        index = end;
      }
    }
    return out.build();
  }

  /**
   * Where {@code position} of the base text is in the target text: a position inside a deleted
   * range moves to where the range was, and {@code side} decides whether a position at which this
   * operation inserts text goes before or after it (see {@link Side}).
   *
   * <p>Laws: for every position {@code p < baseLength()} whose code point this operation does not
   * delete, that code point is at {@code transformPosition(p, AFTER)} in {@code apply(s)}; and
   * {@code transformPosition(p, BEFORE)} is the position of an insert at {@code p} in {@code
   * transform(insertAt(p), this).left()} ({@code AFTER}: {@code transform(this,
   * insertAt(p)).right()}), so cursors and concurrent inserts agree on ties.
   *
   * @throws InvalidOperationException if the position is outside {@code 0..baseLength()}
   */
  public int transformPosition(int position, Side side) {
    if (position < 0 || position > baseLength) {
      throw new InvalidOperationException(
          "position "
              + position
              + " is outside the op's base text (expected 0.."
              + baseLength
              + ")");
    }
    if (side == null) {
      throw new InvalidOperationException("side is null (expected BEFORE or AFTER)");
    }
    int result = position;
    int remaining = position; // code points of the base text between this cursor and position
    for (int i = 0; i < size && remaining >= 0; i++) {
      int span = spans[i];
      if (textAt(i) != null) {
        if (remaining > 0 || side == Side.AFTER) {
          result += span; // inserted before the position, or at it and the position goes after
        }
      } else if (span > 0) {
        if (remaining < span) {
          break; // the position lies inside or at the start of this retain: nothing else moves it
        }
        remaining -= span;
      } else {
        result -= Math.min(remaining, -span);
        remaining += span;
      }
    }
    return result;
  }

  /**
   * The index of the insert if this operation is one insert between retains ({@code [n?, "text",
   * m?]}), else -1.
   */
  private int soleInsertIndex() {
    if (texts == null || size == 0 || size > 3) {
      return -1;
    }
    int insert = texts[0] != null ? 0 : size > 1 && texts[1] != null ? 1 : -1;
    for (int i = 0; i < size; i++) {
      if (i != insert && (texts[i] != null || spans[i] < 0)) {
        return -1; // a second insert, or a delete
      }
    }
    return insert;
  }

  /** The index of the delete if this operation deletes one code point between retains, else -1. */
  private int soleDeleteOfOneIndex() {
    if (texts != null || size == 0 || size > 3) {
      return -1;
    }
    int delete = spans[0] == -1 ? 0 : size > 1 && spans[1] == -1 ? 1 : -1;
    for (int i = 0; i < size; i++) {
      if (i != delete && spans[i] < 0) {
        return -1; // a second delete
      }
    }
    return delete;
  }

  /** Whether this operation deletes the code point at {@code position} of its base text. */
  private boolean deletesCodePoint(int position) {
    int start = 0; // where component i starts in the base text
    for (int i = 0; i < size && start <= position; i++) {
      int span = spans[i];
      if (textAt(i) != null) {
        continue; // an insert takes no base text
      }
      int length = span < 0 ? -span : span;
      if (position < start + length) {
        return span < 0;
      }
      start += length;
    }
    return false;
  }

  /** The canonical operation that keeps all of a text of {@code textLength} code points. */
  private static TextOperation retaining(int textLength) {
    return textLength == 0
        ? new TextOperation(new int[0], null, 0, 0, 0)
        : new TextOperation(new int[] {textLength}, null, 1, textLength, textLength);
  }

  /** The canonical delete of the code point at {@code position}. */
  private static TextOperation deleting(int position, int textLength) {
    int after = textLength - position - 1;
    int size = (position > 0 ? 1 : 0) + 1 + (after > 0 ? 1 : 0);
    int[] spans = new int[size];
    int i = 0;
    if (position > 0) {
      spans[i++] = position;
    }
    spans[i++] = -1;
    if (after > 0) {
      spans[i] = after;
    }
    return new TextOperation(spans, null, size, textLength, textLength - 1);
  }

  /** The canonical insert of {@code text} ({@code length} code points) at {@code position}. */
  private static TextOperation inserting(int position, String text, int length, int textLength) {
    int after = textLength - position;
    int size = (position > 0 ? 1 : 0) + 1 + (after > 0 ? 1 : 0);
    int[] spans = new int[size];
    String[] texts = new String[size];
    int i = 0;
    if (position > 0) {
      spans[i++] = position;
    }
    spans[i] = length;
    texts[i++] = text;
    if (after > 0) {
      spans[i] = after;
    }
    return new TextOperation(spans, texts, size, textLength, textLength + length);
  }

  /** Component i's insert text, or null. */
  private String textAt(int i) {
    return texts == null ? null : texts[i];
  }

  private boolean sameTexts(TextOperation that) {
    for (int i = 0; i < size; i++) {
      if (!Objects.equals(textAt(i), that.textAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** The code point length of component i, or 0 past the end. */
  private int lengthAt(int i) {
    if (i >= size) {
      return 0;
    }
    int span = spans[i];
    return span < 0 ? -span : span;
  }

  // Package-private raw access for the server's document type and the JSON codec: no component
  // objects.

  /** The number of components. */
  int componentCount() {
    return size;
  }

  /**
   * Component i's signed span: an insert's or a retain's code point length (positive), or minus a
   * delete's count.
   */
  int spanAt(int i) {
    return spans[i];
  }

  /** Component i's text if it is an insert, else null. */
  String insertAt(int i) {
    return textAt(i);
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof TextOperation that)) {
      return false;
    }
    return size == that.size
        && baseLength == that.baseLength
        && targetLength == that.targetLength
        && Arrays.equals(spans, 0, size, that.spans, 0, size)
        && sameTexts(that);
  }

  @Override
  public int hashCode() {
    int hash = size;
    for (int i = 0; i < size; i++) {
      hash = 31 * hash + (textAt(i) != null ? textAt(i).hashCode() : spans[i]);
    }
    return hash;
  }

  /**
   * Reads like ot.js: {@code retain 2, insert 'lo', delete 5}; {@code (empty)} for no component.
   */
  @Override
  public String toString() {
    if (size == 0) {
      return "(empty)";
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < size; i++) {
      if (i > 0) {
        out.append(", ");
      }
      if (textAt(i) != null) {
        out.append("insert '").append(textAt(i)).append('\'');
      } else if (spans[i] > 0) {
        out.append("retain ").append(spans[i]);
      } else {
        out.append("delete ").append(-spans[i]);
      }
    }
    return out.toString();
  }

  /**
   * Builds a canonical {@link TextOperation} from components given in document order, like ot.js:
   * zero counts and empty inserts are dropped, neighbours of the same kind merge, and an insert
   * given after a delete is placed before it. Negative counts, a null text and text with a lone
   * surrogate throw {@link InvalidOperationException}. Not thread-safe; may go on after {@link
   * #build()}, which does not change operations already built.
   */
  public static final class Builder {
    private int[] spans;
    private String[] texts;
    private int size;
    private int baseLength;
    private int targetLength;
    private boolean shared; // the arrays belong to a built operation: copy before writing
    // The insert that later inserts may still merge into, kept in a StringBuilder so that many
    // small inserts in a row cost linear, not quadratic, time.
    private int openInsert = -1;
    private StringBuilder openText;

    private Builder(int expectedComponents) {
      int capacity = Math.max(expectedComponents, 2);
      spans = new int[capacity];
    }

    /** Retains {@code count} code points; 0 adds nothing. */
    public Builder retain(int count) {
      requireNotNegative(count, "retain count");
      if (count == 0) {
        return this;
      }
      baseLength = addLength(baseLength, count, "base");
      targetLength = addLength(targetLength, count, "target");
      prepareWrite();
      if (size > 0 && spans[size - 1] > 0 && !isInsert(size - 1)) {
        spans[size - 1] += count;
      } else {
        push(count, null);
      }
      return this;
    }

    /** Inserts {@code text}, which must be well-formed UTF-16; the empty string adds nothing. */
    public Builder insert(String text) {
      if (text != null && text.isEmpty()) {
        return this;
      }
      Checks.requireInsertText(text);
      int length = CodePoints.count(text);
      targetLength = addLength(targetLength, length, "target");
      prepareWrite();
      appendInsert(text, length);
      return this;
    }

    private void appendInsert(String text, int length) {
      if (texts == null) {
        texts = new String[spans.length];
      }
      if (size > 0 && texts[size - 1] != null) {
        appendToInsert(size - 1, text, length);
      } else if (size > 0 && spans[size - 1] < 0) {
        // Canonical order puts the insert before the delete: the result is the same text.
        if (size > 1 && texts[size - 2] != null) {
          appendToInsert(size - 2, text, length);
        } else {
          int delete = spans[size - 1];
          spans[size - 1] = length;
          texts[size - 1] = text;
          push(delete, null);
        }
      } else {
        push(length, text);
      }
    }

    /** Deletes {@code count} code points; 0 adds nothing. */
    public Builder delete(int count) {
      requireNotNegative(count, "delete count");
      if (count == 0) {
        return this;
      }
      baseLength = addLength(baseLength, count, "base");
      prepareWrite();
      if (size > 0 && spans[size - 1] < 0) {
        spans[size - 1] -= count;
      } else {
        push(-count, null);
      }
      return this;
    }

    /**
     * Inserts text known to be well-formed with a known code point length: a whole insert of an
     * operation, or a part of one cut between code points.
     */
    void insertWellFormed(String text, int length) {
      targetLength = addLength(targetLength, length, "target");
      prepareWrite();
      appendInsert(text, length);
    }

    /** Adds one component. */
    public Builder add(Component component) {
      if (component == null) {
        throw new InvalidOperationException(
            "component is null (expected a retain, insert or delete)");
      }
      if (component instanceof Retain retain) {
        return retain(retain.count());
      }
      if (component instanceof Insert insert) {
        return insert(insert.text());
      }
      return delete(((Delete) component).count());
    }

    /** The canonical operation built so far. */
    public TextOperation build() {
      closeOpenInsert();
      shared = true;
      return new TextOperation(spans, texts, size, baseLength, targetLength);
    }

    private void appendToInsert(int index, String text, int length) {
      spans[index] += length;
      if (openInsert != index) {
        closeOpenInsert();
        openInsert = index;
        openText = new StringBuilder(texts[index].length() + text.length() + 16);
        openText.append(texts[index]);
      }
      openText.append(text);
    }

    private void closeOpenInsert() {
      if (openInsert >= 0) {
        texts[openInsert] = openText.toString();
        openInsert = -1;
        openText = null;
      }
    }

    private boolean isInsert(int i) {
      return texts != null && texts[i] != null;
    }

    private void prepareWrite() {
      if (shared) {
        spans = spans.clone();
        texts = texts == null ? null : texts.clone();
        shared = false;
      }
    }

    private void push(int span, String text) {
      if (size == spans.length) {
        int capacity = size * 2;
        spans = Arrays.copyOf(spans, capacity);
        if (texts != null) {
          texts = Arrays.copyOf(texts, capacity);
        }
      }
      spans[size] = span;
      if (texts != null) {
        texts[size] = text; // clears what an earlier, shared build may have left there
      }
      size++;
    }

    private static void requireNotNegative(int count, String subject) {
      if (count < 0) {
        throw new InvalidOperationException(subject + " is " + count + " (expected >= 0)");
      }
    }

    private static int addLength(int length, int added, String which) {
      int sum = length + added;
      if (sum < 0) {
        throw new InvalidOperationException(
            "op "
                + which
                + " length "
                + ((long) length + added)
                + " is too large (expected <= "
                + Integer.MAX_VALUE
                + ")");
      }
      return sum;
    }
  }
}
