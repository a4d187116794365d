// The demo page has no build step: its import map sends bare specifiers to files under
// demo/vendor, a link to target/vendor, where Maven unpacks the WebJars of CodeMirror's runtime
// packages. Every module the page loads,
// followed from demo.js, must resolve to a file, through the map for a bare specifier; a
// CodeMirror upgrade that moves or adds a module fails here rather than only in the browser.
// vendor holds nothing else: the server serves all it holds, and dev tools have no place there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

const DEMO = new URL('../demo/', import.meta.url);
// static imports and exports, bare `import 'x'`, and dynamic `import('x')` (the demo loads
// CodeMirror that way, to fall back to a textarea without it)
const IMPORT =
  /(?:^|[;\s])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\s*\(?\s*['"]([^'"]+)['"]/g;

/** The `imports` of the page's import map. */
function importMap() {
  const html = readFileSync(new URL('index.html', DEMO), 'utf8');
  const mapJson = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(mapJson, 'index.html has an import map');
  return JSON.parse(mapJson[1]).imports;
}

test("every module of the demo page resolves, bare specifiers through the page's import map", () => {
  const imports = importMap();
  const seen = new Set();
  const pending = [new URL('demo.js', DEMO)];
  const unmapped = [];
  while (pending.length > 0) {
    const url = pending.pop();
    if (seen.has(url.href)) {
      continue;
    }
    seen.add(url.href);
    assert.ok(existsSync(url), `${url.pathname} exists (did mvn generate-resources unpack the WebJars?)`);
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

test('demo/vendor holds only the packages the import map points into', () => {
  const mapped = Object.values(importMap()).map(
    (path) => /^\.\/vendor\/((?:@[^/]+\/)?[^/]+)\//.exec(path)[1],
  );
  const vendor = new URL('vendor/', DEMO);
  const linked = readdirSync(vendor).flatMap((name) =>
    name.startsWith('@')
      ? readdirSync(new URL(`${name}/`, vendor)).map((inScope) => `${name}/${inScope}`)
      : [name],
  );
  assert.deepEqual(linked.sort(), [...new Set(mapped)].sort());
});
