// Finds the Chromium the browser tests drive (playwright-core ships no browser of its own) and
// launches it headless.

import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium } from 'playwright-core';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/**
 * The Chromium to use: $CHROMIUM_PATH, else Debian's /usr/bin/chromium, else one of the usual
 * names on the PATH, else a browser Playwright downloaded; null if there is none.
 * @returns {string | null}
 */
export function findChromium() {
  if (process.env.CHROMIUM_PATH) {
    return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null;
  }
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = [
    '/usr/bin/chromium',
    ...NAMES.flatMap((name) => onPath.map((dir) => join(dir, name))),
    ...playwrightBrowsers(),
  ];
  return candidates.find((path) => existsSync(path)) ?? null;
}

function playwrightBrowsers() {
  const cache = join(homedir(), '.cache', 'ms-playwright');
  if (!existsSync(cache)) {
    return [];
  }
  return readdirSync(cache)
    .filter((name) => name.startsWith('chromium-'))
    .flatMap((name) =>
      ['chrome-linux64', 'chrome-linux'].map((d) => join(cache, name, d, 'chrome')),
    );
}

/** What to do when there is no browser, in one line. */
export const NO_CHROMIUM =
  'client-js browser tests: no Chromium found ($CHROMIUM_PATH, /usr/bin/chromium, ' +
  `${NAMES.join('/')} on the PATH): apt-get install chromium, or set CHROMIUM_PATH, ` +
  'or skip them with -DskipBrowserTests=true';

/** Launches the found Chromium headless, as every browser test does. */
export function launchChromium() {
  const executablePath = findChromium();
  if (executablePath === null) {
    throw new Error(NO_CHROMIUM);
  }
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
