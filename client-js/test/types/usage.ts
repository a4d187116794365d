// A typed app using @tandem/client as its README shows, checked by `tsc --noEmit` against the
// declarations that `npm pack` ships (test/types.test.js). The @ts-expect-error lines must stay
// errors: declarations that lost their types (everything `any`) would fail the check.

import {
  TandemClient,
  TandemError,
  TextOperation,
  codePointCount,
  type ConnectionState,
  type DocumentState,
  type Presence,
  type TextChange,
} from '@tandem/client';
import { bindCodeMirror, checkOneCodeMirror } from '@tandem/client/codemirror';
import { bindTextarea } from '@tandem/client/textarea';
import { EditorView } from '@codemirror/view';

export async function start(textarea: HTMLTextAreaElement, parent: HTMLElement): Promise<void> {
  const client = new TandemClient('ws://localhost:8080/ws', {
    getToken: async () => 'a token',
    maxBackoffMs: 1000,
  });
  const offState = client.on('state', (state: ConnectionState) => console.log(state));
  client.on('error', (error) => console.log(error.code, error.docId?.length, error.seq));
  const doc = await client.open('notes');
  doc.on('change', ({ op, text, revision, origin }: TextChange) => {
    const length: number = op.targetLength + revision;
    const from: 'local' | 'remote' | 'resync' = origin;
    console.log(text.length, length, from);
  });
  doc.on('ack', (revision, seq) => console.log(revision + seq));
  doc.on('presence', (presence: Presence) => console.log(presence.name, presence.color));
  doc.on('state', (state: DocumentState) => console.log(state));
  const op: TextOperation = doc.edit((text) =>
    TextOperation.builder().retain(codePointCount(text)).insert('Hello').build(),
  );
  doc.setSelection([[0, 5]], { name: 'Ada' });
  await doc.whenSynchronized();

  const unbindTextarea: () => void = bindTextarea(textarea, doc, { meta: { name: 'Ada' } });
  const view = new EditorView({ parent });
  checkOneCodeMirror(view);
  const unbindEditor = bindCodeMirror(view, doc, { meta: { name: 'Ada', color: '#36f' } });
  unbindEditor();
  unbindTextarea();
  offState();
  console.log(op.baseLength, new TandemError('bad_request', 'm').code);
  await doc.close();
  client.close();

  // @ts-expect-error: no such event
  client.on('presence', () => {});
  // @ts-expect-error: a document state is not a connection state
  const wrong: ConnectionState = doc.state;
  // @ts-expect-error: open takes a document id
  await client.open(42);
  // @ts-expect-error: an edit returns an operation, not text
  doc.edit((text) => text + '!');
  // @ts-expect-error: the CodeMirror binding takes a view, not a textarea
  bindCodeMirror(textarea, doc);
  console.log(wrong);
}
