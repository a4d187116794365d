// The demo page in a real browser (Debian's Chromium driven by playwright-core) against the real
// server, typing into its CodeMirror editor: two pages type into one document at once and
// converge; remote cursors and selections appear as decorations; each page lists the others
// from its open on, and a page that reconnects is listed again; undo undoes only the local
// user's edit, and a caret move starts a new undo step; a page that goes offline keeps typing and
// converges when back; the server restarts mid-session and the pages recover; a textarea bound to
// the same document keeps in step. A missing browser fails the run.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from './browser.js';
import { startServer } from './server.js';

let server;
let browser;
let docCount = 0;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

/** A fresh document name per test, as ShareDB's tests do. */
function freshDoc() {
  return `browser-${process.pid}-${++docCount}`;
}

/** A page of the demo as `name`, opened on `doc` and synced. */
async function openPage(doc, name) {
  const context = await browser.newContext();
  await context.addInitScript((n) => localStorage.setItem('tandem-name', n), name);
  const page = await context.newPage();
  await page.goto(`${server.url}/#${doc}`);
  await waitSynced(page);
  return { page, context };
}

const waitSynced = (page) =>
  page.waitForFunction(() => window.tandem?.doc?.state === 'synced', null, { timeout: 30_000 });
const editorText = (page) => page.evaluate(() => window.tandem.view.state.doc.toString());
const EDITOR = '#editor .cm-content';

/** Waits until every page shows the same text and is synced; returns it. */
async function converged(pages) {
  for (const page of pages) {
    await waitSynced(page);
  }
  const deadline = Date.now() + 20_000;
  for (;;) {
    const texts = await Promise.all(pages.map(editorText));
    if (texts.every((t) => t === texts[0])) {
      return texts[0];
    }
    if (Date.now() > deadline) {
      assert.fail(`pages did not converge: ${JSON.stringify(texts)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function serverText(doc) {
  const response = await fetch(`${server.url}/api/docs/${doc}`);
  return (await response.json()).text;
}

test('two pages typing at the same time converge, and see each other', async () => {
  const doc = freshDoc();
  const a = await openPage(doc, 'Ada');
  const b = await openPage(doc, 'Grace');
  await a.page.click(EDITOR);
  await b.page.click(EDITOR);
  await Promise.all([
    a.page.keyboard.type('Ada types 😀 here. '),
    b.page.keyboard.type('Grace types 𝒳 there. '),
  ]);
  const text = await converged([a.page, b.page]);
  assert.equal(text, await serverText(doc));
  for (const piece of ['Ada types 😀 here. ', 'Grace types 𝒳 there. ']) {
    assert.ok(text.includes(piece), `${JSON.stringify(text)} has ${piece}`);
  }
  await a.page.waitForSelector('.cm-tandem-caret[data-name="Grace"]');
  await b.page.waitForSelector('.cm-tandem-caret[data-name="Ada"]');
  await b.page.keyboard.press('Shift+Home'); // Grace selects her line: Ada sees it marked
  const marked = await a.page.waitForSelector('.cm-tandem-selection');
  assert.ok((await marked.textContent()).length > 0);
  await a.context.close();
  await b.context.close();
});

test("undo undoes only the local user's edit; a caret move starts a new step", async () => {
  const doc = freshDoc();
  const a = await openPage(doc, 'Ada');
  const b = await openPage(doc, 'Grace');
  await a.page.click(EDITOR);
  await a.page.keyboard.type('mine ');
  await converged([a.page, b.page]);
  await b.page.click(EDITOR);
  await b.page.keyboard.press('End');
  await b.page.keyboard.type('theirs');
  await converged([a.page, b.page]);
  await a.page.click(EDITOR);
  await a.page.keyboard.press('Control+Z');
  assert.equal(await converged([a.page, b.page]), 'theirs');
  // typing, a caret move, more typing: two undo steps, however fast
  await a.page.keyboard.press('End');
  await a.page.keyboard.type('ab');
  await a.page.keyboard.press('ArrowLeft');
  await a.page.keyboard.type('cd');
  await a.page.keyboard.press('Control+Z');
  assert.equal(await converged([a.page, b.page]), 'theirsab');
  await a.context.close();
  await b.context.close();
});

/** The names a page lists under "people", itself first. */
const people = (page) =>
  page.evaluate(() => [...document.querySelectorAll('#people li')].map((li) => li.textContent));

async function waitPeople(page, names) {
  await page.waitForFunction(
    (expected) =>
      JSON.stringify([...document.querySelectorAll('#people li')].map((li) => li.textContent)) ===
      JSON.stringify(expected),
    names,
    { timeout: 20_000 },
  );
}

test('a page lists who is there from its open on, and keeps a page that reconnects', async () => {
  const doc = freshDoc();
  const a = await openPage(doc, 'Ada');
  const b = await openPage(doc, 'Grace');
  // nobody typed or moved a caret: each lists the other at once
  await waitPeople(b.page, ['Grace (you)', 'Ada']);
  await waitPeople(a.page, ['Ada (you)', 'Grace']);
  // recorded, not polled: on a busy machine the reconnect can be over between two polls
  await a.page.evaluate(() => {
    window.statesSinceDrop = [];
    window.tandem.doc.on('state', (state) => window.statesSinceDrop.push(state));
    window.tandem.client.dropConnection();
  });
  await a.page.waitForFunction(() => window.statesSinceDrop.includes('synced'), null, {
    timeout: 20_000,
  });
  assert.notEqual((await a.page.evaluate(() => window.statesSinceDrop))[0], 'synced');
  await waitSynced(a.page);
  await waitPeople(b.page, ['Grace (you)', 'Ada']);
  await waitPeople(a.page, ['Ada (you)', 'Grace']);
  assert.deepEqual(await people(b.page), ['Grace (you)', 'Ada']);
  await a.context.close();
  await b.context.close();
});

test('a page that goes offline keeps typing and converges when back', async () => {
  const doc = freshDoc();
  const a = await openPage(doc, 'Ada');
  const b = await openPage(doc, 'Grace');
  await a.context.setOffline(true);
  await a.page.waitForFunction(() => window.tandem.doc.state === 'offline', null, {
    timeout: 60_000,
  });
  await a.page.click(EDITOR);
  await a.page.keyboard.type('offline words ');
  await b.page.click(EDITOR);
  await b.page.keyboard.type('online words ');
  await a.context.setOffline(false);
  const text = await converged([a.page, b.page]);
  assert.ok(text.includes('offline words ') && text.includes('online words '), text);
  assert.equal(text, await serverText(doc));
  await a.context.close();
  await b.context.close();
});

test('the server restarts mid-session and the pages recover', async () => {
  const doc = freshDoc();
  const a = await openPage(doc, 'Ada');
  const b = await openPage(doc, 'Grace');
  await a.page.click(EDITOR);
  await a.page.keyboard.type('before ');
  await converged([a.page, b.page]);
  await server.stop();
  await a.page.waitForFunction(() => window.tandem.doc.state === 'offline');
  await a.page.keyboard.type('during ');
  server = await startServer({ port: server.port, dataDir: server.dataDir });
  await b.page.click(EDITOR);
  await b.page.keyboard.press('End');
  await b.page.keyboard.type('after');
  const text = await converged([a.page, b.page]);
  assert.ok(text.startsWith('before '), text);
  assert.ok(text.includes('during ') && text.includes('after'), text);
  assert.equal(text, await serverText(doc));
  await a.context.close();
  await b.context.close();
});

test('a textarea bound to the same document keeps in step with the editors', async () => {
  const doc = freshDoc();
  const a = await openPage(doc, 'Ada');
  const b = await openPage(doc, 'Grace');
  await a.page.evaluate(async () => {
    const { bindTextarea } = await import('./lib/textarea.js');
    const textarea = document.createElement('textarea');
    textarea.id = 'plain';
    document.body.append(textarea);
    bindTextarea(textarea, window.tandem.doc);
  });
  await a.page.click('#plain');
  await a.page.keyboard.type('from the textarea 🎉 ');
  // the editor's End must be after all of the textarea's text, so wait for it to arrive
  assert.equal(await converged([a.page, b.page]), 'from the textarea 🎉 ');
  await b.page.click(EDITOR);
  await b.page.keyboard.press('End');
  await b.page.keyboard.type('and from the editor');
  const text = await converged([a.page, b.page]);
  assert.equal(text, 'from the textarea 🎉 and from the editor');
  assert.equal(await a.page.inputValue('#plain'), text);
  await a.context.close();
  await b.context.close();
});

/** Records the page's console errors and uncaught exceptions. */
function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  return errors;
}

test('no console errors, and the page fits a 360 px phone screen without scrolling sideways', async () => {
  const doc = freshDoc();
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  await context.addInitScript(() => localStorage.setItem('tandem-name', 'Ada'));
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}/#${doc}`);
  await waitSynced(page);
  await page.click(EDITOR);
  await page.keyboard.type('a line long enough to wrap on a phone screen, typed on a phone ');
  await waitSynced(page);
  await page.waitForFunction(() => document.querySelectorAll('#history-list li').length > 0);
  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    screen: window.innerWidth,
  }));
  assert.ok(
    widths.page <= widths.screen,
    `content ${widths.page} px on a ${widths.screen} px screen`,
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test('a lost connection shows a banner whose "Retry now" reconnects at once', async () => {
  const doc = freshDoc();
  const a = await openPage(doc, 'Ada');
  assert.equal(await a.page.isHidden('#banner'), true);
  await a.page.evaluate(() => {
    const client = window.tandem.client;
    const reconnectNow = client.reconnectNow.bind(client);
    window.retries = [];
    client.reconnectNow = () => {
      window.retries.push(client.status);
      return reconnectNow();
    };
  });
  await a.context.setOffline(true); // the browser's offline event drops the socket at once
  await a.page.waitForSelector('#banner:not([hidden])', { timeout: 10_000 });
  assert.match(await a.page.textContent('#banner'), /edits are kept|Reconnecting/);
  await a.page.click('#retry');
  assert.equal((await a.page.evaluate(() => window.retries)).length, 1);
  await a.context.setOffline(false);
  await waitSynced(a.page);
  await a.page.waitForSelector('#banner[hidden]', { state: 'attached', timeout: 10_000 });
  await a.context.close();
});

test('twelve people on one document get twelve different colors', async () => {
  const doc = freshDoc();
  const context = await browser.newContext();
  const pages = [];
  for (let i = 0; i < 12; i++) {
    const page = await context.newPage();
    await page.goto(`${server.url}/#${doc}`);
    await waitSynced(page);
    pages.push(page);
  }
  const ownColors = async () =>
    Promise.all(
      pages.map((page) =>
        page.evaluate(() => document.querySelector('#people li').style.getPropertyValue('--color')),
      ),
    );
  // a page that picked a color someone who came first has gives it up; wait until all differ
  const deadline = Date.now() + 30_000;
  let colors = await ownColors();
  while (new Set(colors).size < 12 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    colors = await ownColors();
  }
  assert.equal(new Set(colors).size, 12, `colors: ${colors}`);
  // and the first page sees the others in the colors they chose
  await pages[0].waitForFunction(
    (expected) =>
      JSON.stringify(
        [...document.querySelectorAll('#people li')]
          .map((li) => li.style.getPropertyValue('--color'))
          .sort(),
      ) === JSON.stringify(expected),
    [...colors].sort(),
    { timeout: 20_000 },
  );
  await context.close();
});

test('a name change reaches the others at once', async () => {
  const doc = freshDoc();
  const a = await openPage(doc, 'Ada');
  const b = await openPage(doc, 'Grace');
  await waitPeople(b.page, ['Grace (you)', 'Ada']);
  await a.page.fill('#user-name', 'Ada Lovelace'); // no typing in the document
  await waitPeople(b.page, ['Grace (you)', 'Ada Lovelace']);
  await a.context.close();
  await b.context.close();
});

test('history: time and author of each revision, what changed since, and restore', async () => {
  const doc = freshDoc();
  const a = await openPage(doc, 'Ada');
  const b = await openPage(doc, 'Grace');
  const append = (page, words) =>
    page.evaluate(async (text) => {
      const { doc: d } = window.tandem;
      const { TextOperation, codePointCount } = await import('./lib/index.js');
      d.edit((t) => TextOperation.builder().retain(codePointCount(t)).insert(text).build());
      await d.whenSynchronized();
    }, words);
  await waitPeople(a.page, ['Ada (you)', 'Grace']);
  await append(a.page, 'Hello');
  await append(b.page, ' world');
  await a.page.waitForFunction(() => window.tandem.doc.revision === 2);
  await a.page.waitForFunction(() => document.querySelectorAll('#history-list li').length === 2);
  const list = () =>
    a.page.evaluate(() =>
      [...document.querySelectorAll('#history-list li')].map((li) => li.textContent),
    );
  const [second, first] = await list();
  assert.match(first, /^\d{1,2}:\d{2}:\d{2}.* · Ada$/);
  assert.match(second, / · Grace$/);

  await a.page.click('#history-list li[data-rev="1"]'); // revision 1: "Hello"
  await a.page.waitForFunction(() => document.querySelector('#history-text ins') !== null);
  assert.match(await a.page.textContent('#history-meta'), /^revision 1 · .* · Ada$/);
  assert.equal(await a.page.textContent('#history-text ins'), ' world');
  assert.equal(await a.page.textContent('#history-text'), 'Hello world');

  await a.page.click('#restore');
  assert.equal(await converged([a.page, b.page]), 'Hello');
  assert.equal(await serverText(doc), 'Hello');
  await a.page.waitForFunction(() => document.querySelectorAll('#history-list li').length === 3);
  assert.match((await list())[0], / · Ada$/, 'the restore is a new revision');
  await a.context.close();
  await b.context.close();
});

test('the history panel says why it cannot load, never a raw parse error', async () => {
  const doc = freshDoc();
  const a = await openPage(doc, 'Ada');
  await a.page.click(EDITOR);
  await a.page.keyboard.type('ab');
  await waitSynced(a.page);
  const showRevision = (rev) =>
    a.page.evaluate((r) => {
      const slider = document.getElementById('history');
      slider.value = String(r);
      slider.dispatchEvent(new Event('input'));
    }, rev);
  const meta = (text) =>
    a.page.waitForFunction((t) => document.getElementById('history-meta').textContent === t, text, {
      timeout: 10_000,
    });
  // a server shutting down answers with a page that is not JSON, then not at all
  await a.page.route('**/api/docs/**', (route) =>
    route.fulfill({ status: 503, contentType: 'text/html', body: '<html>Service Unavailable' }),
  );
  await showRevision(0);
  await meta('History unavailable: HTTP 503.');
  await a.page.unroute('**/api/docs/**');
  await a.page.route('**/api/docs/**', (route) => route.abort('connectionrefused'));
  await showRevision(1);
  await meta('History unavailable: the server cannot be reached.');
  await a.page.unroute('**/api/docs/**');
  await showRevision(0);
  await meta('revision 0: the start of the document');
  await a.context.close();
});
