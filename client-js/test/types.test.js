// The TypeScript declarations: generated from the JSDoc of src/ (npm run build:types, which npm
// pack runs), then test/types/usage.ts, a typed app importing the package's three entry points by
// name, must pass `tsc --noEmit --strict`, and its @ts-expect-error lines must stay errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

/** Runs tsc with `args` in client-js; resolves with its exit code and output. */
function tsc(args) {
  return new Promise((resolve) =>
    execFile(process.execPath, [TSC, ...args], { cwd: ROOT }, (error, stdout, stderr) =>
      resolve({ code: error?.code ?? 0, output: stdout + stderr }),
    ),
  );
}

test('the declarations build from the JSDoc, and a typed app checks against them', async () => {
  const built = await tsc(['-p', 'tsconfig.types.json']);
  assert.equal(built.code, 0, built.output);
  for (const entry of ['index', 'codemirror', 'textarea']) {
    assert.ok(existsSync(`${ROOT}/types/${entry}.d.ts`), `types/${entry}.d.ts`);
  }
  const checked = await tsc(['-p', 'test/types/tsconfig.json']);
  assert.equal(checked.code, 0, checked.output);
});
