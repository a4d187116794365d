// The demo page has no build step: its import map sends bare specifiers to files under
// demo/vendor (a link to node_modules). Every module the page loads, followed from demo.js, must
// resolve to a file, through the map for a bare specifier; a CodeMirror upgrade that moves or
// adds a module fails here rather than only in the browser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

const DEMO = new URL('../demo/', import.meta.url);
const IMPORT =
  /(?:^|[;\s])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\s*['"]([^'"]+)['"]/g;

test("every module of the demo page resolves, bare specifiers through the page's import map", () => {
  const html = readFileSync(new URL('index.html', DEMO), 'utf8');
  const mapJson = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(mapJson, 'index.html has an import map');
  const imports = JSON.parse(mapJson[1]).imports;
  const seen = new Set();
  const pending = [new URL('demo.js', DEMO)];
  const unmapped = [];
  while (pending.length > 0) {
    const url = pending.pop();
    if (seen.has(url.href)) {
      continue;
    }
    seen.add(url.href);
    assert.ok(existsSync(url), `${url.pathname} exists (did npm ci run?)`);
    for (const match of readFileSync(url, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2];
      if (/^\.{0,2}\//.test(specifier)) {
        pending.push(new URL(specifier, url));
      } else if (specifier in imports) {
        pending.push(new URL(imports[specifier], DEMO));
      } else {
        unmapped.push(`${specifier} (imported by ${url.pathname})`);
      }
    }
  }
  assert.deepEqual(unmapped, [], 'bare specifiers missing from the import map');
  const used = [...seen].filter((href) => href.includes('/vendor/')).length;
  assert.equal(used, Object.keys(imports).length, 'every mapped module is used');
});
