// Tandem's browser client library: plain ES modules, no build step, no runtime dependencies.

export { TextOperation, Builder, Side, InvalidOperationError } from './ot.js';
export { parse as parseOperation, toJson as operationToJson } from './operation-json.js';
export {
  codePointCount,
  codePointOffset,
  utf16Offset,
  firstLoneSurrogate,
  isWellFormed,
} from './code-points.js';
export {
  DocumentSession,
  Synchronized,
  AwaitingConfirm,
  AwaitingWithBuffer,
  transformSelection,
} from './client.js';
export {
  TandemClient,
  TandemDocument,
  TandemError,
  Backoff,
  colorFor,
  checkClientId,
} from './connection.js';
export { UndoManager } from './undo.js';
export { bindTextarea, diffToOperation } from './textarea.js';

// The types an app names (TypeScript sees them as exports of this module)
/** @typedef {import('./connection.js').ConnectionState} ConnectionState */
/** @typedef {import('./connection.js').DocumentState} DocumentState */
/** @typedef {import('./connection.js').ClientStatus} ClientStatus */
/** @typedef {import('./connection.js').ClientEvents} ClientEvents */
/** @typedef {import('./connection.js').DocumentEvents} DocumentEvents */
/** @typedef {import('./connection.js').Presence} Presence */
/** @typedef {import('./connection.js').User} User */
/** @typedef {import('./connection.js').ClientIdChange} ClientIdChange */
/** @typedef {import('./client.js').TextChange} TextChange */
export { PALETTE, pickColor } from './colors.js';
