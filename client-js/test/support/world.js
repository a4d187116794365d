// A fake network, its clock and its server, and a way to make protocol clients on them: what the
// tests of src/connection.js share.

import { TextOperation, codePointCount } from '../../src/index.js';
import { TandemClient } from '../../src/connection.js';
import { FakeClock, FakeNetwork } from './fake-network.js';

/** A network, a clock and a way to make clients on them. */
export function world() {
  const network = new FakeNetwork();
  const clock = new FakeClock();
  const run = () => network.run();
  return {
    network,
    clock,
    server: network.server,
    run,
    /** Lets time pass, delivering what every timer sends. */
    wait: (ms) => clock.advance(ms, run),
    /**
     * @param {string} clientId
     * @param {object} [options]
     */
    client: (clientId, options = {}) =>
      new TandemClient('ws://tandem.test/ws', {
        clientId,
        WebSocket: network.WebSocket,
        timers: clock,
        now: () => clock.now,
        random: () => 0.5,
        ...options,
      }),
  };
}

/**
 * Appends `text` at the end of the document.
 * @param {string} text
 */
export function append(text) {
  return (/** @type {string} */ current) =>
    TextOperation.builder().retain(codePointCount(current)).insert(text).build();
}

/** Lets promise callbacks run and delivers what they sent, a few rounds. */
export async function settle(w) {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    w.run();
  }
}

/** Opens a document and delivers until it is open. */
export async function open(w, client, docId) {
  const opened = client.open(docId);
  w.run();
  return opened;
}
