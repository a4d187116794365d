// The demo page: open a document by name (/#notes), edit it in CodeMirror with remote cursors,
// see who is there (each in a palette color nobody else present has), the sync status (a banner
// with "Retry now" while the connection is lost) and the revision, and go through its history via
// the REST API: who made each revision and when, what changed since, and "Restore this version"
// (a new edit). With auth on, a token from `?token=` or the Token field (kept in sessionStorage
// only, and taken out of the address bar) signs in; the page shows who the server says you are,
// and what a refused token or a forbidden document means. Everything comes from the library in
// ./lib (a link to client-js/src) and CodeMirror from ./vendor (a link to client-js/target/vendor,
// where the build unpacks its WebJars), through the page's import map. Without them (a checkout
// that was never built) the page edits in a plain textarea.

import { TandemClient, TextOperation, codePointOffset, pickColor } from './lib/index.js';
import { bindTextarea, diffToOperation } from './lib/textarea.js';

const $ = (id) => document.getElementById(id);

/** CodeMirror and its binding when the build unpacked it, else null (the page uses a textarea). */
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
/** What the others see of this page: the name field's text, a palette color nobody else has. */
const me = { name: userName, color: pickColor([], client.clientId) };
/** Every client id's name seen this session (also of those who left), for the history. */
const names = new Map();
let everConnected = false;
showState($('connection'), client.status);
client.on('status', (status) => {
  showState($('connection'), status);
  everConnected ||= status !== 'connecting';
  showBanner(status);
});
client.on('state', (state) => {
  if (state === 'connected' && $('message').dataset.code === 'unauthorized') {
    showMessage('');
  }
});
$('retry').addEventListener('click', () => client.reconnectNow());

/** While the connection is lost: a banner that says edits are kept, with "Retry now". */
function showBanner(status) {
  const lost = everConnected && (status === 'offline' || status === 'connecting');
  $('banner').hidden = !lost && status !== 'closed';
  $('banner').dataset.status = status;
  $('retry').hidden = status === 'closed';
  $('banner-text').textContent =
    status === 'closed'
      ? 'Disconnected. Reload the page to connect again.'
      : status === 'offline'
        ? 'Connection lost: your edits are kept and sent when it is back. Trying again…'
        : 'Reconnecting…';
}
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
    me.fromToken = user.color !== null;
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
  location.hash = $('doc-name').value;
});
// a new name reaches the others at once: the selection goes again with it
$('user-name').addEventListener('input', () => {
  me.name = $('user-name').value.trim() || userName;
  localStorage.setItem('tandem-name', me.name);
  current?.publish();
  if (current !== null) {
    showPeople(current.doc);
  }
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
  const { view, unbind, destroy, focus, publish } = makeEditor(doc);
  const off = [
    doc.on('state', (state) => showState($('doc-state'), state)),
    doc.on('change', () => followHistory(doc)),
    doc.on('ack', () => followHistory(doc)),
    doc.on('state', () => followHistory(doc)),
    doc.on('presence', () => {
      keepColorApart(doc);
      showPeople(doc);
    }),
    doc.on('presenceLeft', () => showPeople(doc)),
    doc.on('error', (error) => {
      console.warn('tandem:', error.code, error.message);
      explain(error);
    }),
  ];
  if ($('message').dataset.code !== 'unauthorized') {
    showMessage('');
  }
  current = { doc, view, unbind, destroy, off, publish };
  opLog = { docId: doc.id, ops: [], loading: null };
  keepColorApart(doc);
  window.tandem = { client, doc, view }; // for tests and the console (view null without CodeMirror)
  showState($('doc-state'), doc.state);
  showPeople(doc);
  followHistory(doc);
  showHistory(doc.revision);
  focus();
  publish(); // the others see this page's name and color at once, focused or not
}

/** CodeMirror bound to `doc`, or a textarea without CodeMirror. */
function makeEditor(doc) {
  if (codemirror !== null) {
    const { EditorView, bindCodeMirror } = codemirror;
    const view = new EditorView({ parent: $('editor'), extensions: [EditorView.lineWrapping] });
    const unbind = bindCodeMirror(view, doc, { meta: me });
    const publish = () => {
      const text = view.state.doc.toString();
      const ranges = view.state.selection.ranges.map((range) => [
        codePointOffset(text, range.anchor),
        codePointOffset(text, range.head),
      ]);
      doc.setSelection(ranges, me);
    };
    return { view, unbind, publish, destroy: () => view.destroy(), focus: () => view.focus() };
  }
  const textarea = document.createElement('textarea');
  textarea.className = 'plain-editor';
  textarea.setAttribute('aria-label', 'Document text');
  $('editor').append(textarea);
  $('editor').dataset.editor = 'textarea';
  const unbind = bindTextarea(textarea, doc, { meta: me });
  const publish = () => {
    const text = textarea.value;
    const start = codePointOffset(text, textarea.selectionStart);
    doc.setSelection([[start, codePointOffset(text, textarea.selectionEnd)]], me);
  };
  return {
    view: null,
    unbind,
    publish,
    destroy: () => textarea.remove(),
    focus: () => textarea.focus(),
  };
}

/**
 * Keeps this page's color apart from the others': when someone present has it and came first
 * (the smaller client id, so of two that picked the same color at once exactly one moves), take
 * the first palette color nobody present uses, and tell the others. A token's color stays.
 */
function keepColorApart(doc) {
  const others = [...doc.presences.values()];
  for (const other of others) {
    names.set(other.clientId, other.name);
  }
  const clash = others.some((p) => p.color === me.color && p.clientId < client.clientId);
  if (clash && !me.fromToken) {
    me.color = pickColor(
      others.map((p) => p.color),
      client.clientId,
    );
    current?.publish();
  }
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
  names.set(client.clientId, me.name);
  $('people').replaceChildren(
    person(`${me.name} (you)`, me.color, client.clientId),
    ...[...doc.presences.values()].map((p) => person(p.name, p.color, p.clientId)),
  );
}

const slider = $('history');
let historyTimer = null;
/** The document's ops from the REST API, revision 1 first: `{rev, op, client, user, time}`. */
let opLog = { docId: '', ops: [], loading: null };
/** The text shown for the slider's revision, for "Restore this version". */
let shown = null;

/** Keeps the slider's range at the head; a slider left at the head follows it. */
function followHistory(doc) {
  $('revision').textContent = String(doc.revision);
  const atHead = Number(slider.value) === Number(slider.max);
  slider.max = String(Math.max(0, doc.revision));
  if (atHead) {
    slider.value = slider.max;
  }
  showHistory(Number(slider.value));
}

slider.addEventListener('input', () => showHistory(Number(slider.value)));
$('history-list').addEventListener('click', (event) => {
  const item = event.target.closest('li[data-rev]');
  if (item !== null) {
    slider.value = item.dataset.rev;
    showHistory(Number(item.dataset.rev));
  }
});
$('restore').addEventListener('click', () => {
  if (current !== null && shown !== null) {
    const old = shown.text;
    current.doc.edit((text) => diffToOperation(text, old)); // a new edit; history stays
  }
});

/** Fetches JSON with the page's token; throws a readable error for any failure. */
async function getJson(url) {
  const token = currentToken();
  let response;
  try {
    response = await fetch(url, {
      headers: token === '' ? {} : { Authorization: `Bearer ${token}` },
    });
  } catch {
    throw new Error('the server cannot be reached');
  }
  const body = await response.json().catch(() => null);
  if (!response.ok || body === null) {
    throw new Error(body?.code ? `${body.code}: ${body.message}` : `HTTP ${response.status}`);
  }
  return body;
}

/** Loads the ops this page has not seen yet, up to `head`. */
function loadOps(docId, head) {
  const state = opLog;
  if (state.loading === null && state.ops.length < head) {
    state.loading = (async () => {
      let from = state.ops.length + 1;
      while (from !== null && from <= head) {
        const page = await getJson(
          `/api/docs/${encodeURIComponent(docId)}/ops?from=${from}&limit=1000`,
        );
        state.ops.push(...page.ops);
        from = page.next;
      }
    })().finally(() => (state.loading = null));
  }
  return state.loading ?? Promise.resolve();
}

/**
 * Shows a revision (debounced): who made it and when, its text with what changed since marked
 * (the ops after it, composed), and the recent revisions.
 */
function showHistory(revision) {
  $('history-rev').textContent = String(revision);
  clearTimeout(historyTimer);
  historyTimer = setTimeout(async () => {
    if (current === null || revision < 0) {
      return;
    }
    const doc = current.doc;
    const head = doc.revision;
    try {
      const [old] = await Promise.all([
        getJson(`/api/docs/${encodeURIComponent(doc.id)}?rev=${revision}`),
        loadOps(doc.id, head),
      ]);
      if (current?.doc !== doc || Number(slider.value) !== revision || opLog.docId !== doc.id) {
        return; // the page moved on meanwhile
      }
      const later = opLog.ops.filter((op) => op.rev > revision && op.rev <= head);
      shown = { revision, text: old.text };
      renderDiff(old.text, later);
      $('history-meta').textContent = describeRevision(revision);
      $('restore').disabled = revision === head;
      renderList(head);
    } catch (error) {
      $('history-meta').textContent = `History unavailable: ${error.message}.`;
    }
  }, 120);
}

/** "revision 7 · 18:03:12 · Ada" (revision 0 is the document's start). */
function describeRevision(revision) {
  const op = opLog.ops[revision - 1];
  if (revision === 0 || op === undefined) {
    return revision === 0 ? 'revision 0: the start of the document' : `revision ${revision}`;
  }
  return `revision ${revision} · ${new Date(op.time).toLocaleString()} · ${authorOf(op)}`;
}

function authorOf(op) {
  return names.get(op.client) ?? op.user ?? op.client;
}

/** The text at a revision, with what the later ops removed and added marked. */
function renderDiff(oldText, laterOps) {
  const pre = $('history-text');
  if (laterOps.length === 0) {
    pre.textContent = oldText;
    return;
  }
  const since = laterOps
    .map((entry) => TextOperation.fromJSON(entry.op))
    .reduce((composed, op) => composed.compose(op));
  const parts = [];
  const chars = [...oldText]; // ops count code points
  let at = 0;
  for (const component of since.toJSON()) {
    if (typeof component === 'string') {
      parts.push(element('ins', component));
    } else if (component > 0) {
      parts.push(document.createTextNode(chars.slice(at, at + component).join('')));
      at += component;
    } else {
      parts.push(element('del', chars.slice(at, at - component).join('')));
      at -= component;
    }
  }
  parts.push(document.createTextNode(chars.slice(at).join('')));
  pre.replaceChildren(...parts);
}

/** The most recent revisions, newest first: revision, time and author; a click shows one. */
function renderList(head) {
  const items = opLog.ops
    .slice(Math.max(0, head - 30), head)
    .reverse()
    .map((op) => {
      const item = element('li', `${new Date(op.time).toLocaleTimeString()} · ${authorOf(op)}`);
      item.value = op.rev;
      item.dataset.rev = String(op.rev);
      item.classList.toggle('selected', op.rev === Number(slider.value));
      return item;
    });
  $('history-list').replaceChildren(...items);
}

function element(tag, text) {
  const node = document.createElement(tag);
  node.textContent = text;
  return node;
}
