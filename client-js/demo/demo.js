// The demo page: open a document by name (/#notes), edit it in a textarea with remote cursors,
// see who is there, the connection state and the revision, and slide through its history via
// the REST API. Everything comes from the library in ./lib (a link to client-js/src).

import { TandemClient, bindTextarea, colorFor, utf16Offset } from './lib/index.js';

const $ = (id) => document.getElementById(id);
const editor = $('editor');
const overlay = $('overlay');

const userName =
  localStorage.getItem('tandem-name') || `Guest ${Math.floor(Math.random() * 900 + 100)}`;
$('user-name').value = userName;

const socketUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const client = new TandemClient(socketUrl, { pingIntervalMs: 5000 }); // notice a dead link soon
const me = { name: userName, color: colorFor(client.clientId) };
showState($('connection'), client.state);
client.on('state', (state) => showState($('connection'), state));
client.on('error', (error) => console.warn('tandem:', error.code, error.message));

let current = null; // {doc, unbind, off: [...]}

$('open-form').addEventListener('submit', (event) => {
  event.preventDefault();
  me.name = $('user-name').value.trim() || userName;
  localStorage.setItem('tandem-name', me.name);
  location.hash = $('doc-name').value;
});
window.addEventListener('hashchange', () => openDocument(docNameFromHash()));
openDocument(docNameFromHash());

function docNameFromHash() {
  return decodeURIComponent(location.hash.slice(1)) || 'notes';
}

async function openDocument(name) {
  if (current !== null) {
    current.unbind();
    current.off.forEach((off) => off());
    current.doc.close();
    current = null;
  }
  $('doc-name').value = name;
  document.title = `${name} – Tandem`;
  const doc = await client.open(name);
  const unbind = bindTextarea(editor, doc, { meta: me });
  const off = [
    doc.on('state', (state) => showState($('doc-state'), state)),
    doc.on('change', () => {
      renderOverlay(doc);
      followHistory(doc);
    }),
    doc.on('ack', () => followHistory(doc)),
    doc.on('state', () => followHistory(doc)),
    doc.on('presence', () => renderOverlay(doc)),
    doc.on('presenceLeft', () => renderOverlay(doc)),
    doc.on('error', (error) => console.warn('tandem:', error.code, error.message)),
  ];
  current = { doc, unbind, off };
  window.tandem = { client, doc }; // for tests and the console
  showState($('doc-state'), doc.state);
  renderOverlay(doc);
  followHistory(doc);
  showHistory(doc.revision);
  editor.focus();
}

function showState(element, state) {
  element.textContent = state;
  element.dataset.state = state;
}

/** Draws the others' cursors and selections into the overlay behind the textarea. */
function renderOverlay(doc) {
  const text = editor.value;
  const marks = []; // [utf16 index, order, node factory]
  const people = $('people');
  people.replaceChildren();
  const self = document.createElement('li');
  self.style.setProperty('--color', me.color);
  self.textContent = `${me.name} (you)`;
  people.append(self);
  for (const presence of doc.presences.values()) {
    const item = document.createElement('li');
    item.style.setProperty('--color', presence.color);
    item.textContent = presence.name;
    item.dataset.client = presence.clientId;
    people.append(item);
    for (const [anchor, head] of presence.selection) {
      const toUtf16 = (p) => utf16Offset(text, Math.min(p, [...text].length));
      const from = toUtf16(Math.min(anchor, head));
      const to = toUtf16(Math.max(anchor, head));
      marks.push({ from, to, head: toUtf16(head), presence });
    }
  }
  overlay.replaceChildren();
  // split the text at every mark boundary, then wrap selected runs and place carets
  const cuts = new Set([0, text.length]);
  marks.forEach((m) => [m.from, m.to, m.head].forEach((c) => cuts.add(c)));
  const points = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i < points.length; i++) {
    for (const m of marks.filter((mark) => mark.head === points[i])) {
      const caret = document.createElement('span');
      caret.className = 'cursor';
      caret.dataset.name = m.presence.name;
      caret.dataset.client = m.presence.clientId;
      caret.style.setProperty('--color', m.presence.color);
      overlay.append(caret);
    }
    if (i + 1 < points.length) {
      const run = text.slice(points[i], points[i + 1]);
      const selecting = marks.find((m) => m.from <= points[i] && points[i + 1] <= m.to);
      if (selecting) {
        const span = document.createElement('span');
        span.className = 'selection';
        span.style.setProperty('--color', selecting.presence.color);
        span.textContent = run;
        overlay.append(span);
      } else {
        overlay.append(run);
      }
    }
  }
  overlay.append('\n'); // a trailing newline takes a line in a textarea
  overlay.scrollTop = editor.scrollTop;
}
editor.addEventListener('scroll', () => (overlay.scrollTop = editor.scrollTop));

const slider = $('history');
let historyTimer = null;

/** Keeps the slider's range at the head; a slider left at the head follows it. */
function followHistory(doc) {
  $('revision').textContent = String(doc.revision);
  const atHead = Number(slider.value) === Number(slider.max);
  slider.max = String(Math.max(0, doc.revision));
  if (atHead) {
    slider.value = slider.max;
    showHistory(Number(slider.value));
  }
}

slider.addEventListener('input', () => showHistory(Number(slider.value)));

/** Shows the text at a revision, from GET /api/docs/{id}?rev=N (debounced). */
function showHistory(revision) {
  $('history-rev').textContent = String(revision);
  clearTimeout(historyTimer);
  historyTimer = setTimeout(async () => {
    if (current === null || revision < 0) {
      return;
    }
    const url = `/api/docs/${encodeURIComponent(current.doc.id)}?rev=${revision}`;
    try {
      const response = await fetch(url);
      const body = await response.json();
      if (Number(slider.value) === revision || Number(slider.max) === revision) {
        $('history-text').textContent = response.ok ? body.text : `${body.code}: ${body.message}`;
      }
    } catch (error) {
      $('history-text').textContent = `history unavailable: ${error.message}`;
    }
  }, 120);
}
