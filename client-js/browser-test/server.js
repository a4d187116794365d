// Starts the real Tandem server (the sequencer's jar, built by `mvn package` before client-js's
// tests run) on a free port with a fresh data directory, serving the demo page.

import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const clientJs = fileURLToPath(new URL('..', import.meta.url));
export const JAR = join(
  clientJs,
  '..',
  'sequencer',
  'target',
  'tandem-sequencer-0.1.0-SNAPSHOT.jar',
);

/**
 * Starts a server; `port` 0 picks a free one; `staticDir` is served at / (default the demo
 * page); `args` are more flags (`--auth-secret-file=…`). Resolves once it listens.
 * @param {{port?: number, dataDir?: string, staticDir?: string, args?: string[]}} [options]
 */
export async function startServer({
  port = 0,
  dataDir,
  staticDir = join(clientJs, 'demo'),
  args = [],
} = {}) {
  if (!existsSync(JAR)) {
    throw new Error(`${JAR} is missing: build it first (mvn -B -pl sequencer -am package)`);
  }
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'tandem-browser-test-'));
  chmodSync(dir, 0o755); // run as root, the embedded PostgreSQL runs as nobody: it must get in
  const child = spawn(
    'java',
    [
      '-jar',
      JAR,
      `--port=${port}`,
      `--data-dir=${join(dir, 'data')}`,
      `--static-dir=${staticDir}`,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const listening = await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const match = /Tandem listening on http:\/\/[^:]+:(\d+)\//.exec(output);
      if (match) {
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) =>
      reject(new Error(`server exited with ${code}:\n${output.slice(-3000)}`)),
    );
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    port: listening,
    args,
    url: `http://localhost:${listening}`,
    dataDir: dir,
    /** Stops the server gracefully (it closes sockets with 1001) and waits for it to exit. */
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
    /** Kills it at once (SIGKILL), as a crash would, and waits for it to exit. */
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    /** Stops it and removes its data. */
    async destroy() {
      await this.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Mints a token with `tandem token` (the sequencer's TokenCommand) from the secret in
 * `secretFile`, e.g. `mintToken(file, ['--sub', 'ada', '--docs', '*=write', '--ttl', '1h'])`.
 * @param {string} secretFile
 * @param {string[]} args
 * @returns {Promise<string>}
 */
export function mintToken(secretFile, args) {
  const classPath = `${JAR}:${join(dirname(JAR), 'lib', '*')}`;
  return new Promise((resolve, reject) => {
    execFile(
      'java',
      [
        '-cp',
        classPath,
        'dev.tandem.sequencer.cli.TokenCommand',
        '--secret-file',
        secretFile,
        ...args,
      ],
      (error, stdout, stderr) =>
        error ? reject(new Error(`tandem token failed: ${stderr}`)) : resolve(stdout.trim()),
    );
  });
}
