// Tokens in the protocol client, against the in-test server of support/fake-network.js checking
// tokens as the real server does: a static token and a getToken callback in hello, the identity
// from welcome, the refresh with auth when 80 % of the token's life has passed (or 60 s before
// exp), a refused refresh retried with backoff, expiry (unauthorized, close 1008) answered by a
// reconnect with a fresh token (or the end of a client without getToken), a refused hello, a
// failing getToken, and a document the refreshed token may no longer read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { append, open, settle, world } from './support/world.js';

/**
 * A world whose server takes tokens `USER:EXP` (exp in epoch seconds on the fake clock), and
 * refuses any other.
 */
function tokenWorld() {
  const w = world();
  w.server.verify = (token) => {
    const match = /^(\w+):(\d+)$/.exec(token);
    if (match === null) {
      return null;
    }
    const user = match[1];
    return { user, name: user.toUpperCase(), color: '#3366ff', exp: Number(match[2]) };
  };
  return w;
}

/** A getToken that hands out `user:<exp>` tokens, each valid `lifeSeconds` from the clock's now. */
function issuer(w, user, lifeSeconds) {
  const issued = [];
  const getToken = async () => {
    const token = `${user}:${Math.floor(w.clock.now / 1000) + lifeSeconds}`;
    issued.push(token);
    return token;
  };
  return { getToken, issued };
}

const sent = (w, type) => w.server.received.filter((m) => m.type === type);

test('a static token is said in every hello, and a token without exp is never refreshed', () => {
  const w = world();
  const client = w.client('alice', { token: 'static-token' });
  w.run();
  assert.equal(client.state, 'connected');
  client.dropConnection();
  w.wait(1000);
  assert.deepEqual(
    sent(w, 'hello').map((m) => m.token),
    ['static-token', 'static-token'],
  );
  assert.deepEqual(client.user, { id: 'user-alice', name: 'user-alice', color: null, exp: null });
  assert.deepEqual(w.clock.pending().length, 1, 'only the ping timer');
});

test('getToken gives the hello token; welcome tells user, name, color and exp', async () => {
  const w = tokenWorld();
  const { getToken, issued } = issuer(w, 'ada', 1000);
  const users = [];
  const client = w.client('c1', { getToken });
  client.on('user', (user) => users.push(user));
  assert.equal(client.user, null);
  await settle(w);
  assert.equal(client.state, 'connected');
  assert.deepEqual(issued, ['ada:1000']);
  assert.equal(sent(w, 'hello')[0].token, 'ada:1000');
  const expected = { id: 'ada', name: 'ADA', color: '#3366ff', exp: 1000 };
  assert.deepEqual(client.user, expected);
  assert.equal(client.userId, 'ada');
  assert.deepEqual(users, [expected]);
});

test('a token is refreshed with auth at 80 % of its life, or 60 s before exp', async () => {
  const w = tokenWorld();
  const { getToken, issued } = issuer(w, 'ada', 1000);
  const client = w.client('c1', { getToken, pingIntervalMs: 10_000_000 });
  await settle(w);
  const doc = await open(w, client, 'notes');

  // 1000 s of life: 80 % (800 s) comes before 60 s before exp (940 s)
  w.wait(799_999);
  await settle(w);
  assert.equal(sent(w, 'auth').length, 0);
  w.wait(1);
  await settle(w);
  assert.deepEqual(sent(w, 'auth'), [{ type: 'auth', token: 'ada:1800' }]);
  assert.equal(client.user.exp, 1800, 'authed moved the expiry');
  assert.deepEqual(issued, ['ada:1000', 'ada:1800']);

  // the next refresh counts from the authed: 80 % of the 1000 s left
  w.wait(799_999);
  await settle(w);
  assert.equal(sent(w, 'auth').length, 1);
  w.wait(1);
  await settle(w);
  assert.equal(sent(w, 'auth').length, 2);
  assert.equal(sent(w, 'hello').length, 1, 'refreshed on the same socket');

  // a short token: 60 s before exp comes first (100 s of life: at 40 s, not 80 s)
  const short = tokenWorld();
  const shortIssuer = issuer(short, 'bo', 100);
  const shortClient = short.client('c2', { getToken: shortIssuer.getToken, pingIntervalMs: 1e9 });
  await settle(short);
  short.wait(39_999);
  await settle(short);
  assert.equal(sent(short, 'auth').length, 0);
  short.wait(1);
  await settle(short);
  assert.equal(sent(short, 'auth').length, 1);
  assert.equal(shortClient.state, 'connected');

  doc.edit(append('still editing'));
  w.run();
  assert.equal(doc.state, 'synced');
});

test('a refused refresh is reported and retried with backoff; the old token serves', async () => {
  const w = tokenWorld();
  let refuse = 2;
  let n = 0;
  const getToken = async () => {
    n++;
    if (n > 1 && refuse-- > 0) {
      return 'eve:99999'; // another sub: the server refuses it
    }
    return `ada:${Math.floor(w.clock.now / 1000) + 1000}`;
  };
  const client = w.client('c1', { getToken, pingIntervalMs: 1e9 });
  const errors = [];
  client.on('error', (e) => errors.push(e.code));
  await settle(w);
  const doc = await open(w, client, 'notes');
  w.wait(800_000);
  await settle(w);
  assert.deepEqual(errors, ['unauthorized']);
  assert.equal(client.user.exp, 1000, 'still the first token');
  doc.edit(append('x'));
  w.run();
  assert.equal(doc.state, 'synced', 'the connection keeps serving');

  // retries start at a second (refused ones count as bad messages on the server)
  w.wait(749); // the first retry comes between 0.5 and 1 s (jitter 0.5: 750 ms)
  await settle(w);
  assert.equal(sent(w, 'auth').length, 1);
  w.wait(1);
  await settle(w);
  assert.equal(sent(w, 'auth').length, 2);
  assert.deepEqual(errors, ['unauthorized', 'unauthorized']);
  w.wait(1500); // the second retry: between 1 and 2 s
  await settle(w);
  assert.equal(sent(w, 'auth').length, 3);
  assert.equal(client.user.exp, 1802, 'the token got at 802.25 s');
  assert.equal(client.state, 'connected');
  assert.equal(sent(w, 'hello').length, 1);
});

test('expiry (unauthorized, close 1008) with getToken: reconnect with a fresh token, keep edits', async () => {
  const w = tokenWorld();
  const { getToken, issued } = issuer(w, 'ada', 1000);
  const client = w.client('c1', { getToken, pingIntervalMs: 1e9 });
  await settle(w);
  const doc = await open(w, client, 'notes');
  doc.edit(append('before '));
  w.run();
  w.network.loseInFlight(); // nothing of the next edit arrives before the close
  doc.edit(append('in flight'));
  w.server.expireAll();
  w.run();
  assert.equal(client.state, 'offline', 'not closed: it reconnects');
  w.wait(200);
  await settle(w);
  assert.equal(client.state, 'connected');
  assert.equal(issued.length, 2);
  assert.equal(sent(w, 'hello')[1].token, issued[1]);
  await settle(w);
  assert.equal(doc.state, 'synced');
  assert.equal(w.server.documents.get('notes').text, 'before in flight');
});

test('expiry without getToken ends the client and reports it', async () => {
  const w = tokenWorld();
  const client = w.client('c1', { token: 'ada:1000' });
  const errors = [];
  client.on('error', (e) => errors.push(e.code));
  w.run();
  assert.equal(client.state, 'connected');
  w.server.expireAll();
  w.run();
  assert.equal(client.state, 'closed');
  assert.deepEqual(errors, ['unauthorized', 'forbidden']);
  w.wait(60_000);
  assert.equal(sent(w, 'hello').length, 1, 'no reconnect');
});

test('a refused hello with getToken retries with backoff and a new token', async () => {
  const w = tokenWorld();
  const tokens = ['garbage', 'still-garbage', 'ada:1000'];
  const client = w.client('c1', { getToken: () => tokens.shift() }); // a plain string works too
  const errors = [];
  client.on('error', (e) => errors.push(e.code));
  await settle(w);
  assert.equal(client.state, 'offline');
  w.wait(200);
  await settle(w);
  w.wait(400);
  await settle(w);
  assert.equal(client.state, 'connected');
  assert.deepEqual(
    sent(w, 'hello').map((m) => m.token),
    ['garbage', 'still-garbage', 'ada:1000'],
  );
  assert.deepEqual(errors, ['unauthorized', 'unauthorized']);
});

test('a failing getToken is reported as unauthorized and retried with backoff', async () => {
  const w = tokenWorld();
  let calls = 0;
  const getToken = () => {
    calls++;
    if (calls === 1) {
      throw new Error('identity provider away');
    }
    return calls === 2 ? Promise.reject(new Error('still away')) : Promise.resolve('ada:1000');
  };
  const client = w.client('c1', { getToken });
  const errors = [];
  client.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
  await settle(w);
  assert.equal(client.state, 'offline');
  assert.equal(sent(w, 'hello').length, 0, 'no socket without a token');
  w.wait(200);
  await settle(w);
  w.wait(400);
  await settle(w);
  assert.equal(client.state, 'connected');
  assert.deepEqual(errors, [
    'unauthorized: getToken failed: identity provider away',
    'unauthorized: getToken failed: still away',
  ]);
  assert.throws(() => w.client('c2', { getToken: 'not a function' }), TypeError);
});

test('a document the refreshed token may no longer read is closed by forbidden', async () => {
  const w = tokenWorld();
  const { getToken } = issuer(w, 'ada', 1000);
  const client = w.client('c1', { getToken, pingIntervalMs: 1e9 });
  await settle(w);
  const secret = await open(w, client, 'secret');
  const notes = await open(w, client, 'notes');
  w.server.mayRead = (user, docId) => docId !== 'secret';
  const errors = [];
  secret.on('error', (e) => errors.push(e.code));
  w.wait(800_000);
  await settle(w);
  assert.equal(client.user.exp, 1800);
  assert.deepEqual(errors, ['forbidden']);
  assert.equal(secret.state, 'closed');
  assert.equal(notes.state, 'synced');
  await assert.rejects(secret.whenSynchronized());
  notes.edit(append('ok'));
  w.run();
  assert.equal(notes.state, 'synced');
});

test('a getToken that has nothing new yet sends no auth and is asked again with backoff', async () => {
  const w = tokenWorld();
  let current = 'ada:100';
  let calls = 0;
  const client = w.client('c1', {
    getToken: () => {
      calls++;
      return current;
    },
    pingIntervalMs: 1e9,
  });
  await settle(w);
  w.wait(40_000); // 60 s before exp: the refresh asks, gets the same token, sends nothing
  await settle(w);
  assert.equal(calls, 2);
  assert.equal(sent(w, 'auth').length, 0);
  current = 'ada:500';
  w.wait(750); // asked again after the refresh backoff (0.5 to 1 s)
  await settle(w);
  assert.equal(calls, 3);
  assert.deepEqual(sent(w, 'auth'), [{ type: 'auth', token: 'ada:500' }]);
  assert.equal(client.user.exp, 500);
});

test('on a cluster: a node socket says a fresh token in hello, and a refresh goes on every socket', async () => {
  const w = tokenWorld();
  const owner = 'ws://owner.tandem.test/ws';
  w.server.owners.set('notes', owner);
  const { getToken, issued } = issuer(w, 'ada', 1000);
  const client = w.client('c1', { getToken, pingIntervalMs: 10_000_000 });
  await settle(w);
  const opening = client.open('notes');
  await settle(w);
  const doc = await opening;
  assert.deepEqual(w.network.sockets.map((s) => s.url), ['ws://tandem.test/ws', owner]);
  assert.deepEqual(sent(w, 'hello').map((m) => m.token), ['ada:1000', 'ada:1000']);
  assert.equal(issued.length, 2, 'a token fetched for the node socket');

  w.wait(800_000);
  await settle(w);
  const [seedSocket, ownerSocket] = w.network.sockets;
  const auths = (socket) => socket.sent.filter((frame) => JSON.parse(frame).type === 'auth');
  assert.equal(auths(seedSocket).length, 1);
  assert.equal(auths(ownerSocket).length, 1, 'the node socket serves under the fresh token too');
  assert.equal(client.user.exp, 1800);
  doc.edit(append('x'));
  w.run();
  assert.equal(doc.state, 'synced');
  assert.equal(w.server.documents.get('notes').text, 'x');
});
