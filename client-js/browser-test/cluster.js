// client-js on three real nodes sharing one PostgreSQL (the first node's embedded one;
// docs/scaling.md): a client whose two documents are owned by the two other nodes keeps each on
// a socket to its owner (one redirect per document, three sockets, no bouncing), its edits and
// the owners' own clients' converge, and when one owner is killed (SIGKILL) that document goes
// back to the seed socket, is taken over, and editing goes on. Run with
// `node --experimental-websocket` on Node 20 (`npm run test:server`).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TandemClient, TextOperation, codePointCount } from '../src/index.js';
import { startServer } from './server.js';

/** Short heartbeats, so a killed node is dead (and its documents taken over) within a second. */
const FAST = ['--heartbeat-interval-ms=200', '--node-dead-after-ms=1000'];

/** @type {any[]} nodes a, b, c */
let nodes = [];

before(async () => {
  const a = await startServer({ args: ['--node-id=a', ...FAST] });
  const postgres = join(a.dataDir, 'data');
  const port = readFileSync(join(postgres, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[3];
  const database = [
    `--database-url=jdbc:postgresql://127.0.0.1:${port}/postgres`,
    '--database-user=postgres',
    `--database-password=${readFileSync(join(postgres, 'postgres.password'), 'utf8').trim()}`,
  ];
  const [b, c] = await Promise.all(
    ['b', 'c'].map((id) => startServer({ args: [`--node-id=${id}`, ...FAST, ...database] })),
  );
  nodes = [a, b, c];
});

after(async () => {
  for (const node of nodes.slice(1).reverse()) {
    await node.destroy(); // b and c before a, whose PostgreSQL they use
  }
  await nodes[0]?.destroy();
});

const ws = (node) => `ws://127.0.0.1:${node.port}/ws`;

/** @param {string} text appended at the end */
const append = (text) => (/** @type {string} */ current) =>
  TextOperation.builder().retain(codePointCount(current)).insert(text).build();

/** Waits for `condition`, at most `ms`. */
async function until(what, condition, ms = 30_000) {
  const end = Date.now() + ms;
  while (!condition()) {
    assert.ok(Date.now() < end, `waited ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('two documents of two owners: one redirect each, a socket per owner, and a killed owner is left', async () => {
  const [a, b, c] = nodes;
  const suffix = Date.now().toString(36);
  const one = `one-${suffix}`;
  const two = `two-${suffix}`;
  // a takes one and b takes two, by opening them first
  const onA = new TandemClient(ws(a), { clientId: 'on-a', watchNetwork: false });
  const onB = new TandemClient(ws(b), { clientId: 'on-b', watchNetwork: false });
  const [aOne, bTwo] = await Promise.all([onA.open(one), onB.open(two)]);

  /** every socket the client under test made, and the `moved` errors it got */
  const sockets = [];
  let moved = 0;
  class Counting extends WebSocket {
    constructor(url) {
      super(url);
      sockets.push(url);
      this.addEventListener('message', (event) => {
        if (typeof event.data === 'string' && JSON.parse(event.data).code === 'moved') {
          moved++;
        }
      });
    }
  }
  // seeded on c, which owns neither
  const client = new TandemClient(ws(c), {
    clientId: 'seeded-on-c',
    WebSocket: /** @type {any} */ (Counting),
    watchNetwork: false,
  });
  try {
    const [zOne, zTwo] = await Promise.all([client.open(one), client.open(two)]);
    zOne.edit(append('1'));
    zTwo.edit(append('2'));
    aOne.edit(append('a'));
    bTwo.edit(append('b'));
    await until('every client has every edit', () =>
      [zOne, zTwo, aOne, bTwo].every((doc) => doc.text.length === 2 && doc.state === 'synced'),
    );
    assert.equal(zOne.text, aOne.text);
    assert.equal(zTwo.text, bTwo.text);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a bouncing client would move on
    assert.equal(moved, 2, 'one redirect per document');
    assert.deepEqual([...sockets].sort(), [ws(a), ws(b), ws(c)].sort(), 'a socket per node');

    // b dies: two goes back to the seed socket and is taken over; one stays on a throughout
    await b.kill();
    zTwo.edit(append('!'));
    await until('two acknowledged after its owner died', () => zTwo.state === 'synced');
    assert.equal(zTwo.text.length, 3);
    zOne.edit(append('?'));
    await until('one still live on a', () => aOne.text.endsWith('?'));
    assert.equal(sockets.filter((url) => url === ws(a)).length, 1, 'the socket to a stayed');
    assert.equal(client.state, 'connected');
  } finally {
    client.close();
    onA.close();
    onB.close();
  }
});
