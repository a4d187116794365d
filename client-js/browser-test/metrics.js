// /metrics of the real server under a little load, read with a Prometheus text-format parser
// (parse-prometheus-text-format), not a regex: three editors type into one document over
// WebSockets (this module's client, on Node's WebSocket), one of them loses its connection and
// catches up, REST reads, writes and is refused once. Every family named in docs/operations.md
// must then be served, and every tandem_ family the Grafana dashboard plots must be documented.
// Run with `node --experimental-websocket` on Node 20 (`npm run test:server`).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { TandemClient, TextOperation } from '../src/index.js';
import { startServer } from './server.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const OPERATIONS = join(repo, 'docs', 'operations.md');
const DASHBOARD = join(repo, 'docs', 'grafana-dashboard.json');

/**
 * Families that exist only once the JVM has done something: a histogram of collector pauses gets
 * its first sample at the first collection, which a short run may not reach.
 */
const AFTER_FIRST_GC = new Set(['jvm_gc_pause_seconds']);

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.destroy();
});

/** The family names of the metrics section of docs/operations.md: its tables' first column. */
function documentedFamilies() {
  const text = readFileSync(OPERATIONS, 'utf8');
  const start = text.indexOf('\n## Metrics');
  assert.ok(start >= 0, 'docs/operations.md has a "## Metrics" section');
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  const names = [...section.matchAll(/^\| `([a-z_:][a-z0-9_:]*)`/gm)].map((m) => m[1]);
  assert.ok(names.length >= 20, `${names.length} families documented`);
  return names;
}

async function scrape() {
  const response = await fetch(`${server.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  return parsePrometheusTextFormat(await response.text());
}

function family(families, name) {
  const found = families.find((f) => f.name === name);
  assert.ok(found, `${name} is served`);
  return found;
}

/** The sum of a family's samples (for a histogram, of its counts). */
function total(families, name) {
  return family(families, name).metrics.reduce(
    (sum, m) => sum + Number(m.value ?? m.count ?? 0),
    0,
  );
}

function editor(clientId) {
  return new TandemClient(`ws://localhost:${server.port}/ws`, {
    clientId,
    initialBackoffMs: 50,
    maxBackoffMs: 200,
  });
}

const append = (text) => (before) =>
  TextOperation.builder().retain([...before].length).insert(text).build();

test('every documented family is served under load, parsed as Prometheus text', async () => {
  const doc = `metrics-${process.pid}`;
  const clients = ['ada', 'bob', 'cy'].map((name) => editor(`${name}-${process.pid}`));
  try {
    const docs = await Promise.all(clients.map((client) => client.open(doc)));
    for (let round = 0; round < 5; round++) {
      docs.forEach((d, i) => d.edit(append(`${i}`)));
    }
    await Promise.all(docs.map((d) => d.whenSynchronized()));

    // one editor loses its socket, edits meanwhile, reconnects and catches up
    clients[2].dropConnection();
    docs[0].edit(append('!'));
    await docs[0].whenSynchronized();
    docs[2].edit(append('?'));
    await docs[2].whenSynchronized();

    // REST: create, read, write, a page of history, and one refusal (not_found)
    const restDoc = `${doc}-rest`;
    const put = await fetch(`${server.url}/api/docs/${restDoc}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'abc' }),
    });
    assert.equal(put.status, 201);
    const post = await fetch(`${server.url}/api/docs/${restDoc}/ops`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ rev: 0, op: [3, 'd'] }),
    });
    assert.equal(post.status, 200, await post.text());
    assert.equal((await (await fetch(`${server.url}/api/docs/${restDoc}`)).json()).text, 'abcd');
    assert.equal((await fetch(`${server.url}/api/docs/${restDoc}/ops?from=1`)).status, 200);
    assert.equal((await fetch(`${server.url}/api/docs/${doc}-none`)).status, 404);
  } finally {
    clients.forEach((client) => client.close());
  }

  const families = await scrape();
  const served = new Set(families.map((f) => f.name));
  const missing = documentedFamilies().filter(
    (name) => !served.has(name) && !AFTER_FIRST_GC.has(name),
  );
  assert.deepEqual(missing, [], `documented but not served; served: ${[...served].join(' ')}`);

  // the load shows in them. Each editor has one op in flight and composes what it types
  // meanwhile, so the 15 keystrokes go out as at least one submit per editor (3), plus the two
  // after the drop and the REST one: at least 6 acks. The three first submits share base 0, so
  // at least one is transformed.
  assert.ok(total(families, 'tandem_ack_latency_seconds') >= 6);
  assert.ok(total(families, 'tandem_submit_transforms') >= 6);
  assert.ok(Number(family(families, 'tandem_submit_transforms').metrics[0].sum) >= 1);
  assert.ok(total(families, 'tandem_commit_latency_seconds') >= 1);
  assert.ok(total(families, 'tandem_group_commit_ops') >= 1);
  assert.ok(total(families, 'tandem_catchup_ops') >= 1, 'the reconnect caught up');
  assert.ok(total(families, 'tandem_broadcast_fanout') >= 1);
  assert.ok(total(families, 'tandem_ops_committed_total') >= 6);
  const notFound = family(families, 'tandem_errors_total').metrics.find((m) => m.labels.code === 'not_found');
  assert.ok(Number(notFound.value) >= 1, 'the 404 is counted as not_found');
  assert.ok(total(families, 'tandem_websocket_closes_total') >= 1, 'the dropped socket');
  assert.ok(total(families, 'hikaricp_connections_max') >= 1, 'the pool is measured');
});

test('every tandem_ family the Grafana dashboard plots is documented', () => {
  const documented = new Set(documentedFamilies());
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
  const expressions = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => target.expr),
  );
  assert.ok(expressions.length >= 10, `${expressions.length} queries`);
  const used = new Set(
    expressions.flatMap((expr) =>
      [...expr.matchAll(/\b((?:tandem|jvm|process|hikaricp|system)_[a-z0-9_]+)/g)].map((m) =>
        m[1].replace(/_(bucket|count|sum)$/, ''),
      ),
    ),
  );
  const undocumented = [...used].filter((name) => !documented.has(name));
  assert.deepEqual(undocumented, [], 'plotted but not in docs/operations.md');
});
