// A small app that uses @tandem/client as an npm package, the way its README shows: a textarea
// and a CodeMirror editor bound to one document, bundled by esbuild from the packed tarball
// (browser-test/package.js). `window.app` is for the test.

import { EditorView } from '@codemirror/view';
import { TandemClient } from '@tandem/client';
import { bindTextarea } from '@tandem/client/textarea';
import { bindCodeMirror } from '@tandem/client/codemirror';

const docId = location.hash.slice(1) || 'package-app';
const client = new TandemClient(`ws://${location.host}/ws`);
const statuses = [];
client.on('status', (status) => {
  statuses.push(status);
  document.getElementById('status').textContent = status;
});
const doc = await client.open(docId);
bindTextarea(document.querySelector('textarea'), doc, { meta: { name: 'Ada' } });
const view = new EditorView({ parent: document.getElementById('editor') });
bindCodeMirror(view, doc, { meta: { name: 'Ada', color: '#c05621' } });
window.app = { client, doc, view, statuses };
