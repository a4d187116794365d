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
