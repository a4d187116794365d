package dev.tandem.ot;

import java.util.ArrayList;
import java.util.List;

/**
 * The op that turns one text into another, found by comparing them: the common prefix and suffix
 * are retained, and the rest is the shortest edit script of Myers' O(ND) algorithm (E. Myers, "An
 * O(ND) difference algorithm and its variations", 1986) over code points. Where more than {@link
 * #MAX_EDITS} code points differ the middle is replaced whole, which is still correct (the op turns
 * one text into the other), only coarser. A client that lost the ops between two texts (a pruned
 * history) uses it in their place to rebase its unacknowledged edits.
 */
public final class TextDiff {
  /** The most edits searched for; beyond, the middle is replaced whole (memory O(edits²)). */
  static final int MAX_EDITS = 2000;

  private TextDiff() {}

  /** An op whose base is {@code from} and whose result is {@code to}. */
  public static TextOperation between(String from, String to) {
    int[] a = from.codePoints().toArray();
    int[] b = to.codePoints().toArray();
    int prefix = 0;
    while (prefix < a.length && prefix < b.length && a[prefix] == b[prefix]) {
      prefix++;
    }
    int suffix = 0;
    while (suffix < a.length - prefix
        && suffix < b.length - prefix
        && a[a.length - 1 - suffix] == b[b.length - 1 - suffix]) {
      suffix++;
    }
    TextOperation.Builder op = TextOperation.builder();
    op.retain(prefix);
    middle(a, prefix, a.length - suffix, b, prefix, b.length - suffix, op);
    op.retain(suffix);
    return op.build();
  }

  /** Appends to {@code op} the edits from a[aFrom, aTo) to b[bFrom, bTo). */
  private static void middle(
      int[] a, int aFrom, int aTo, int[] b, int bFrom, int bTo, TextOperation.Builder op) {
    int n = aTo - aFrom;
    int m = bTo - bFrom;
    if (n == 0 || m == 0) {
      op.delete(n);
      op.insert(text(b, bFrom, bTo));
      return;
    }
    int offset = n + m + 1;
    int[] v = new int[2 * offset + 1];
    List<int[]> trace = new ArrayList<>();
    int found = -1;
    for (int d = 0; d <= Math.min(n + m, MAX_EDITS) && found < 0; d++) {
      trace.add(java.util.Arrays.copyOfRange(v, offset - d - 1, offset + d + 2));
      for (int k = -d; k <= d; k += 2) {
        int x =
            k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])
                ? v[offset + k + 1]
                : v[offset + k - 1] + 1;
        int y = x - k;
        while (x < n && y < m && a[aFrom + x] == b[bFrom + y]) {
          x++;
          y++;
        }
        v[offset + k] = x;
        if (x >= n && y >= m) {
          found = d;
          break;
        }
      }
    }
    if (found < 0) { // too different to search: replace it whole
      op.delete(n);
      op.insert(text(b, bFrom, bTo));
      return;
    }
    // Walk back from (n, m): each step of d is one insert or delete after a run of equal ones.
    List<int[]> steps = new ArrayList<>(); // {kind, position in b}: 0 equal, 1 insert, 2 delete
    int x = n;
    int y = m;
    for (int d = found; d >= 0; d--) {
      int[] before = trace.get(d); // v as it was when step d began; index k + d + 1
      int k = x - y;
      int previousK;
      int previousX;
      if (d == 0) {
        previousK = 0;
        previousX = 0;
      } else {
        boolean down = k == -d || (k != d && before[k - 1 + d + 1] < before[k + 1 + d + 1]);
        previousK = down ? k + 1 : k - 1;
        previousX = before[previousK + d + 1];
      }
      int previousY = previousX - previousK;
      while (x > previousX && y > previousY) {
        steps.add(new int[] {0, 0});
        x--;
        y--;
      }
      if (d > 0) {
        if (x == previousX) {
          steps.add(new int[] {1, bFrom + previousY}); // down: b[previousY] inserted
        } else {
          steps.add(new int[] {2, 0}); // right: a[previousX] deleted
        }
      }
      x = previousX;
      y = previousY;
    }
    for (int i = steps.size() - 1; i >= 0; i--) {
      int[] step = steps.get(i);
      switch (step[0]) {
        case 0 -> op.retain(1);
        case 1 -> op.insert(Character.toString(b[step[1]]));
        default -> op.delete(1);
      }
    }
  }

  private static String text(int[] codePoints, int from, int to) {
    return new String(codePoints, from, to - from);
  }
}
