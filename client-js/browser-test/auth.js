// The demo page and the browser client against the real server with auth on (an HS256 secret,
// tokens minted by `tandem token`), in Debian's Chromium: a page opened with ?token= signs in,
// shows who the server says the user is, keeps the token out of the address bar and edits; a page
// without a token, or with one for other documents, says why it cannot edit; and the client in
// the page refreshes a short-lived token with `auth` on the same socket.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { launchChromium } from './browser.js';
import { mintToken, startServer } from './server.js';

let server;
let browser;
let secretDir;
let secretFile;
let docCount = 0;

before(async () => {
  secretDir = mkdtempSync(join(tmpdir(), 'tandem-auth-test-'));
  secretFile = join(secretDir, 'secret');
  writeFileSync(secretFile, randomBytes(48).toString('base64'), { mode: 0o600 });
  server = await startServer({ args: [`--auth-secret-file=${secretFile}`] });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
  if (secretDir !== undefined) {
    rmSync(secretDir, { recursive: true, force: true });
  }
});

const freshDoc = (prefix) => `${prefix}-${process.pid}-${++docCount}`;
const EDITOR = '#editor .cm-content';

test('a page opened with ?token= signs in, shows the user, forgets the URL token and edits', async () => {
  const doc = freshDoc('team');
  const token = await mintToken(secretFile, [
    '--sub',
    'ada',
    '--name',
    'Ada Lovelace',
    '--color',
    '#3366ff',
    '--docs',
    'team-*=write',
  ]);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/?token=${token}#${doc}`);
  await page.waitForFunction(() => window.tandem?.doc?.state === 'synced', null, {
    timeout: 30_000,
  });
  assert.equal(new URL(page.url()).search, '', 'the token left the address bar');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('tandem-token')), token);

  await page.click(EDITOR);
  await page.keyboard.type('signed 😀');
  await page.waitForFunction(() => window.tandem.doc.state === 'synced');
  const response = await fetch(`${server.url}/api/docs/${doc}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal((await response.json()).text, 'signed 😀');

  // the name and expiry come from welcome {user, name, color, exp}
  await page.waitForFunction(() => document.querySelector('#signed-in').textContent !== '');
  assert.match(await page.textContent('#signed-in'), /signed in as Ada Lovelace \(ada\)/);
  assert.equal(await page.textContent('#people li'), 'Ada Lovelace (you)');
  await context.close();
});

test('a page without a token, or with one for other documents, says why', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/#${freshDoc('team')}`);
  await page.waitForFunction(() => Boolean(document.querySelector('#message').dataset.code), null, {
    timeout: 30_000,
  });
  assert.equal(await page.getAttribute('#message', 'data-code'), 'unauthorized');
  assert.match(await page.textContent('#message'), /Not signed in/);

  // a token pasted into the field is used from then on (the page starts over with it)
  const elsewhere = await mintToken(secretFile, ['--sub', 'bo', '--docs', 'other-*=write']);
  const doc = freshDoc('team');
  await page.evaluate((name) => {
    location.hash = name;
  }, doc);
  await page.fill('#token', elsewhere);
  await Promise.all([page.waitForEvent('load'), page.click('#token-form button')]);
  await page.waitForFunction(
    () => document.querySelector('#message').dataset.code === 'forbidden',
    null,
    { timeout: 30_000 },
  );
  assert.match(await page.textContent('#message'), new RegExp(`Forbidden: .*${doc}`));
  await context.close();
});

test('the client in a page refreshes a short-lived token with auth on the same socket', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.exposeFunction('mintShortToken', () =>
    mintToken(secretFile, ['--sub', 'cy', '--docs', '*=write', '--ttl', '5s']),
  );
  await page.goto(`${server.url}/#${freshDoc('team')}`); // the page's own client has no token
  const result = await page.evaluate(async () => {
    const { TandemClient } = await import('./lib/index.js');
    const client = new TandemClient(`ws://${location.host}/ws`, {
      getToken: () => window.mintShortToken(),
    });
    const states = [];
    const expiries = [];
    client.on('state', (state) => states.push(state));
    await new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error(`no refresh: ${JSON.stringify(expiries)}`)), 25_000);
      client.on('user', (user) => {
        expiries.push(user.exp);
        if (expiries.length === 3) {
          resolve();
        }
      });
    });
    client.close();
    return { states, expiries };
  });
  assert.ok(result.expiries[2] > result.expiries[0], JSON.stringify(result.expiries));
  assert.deepEqual(result.states.slice(0, 1), ['connected'], 'one socket until closed');
  assert.deepEqual(result.states, ['connected', 'closed']);
  await context.close();
});
