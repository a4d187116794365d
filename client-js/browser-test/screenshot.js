// Takes docs/demo.png, the picture in the README: the demo page with two users typing into one
// document in CodeMirror, seen from Ada's window while Grace selects a few words, its history at
// the revision before Grace's first keystroke (what she added since marked). A browser test (run
// by mvn verify with the others, and by `npm run screenshot`), so the README's picture is the
// demo of the code it describes. A test run writes target/demo.png, so a build leaves the tree
// clean; `npm run screenshot` (TANDEM_UPDATE_SCREENSHOT=1) rewrites the committed file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './browser.js';
import { startServer } from './server.js';

const OUTPUT = fileURLToPath(
  new URL(
    process.env.TANDEM_UPDATE_SCREENSHOT === '1' ? '../docs/demo.png' : '../target/demo.png',
    import.meta.url,
  ),
);
const server = await startServer();
const browser = await launchChromium();
const errors = [];
test('the README picture: two users, remote selection, history diff; no console errors', async () => {
  try {
    await takeScreenshot();
  } finally {
    await browser.close();
    await server.destroy();
  }
});

async function takeScreenshot() {
  const [ada, grace] = await Promise.all(['Ada', 'Grace'].map(openAs));
  await ada.click('.cm-content');
  await ada.keyboard.type('Hello from Ada 😀 — two people, one text.');
  await grace.waitForFunction(() => window.tandem.view.state.doc.toString().endsWith('text.'));
  await grace.click('.cm-content');
  await grace.keyboard.press('Control+End');
  await grace.keyboard.press('Enter');
  // Grace's new line is in Ada's editor before both type at once, each on their own line
  await ada.waitForFunction(() => window.tandem.view.state.doc.toString().endsWith('\n'));
  await Promise.all([
    grace.keyboard.type('Grace was here too 𝒳, typing at the same time.'),
    ada.keyboard.type(' Hi!'),
  ]);
  await grace.evaluate(() => {
    const { view } = window.tandem;
    const from = view.state.doc.toString().indexOf('two people');
    view.dispatch({ selection: { anchor: from, head: from + 'two people'.length } });
  });
  await ada.waitForSelector('.cm-tandem-selection');
  await ada.waitForFunction(() => window.tandem.doc.state === 'synced');
  // the history at Ada's first line: who wrote what when, and Grace's line marked as added since
  const { ops } = await (await fetch(`${server.url}/api/docs/notes/ops?limit=1000`)).json();
  const beforeGrace = ops.find((op) => op.client === 'grace-screenshot').rev - 1;
  await ada.evaluate((rev) => {
    const slider = document.getElementById('history');
    slider.value = String(rev);
    slider.dispatchEvent(new Event('input'));
  }, beforeGrace);
  await ada.waitForSelector('#history-text ins');
  await ada.screenshot({ path: OUTPUT });
  assert.deepEqual(errors, []);
}

/** A page of the demo on #notes as `name`, synced. */
async function openAs(name) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 560 } });
  // fixed client ids give the two users distinct colors (orange and teal) in every run
  await context.addInitScript((n) => {
    localStorage.setItem('tandem-name', n);
    crypto.randomUUID = () => `${n.toLowerCase()}-screenshot`;
  }, name);
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`${name}: ${error.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`${name}: ${m.text()}`));
  await page.goto(`${server.url}/#notes`);
  await page.waitForFunction(() => window.tandem?.doc?.state === 'synced', null, {
    timeout: 30_000,
  });
  return page;
}
