// The doc check's browser part: the README's "add collaborative editing to your page" block (and
// any other `<!-- doc-check: browser -->` block) runs as written (doc-shell.js: the page made,
// its static server and the Tandem server started), then two Chromium windows open the page:
// what one types reaches the other and the server, and the title shows the sync state.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { allBlocks, where } from './doc-blocks.js';
import { launchChromium } from './browser.js';
import { runBlock } from './doc-shell.js';

const blocks = allBlocks().filter((block) => block.kind === 'browser');
let browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

test('the README has a page example for the browser', () => {
  assert.ok(blocks.some((block) => block.file === 'README.md'));
});

for (const block of blocks) {
  test(`${where(block)}: the page edits one document in two windows`, async () => {
    const run = await runBlock(block.code);
    try {
      for (const { command, status } of run.results) {
        assert.equal(status, 0, `\`${command}\` failed:\n${run.stderr}`);
      }
      const page = `http://localhost:${run.pagePort}/`;
      const errors = [];
      const [ada, grace] = await Promise.all(
        [0, 1].map(async () => {
          const tab = await browser.newPage();
          // the browser's own request, which the example's plain static server answers with 404
          await tab.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
          tab.on('pageerror', (error) => errors.push(error.message));
          tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
          await gotoWhenUp(tab, page);
          await tab.waitForFunction(() => document.title === 'synced', null, { timeout: 30_000 });
          return tab;
        }),
      );
      await ada.click('textarea');
      await ada.keyboard.type('written in one window');
      await grace.waitForFunction(
        () => document.querySelector('textarea').value === 'written in one window',
        null,
        { timeout: 30_000 },
      );
      await ada.waitForFunction(() => document.title === 'synced');
      const docId = /client\.open\('([^']+)'\)/.exec(block.code)[1];
      const stored = await fetch(`http://localhost:${run.port}/api/docs/${docId}`);
      assert.equal((await stored.json()).text, 'written in one window');
      assert.deepEqual(errors, []);
    } finally {
      await run.stop();
    }
  });
}

/** The block's page server may still be starting when the Tandem server already listens. */
async function gotoWhenUp(tab, url) {
  for (let attempt = 0; ; attempt++) {
    try {
      await tab.goto(url);
      return;
    } catch (error) {
      if (attempt === 50) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
