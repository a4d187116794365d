// The fenced code blocks of the repository's Markdown (README.md, docs/**/*.md and
// client-js/README.md), each with the doc-check marker that must come right before it:
//
//   <!-- doc-check: run -->            shell commands, run against a real server (docs.js);
//   <!-- doc-check: run continues -->  the same, after the file's run block before it
//   <!-- doc-check: browser -->        the README's page example, run and driven in Chromium
//   <!-- doc-check: java -->           Java compiled against client-java, ot-core and the sequencer
//   <!-- doc-check: js -->             a JavaScript module: its syntax, and that what it imports
//                                      from client-js (or CodeMirror) is exported there
//   <!-- doc-check: tested-by PATH --> run or read by the test PATH, which names the doc file
//   <!-- doc-check: json -->           parsed as JSON (one value, or one per line: JSON lines)
//   <!-- doc-check: ws -->             a WebSocket session: `> {…}` sent, `< {…}` the next message
//                                      received, as JSON, from a real server with --auth none
//   <!-- doc-check: output -->         a line the server prints, matched against its real output
//   <!-- doc-check: metrics -->        PromQL: every tandem_… series it names is in /metrics
//   <!-- doc-check: skip REASON -->    not checked, and why (a reason is required)
//
// A block without a marker fails the doc check, so nothing is silently unchecked.

import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const KINDS = [
  'run',
  'browser',
  'java',
  'js',
  'json',
  'ws',
  'output',
  'metrics',
  'tested-by',
  'skip',
];

/** Every Markdown file the doc check reads, relative to the repository root. */
export function markdownFiles() {
  const docs = (dir) =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? docs(join(dir, entry.name))
        : entry.name.endsWith('.md')
          ? [join(dir, entry.name)]
          : [],
    );
  return ['README.md', 'client-js/README.md', ...docs('docs')];
}

/**
 * The fenced blocks of `file`: `{file, line, lang, kind, reason, code}`; `kind` is null when no
 * marker precedes the block. An indented fence (in a list item) is dedented by its indent.
 * @param {string} file relative to the repository root
 */
export function blocksOf(file) {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})\s*([\w-]*)\s*$/.exec(lines[i]);
    if (!open) {
      continue;
    }
    const [, indent, fence, lang] = open;
    const body = [];
    let j = i + 1;
    while (j < lines.length && lines[j].trim() !== fence) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
      j++;
    }
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') {
      k--;
    }
    const marker = /^\s*<!--\s*doc-check:\s*(\S+)\s*(.*?)\s*-->\s*$/.exec(lines[k] ?? '');
    blocks.push({
      file,
      line: i + 1,
      lang,
      kind: marker ? marker[1] : null,
      reason: marker ? marker[2] : '',
      code: body.join('\n'),
    });
    i = j;
  }
  return blocks;
}

/** Every block of every file. */
export function allBlocks() {
  return markdownFiles().flatMap(blocksOf);
}

/** `file:line` of a block, for messages. */
export const where = (block) => `${relative(ROOT, join(ROOT, block.file))}:${block.line}`;
