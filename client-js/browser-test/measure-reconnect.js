// Measures how long after a server restart a client is synced again. The server (the real jar)
// is stopped and started again on the same port and data directory, RUNS times, with outages of
// 2 to 6 s. In one page three clients have one document open: one with the reconnect cap of
// before (maxBackoffMs 30 s), one with today's default (1 s), so both see the same restarts, and
// one with a long cap that is told reconnectNow() as soon as the server listens: the floor, the
// server's own time to answer. Prints, per client, the time from the server's "listening" line to
// the client's 'synced' status, and the medians.
// `node browser-test/measure-reconnect.js [runs]` (needs the jar and Chromium, as the tests do).

import { launchChromium } from './browser.js';
import { startServer } from './server.js';

const RUNS = Number(process.argv[2] ?? 5);
let server = await startServer();
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/#measure-reconnect`);
  await page.waitForFunction(() => window.tandem?.doc?.state === 'synced', null, {
    timeout: 60_000,
  });
  await page.evaluate(async () => {
    const { TandemClient } = await import('./lib/index.js');
    const url = `ws://${location.host}/ws`;
    window.measured = {};
    for (const [name, options] of [
      ['cap 30 s (before)', { maxBackoffMs: 30_000, watchNetwork: false }],
      ['cap 1 s (now)', { watchNetwork: false }],
      ['reconnectNow at listening (floor)', { maxBackoffMs: 60_000, watchNetwork: false }],
    ]) {
      const client = new TandemClient(url, options);
      const entry = { client, syncedAt: 0 };
      client.on('status', (status) => {
        if (status === 'synced') {
          entry.syncedAt = Date.now();
        }
      });
      await client.open('measure-reconnect');
      window.measured[name] = entry;
    }
  });
  const results = {};
  for (let run = 0; run < RUNS; run++) {
    await server.stop();
    await page.waitForFunction(() =>
      Object.values(window.measured).every((m) => m.client.status === 'offline'),
    );
    await new Promise((resolve) => setTimeout(resolve, 2000 + 1000 * run)); // outages of 2–6 s
    server = await startServer({ port: server.port, dataDir: server.dataDir });
    const listeningAt = Date.now();
    await page.evaluate(() =>
      window.measured['reconnectNow at listening (floor)'].client.reconnectNow(),
    );
    await page.waitForFunction(
      () => Object.values(window.measured).every((m) => m.client.status === 'synced'),
      null,
      { timeout: 120_000, polling: 20 },
    );
    const synced = await page.evaluate(() =>
      Object.fromEntries(Object.entries(window.measured).map(([k, m]) => [k, m.syncedAt])),
    );
    for (const [name, at] of Object.entries(synced)) {
      (results[name] ??= []).push(at - listeningAt);
    }
    console.log(
      `run ${run + 1}:`,
      JSON.stringify(
        Object.fromEntries(Object.entries(synced).map(([k, at]) => [k, at - listeningAt])),
      ),
    );
  }
  for (const [name, times] of Object.entries(results)) {
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `${name}: listening -> synced ms ${JSON.stringify(times)}, median ${sorted[Math.floor(sorted.length / 2)]}`,
    );
  }
} finally {
  await browser.close();
  await server.destroy();
}
