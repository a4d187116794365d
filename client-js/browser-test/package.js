// @tandem/client as a user gets it: `npm pack` (which builds the TypeScript declarations), the
// tarball installed with the CodeMirror peer packages into a fresh app, the file list checked,
// the three entry points resolved by name in Node, and the app of package-app/ (a textarea and a
// CodeMirror editor on one document, written as the package README shows) bundled by esbuild,
// served by the real server and driven in Chromium until the server has what was typed. And the
// demo page as a checkout that was never built serves it (no CodeMirror packages in its vendor
// folder): it falls back to a textarea that edits the document. And an app that bundles two copies of
// @codemirror/state gets an error that names it, not an editor that silently stops syncing; and
// the package README's import map runs the installed package in the browser with no build step.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchChromium } from './browser.js';
import { startServer } from './server.js';

const CLIENT_JS = fileURLToPath(new URL('..', import.meta.url));
const APP_SOURCES = fileURLToPath(new URL('package-app/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(CLIENT_JS, 'package.json'), 'utf8'));

let root;
let app;
let packed;
let server;
let browser;

/** Runs a command; resolves with its stdout, rejects with its output. */
function run(command, args, cwd) {
  return new Promise((resolve, reject) =>
    execFile(command, args, { cwd, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`${command} ${args.join(' ')}: ${stderr}${stdout}`))
        : resolve(stdout),
    ),
  );
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'tandem-package-test-'));
  [packed] = JSON.parse(
    await run('npm', ['pack', '--json', '--pack-destination', root], CLIENT_JS),
  );
  app = join(root, 'app');
  mkdirSync(join(app, 'public'), { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'package-app', private: true, type: 'module' }),
  );
  const peers = ['@codemirror/state', '@codemirror/view'].map(
    (name) => `${name}@${manifest.devDependencies[name]}`,
  );
  await run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(root, packed.filename),
      ...peers,
    ],
    app,
  );
  server = await startServer({ staticDir: join(app, 'public') });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
  if (root !== undefined) {
    rmSync(root, { recursive: true, force: true });
  }
});

test('npm pack ships the sources, the declarations, the README and package.json only', () => {
  const files = packed.files.map((file) => file.path).sort();
  const unexpected = files.filter(
    (path) => !/^(package\.json|README\.md|src\/[\w-]+\.js|types\/[\w-]+\.d\.ts)$/.test(path),
  );
  assert.deepEqual(unexpected, []);
  for (const entry of ['index', 'codemirror', 'textarea']) {
    assert.ok(files.includes(`src/${entry}.js`), `src/${entry}.js in ${files}`);
    assert.ok(files.includes(`types/${entry}.d.ts`), `types/${entry}.d.ts in ${files}`);
  }
});

test('Node resolves the three entry points by name, and nothing else of the package', async () => {
  const script = `
    const names = async (id) => Object.keys(await import(id)).sort().join(',');
    console.log(JSON.stringify({
      core: await names('@tandem/client'),
      textarea: await names('@tandem/client/textarea'),
      codemirror: await names('@tandem/client/codemirror'),
      inside: await import('@tandem/client/src/ot.js').then(() => 'imported', (e) => e.code),
    }));`;
  const found = JSON.parse(await run(process.execPath, ['--input-type=module', '-e', script], app));
  assert.match(found.core, /(^|,)TandemClient(,|$)/);
  assert.match(found.core, /(^|,)TextOperation(,|$)/);
  assert.match(found.textarea, /(^|,)bindTextarea(,|$)/);
  assert.match(found.codemirror, /(^|,)bindCodeMirror(,|$)/);
  assert.equal(found.inside, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
});

test('an app bundled by esbuild from the tarball edits a document in Chromium', async () => {
  cpSync(join(APP_SOURCES, 'main.js'), join(app, 'main.js'));
  cpSync(join(APP_SOURCES, 'index.html'), join(app, 'public', 'index.html'));
  const result = await build({
    absWorkingDir: app,
    entryPoints: ['main.js'],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    outfile: join(app, 'public', 'main.bundle.js'),
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(
    inputs.some((path) => path.startsWith('node_modules/@tandem/client/src/')),
    inputs,
  );
  const states = inputs.filter((path) => /@codemirror\/state\/dist\/index\.js$/.test(path));
  assert.equal(states.length, 1, `one copy of @codemirror/state: ${states}`);

  const docId = `package-${process.pid}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto(`${server.url}/#${docId}`);
  await page.waitForFunction(() => window.app?.client.status === 'synced', null, {
    timeout: 30_000,
  });
  await page.click('textarea');
  await page.keyboard.type('from the textarea 🎉 ');
  await page.click('#editor .cm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.type('and from CodeMirror');
  const expected = 'from the textarea 🎉 and from CodeMirror';
  await page.waitForFunction(
    (text) =>
      window.app.view.state.doc.toString() === text && window.app.client.status === 'synced',
    expected,
    { timeout: 20_000 },
  );
  const stored = await (await fetch(`${server.url}/api/docs/${docId}`)).json();
  assert.equal(stored.text, expected);
  assert.equal(await page.inputValue('textarea'), expected);
  assert.equal(await page.textContent('#status'), 'synced');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the demo page without the CodeMirror packages (never built) edits in a textarea', async () => {
  const demo = join(app, 'public', 'no-npm');
  for (const file of ['index.html', 'demo.css', 'demo.js']) {
    cpSync(join(CLIENT_JS, 'demo', file), join(demo, file));
  }
  cpSync(join(CLIENT_JS, 'src'), join(demo, 'lib'), { recursive: true });
  mkdirSync(join(demo, 'vendor')); // what the build would have filled
  const docId = `no-npm-${process.pid}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/no-npm/#${docId}`);
  await page.waitForFunction(() => window.tandem?.doc?.state === 'synced', null, {
    timeout: 30_000,
  });
  assert.equal(await page.evaluate(() => window.tandem.view), null, 'no CodeMirror view');
  await page.click('#editor textarea');
  await page.keyboard.type('typed without CodeMirror');
  await page.waitForFunction(() => window.tandem.doc.state === 'synced');
  const stored = await (await fetch(`${server.url}/api/docs/${docId}`)).json();
  assert.equal(stored.text, 'typed without CodeMirror');
  await context.close();
});

test('an app that bundles a second copy of @codemirror/state fails loudly at bind time', async () => {
  // as when the app's own @codemirror/state does not satisfy the package's range and npm nests
  // another copy under @tandem/client: two EditorState classes in one bundle
  const twoCopies = join(root, 'two-copies');
  cpSync(app, twoCopies, { recursive: true, verbatimSymlinks: true });
  cpSync(join(APP_SOURCES, 'main.js'), join(twoCopies, 'main.js'));
  cpSync(
    join(twoCopies, 'node_modules', '@codemirror', 'state'),
    join(twoCopies, 'node_modules', '@tandem', 'client', 'node_modules', '@codemirror', 'state'),
    { recursive: true },
  );
  const served = join(app, 'public', 'two-copies');
  mkdirSync(served, { recursive: true });
  cpSync(join(APP_SOURCES, 'index.html'), join(served, 'index.html'));
  const result = await build({
    absWorkingDir: twoCopies,
    entryPoints: ['main.js'],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    outfile: join(served, 'main.bundle.js'),
    metafile: true,
    logLevel: 'silent',
  });
  const states = Object.keys(result.metafile.inputs).filter((path) =>
    /@codemirror\/state\/dist\/index\.js$/.test(path),
  );
  assert.equal(states.length, 2, `two copies bundled: ${states}`);

  const context = await browser.newContext();
  const page = await context.newPage();
  const failed = page.waitForEvent('pageerror', { timeout: 30_000 });
  await page.goto(`${server.url}/two-copies/#two-copies-${process.pid}`);
  assert.match(
    (await failed).message,
    /another copy of @codemirror\/state .*npm ls @codemirror\/state/s,
  );
  await context.close();
});

test("the package README's import map runs the installed package without a build step", async () => {
  const readme = readFileSync(join(CLIENT_JS, 'README.md'), 'utf8');
  const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(readme);
  assert.ok(map, 'the package README shows an import map');
  JSON.parse(map[1]); // well-formed
  const page404s = [];
  const served = join(app, 'public', 'no-build');
  mkdirSync(served, { recursive: true });
  symlinkSync(join(app, 'node_modules'), join(served, 'node_modules'));
  writeFileSync(
    join(served, 'index.html'),
    `<!doctype html>
<html lang="en">
<head><meta charset="utf-8" /><title>no build</title><link rel="icon" href="data:," />
<script type="importmap">${map[1]}</script></head>
<body>
<textarea></textarea><div id="editor"></div>
<script type="module">
  import { EditorView } from '@codemirror/view';
  import { TandemClient } from '@tandem/client';
  import { bindTextarea } from '@tandem/client/textarea';
  import { bindCodeMirror } from '@tandem/client/codemirror';
  const doc = await new TandemClient('ws://' + location.host + '/ws').open(location.hash.slice(1));
  bindTextarea(document.querySelector('textarea'), doc);
  const view = new EditorView({ parent: document.getElementById('editor') });
  bindCodeMirror(view, doc);
  window.app = { doc, view };
</script>
</body>
</html>
`,
  );
  const docId = `no-build-${process.pid}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('response', (response) => response.status() >= 400 && page404s.push(response.url()));
  await page.goto(`${server.url}/no-build/#${docId}`);
  await page.waitForFunction(() => window.app?.doc.state === 'synced', null, { timeout: 30_000 });
  await page.click('textarea');
  await page.keyboard.type('no bundler');
  await page.waitForFunction(
    () =>
      window.app.view.state.doc.toString() === 'no bundler' && window.app.doc.state === 'synced',
  );
  const stored = await (await fetch(`${server.url}/api/docs/${docId}`)).json();
  assert.equal(stored.text, 'no bundler');
  assert.deepEqual(page404s, []);
  await context.close();
});
