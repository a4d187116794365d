// The client's sync status (connecting, connected, saving, synced, offline, closed) as the state
// machine in docs/client-js.md draws it, reconnectNow, and the reconnect delay's cap of a second,
// against the in-test network and server of support/fake-network.js.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { append, open, world } from './support/world.js';

/** Records every status the client reports. */
function statuses(client) {
  const seen = [];
  client.on('status', (status) => seen.push(status));
  return seen;
}

test('status: connecting, connected, synced; saving while an edit is unacknowledged', async () => {
  const w = world();
  const client = w.client('alice');
  const seen = statuses(client);
  assert.equal(client.status, 'connecting');
  w.run();
  assert.equal(client.status, 'connected', 'welcomed, no document open');
  const opened = client.open('notes');
  assert.equal(client.status, 'connected', 'the document is still opening');
  w.run();
  const doc = await opened;
  assert.equal(client.status, 'synced');
  doc.edit(append('hi'));
  assert.equal(client.status, 'saving');
  w.run();
  assert.equal(client.status, 'synced');
  assert.deepEqual(seen, ['connected', 'synced', 'saving', 'synced']);
  client.close();
  assert.equal(client.status, 'closed');
});

test('status: offline when the socket is lost, connected while catching up, then synced', async () => {
  const w = world();
  const client = w.client('alice');
  const doc = await open(w, client, 'notes');
  const seen = statuses(client);
  w.network.up = false;
  w.network.cut();
  w.run();
  assert.equal(client.status, 'offline');
  doc.edit(append('typed offline'));
  assert.equal(client.status, 'offline', 'edits made offline wait');
  w.network.up = true;
  w.wait(1000); // the reconnect comes within the 1 s cap
  assert.equal(client.status, 'synced');
  assert.equal(w.server.documents.get('notes').text, 'typed offline');
  // offline, connecting (the attempt), connected (welcomed; the document reopens and catches
  // up), saving (the offline edit goes), synced
  assert.deepEqual(seen, ['offline', 'connecting', 'connected', 'saving', 'synced']);
});

test('status: one document still saving keeps the client saving', async () => {
  const w = world();
  const client = w.client('alice');
  const a = await open(w, client, 'a');
  const b = await open(w, client, 'b');
  a.edit(append('x'));
  b.edit(append('y'));
  assert.equal(client.status, 'saving');
  w.network.loseInFlight(); // both submits lost: still saving until the resend after a reconnect
  assert.equal(client.status, 'saving');
  w.network.cut();
  w.run();
  assert.equal(client.status, 'offline');
  w.wait(1000);
  assert.equal(client.status, 'synced');
  assert.equal(w.server.documents.get('a').text, 'x');
  assert.equal(w.server.documents.get('b').text, 'y');
});

test('the reconnect delay is capped at a second by default, however long the outage', async () => {
  const w = world();
  const client = w.client('alice', { random: () => 1 }); // the longest delay the jitter allows
  await open(w, client, 'notes');
  w.network.up = false;
  w.network.cut();
  w.run();
  const delays = [];
  for (let i = 0; i < 10; i++) {
    const [delay] = w.clock.pending();
    delays.push(delay);
    w.clock.advance(delay);
    w.run(); // the attempt fails: the server is down
  }
  assert.deepEqual(delays, [200, 400, 800, 1000, 1000, 1000, 1000, 1000, 1000, 1000]);
  w.network.up = true;
  w.wait(1000);
  assert.equal(client.status, 'synced', 'back within a second of the server');
});

test('reconnectNow connects at once while offline, and does nothing while connected', async () => {
  const w = world();
  const client = w.client('alice', { initialBackoffMs: 5000, maxBackoffMs: 60_000 });
  await open(w, client, 'notes');
  assert.equal(client.reconnectNow(), false, 'connected: nothing to do');
  w.network.up = false;
  w.network.cut();
  w.run();
  assert.equal(client.status, 'offline');
  assert.ok(w.clock.pending()[0] >= 2500, 'a long backoff ahead');
  w.network.up = true;
  assert.equal(client.reconnectNow(), true);
  w.run();
  assert.equal(client.status, 'synced', 'without waiting for the backoff');
  assert.equal(w.clock.now, 0, 'no time passed');
  client.close();
  assert.equal(client.reconnectNow(), false, 'closed: nothing to do');
});

test('reconnectNow during an attempt with no welcome yet starts a fresh one', async () => {
  const w = world();
  const client = w.client('alice');
  await open(w, client, 'notes');
  const sockets = w.network.sockets.length;
  w.network.cut();
  w.run();
  w.clock.advance(w.clock.pending()[0]); // the reconnect's socket is made ...
  const hanging = w.network.sockets.at(-1);
  assert.equal(w.network.sockets.length, sockets + 1);
  w.network.vanish(hanging); // ... but its network never answers
  w.run();
  assert.equal(client.status, 'connecting');
  assert.equal(client.reconnectNow(), true);
  w.wait(0);
  assert.notEqual(w.network.sockets.at(-1), hanging, 'a fresh socket');
  assert.equal(client.status, 'synced');
});

test("the browser's offline event drops the socket at once, its online event reconnects", async () => {
  const browserWindow = new EventTarget(); // what globalThis is in a browser
  globalThis.addEventListener = browserWindow.addEventListener.bind(browserWindow);
  globalThis.removeEventListener = browserWindow.removeEventListener.bind(browserWindow);
  try {
    const w = world();
    const client = w.client('alice', { initialBackoffMs: 5000, maxBackoffMs: 60_000 });
    await open(w, client, 'notes');
    browserWindow.dispatchEvent(new Event('offline'));
    w.run();
    assert.equal(client.status, 'offline', 'no wait for two ping intervals');
    browserWindow.dispatchEvent(new Event('online'));
    w.run();
    assert.equal(client.status, 'synced', 'no wait for the backoff');
    assert.equal(w.clock.now, 0);
    client.close();
    browserWindow.dispatchEvent(new Event('offline')); // no longer listened to
    assert.equal(client.status, 'closed');

    const unwatched = w.client('bob', { watchNetwork: false });
    await open(w, unwatched, 'notes');
    browserWindow.dispatchEvent(new Event('offline'));
    w.run();
    assert.equal(unwatched.status, 'synced', 'watchNetwork: false ignores the events');
  } finally {
    delete globalThis.addEventListener;
    delete globalThis.removeEventListener;
  }
});
