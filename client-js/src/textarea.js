// Binds a <textarea> to a TandemDocument. The textarea speaks UTF-16 offsets, Tandem code
// points: the conversion happens here, at the edge. A user's input becomes one op (the textarea's
// old and new value diffed around the caret); a remote change rewrites the value and puts the
// local caret and selection back where they were, moved through the change; the local selection
// is published as presence; a caret move of the user ends the undo step; Ctrl/Cmd+Z and Ctrl+Y /
// Ctrl/Cmd+Shift+Z undo and redo this user's own edits only, instead of the browser's textarea
// history.

import { Side, TextOperation } from './ot.js';
import { codePointCount, codePointOffset, utf16Offset } from './code-points.js';

/**
 * Keeps `textarea` and `doc` in step until the returned function is called.
 * @param {HTMLTextAreaElement} textarea
 * @param {import('./connection.js').TandemDocument} doc an open document
 * @param {{meta?: Record<string, unknown>}} [options] sent with the selection (name, color)
 * @returns {() => void} unbinds
 */
export function bindTextarea(textarea, doc, { meta = {} } = {}) {
  textarea.value = doc.text;
  // The selection as typing or a change of the document left it: any other is the user's move.
  /** @type {{start: number, end: number}} */ let caret;
  const rememberCaret = () => {
    caret = { start: textarea.selectionStart, end: textarea.selectionEnd };
  };
  rememberCaret();

  const onInput = () => {
    const value = textarea.value;
    if (value === doc.text) {
      return;
    }
    try {
      doc.edit((text) => diffToOperation(text, value, textarea.selectionEnd));
    } catch (error) {
      textarea.value = doc.text; // refused (say, a lone surrogate): show what the document has
      throw error;
    }
    rememberCaret();
    publishSelection();
  };

  const onChange = (change) => {
    if (change.origin === 'local' && textarea.value === change.text) {
      return; // the textarea already shows it: it made it
    }
    const shown = textarea.value;
    const direction = textarea.selectionDirection;
    let start = 0;
    let end = 0;
    if (change.origin === 'local' || change.origin === 'remote') {
      // code points of the shown text, moved through the change; text inserted exactly at the
      // caret goes after it, so the caret stays where the user left it
      start = change.op.transformPosition(
        codePointOffset(shown, textarea.selectionStart),
        Side.BEFORE,
      );
      end = change.op.transformPosition(codePointOffset(shown, textarea.selectionEnd), Side.BEFORE);
    }
    textarea.value = change.text;
    textarea.setSelectionRange(
      utf16Offset(change.text, start),
      utf16Offset(change.text, end),
      direction,
    );
    rememberCaret();
  };

  const publishSelection = () => {
    const text = textarea.value;
    if (text !== doc.text) {
      return; // mid-input: the input handler publishes once the edit is in
    }
    if (textarea.selectionStart !== caret.start || textarea.selectionEnd !== caret.end) {
      doc.endUndoStep(); // the user moved the caret: what they type next is a new undo step
      rememberCaret();
    }
    const start = codePointOffset(text, textarea.selectionStart);
    const end = codePointOffset(text, textarea.selectionEnd);
    const range = textarea.selectionDirection === 'backward' ? [end, start] : [start, end];
    doc.setSelection([range], meta);
  };

  const onKeyDown = (event) => {
    const mod = event.ctrlKey || event.metaKey;
    const key = typeof event.key === 'string' ? event.key.toLowerCase() : '';
    if (!mod || (key !== 'z' && key !== 'y')) {
      return;
    }
    event.preventDefault(); // the browser's history knows nothing of other users' edits
    if (key === 'y' || event.shiftKey) {
      doc.redo();
    } else {
      doc.undo();
    }
    publishSelection();
  };

  const onBeforeInput = (event) => {
    if (event.inputType === 'historyUndo' || event.inputType === 'historyRedo') {
      event.preventDefault(); // the Edit menu's undo: ours, not the browser's
      if (event.inputType === 'historyUndo') {
        doc.undo();
      } else {
        doc.redo();
      }
    }
  };

  const ownerDocument = textarea.ownerDocument;
  const onSelectionChange = () => {
    if (ownerDocument?.activeElement === textarea) {
      publishSelection();
    }
  };

  const offChange = doc.on('change', onChange);
  textarea.addEventListener('input', onInput);
  textarea.addEventListener('keydown', onKeyDown);
  textarea.addEventListener('beforeinput', onBeforeInput);
  textarea.addEventListener('select', publishSelection);
  textarea.addEventListener('keyup', publishSelection);
  textarea.addEventListener('mouseup', publishSelection);
  textarea.addEventListener('focus', publishSelection);
  ownerDocument?.addEventListener?.('selectionchange', onSelectionChange);

  return () => {
    offChange();
    textarea.removeEventListener('input', onInput);
    textarea.removeEventListener('keydown', onKeyDown);
    textarea.removeEventListener('beforeinput', onBeforeInput);
    textarea.removeEventListener('select', publishSelection);
    textarea.removeEventListener('keyup', publishSelection);
    textarea.removeEventListener('mouseup', publishSelection);
    textarea.removeEventListener('focus', publishSelection);
    ownerDocument?.removeEventListener?.('selectionchange', onSelectionChange);
  };
}

/**
 * The op that turns `before` into `after`: one replaced range between a common prefix and a
 * common suffix, cut between code points, never inside a surrogate pair. `caret` (a UTF-16 index
 * in `after`, where the edit ended) settles ambiguous cases: typing "a" at the start of "aa"
 * inserts at 0, not at 2.
 * @param {string} before
 * @param {string} after
 * @param {number} [caret]
 * @returns {TextOperation}
 */
export function diffToOperation(before, after, caret = after.length) {
  const maxCommon = Math.min(before.length, after.length);
  let suffix = 0;
  const suffixLimit = Math.min(maxCommon, Math.max(0, after.length - caret));
  while (
    suffix < suffixLimit &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  ) {
    suffix++;
  }
  if (
    suffix > 0 &&
    (isLowAt(before, before.length - suffix) || isLowAt(after, after.length - suffix))
  ) {
    suffix--; // the suffix would start inside a pair
  }
  let prefix = 0;
  const prefixLimit = maxCommon - suffix;
  while (prefix < prefixLimit && before.charCodeAt(prefix) === after.charCodeAt(prefix)) {
    prefix++;
  }
  if (prefix > 0 && (isHighAt(before, prefix - 1) || isHighAt(after, prefix - 1))) {
    prefix--; // the prefix would end inside a pair
  }
  return TextOperation.builder()
    .retain(codePointCount(before.slice(0, prefix)))
    .delete(codePointCount(before.slice(prefix, before.length - suffix)))
    .insert(after.slice(prefix, after.length - suffix))
    .retain(codePointCount(before.slice(before.length - suffix)))
    .build();
}

/**
 * @param {string} text
 * @param {number} index
 */
function isHighAt(text, index) {
  const unit = text.charCodeAt(index);
  return unit >= 0xd800 && unit <= 0xdbff;
}

/**
 * @param {string} text
 * @param {number} index
 */
function isLowAt(text, index) {
  const unit = text.charCodeAt(index);
  return unit >= 0xdc00 && unit <= 0xdfff;
}
