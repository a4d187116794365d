// Binds a CodeMirror 6 EditorView to a TandemDocument, the way textarea.js binds a <textarea>.
// CodeMirror counts UTF-16 units, Tandem code points: ChangeSets and ops are converted here, at
// the edge. A transaction of the user becomes one op; a change the document reports (another
// user's edit, an undo, a resync) is dispatched as a transaction annotated with `tandemChange`,
// so it is not sent back, and CodeMirror maps the local selection through it. Others' cursors and
// selections are decorations that move through every change as the document moves them; the
// local selection is published as presence, and a caret move of the user ends the undo step.
// Mod-z / Mod-Shift-z / Mod-y undo and redo this user's own edits only (Tandem's undo): do not
// add CodeMirror's history() next to the binding.
//
// A separate module from index.js, so that the rest of the library needs no CodeMirror.

import {
  Annotation,
  Compartment,
  EditorSelection,
  EditorState,
  Prec,
  StateEffect,
  StateField,
  Transaction,
} from '@codemirror/state';
import { Decoration, EditorView, WidgetType, keymap } from '@codemirror/view';
import { InvalidOperationError, TextOperation } from './ot.js';
import {
  advance,
  codePointCount,
  codePointOffset,
  isWellFormed,
  splitsPair,
  utf16Offset,
} from './code-points.js';
import { diffToOperation } from './textarea.js';
import { colorFor } from './connection.js';

/**
 * Marks a transaction that brings a change of the Tandem document into the view; its value is
 * the change's origin (`'remote'`, `'local'` for an undo or another binding's edit, `'resync'`).
 * The binding never sends such a transaction back.
 * @type {import('@codemirror/state').AnnotationType<string>}
 */
export const tandemChange = Annotation.define();

/**
 * Keeps `view` and `doc` in step until the returned function is called. The view's content is
 * replaced by the document's text at once. While bound, the view splits lines at "\n" only, so
 * its text is exactly the document's (a "\r" stays a character).
 * @param {import('@codemirror/view').EditorView} view
 * @param {import('./connection.js').TandemDocument} doc an open document
 * @param {{meta?: Record<string, unknown>}} [options] sent with the selection (name, color)
 * @returns {() => void} unbinds
 */
export function bindCodeMirror(view, doc, { meta = {} } = {}) {
  checkOneCodeMirror(view);
  let ownEdit = false; // doc.edit is running for a transaction of this view
  let reverting = false; // doc.undo or doc.redo is running for a key of this view

  const sendLocalEdits = (/** @type {import('@codemirror/view').ViewUpdate} */ update) => {
    for (const tr of update.transactions) {
      if (movesCaretOnly(tr)) {
        doc.endUndoStep(); // what the user types next is a new undo step
      }
      if (!tr.docChanged || tr.annotation(tandemChange) !== undefined) {
        continue;
      }
      ownEdit = true;
      try {
        doc.edit(() => changesToOperation(tr.changes, tr.startState.doc));
      } catch (error) {
        // refused (say, half of a surrogate pair, or the document closed): show what the
        // document has, once this update is over (a view cannot dispatch inside its update)
        queueMicrotask(() => view.dispatch(replaceAll(view.state, doc.text)));
        throw error;
      } finally {
        ownEdit = false;
      }
    }
  };

  const publishSelection = (/** @type {EditorState} */ state) => {
    const text = state.doc.toString();
    if (text === doc.text) {
      doc.setSelection(selectionToCodePoints(state.selection, text), meta);
    }
  };

  const onChange = (/** @type {import('./client.js').TextChange} */ change) => {
    if (!ownEdit) {
      view.dispatch(changeTransaction(view.state, change, { caretToChange: reverting }));
    }
  };

  const showPresences = () =>
    view.dispatch({ effects: setPresences.of([...doc.presences.values()]) });

  const revert = (/** @type {() => boolean} */ step) => () => {
    reverting = true;
    try {
      step();
    } finally {
      reverting = false;
    }
    return true; // handled even with nothing to undo: the browser's own undo must not run
  };
  const undo = revert(() => doc.undo());
  const redo = revert(() => doc.redo());

  const extension = [
    EditorState.lineSeparator.of('\n'),
    presenceField,
    presenceTheme,
    EditorView.updateListener.of((update) => {
      sendLocalEdits(update);
      if (update.selectionSet || (update.focusChanged && update.view.hasFocus)) {
        publishSelection(update.state);
      }
    }),
    Prec.high(
      keymap.of([
        { key: 'Mod-z', run: undo, preventDefault: true },
        { key: 'Mod-Shift-z', run: redo, preventDefault: true },
        { key: 'Mod-y', run: redo, preventDefault: true },
      ]),
    ),
    Prec.high(
      EditorView.domEventHandlers({
        beforeinput: (event) => {
          if (event.inputType === 'historyUndo' || event.inputType === 'historyRedo') {
            event.preventDefault(); // the Edit menu's undo: ours, not the browser's
            (event.inputType === 'historyUndo' ? undo : redo)();
            return true;
          }
          return false;
        },
      }),
    ),
  ];

  const compartment = new Compartment();
  // the line separator must be in force before the text goes in: two transactions
  view.dispatch({ effects: StateEffect.appendConfig.of(compartment.of(extension)) });
  view.dispatch(replaceAll(view.state, doc.text));
  const off = [
    doc.on('change', onChange),
    doc.on('presence', showPresences),
    doc.on('presenceLeft', showPresences),
  ];
  showPresences();

  return () => {
    off.forEach((unsubscribe) => unsubscribe());
    view.dispatch({ effects: compartment.reconfigure([]) });
  };
}

/**
 * Refuses a view made with another copy of `@codemirror/view` or `@codemirror/state` than the one
 * this module imports (an app that bundles two copies, say its own `@codemirror/state` next to the
 * one installed for this package). CodeMirror would not recognise this binding's extensions and
 * annotations as its own, and the editor would stop syncing without a word; an error now says why.
 * @param {unknown} view
 * @throws {TypeError} if `view` is not an EditorView of this module's CodeMirror
 */
export function checkOneCodeMirror(view) {
  const looksLikeView =
    view !== null && typeof view === 'object' && 'state' in view && 'dispatch' in view;
  if (!looksLikeView) {
    throw new TypeError(`bindCodeMirror needs an EditorView (got ${describe(view)})`);
  }
  const duplicate = !(view instanceof EditorView)
    ? '@codemirror/view'
    : !(/** @type {EditorView} */ (view).state instanceof EditorState)
      ? '@codemirror/state'
      : null;
  if (duplicate !== null) {
    throw new TypeError(
      `bindCodeMirror: the view was made with another copy of ${duplicate} than the one ` +
        `@tandem/client/codemirror imports, so the two would not work together. Install one ` +
        `copy (\`npm ls ${duplicate}\` lists them; \`npm dedupe\`, or one version that ` +
        `satisfies @tandem/client's peerDependencies) and bundle it once.`,
    );
  }
}

/** @param {unknown} value */
function describe(value) {
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : typeof value;
}

/**
 * The transaction that shows a change of the document in a view whose text is the text before
 * the change. CodeMirror maps the local selection through it: text inserted exactly at the caret
 * goes after it, so the caret stays where the user left it (as in the textarea binding). With
 * `caretToChange` (an undo or redo made in this view), the caret goes to the end of the change
 * instead, as editors do.
 * @param {EditorState} state
 * @param {import('./client.js').TextChange} change
 * @param {{caretToChange?: boolean}} [options]
 * @returns {import('@codemirror/state').TransactionSpec}
 */
export function changeTransaction(state, change, { caretToChange = false } = {}) {
  const changes = state.changes(operationToChanges(change.op, state.doc.toString()));
  /** @type {import('@codemirror/state').TransactionSpec} */
  const spec = {
    changes,
    annotations: [
      tandemChange.of(change.origin),
      Transaction.remote.of(change.origin !== 'local'),
      Transaction.addToHistory.of(false),
    ],
  };
  if (caretToChange) {
    spec.selection = EditorSelection.cursor(lastChangeEnd(changes));
    spec.scrollIntoView = true;
  }
  return spec;
}

/**
 * Whether a transaction moves the caret or changes the selection and nothing else: a click, an
 * arrow key, a drag. Typing moves the caret with its change, and the document's changes carry
 * `tandemChange`; neither is a caret move.
 * @param {Transaction} tr
 */
export function movesCaretOnly(tr) {
  return tr.selection !== undefined && !tr.docChanged && tr.annotation(tandemChange) === undefined;
}

/**
 * @param {EditorState} state
 * @param {string} text
 * @returns {import('@codemirror/state').TransactionSpec}
 */
function replaceAll(state, text) {
  return {
    changes: { from: 0, to: state.doc.length, insert: text },
    annotations: [tandemChange.of('resync'), Transaction.addToHistory.of(false)],
  };
}

/**
 * The op that does what `changes` does to `startDoc`: UTF-16 ranges become code point counts.
 * A change that cuts a surrogate pair (only a program makes one; typing never does) is turned
 * into one op over the whole text, cut between code points.
 * @param {import('@codemirror/state').ChangeSet} changes
 * @param {import('@codemirror/state').Text} startDoc the text `changes` apply to
 * @returns {TextOperation}
 * @throws {InvalidOperationError} if the changed text would have a lone surrogate
 */
export function changesToOperation(changes, startDoc) {
  const before = startDoc.toString();
  const builder = TextOperation.builder();
  let position = 0; // UTF-16 index in `before` up to which the builder spans
  let aligned = true;
  changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
    const text = inserted.toString();
    aligned &&= !splitsPair(before, fromA) && !splitsPair(before, toA) && isWellFormed(text);
    if (aligned) {
      builder
        .retain(codePointCount(before.slice(position, fromA)))
        .delete(codePointCount(before.slice(fromA, toA)))
        .insert(text);
      position = toA;
    }
  });
  if (!aligned) {
    // the caret after the last change settles where the diff puts ambiguous text
    return diffToOperation(before, changes.apply(startDoc).toString(), lastChangeEnd(changes));
  }
  return builder.retain(codePointCount(before.slice(position))).build();
}

/**
 * Where the last changed range ends in the new text.
 * @param {import('@codemirror/state').ChangeSet} changes
 */
function lastChangeEnd(changes) {
  let end = 0;
  changes.iterChangedRanges((_fromA, _toA, _fromB, toB) => (end = toB));
  return end;
}

/**
 * The CodeMirror change specs (UTF-16 offsets into `text`) of an op on `text`.
 * @param {TextOperation} op
 * @param {string} text
 * @returns {{from: number, to?: number, insert?: string}[]}
 * @throws {InvalidOperationError} if the op's base length is not the text's length
 */
export function operationToChanges(op, text) {
  const length = codePointCount(text);
  if (op.baseLength !== length) {
    throw new InvalidOperationError(
      `op base length ${op.baseLength} does not match text length ${length}`,
    );
  }
  const skip =
    length === text.length
      ? (/** @type {number} */ index, /** @type {number} */ count) => index + count // no pairs
      : (/** @type {number} */ index, /** @type {number} */ count) => advance(text, index, count);
  const changes = [];
  let index = 0;
  for (const component of op.components()) {
    if (typeof component === 'string') {
      changes.push({ from: index, insert: component });
    } else if (component > 0) {
      index = skip(index, component);
    } else {
      const to = skip(index, -component);
      changes.push({ from: index, to });
      index = to;
    }
  }
  return changes;
}

/**
 * A CodeMirror selection as `[anchor, head]` pairs of code points of `text`, as on the wire.
 * @param {EditorSelection} selection
 * @param {string} text the view's text
 * @returns {Array<[number, number]>}
 */
export function selectionToCodePoints(selection, text) {
  return selection.ranges.map((range) => [
    codePointOffset(text, range.anchor),
    codePointOffset(text, range.head),
  ]);
}

/** Replaces the shown presences with the document's (in code points of the view's text). */
const setPresences = StateEffect.define();

/**
 * A remote presence in UTF-16 units of the view's text.
 * @typedef {{clientId: string, name: string, color: string,
 *   ranges: {anchor: number, head: number}[]}} ShownPresence
 */

/**
 * Others' selections. Between two presence messages every position moves through each change
 * with `mapPos(position, 1)`: past text inserted exactly at it, to the start of text deleted
 * around it. That is `transformSelection` (Side.AFTER) in UTF-16 units, so the decorations stay
 * where the document has the presences. (Decorations themselves do not map so: a widget
 * vanishes when the text around it is deleted.)
 */
const presenceField = StateField.define({
  create: () => /** @type {ShownPresence[]} */ ([]),
  update(shown, tr) {
    let next = tr.docChanged ? mapPresences(shown, tr.changes) : shown;
    for (const effect of tr.effects) {
      if (effect.is(setPresences)) {
        next = toUtf16(effect.value, tr.state.doc.toString());
      }
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field, presenceDecorations),
});

/**
 * @param {ShownPresence[]} shown
 * @param {import('@codemirror/state').ChangeDesc} changes
 * @returns {ShownPresence[]}
 */
export function mapPresences(shown, changes) {
  return shown.map((presence) => ({
    ...presence,
    ranges: presence.ranges.map(({ anchor, head }) => ({
      anchor: changes.mapPos(anchor, 1),
      head: changes.mapPos(head, 1),
    })),
  }));
}

/**
 * Presences of the document (code points of `text`) in UTF-16 units of `text`, clamped to its
 * end, with a color that cannot break out of a style attribute.
 * @param {Iterable<import('./connection.js').Presence>} presences
 * @param {string} text
 * @returns {ShownPresence[]}
 */
export function toUtf16(presences, text) {
  const length = codePointCount(text);
  const at = (/** @type {number} */ position) => utf16Offset(text, Math.min(position, length));
  return [...presences].map((presence) => ({
    clientId: presence.clientId,
    name: presence.name,
    color: safeColor(presence.color, presence.clientId),
    ranges: presence.selection.map(([anchor, head]) => ({ anchor: at(anchor), head: at(head) })),
  }));
}

/**
 * The decorations of others' selections: a mark over each selected range and a caret widget,
 * with the user's name and color, at each head.
 * @param {ShownPresence[]} shown
 * @returns {import('@codemirror/view').DecorationSet}
 */
export function presenceDecorations(shown) {
  const decorations = [];
  for (const { clientId, name, color, ranges } of shown) {
    const caret = Decoration.widget({ widget: new RemoteCaret(clientId, name, color), side: 1 });
    const mark = Decoration.mark({
      class: 'cm-tandem-selection',
      attributes: { style: `--tandem-color: ${color}` },
    });
    for (const { anchor, head } of ranges) {
      if (anchor !== head) {
        decorations.push(mark.range(Math.min(anchor, head), Math.max(anchor, head)));
      }
      decorations.push(caret.range(head));
    }
  }
  return Decoration.set(decorations, true);
}

/**
 * A color that cannot break out of a style attribute: another client chose it.
 * @param {string} color
 * @param {string} clientId
 */
function safeColor(color, clientId) {
  return /^[\w\s#(),.%-]{1,64}$/.test(color) ? color : colorFor(clientId);
}

/** Another user's caret, labelled with their name in their color. */
class RemoteCaret extends WidgetType {
  /**
   * @param {string} clientId
   * @param {string} name
   * @param {string} color
   */
  constructor(clientId, name, color) {
    super();
    this.clientId = clientId;
    this.name = name;
    this.color = color;
  }

  /** @param {RemoteCaret} other */
  eq(other) {
    return (
      other.clientId === this.clientId && other.name === this.name && other.color === this.color
    );
  }

  /** @param {import('@codemirror/view').EditorView} view */
  toDOM(view) {
    const caret = view.dom.ownerDocument.createElement('span');
    caret.className = 'cm-tandem-caret';
    caret.dataset.client = this.clientId;
    caret.dataset.name = this.name;
    caret.style.setProperty('--tandem-color', this.color);
    return caret;
  }
}

const presenceTheme = EditorView.baseTheme({
  '.cm-tandem-caret': {
    position: 'relative',
    borderLeft: '2px solid var(--tandem-color)',
    marginLeft: '-1px',
    marginRight: '-1px',
    pointerEvents: 'none',
  },
  '.cm-tandem-caret::after': {
    content: 'attr(data-name)',
    position: 'absolute',
    bottom: '100%',
    left: '-2px',
    padding: '0 3px',
    font: '11px/1.3 system-ui, sans-serif',
    color: 'white',
    backgroundColor: 'var(--tandem-color)',
    borderRadius: '3px',
    whiteSpace: 'nowrap',
  },
  '.cm-tandem-selection': {
    backgroundColor: 'color-mix(in srgb, var(--tandem-color) 25%, transparent)',
  },
});
