// `npm run test:browser` (and mvn verify's integration-test phase): the browser test files, one
// at a time, in the Chromium that browser.js finds. Says in one line why it runs none: skipped on
// request (SKIP_BROWSER_TESTS=true, which -DskipBrowserTests=true sets), or no Chromium (exit 1).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NO_CHROMIUM, findChromium } from './browser.js';

const FILES = ['demo.js', 'auth.js', 'package.js', 'docs-browser.js', 'screenshot.js'];

if (process.env.SKIP_BROWSER_TESTS === 'true') {
  console.log('client-js browser tests skipped (-DskipBrowserTests=true): Chromium not driven');
  process.exit(0);
}
const chromium = findChromium();
if (chromium === null) {
  console.error(NO_CHROMIUM);
  process.exit(1);
}
const only = process.argv.slice(2);
const files = (only.length > 0 ? only : FILES).map((file) =>
  fileURLToPath(new URL(file, import.meta.url)),
);
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
  env: { ...process.env, CHROMIUM_PATH: chromium },
});
process.exit(run.status ?? 1);
