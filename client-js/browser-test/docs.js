// The doc check: every fenced code block of README.md, docs/**/*.md and client-js/README.md is
// run or checked (see doc-blocks.js for the markers), so the docs cannot drift from the code:
// shell blocks run against a real server (doc-shell.js) and print what their comments say, JSON
// parses, Java compiles against client-java, a server line is what the server prints. The
// README's page example is driven in Chromium by docs-browser.js. mvn verify runs this file in
// the integration-test phase, after the sequencer's jar and distribution are built.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KINDS, ROOT, allBlocks, where } from './doc-blocks.js';
import { runBlock, serverTemplate } from './doc-shell.js';

const blocks = allBlocks();
const of = (kind) => blocks.filter((block) => block.kind === kind);
const temp = mkdtempSync(join(tmpdir(), 'tandem-doc-java-'));
after(() => rmSync(temp, { recursive: true, force: true }));

test('every code block is marked with how the doc check checks it; a skip says why', () => {
  const unmarked = blocks.filter((block) => !KINDS.includes(block.kind)).map(where);
  assert.deepEqual(unmarked, [], 'blocks without a <!-- doc-check: KIND --> marker before them');
  const silent = of('skip')
    .filter((block) => block.reason.length < 10)
    .map(where);
  assert.deepEqual(silent, [], 'skips without a reason');
  assert.ok(of('run').length >= 5, 'the shell blocks were found');
});

test('JSON blocks parse (one value, or JSON lines with … for lines left out)', () => {
  for (const block of of('json')) {
    try {
      JSON.parse(block.code);
    } catch {
      for (const line of block.code.split('\n').filter((l) => l.trim() !== '…')) {
        assert.doesNotThrow(() => JSON.parse(line), `${where(block)}: ${line}`);
      }
    }
  }
});

test('Java blocks compile against client-java, ot-core and the sequencer', () => {
  const classes = ['client-java', 'ot-core', 'sequencer'].map((module) =>
    join(ROOT, module, 'target', 'classes'),
  );
  for (const dir of classes) {
    assert.ok(existsSync(dir), `${dir} is missing: build it first (mvn -B package)`);
  }
  for (const [i, block] of of('java').entries()) {
    const dir = join(temp, `sample${i}`);
    mkdirSync(dir);
    // a whole class as it is; statements inside a method of a class with the usual imports
    const source = /^(package|import|public|final|class)\b/m.test(block.code)
      ? block.code
      : `${IMPORTS}\nclass Sample {\n  void run() throws Exception {\n${block.code}\n  }\n}\n`;
    const file = join(dir, `${/class (\w+)/.exec(source)[1]}.java`);
    writeFileSync(file, source);
    try {
      const classPath = [...classes, join(ROOT, 'sequencer', 'target', 'lib', '*')].join(':');
      execFileSync('javac', ['-d', dir, '-cp', classPath, file], { stdio: 'pipe' });
    } catch (error) {
      assert.fail(`${where(block)} does not compile:\n${error.stderr}`);
    }
  }
});

const IMPORTS = `
import dev.tandem.client.*;
import dev.tandem.ot.*;
import java.net.URI;
import java.util.*;
import java.util.concurrent.*;
`;

// `run continues`: after the block before it in the same file, as a reader goes on; a block
// that repeats another (the README's REST example in running.md) runs once
const runs = new Map();
for (const [i, block] of of('run').entries()) {
  const previous = of('run')[i - 1];
  const code =
    block.reason === 'continues' && previous?.file === block.file
      ? `${previous.code}\n${block.code}`
      : block.code;
  runs.set(code, [...(runs.get(code) ?? []), block]);
}
let template;
/** One server with --auth none for the blocks that only talk to one (each on documents of its own). */
let shared;
before(async () => {
  template = await serverTemplate(temp);
  shared = await runBlock('curl localhost:8080/livez', { template });
});
after(() => shared?.stop());

/** Runs `code` against the shared server, unless it starts its own. */
const runOnShared = (code) => runBlock(code, { template, serverPort: shared.port });

for (const [code, [block, ...same]] of runs) {
  const also = same.length > 0 ? ` (and ${same.map(where).join(', ')})` : '';
  test(`${where(block)}${also} runs as written`, async () => {
    const run = await runOnShared(code);
    try {
      for (const { command, output, status, expected } of run.results) {
        assert.equal(status, 0, `${where(block)}: \`${command}\` failed:\n${output}\n${run.stderr}`);
        if (expected !== undefined) {
          let actual;
          try {
            actual = JSON.parse(output);
          } catch {
            assert.fail(`${where(block)}: \`${command}\` printed no JSON: ${output}`);
          }
          assert.deepEqual(actual, expected, `${where(block)}: \`${command}\``);
        }
      }
    } finally {
      await run.stop();
    }
  });
}

for (const block of of('output')) {
  test(`${where(block)} is what the server prints`, async () => {
    const printed = shared.serverOutput().split('\n');
    for (const line of block.code.split('\n')) {
      const expected = line.replaceAll(':8080', `:${shared.port}`);
      assert.ok(printed.includes(expected), `${where(block)}: no "${expected}" in:\n${printed}`);
    }
  });
}

test('JavaScript blocks parse, and what they import from client-js or CodeMirror exists', async () => {
  const sources = {
    '@tandem/client': 'client-js/src/index.js',
    '@tandem/client/textarea': 'client-js/src/textarea.js',
    '@tandem/client/codemirror': 'client-js/src/codemirror.js',
  };
  for (const [i, block] of of('js').entries()) {
    const file = join(temp, `sample${i}.mjs`);
    writeFileSync(file, block.code);
    try {
      execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' });
    } catch (error) {
      assert.fail(`${where(block)} does not parse:\n${error.stderr}`);
    }
    for (const [, names, from] of block.code.matchAll(/import\s*\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
      const path = from.startsWith('./') ? join(ROOT, from) : sources[from] && join(ROOT, sources[from]);
      const module = await import(path ? pathToFileURL(path).href : from);
      for (const name of names.split(',').map((n) => n.trim().split(/\s+as\s+/)[0])) {
        assert.ok(name in module, `${where(block)}: ${from} exports no ${name}`);
      }
    }
  }
});

test('a block tested elsewhere names a test that reads its file', () => {
  for (const block of of('tested-by')) {
    const test = join(ROOT, block.reason);
    assert.ok(existsSync(test), `${where(block)}: no ${block.reason}`);
    const name = block.file.split('/').at(-1);
    assert.ok(readFileSync(test, 'utf8').includes(name), `${block.reason} does not read ${name}`);
  }
});

for (const block of of('ws')) {
  test(`${where(block)} is a session the server accepts, answering as shown`, async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${shared.port}/ws`);
    try {
      socket.binaryType = 'arraybuffer'; // `ops` comes in binary frames
      const received = [];
      let arrived = () => {};
      socket.onmessage = ({ data }) => {
        received.push(typeof data === 'string' ? data : new TextDecoder().decode(data));
        arrived();
      };
      await new Promise((resolve, reject) => {
        socket.onopen = resolve;
        socket.onerror = reject;
      });
      for (const line of block.code.split('\n')) {
        const [direction, json] = [line.slice(0, 1), line.slice(2)];
        if (direction === '>') {
          socket.send(json);
          continue;
        }
        assert.equal(direction, '<', `${where(block)}: a line starts with > or <: ${line}`);
        if (received.length === 0) {
          await Promise.race([
            new Promise((resolve) => (arrived = resolve)),
            new Promise((resolve) => setTimeout(resolve, 30_000)),
          ]);
        }
        assert.ok(received.length > 0, `${where(block)}: nothing received for ${json}`);
        assert.deepEqual(JSON.parse(received.shift()), JSON.parse(json), `${where(block)}`);
      }
    } finally {
      socket.close();
    }
  });
}

for (const block of of('metrics')) {
  test(`${where(block)}: every series it names is in a real server's /metrics`, async () => {
    const run = await runOnShared('curl localhost:8080/metrics');
    try {
      const [{ status, output }] = run.results;
      assert.equal(status, 0, output);
      const series = new Set(output.split('\n').map((line) => /^[\w:]+/.exec(line)?.[0]));
      for (const [name] of block.code.matchAll(/\btandem_\w+/g)) {
        assert.ok(series.has(name), `${where(block)}: no ${name} in /metrics`);
      }
    } finally {
      await run.stop();
    }
  });
}
