// The op that turns one text into another, found by comparing them: the common prefix and suffix
// are retained, and the rest is the shortest edit script of Myers' O(ND) algorithm over code
// points. Where more than MAX_EDITS code points differ the middle is replaced whole (still
// correct, only coarser). The same algorithm as dev.tandem.ot.TextDiff in the Java client. A
// client whose revision was pruned uses it in place of the ops it can no longer get, to rebase its
// unacknowledged edits onto the server's text (see docs/decisions/0006-resync-after-prune.md).

import { TextOperation } from './ot.js';

/** The most edits searched for; beyond, the middle is replaced whole (memory O(edits²)). */
export const MAX_EDITS = 2000;

/**
 * An op whose base is `from` and whose result is `to`.
 * @param {string} from
 * @param {string} to
 * @returns {TextOperation}
 */
export function diff(from, to) {
  const a = Array.from(from, (c) => c.codePointAt(0));
  const b = Array.from(to, (c) => c.codePointAt(0));
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) {
    prefix++;
  }
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) {
    suffix++;
  }
  const op = TextOperation.builder();
  op.retain(prefix);
  middle(a.slice(prefix, a.length - suffix), b.slice(prefix, b.length - suffix), op);
  op.retain(suffix);
  return op.build();
}

/**
 * Appends to `op` the edits from `a` to `b`.
 * @param {number[]} a
 * @param {number[]} b
 * @param {ReturnType<typeof TextOperation.builder>} op
 */
function middle(a, b, op) {
  const n = a.length;
  const m = b.length;
  const replace = () => {
    op.delete(n);
    op.insert(b.map((c) => String.fromCodePoint(c)).join(''));
  };
  if (n === 0 || m === 0) {
    replace();
    return;
  }
  const offset = n + m + 1;
  const v = new Int32Array(2 * offset + 1);
  /** @type {Int32Array[]} v as each step d began, indexed by k + d + 1 */
  const trace = [];
  let found = -1;
  for (let d = 0; d <= Math.min(n + m, MAX_EDITS) && found < 0; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1])
          ? v[offset + k + 1]
          : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
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
  if (found < 0) {
    replace();
    return;
  }
  /** @type {(number | string)[]} walked back: 0 equal, -1 delete, a string an insert */
  const steps = [];
  let x = n;
  let y = m;
  for (let d = found; d >= 0; d--) {
    const before = trace[d];
    const k = x - y;
    let previousK = 0;
    let previousX = 0;
    if (d > 0) {
      const down = k === -d || (k !== d && before[k - 1 + d + 1] < before[k + 1 + d + 1]);
      previousK = down ? k + 1 : k - 1;
      previousX = before[previousK + d + 1];
    }
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      steps.push(0);
      x--;
      y--;
    }
    if (d > 0) {
      steps.push(x === previousX ? String.fromCodePoint(b[previousY]) : -1);
    }
    x = previousX;
    y = previousY;
  }
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i];
    if (step === 0) {
      op.retain(1);
    } else if (step === -1) {
      op.delete(1);
    } else {
      op.insert(/** @type {string} */ (step));
    }
  }
}
