package dev.tandem.ot;

import java.util.ArrayList;
import java.util.List;

/**
 * The text of a document as the server keeps it: a sequence of Unicode code points in a balanced
 * tree of chunks, indexed by code point.
 *
 * <p><b>Contract.</b> {@code rope.apply(op).toString().equals(op.apply(rope.toString()))} for every
 * op whose base length equals {@link #length()}; otherwise {@link #apply} throws {@link
 * InvalidOperationException} and the rope is unchanged. {@link #length()} and every position count
 * code points, never UTF-16 units. An edit of {@code k} code points at one place costs {@code O(k +
 * log n)} for a document of {@code n} code points: a retain skips whole subtrees by their stored
 * sizes, it never walks characters.
 *
 * <p><b>Why immutable.</b> A rope is a persistent value: every edit returns a new rope that shares
 * all untouched chunks with the old one (path copying), so a snapshot handed to a reader (a REST
 * query, a checkpoint writer, a late subscriber) stays valid while the sequencer keeps editing,
 * without locks or copies; an immutable value is also safe to publish to any thread. The price is
 * path copying: an edit allocates one 32-byte node per tree level and a copy of one chunk, where a
 * mutable tree would allocate nothing. The replay benchmark in {@code bench/} (README, Performance)
 * puts that at about 1/10 of the cost of a plain StringBuilder replay of the same trace, cheap
 * enough to keep the safety.
 *
 * <p><b>Structure.</b> An AVL tree whose every node holds one non-empty chunk of at most {@value
 * #MAX_CHUNK} UTF-16 units, with its subtree's size in code points and its height. An edit inside
 * one chunk that keeps it within bounds copies that chunk and the path above it; any other edit
 * splits the tree at the edit's ends, re-chunks the edited text together with its two neighbouring
 * chunks (so chunks do not fragment), and joins the parts back (join-based AVL, as in Blelloch,
 * Ferizovic and Sun, "Just Join for Parallel Ordered Sets"). A chunk never begins or ends inside a
 * surrogate pair.
 */
public final class Rope {

  /** Largest chunk, in UTF-16 units; tuned with the replay benchmark. */
  static final int MAX_CHUNK = 256;

  private static final Rope EMPTY = new Rope(null);

  private final Node root;

  private Rope(Node root) {
    this.root = root;
  }

  /** The empty document. */
  public static Rope empty() {
    return EMPTY;
  }

  /**
   * A rope holding {@code text}.
   *
   * @throws InvalidOperationException if {@code text} has a lone surrogate
   */
  public static Rope of(String text) {
    requireWellFormed(text);
    return text.isEmpty() ? EMPTY : new Rope(build(text.toCharArray(), 0, text.length()));
  }

  /** Length in code points. */
  public int length() {
    return codePoints(root);
  }

  public boolean isEmpty() {
    return root == null;
  }

  /**
   * Applies {@code op} and returns the new document; this rope is unchanged.
   *
   * @throws InvalidOperationException if the op's base length is not this rope's length
   */
  public Rope apply(TextOperation op) {
    int length = length();
    if (op.baseLength() != length) {
      throw new InvalidOperationException(
          "op base length " + op.baseLength() + " does not match text length " + length);
    }
    Node tree = root;
    int cursor = 0; // position in the new text: everything before it is final
    int size = op.componentCount();
    for (int i = 0; i < size; i++) {
      int span = op.spanAt(i);
      String inserted = op.insertAt(i);
      if (inserted != null) {
        int deleted = 0;
        // Canonical form puts an insert right before a delete: do both as one replacement.
        if (i + 1 < size && op.insertAt(i + 1) == null && op.spanAt(i + 1) < 0) {
          deleted = -op.spanAt(++i);
        }
        tree = replace(tree, cursor, cursor + deleted, inserted, span);
        cursor += span;
      } else if (span > 0) {
        cursor += span; // a retain skips whole subtrees, never characters
      } else {
        tree = replace(tree, cursor, cursor - span, "", 0);
      }
    }
    return tree == root ? this : new Rope(tree);
  }

  /**
   * Inserts {@code text} before code point {@code position}.
   *
   * @throws IndexOutOfBoundsException unless {@code 0 <= position <= length()}
   * @throws InvalidOperationException if {@code text} has a lone surrogate
   */
  public Rope insert(int position, String text) {
    return replace(position, position, text);
  }

  /**
   * Deletes {@code count} code points from {@code position}.
   *
   * @throws IndexOutOfBoundsException unless the range lies within the document
   */
  public Rope delete(int position, int count) {
    if (count < 0) {
      throw new IndexOutOfBoundsException("count : " + count + " (expected: >= 0)");
    }
    return replace(position, position + count, "");
  }

  /**
   * Replaces code points {@code [from, to)} with {@code text}.
   *
   * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= length()}
   * @throws InvalidOperationException if {@code text} has a lone surrogate
   */
  public Rope replace(int from, int to, String text) {
    checkRange(from, to);
    requireWellFormed(text);
    Node tree = replace(root, from, to, text, text.codePointCount(0, text.length()));
    return tree == root ? this : new Rope(tree);
  }

  /**
   * Code points {@code [from, to)} as a String.
   *
   * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= length()}
   */
  public String substring(int from, int to) {
    checkRange(from, to);
    StringBuilder out = new StringBuilder();
    appendRange(root, from, to, out);
    return out.toString();
  }

  /** The whole text. Costs O(n). */
  @Override
  public String toString() {
    if (root == null) {
      return "";
    }
    char[] out = new char[utf16Length(root)];
    copyTo(root, out, 0);
    return new String(out);
  }

  // ---- editing --------------------------------------------------------------------------------

  private static Node replace(Node tree, int from, int to, String text, int textCodePoints) {
    if (from == to && text.isEmpty()) {
      return tree;
    }
    Node edited = replaceWithinChunk(tree, from, to, text, textCodePoints);
    return edited != null ? edited : replaceAcrossChunks(tree, from, to, text);
  }

  /**
   * The common case: the range lies in one chunk, which stays non-empty and within bounds. Copies
   * that chunk and the path to it; the shape of the tree does not change. Null if not applicable.
   */
  private static Node replaceWithinChunk(
      Node node, int from, int to, String text, int textCodePoints) {
    if (node == null) {
      return null;
    }
    int leftSize = codePoints(node.left);
    // A pure insert at a chunk boundary goes to the end of the earlier chunk: typing appends.
    if (from < leftSize || (from == leftSize && from == to && leftSize > 0)) {
      if (to > leftSize) {
        return null;
      }
      Node left = replaceWithinChunk(node.left, from, to, text, textCodePoints);
      return left == null ? null : node.withLeft(left, textCodePoints - (to - from));
    }
    int chunkCodePoints = node.chunkCodePoints();
    int end = leftSize + chunkCodePoints;
    if (from > end || (from == end && to > from)) {
      Node right = replaceWithinChunk(node.right, from - end, to - end, text, textCodePoints);
      return right == null ? null : node.withRight(right, textCodePoints - (to - from));
    }
    if (to > end) {
      return null;
    }
    char[] chunk = node.chunk;
    int start = charOffset(chunk, chunkCodePoints, from - leftSize);
    int stop = to == from ? start : charOffset(chunk, chunkCodePoints, to - leftSize);
    int length = chunk.length - (stop - start) + text.length();
    if (length == 0 || length > MAX_CHUNK) {
      return null;
    }
    char[] edited = new char[length];
    System.arraycopy(chunk, 0, edited, 0, start);
    text.getChars(0, text.length(), edited, start);
    System.arraycopy(chunk, stop, edited, start + text.length(), chunk.length - stop);
    int editedCodePoints = chunkCodePoints - (to - from) + textCodePoints;
    return new Node(node.left, edited, editedCodePoints, node.right);
  }

  /**
   * Any other edit: split at both ends, re-chunk the neighbouring chunks with the new text, join.
   */
  private static Node replaceAcrossChunks(Node tree, int from, int to, String text) {
    Split atFrom = split(tree, from);
    Node left = atFrom.left;
    Node right = split(atFrom.right, to - from).right;
    char[] before = new char[0];
    char[] after = new char[0];
    if (left != null) {
      Split last = splitLast(left);
      left = last.left;
      before = last.right.chunk;
    }
    if (right != null) {
      Split first = splitFirst(right);
      right = first.right;
      after = first.left.chunk;
    }
    char[] middle = new char[before.length + text.length() + after.length];
    System.arraycopy(before, 0, middle, 0, before.length);
    text.getChars(0, text.length(), middle, before.length);
    System.arraycopy(after, 0, middle, before.length + text.length(), after.length);
    return concat(concat(left, build(middle, 0, middle.length)), right);
  }

  // ---- join-based AVL -------------------------------------------------------------------------

  /** A tree cut in two; for splitFirst and splitLast one side is the single cut-off node. */
  private record Split(Node left, Node right) {}

  /** The first {@code position} code points, and the rest; cuts a chunk if it must. */
  private static Split split(Node node, int position) {
    if (node == null || position == 0) {
      return new Split(null, node);
    }
    if (position == node.codePoints) {
      return new Split(node, null);
    }
    int leftSize = codePoints(node.left);
    if (position <= leftSize) {
      Split inLeft = split(node.left, position);
      return new Split(
          inLeft.left, join(inLeft.right, node.chunk, node.chunkCodePoints(), node.right));
    }
    int chunkCodePoints = node.chunkCodePoints();
    int end = leftSize + chunkCodePoints;
    if (position >= end) {
      Split inRight = split(node.right, position - end);
      return new Split(
          join(node.left, node.chunk, node.chunkCodePoints(), inRight.left), inRight.right);
    }
    int cut = charOffset(node.chunk, chunkCodePoints, position - leftSize);
    char[] head = java.util.Arrays.copyOfRange(node.chunk, 0, cut);
    char[] tail = java.util.Arrays.copyOfRange(node.chunk, cut, node.chunk.length);
    int headCodePoints = position - leftSize;
    return new Split(
        join(node.left, head, headCodePoints, null),
        join(null, tail, chunkCodePoints - headCodePoints, node.right));
  }

  /** The tree without its last node, and that node (with no children). */
  private static Split splitLast(Node node) {
    if (node.right == null) {
      return new Split(node.left, leaf(node));
    }
    Split inRight = splitLast(node.right);
    return new Split(
        join(node.left, node.chunk, node.chunkCodePoints(), inRight.left), inRight.right);
  }

  /** The first node of the tree (with no children), and the tree without it. */
  private static Split splitFirst(Node node) {
    if (node.left == null) {
      return new Split(leaf(node), node.right);
    }
    Split inLeft = splitFirst(node.left);
    return new Split(
        inLeft.left, join(inLeft.right, node.chunk, node.chunkCodePoints(), node.right));
  }

  private static Node leaf(Node node) {
    return node.left == null && node.right == null
        ? node
        : new Node(null, node.chunk, node.chunkCodePoints(), null);
  }

  /** All of {@code left}, then all of {@code right}. */
  private static Node concat(Node left, Node right) {
    if (left == null) {
      return right;
    }
    if (right == null) {
      return left;
    }
    Split last = splitLast(left);
    return join(last.left, last.right.chunk, last.right.chunkCodePoints(), right);
  }

  /** {@code left}, then the chunk, then {@code right}, rebalanced: O(height difference). */
  private static Node join(Node left, char[] chunk, int chunkCodePoints, Node right) {
    int leftHeight = height(left);
    int rightHeight = height(right);
    if (leftHeight > rightHeight + 1) {
      return joinRight(left, chunk, chunkCodePoints, right);
    }
    if (rightHeight > leftHeight + 1) {
      return joinLeft(left, chunk, chunkCodePoints, right);
    }
    return new Node(left, chunk, chunkCodePoints, right);
  }

  /** Join where {@code left} is the taller: descend its right spine. */
  private static Node joinRight(Node left, char[] chunk, int chunkCodePoints, Node right) {
    Node spine = left.right;
    if (height(spine) <= height(right) + 1) {
      Node joined = new Node(spine, chunk, chunkCodePoints, right);
      if (joined.height <= height(left.left) + 1) {
        return new Node(left.left, left.chunk, left.chunkCodePoints(), joined);
      }
      return rotateLeft(
          new Node(left.left, left.chunk, left.chunkCodePoints(), rotateRight(joined)));
    }
    Node joined = joinRight(spine, chunk, chunkCodePoints, right);
    Node result = new Node(left.left, left.chunk, left.chunkCodePoints(), joined);
    return joined.height <= height(left.left) + 1 ? result : rotateLeft(result);
  }

  /** Join where {@code right} is the taller: descend its left spine. */
  private static Node joinLeft(Node left, char[] chunk, int chunkCodePoints, Node right) {
    Node spine = right.left;
    if (height(spine) <= height(left) + 1) {
      Node joined = new Node(left, chunk, chunkCodePoints, spine);
      if (joined.height <= height(right.right) + 1) {
        return new Node(joined, right.chunk, right.chunkCodePoints(), right.right);
      }
      return rotateRight(
          new Node(rotateLeft(joined), right.chunk, right.chunkCodePoints(), right.right));
    }
    Node joined = joinLeft(left, chunk, chunkCodePoints, spine);
    Node result = new Node(joined, right.chunk, right.chunkCodePoints(), right.right);
    return joined.height <= height(right.right) + 1 ? result : rotateRight(result);
  }

  private static Node rotateLeft(Node node) {
    Node pivot = node.right;
    Node left = new Node(node.left, node.chunk, node.chunkCodePoints(), pivot.left);
    return new Node(left, pivot.chunk, pivot.chunkCodePoints(), pivot.right);
  }

  private static Node rotateRight(Node node) {
    Node pivot = node.left;
    Node right = new Node(pivot.right, node.chunk, node.chunkCodePoints(), node.right);
    return new Node(pivot.left, pivot.chunk, pivot.chunkCodePoints(), right);
  }

  /** A perfectly balanced tree of {@code text[from, to)} cut into chunks of at most MAX_CHUNK. */
  private static Node build(char[] text, int from, int to) {
    int length = to - from;
    if (length == 0) {
      return null;
    }
    int pieces = (length + MAX_CHUNK - 1) / MAX_CHUNK;
    int target = (length + pieces - 1) / pieces;
    List<char[]> chunks = new ArrayList<>(pieces + 1);
    int start = from;
    while (start < to) {
      int stop = Math.min(start + target, to);
      if (stop < to && Character.isHighSurrogate(text[stop - 1])) {
        stop--; // never cut a surrogate pair; stop - 1 > start since target >= 2 here
      }
      chunks.add(java.util.Arrays.copyOfRange(text, start, stop));
      start = stop;
    }
    return buildBalanced(chunks, 0, chunks.size());
  }

  private static Node buildBalanced(List<char[]> chunks, int from, int to) {
    if (from == to) {
      return null;
    }
    int middle = (from + to) >>> 1;
    char[] chunk = chunks.get(middle);
    return new Node(
        buildBalanced(chunks, from, middle),
        chunk,
        Character.codePointCount(chunk, 0, chunk.length),
        buildBalanced(chunks, middle + 1, to));
  }

  // ---- reading --------------------------------------------------------------------------------

  private static int utf16Length(Node node) {
    return node == null ? 0 : utf16Length(node.left) + node.chunk.length + utf16Length(node.right);
  }

  private static int copyTo(Node node, char[] out, int at) {
    if (node.left != null) {
      at = copyTo(node.left, out, at);
    }
    System.arraycopy(node.chunk, 0, out, at, node.chunk.length);
    at += node.chunk.length;
    return node.right == null ? at : copyTo(node.right, out, at);
  }

  private static void appendRange(Node node, int from, int to, StringBuilder out) {
    if (node == null || from >= to) {
      return;
    }
    int leftSize = codePoints(node.left);
    if (from < leftSize) {
      appendRange(node.left, from, Math.min(to, leftSize), out);
    }
    int chunkCodePoints = node.chunkCodePoints();
    int end = leftSize + chunkCodePoints;
    if (from < end && to > leftSize) {
      int start = charOffset(node.chunk, chunkCodePoints, Math.max(from, leftSize) - leftSize);
      int stop = charOffset(node.chunk, chunkCodePoints, Math.min(to, end) - leftSize);
      out.append(node.chunk, start, stop - start);
    }
    if (to > end) {
      appendRange(node.right, Math.max(from, end) - end, to - end, out);
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** UTF-16 offset of code point {@code index} in a chunk. */
  private static int charOffset(char[] chunk, int chunkCodePoints, int index) {
    return chunk.length == chunkCodePoints
        ? index // all in the Basic Multilingual Plane
        : Character.offsetByCodePoints(chunk, 0, chunk.length, 0, index);
  }

  private static int codePoints(Node node) {
    return node == null ? 0 : node.codePoints;
  }

  private static int height(Node node) {
    return node == null ? 0 : node.height;
  }

  private void checkRange(int from, int to) {
    int length = length();
    if (from < 0 || from > to || to > length) {
      throw new IndexOutOfBoundsException(
          "range [" + from + ", " + to + ") (expected: within [0, " + length + "])");
    }
  }

  private static void requireWellFormed(String text) {
    int lone = CodePoints.firstLoneSurrogate(text);
    if (lone >= 0) {
      throw new InvalidOperationException(
          "text has a lone surrogate U+"
              + Integer.toHexString(text.charAt(lone)).toUpperCase(java.util.Locale.ROOT)
              + " at UTF-16 index "
              + lone
              + " (expected well-formed UTF-16)");
    }
  }

  /**
   * Checks the tree's invariants (AVL balance, stored sizes, chunk bounds, no split surrogate pair)
   * and returns the number of chunks; for tests.
   */
  int checkInvariants() {
    return check(root);
  }

  private static int check(Node node) {
    if (node == null) {
      return 0;
    }
    int chunks = check(node.left) + 1 + check(node.right);
    char[] chunk = node.chunk;
    assertState(chunk.length > 0 && chunk.length <= MAX_CHUNK, "chunk length " + chunk.length);
    assertState(
        !Character.isLowSurrogate(chunk[0]) && !Character.isHighSurrogate(chunk[chunk.length - 1]),
        "chunk cuts a surrogate pair");
    assertState(
        node.chunkCodePoints() == Character.codePointCount(chunk, 0, chunk.length),
        "chunk code point count");
    assertState(Math.abs(height(node.left) - height(node.right)) <= 1, "AVL balance");
    assertState(node.height == 1 + Math.max(height(node.left), height(node.right)), "height");
    assertState(
        node.codePoints == codePoints(node.left) + node.chunkCodePoints() + codePoints(node.right),
        "code point size");
    return chunks;
  }

  private static void assertState(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException("rope invariant broken: " + what);
    }
  }

  /**
   * One chunk and the size of the subtree it roots. Immutable. Four fields, 32 bytes with
   * compressed references: path copying allocates one per level, so every field counts.
   */
  private static final class Node {
    final Node left;
    final Node right;
    final char[] chunk; // non-empty, at most MAX_CHUNK, whole code points only; never mutated
    final int codePoints; // of the whole subtree
    final int height;

    Node(Node left, char[] chunk, int chunkCodePoints, Node right) {
      this.left = left;
      this.right = right;
      this.chunk = chunk;
      this.codePoints = codePoints(left) + chunkCodePoints + codePoints(right);
      this.height = 1 + Math.max(height(left), height(right));
    }

    private Node(Node left, Node right, char[] chunk, int codePoints, int height) {
      this.left = left;
      this.right = right;
      this.chunk = chunk;
      this.codePoints = codePoints;
      this.height = height;
    }

    int chunkCodePoints() {
      return codePoints - codePoints(left) - codePoints(right);
    }

    /** This node over a left subtree of the same height whose size changed by {@code delta}. */
    Node withLeft(Node newLeft, int delta) {
      return new Node(newLeft, right, chunk, codePoints + delta, height);
    }

    /** This node over a right subtree of the same height whose size changed by {@code delta}. */
    Node withRight(Node newRight, int delta) {
      return new Node(left, newRight, chunk, codePoints + delta, height);
    }
  }
}
