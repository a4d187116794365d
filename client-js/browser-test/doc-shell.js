// Runs a `run` or `browser` block of the docs as a user would type it, in bash, from a fresh
// directory that looks like the repository root (links to sequencer/ and client-js/, and bin/ and
// lib/ of the built distribution for `bin/tandem`), against a real server of its own:
// - `java -jar sequencer/target/tandem-sequencer-….jar …` and `bin/tandem serve …` start the
//   server in the background on a free port and a fresh data directory, and return once it
//   listens; a block that starts none gets one started first, as after the README's run command;
// - `localhost:8080` and `127.0.0.1:8080` become that port, and 5173 (the README's page server)
//   another free port;
// - `curl` fails on an HTTP error, and `curl -N` (a stream) stops after 2 s;
// - a command whose comment is JSON (`curl … # {"rev":1}`) must print exactly that JSON value.
// Every command must succeed. The servers are stopped (SIGTERM, as a user would) and the
// directory removed by `stop()`.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './doc-blocks.js';

const JAR = 'sequencer/target/tandem-sequencer-0.1.0-SNAPSHOT.jar';
const DIST = join(ROOT, 'sequencer', 'target', 'tandem-0.1.0-SNAPSHOT');
const END = '\u001eEND ';

const PRELUDE = `
started() {
  "$@" --port="$DOC_PORT" --data-dir="$DOC_DATA" > "$DOC_LOG" 2>&1 &
  local pid=$!
  echo $pid >> "$DOC_PIDS"
  until grep -q 'Tandem listening on' "$DOC_LOG"; do
    kill -0 $pid 2> /dev/null || { cat "$DOC_LOG" >&2; return 1; }
    sleep 0.1
  done
}
java() {
  if [ "$1" = -jar ] && [ "$2" = ${JAR} ]; then started command java "$@"; else command java "$@"; fi
}
curl() {
  case " $* " in
    *" -N "*) command curl -sS --max-time 2 "$@"; local s=$?; [ $s = 28 ] && s=0; return $s ;;
    *) command curl -sS --fail-with-body "$@" ;;
  esac
}
`;

/**
 * The block's commands: physical lines joined over `\\` continuations and heredocs, comment-only
 * lines dropped, each with its trailing comment parsed as JSON when it is JSON.
 * @param {string} code
 * @returns {{command: string, expected?: unknown}[]}
 */
export function commandsOf(code) {
  const lines = code.split('\n');
  const commands = [];
  for (let i = 0; i < lines.length; i++) {
    let command = lines[i];
    while (command.endsWith('\\') && i + 1 < lines.length) {
      command += `\n${lines[++i]}`;
    }
    const heredoc = /<<-?\s*'?(\w+)'?/.exec(command);
    if (heredoc) {
      while (i + 1 < lines.length && lines[i + 1] !== heredoc[1]) {
        command += `\n${lines[++i]}`;
      }
      command += `\n${lines[++i]}`;
    }
    if (command.trim() === '' || command.trim().startsWith('#')) {
      continue;
    }
    const comment = trailingComment(command.split('\n').at(-1));
    const entry = { command };
    if (comment !== null && /^[[{]/.test(comment)) {
      entry.expected = JSON.parse(comment);
    }
    commands.push(entry);
  }
  return commands;
}

/** The `# …` comment ending a shell line (outside quotes), or null. */
function trailingComment(line) {
  let quote = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      quote = c === quote ? null : quote;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(i + 1).trim();
    }
  }
  return null;
}

/**
 * Runs `code`; resolves with the ports, each command's output and status, the server's output
 * and `stop()`. Rejects only if bash itself cannot run. A server of the block starts on a copy of
 * `template` (a stopped server's data directory), if given; with `serverPort` a block that starts
 * no server of its own talks to the one listening there instead of one started for it.
 * @param {string} code
 * @param {{template?: string, serverPort?: number}} [options]
 */
export async function runBlock(code, { template, serverPort } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'tandem-doc-check-'));
  chmodSync(work, 0o755); // run as root, the embedded PostgreSQL runs as nobody: it must get in
  for (const name of ['sequencer', 'client-js']) {
    symlinkSync(join(ROOT, name), join(work, name));
  }
  for (const name of ['bin', 'lib']) {
    symlinkSync(join(DIST, name), join(work, name));
  }
  const startsServer = commandsOf(code).some(
    ({ command }) => command.startsWith(`java -jar ${JAR}`) || /^bin\/tandem serve\b/.test(command),
  );
  const own = startsServer || serverPort === undefined;
  const needsServer = /(localhost|127\.0\.0\.1):8080/.test(code);
  const [port, pagePort] = [own ? await freePort() : serverPort, await freePort()];
  const env = {
    ...process.env,
    DOC_PORT: String(port),
    DOC_DATA: join(work, 'server-data'),
    DOC_LOG: join(work, 'server.log'),
    DOC_PIDS: join(work, 'server.pids'),
  };
  writeFileSync(env.DOC_PIDS, '');
  if (template && own && (needsServer || startsServer)) {
    execFileSync('cp', ['-a', template, env.DOC_DATA]); // an initialised database: no initdb
  }
  const commands = commandsOf(
    code.replaceAll(/(localhost|127\.0\.0\.1):8080/g, `$1:${port}`).replaceAll('5173', pagePort),
  );
  const script = [
    PRELUDE,
    needsServer && !startsServer && own ? `java -jar ${JAR}` : '',
    ...commands.map(({ command }) => {
      // a server line of the docs may end with & (a user's terminal goes on): started waits
      const line = /^bin\/tandem serve\b/.test(command)
        ? `started ${command.replace(/\s&(\s+#.*)?$/, '$1')}`
        : command;
      return `${line}\nprintf '\\n${END}%d\\n' $?`;
    }),
  ].join('\n');
  const bash = spawn('bash', ['-c', script], { cwd: work, env, detached: true });
  let stdout = '';
  let stderr = '';
  bash.stdout.on('data', (chunk) => (stdout += chunk));
  bash.stderr.on('data', (chunk) => (stderr += chunk));
  await new Promise((resolve, reject) => {
    bash.on('error', reject);
    // the script's own exit, not its background jobs' pipes
    bash.on('exit', resolve);
  });
  await new Promise((resolve) => setTimeout(resolve, 50)); // the last output chunks
  const parts = stdout.split(END);
  const results = commands.map((entry, i) => ({
    ...entry,
    output: (i === 0 ? parts[0] : parts[i].replace(/^\d+\n/, '')).replace(/\n$/, ''),
    status: Number(/^(\d+)/.exec(parts[i + 1] ?? '')?.[1] ?? NaN),
  }));
  return {
    port,
    pagePort,
    results,
    stderr,
    serverOutput: () => readFileSync(env.DOC_LOG, 'utf8'),
    /**
     * Stops every server the block started (gracefully) and whatever else it left running; the
     * data directory moves to `keepData` if given, else goes with the rest.
     * @param {{keepData?: string}} [options]
     */
    async stop({ keepData } = {}) {
      const pids = readFileSync(env.DOC_PIDS, 'utf8').split(/\s+/).filter(Boolean).map(Number);
      for (const pid of pids) {
        signal(pid, 'SIGTERM');
      }
      for (const pid of pids) {
        while (signal(pid, 0)) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      signal(-bash.pid, 'SIGTERM'); // background jobs of the block (a page server)
      if (keepData) {
        execFileSync('mv', [env.DOC_DATA, keepData]);
      }
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Sends a signal; false if there is no such process (any more). */
function signal(pid, name) {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/** A port nobody listens on now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A stopped server's data directory in `dir`, for {@link runBlock}'s `template`: each block's
 * server then starts without creating its database anew (initdb is most of a first start).
 * @param {string} dir
 */
export async function serverTemplate(dir) {
  const run = await runBlock('curl localhost:8080/livez');
  const data = join(dir, 'server-data');
  await run.stop({ keepData: data });
  return data;
}
