// The demo page: open a document by name (/#notes), edit it in CodeMirror with remote cursors,
// see who is there, the connection state and the revision, and slide through its history via
// the REST API. With auth on, a token from `?token=` or the Token field (kept in sessionStorage
// only, and taken out of the address bar) signs in; the page shows who the server says you are,
// and what a refused token or a forbidden document means. Everything comes from the library in
// ./lib (a link to client-js/src) and CodeMirror from ./vendor (links to its packages in
// client-js/node_modules), through the page's import map. Without them (no npm on the machine that
// built it) the page edits in a plain textarea.

import { TandemClient, colorFor } from './lib/index.js';
import { bindTextarea } from './lib/textarea.js';

const $ = (id) => document.getElementById(id);

/** CodeMirror and its binding when `npm ci` installed it, else null (the page uses a textarea). */
const codemirror = await Promise.all([import('@codemirror/view'), import('./lib/codemirror.js')])
  .then(([{ EditorView }, { bindCodeMirror }]) => ({ EditorView, bindCodeMirror }))
  .catch(() => null);

const TOKEN_KEY = 'tandem-token';
const userName =
  localStorage.getItem('tandem-name') || `Guest ${Math.floor(Math.random() * 900 + 100)}`;
$('user-name').value = userName;

takeTokenFromUrl();
$('token').value = currentToken();
$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  location.reload(); // start over with the new token, whatever the reconnect backoff
});

const socketUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const client = new TandemClient(socketUrl, {
  getToken: currentToken, // asked at every (re)connect and before the token expires
  pingIntervalMs: 5000, // notice a dead link soon
});
const me = { name: userName, color: colorFor(client.clientId) };
showState($('connection'), client.state);
client.on('state', (state) => {
  showState($('connection'), state);
  if (state === 'connected' && $('message').dataset.code === 'unauthorized') {
    showMessage('');
  }
});
client.on('error', (error) => {
  console.warn('tandem:', error.code, error.message);
  explain(error);
});
client.on('user', (user) => {
  // with a token, the server shows its name and color to the others, whatever the page says
  const signedIn = user.exp !== null;
  if (signedIn) {
    me.name = user.name;
    me.color = user.color ?? me.color;
    $('user-name').value = user.name;
  }
  $('user-name').disabled = signedIn;
  $('signed-in').textContent = signedIn
    ? `signed in as ${user.name} (${user.id}) until ${new Date(user.exp * 1000).toLocaleTimeString()}`
    : '';
  if (current !== null) {
    showPeople(current.doc);
  }
});

let current = null; // {doc, view, unbind, off: [...]}
let wanted = null; // the name asked for last: an open that ends after a later one gives way

$('open-form').addEventListener('submit', (event) => {
  event.preventDefault();
  me.name = $('user-name').value.trim() || userName;
  localStorage.setItem('tandem-name', me.name);
  location.hash = $('doc-name').value;
});
window.addEventListener('hashchange', () => openDocument(docNameFromHash()));
openDocument(docNameFromHash());

/**
 * A `?token=` in the URL goes to sessionStorage (this tab only, gone when it closes) and out of
 * the address bar, so it is not kept in the history or sent on in a Referer.
 */
function takeTokenFromUrl() {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (token !== null) {
    sessionStorage.setItem(TOKEN_KEY, token);
    url.searchParams.delete('token');
    history.replaceState(null, '', url);
  }
}

function currentToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** Tells what an error means for the user, for the codes a person can act on. */
function explain(error) {
  if (error.code === 'unauthorized') {
    showMessage(
      `Not signed in: the server refused the token (${error.message}). ` +
        'Paste a valid token above, or open the page with ?token=… in its address.',
      'unauthorized',
    );
  } else if (error.code === 'forbidden' && error.docId !== null) {
    showMessage(
      `Forbidden: your token does not let you open “${error.docId}”. ` +
        'Ask for a token with a role on it, or open another document.',
      'forbidden',
    );
  } else if (error.code === 'not_found' && error.docId !== null) {
    showMessage(
      `“${error.docId}” does not exist, and your token may only read it, not create it.`,
      'not_found',
    );
  }
}

/** @param {string} text empty to hide the message */
function showMessage(text, code = '') {
  $('message').textContent = text;
  $('message').dataset.code = code;
  $('message').hidden = text === '';
}

function docNameFromHash() {
  return decodeURIComponent(location.hash.slice(1)) || 'notes';
}

async function openDocument(name) {
  wanted = name;
  $('doc-name').value = name;
  document.title = `${name} – Tandem`;
  let doc;
  try {
    doc = await client.open(name);
  } catch (error) {
    explain(error); // forbidden, not_found: the document stays closed
    return;
  }
  if (name !== wanted) {
    if (doc !== current?.doc) {
      doc.close();
    }
    return;
  }
  closeCurrent(doc);
  // a new editor per document, made once the text is here: nothing typed before can get lost
  const { view, unbind, destroy, focus } = makeEditor(doc);
  const off = [
    doc.on('state', (state) => showState($('doc-state'), state)),
    doc.on('change', () => followHistory(doc)),
    doc.on('ack', () => followHistory(doc)),
    doc.on('state', () => followHistory(doc)),
    doc.on('presence', () => showPeople(doc)),
    doc.on('presenceLeft', () => showPeople(doc)),
    doc.on('error', (error) => {
      console.warn('tandem:', error.code, error.message);
      explain(error);
    }),
  ];
  if ($('message').dataset.code !== 'unauthorized') {
    showMessage('');
  }
  current = { doc, view, unbind, destroy, off };
  window.tandem = { client, doc, view }; // for tests and the console (view null without CodeMirror)
  showState($('doc-state'), doc.state);
  showPeople(doc);
  followHistory(doc);
  showHistory(doc.revision);
  focus();
}

/** CodeMirror bound to `doc`, or a textarea without CodeMirror. */
function makeEditor(doc) {
  if (codemirror !== null) {
    const { EditorView, bindCodeMirror } = codemirror;
    const view = new EditorView({ parent: $('editor'), extensions: [EditorView.lineWrapping] });
    const unbind = bindCodeMirror(view, doc, { meta: me });
    return { view, unbind, destroy: () => view.destroy(), focus: () => view.focus() };
  }
  const textarea = document.createElement('textarea');
  textarea.className = 'plain-editor';
  textarea.setAttribute('aria-label', 'Document text');
  $('editor').append(textarea);
  $('editor').dataset.editor = 'textarea';
  const unbind = bindTextarea(textarea, doc, { meta: me });
  return { view: null, unbind, destroy: () => textarea.remove(), focus: () => textarea.focus() };
}

/** Removes the shown document's editor and listeners; closes it unless it is `keep`. */
function closeCurrent(keep) {
  if (current === null) {
    return;
  }
  current.unbind();
  current.destroy();
  current.off.forEach((off) => off());
  if (current.doc !== keep) {
    current.doc.close();
  }
  current = null;
}

function showState(element, state) {
  element.textContent = state;
  element.dataset.state = state;
}

/** Lists who is here, each in their color; their cursors are in the editor. */
function showPeople(doc) {
  const person = (name, color, clientId) => {
    const item = document.createElement('li');
    item.style.setProperty('--color', color);
    item.textContent = name;
    item.dataset.client = clientId;
    return item;
  };
  $('people').replaceChildren(
    person(`${me.name} (you)`, me.color, client.clientId),
    ...[...doc.presences.values()].map((p) => person(p.name, p.color, p.clientId)),
  );
}

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
      const token = currentToken();
      const response = await fetch(url, {
        headers: token === '' ? {} : { Authorization: `Bearer ${token}` },
      });
      const body = await response.json();
      if (Number(slider.value) === revision || Number(slider.max) === revision) {
        $('history-text').textContent = response.ok ? body.text : `${body.code}: ${body.message}`;
      }
    } catch (error) {
      $('history-text').textContent = `history unavailable: ${error.message}`;
    }
  }, 120);
}
