package dev.tandem.ot;

import java.util.Arrays;
import java.util.List;

/**
 * An edit of a whole document of Unicode code points: a sequence of {@link Retain}, {@link Insert}
 * and {@link Delete} components that walks the document from its start to its end.
 *
 * <p>Immutable and always canonical: no empty component, no two adjacent components of the same
 * kind, and an insert directly before a delete rather than after it. Only {@link Builder} makes
 * operations and it canonicalizes what it is given, so {@link #equals} is structural: two
 * operations with the same effect on every text are equal.
 *
 * <p>{@link #baseLength()} is the length of the text the operation applies to (retains plus
 * deletes) and {@link #targetLength()} the length of the result (retains plus inserted code
 * points). Laws, for every text {@code s} with {@code codePointCount(s) == a.baseLength()}:
 *
 * <ul>
 *   <li>{@code codePointCount(a.apply(s)) == a.targetLength()}
 * </ul>
 */
public final class TextOperation {
  /*
   * Compact representation, because the server transforms and applies ops on its hot path. For
   * component i < size: texts[i] != null for an insert, whose code point length is spans[i];
   * otherwise spans[i] > 0 retains and spans[i] < 0 deletes -spans[i] code points. The arrays may
   * be longer than size and are never written after construction.
   */
  private final int[] spans;
  private final String[] texts;
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
        if (texts[i] != null) {
          array[i] = new Insert(texts[i]);
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
    return size == 0 || (size == 1 && texts[0] == null && spans[0] > 0);
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
      String inserted = texts[i];
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

  // Package-private raw access for the server's document type: no component objects.

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
    return texts[i];
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
        && Arrays.equals(texts, 0, size, that.texts, 0, size);
  }

  @Override
  public int hashCode() {
    int hash = size;
    for (int i = 0; i < size; i++) {
      hash = 31 * hash + (texts[i] != null ? texts[i].hashCode() : spans[i]);
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
      if (texts[i] != null) {
        out.append("insert '").append(texts[i]).append('\'');
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
      texts = new String[capacity];
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
      if (size > 0 && texts[size - 1] == null && spans[size - 1] > 0) {
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
      return this;
    }

    /** Deletes {@code count} code points; 0 adds nothing. */
    public Builder delete(int count) {
      requireNotNegative(count, "delete count");
      if (count == 0) {
        return this;
      }
      baseLength = addLength(baseLength, count, "base");
      prepareWrite();
      if (size > 0 && texts[size - 1] == null && spans[size - 1] < 0) {
        spans[size - 1] -= count;
      } else {
        push(-count, null);
      }
      return this;
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

    private void prepareWrite() {
      if (shared) {
        spans = spans.clone();
        texts = texts.clone();
        shared = false;
      }
    }

    private void push(int span, String text) {
      if (size == spans.length) {
        int capacity = size * 2;
        spans = Arrays.copyOf(spans, capacity);
        texts = Arrays.copyOf(texts, capacity);
      }
      spans[size] = span;
      texts[size] = text;
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
