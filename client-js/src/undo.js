// Undo and redo of the local user's own edits only, as people expect from Google Docs: an undo
// reverts this user's last edit and keeps what others did since. Each stack holds inverse
// operations; a remote edit moves every entry through it (ot.js's UndoManager), so an undo
// applies to the current text and never touches text that another user typed meanwhile.

import { TextOperation } from './ot.js';

/**
 * Two stacks of operations that revert local edits, newest last. The top of each stack applies
 * to the current local text; the entry below it applies to the text after the top is applied.
 *
 * Law: for a local edit `a` of text `s` recorded with `push(a.invert(s))`, `undo` gives an op
 * that turns `a.apply(s)` back into `s`; after remote ops, it turns the current text into the
 * text without `a` but with the remote ops (as far as they did not touch `a`'s own text).
 */
export class UndoManager {
  /** @type {TextOperation[]} */ #undoStack = [];
  /** @type {TextOperation[]} */ #redoStack = [];
  #maxItems;
  /** whether the next local edit may merge into the top undo entry */
  #mergeable = false;

  /** @param {{maxItems?: number}} [options] */
  constructor({ maxItems = 100 } = {}) {
    this.#maxItems = maxItems;
  }

  get canUndo() {
    return this.#undoStack.length > 0;
  }

  get canRedo() {
    return this.#redoStack.length > 0;
  }

  /**
   * Records a local edit by its inverse; a new edit clears the redo stack.
   * @param {TextOperation} inverse the edit's `invert(textBefore)`
   * @param {{merge?: boolean}} [options] merge with the previous edit (typing a word): one undo
   *   step then reverts both
   */
  record(inverse, { merge = false } = {}) {
    if (inverse.isNoop()) {
      return;
    }
    this.#redoStack = [];
    const top = this.#undoStack.at(-1);
    if (merge && this.#mergeable && top !== undefined) {
      // the new inverse applies first, then the older one: compose in that order
      this.#undoStack[this.#undoStack.length - 1] = inverse.compose(top);
    } else {
      this.#undoStack.push(inverse);
      if (this.#undoStack.length > this.#maxItems) {
        this.#undoStack.shift();
      }
    }
    this.#mergeable = true;
  }

  /** The next local edit starts a new undo step (after a pause, a caret move, an undo...). */
  breakMerge() {
    this.#mergeable = false;
  }

  /**
   * Moves both stacks through an op of another user that was just applied to the local text.
   * @param {TextOperation} remote based on the current local text before it was applied
   */
  transform(remote) {
    this.#undoStack = transformStack(this.#undoStack, remote);
    this.#redoStack = transformStack(this.#redoStack, remote);
  }

  /**
   * Takes the op that reverts the last local edit, to apply to the current local text; the
   * caller then passes that op's inverse to `recordUndone`. Null if there is nothing to undo.
   * @returns {TextOperation | null}
   */
  popUndo() {
    this.#mergeable = false;
    return this.#undoStack.pop() ?? null;
  }

  /**
   * Takes the op that redoes the last undone edit. Null if there is nothing to redo.
   * @returns {TextOperation | null}
   */
  popRedo() {
    this.#mergeable = false;
    return this.#redoStack.pop() ?? null;
  }

  /** @param {TextOperation} inverse the inverse of an undo just applied: redo reapplies it */
  recordUndone(inverse) {
    if (!inverse.isNoop()) {
      this.#redoStack.push(inverse);
    }
  }

  /** @param {TextOperation} inverse the inverse of a redo just applied: undo reverts it again */
  recordRedone(inverse) {
    if (!inverse.isNoop()) {
      this.#undoStack.push(inverse);
    }
  }
}

/**
 * Moves a stack through `op`, which applies to the text the top applies to. The entry below the
 * top applies after the top, so `op` continues down transformed past the top, and so on:
 *
 * ```
 *   text ----top----> . ----next----> . ...
 *    |                |               |
 *    op               op'             op''
 *    v                v               v
 *   text' ---top'---> . ---next'----> . ...
 * ```
 * Entries that become no-ops (everything they reverted was deleted by others) are dropped.
 * @param {TextOperation[]} stack
 * @param {TextOperation} op
 */
function transformStack(stack, op) {
  const result = [];
  let through = op;
  for (let i = stack.length - 1; i >= 0; i--) {
    const { left, right } = TextOperation.transform(stack[i], through);
    if (!left.isNoop()) {
      result.push(left);
    }
    through = right;
  }
  return result.reverse();
}
