#!/usr/bin/env node
// The markdown table of bench/compare.sh: per workload, old and new side by side, medians over the
// runs that completed (every run's figure in brackets for acked ops/s and server CPU per op).
//   node bench/compare-table.js SETUP_TXT RESULTS_JSONL
'use strict';
const fs = require('fs');

const [setupFile, resultsFile] = process.argv.slice(2);
const lines = fs.readFileSync(resultsFile, 'utf8').split('\n').filter((l) => l.trim());
const runs = lines.map((l) => JSON.parse(l));

const median = (values) => {
  const v = values.filter((x) => x != null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const fmt = (x, digits = 0) =>
  x == null ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const perOp = (cores, opsPerSecond) =>
  cores == null || !(opsPerSecond > 0) ? null : (cores * 1e6) / opsPerSecond;

function figures(run) {
  const r = run.result;
  const w = r.window;
  const u = w.usage;
  return {
    ops: w.opsPerSecond,
    ackP50: w.ackLatency.p50,
    ackP95: w.ackLatency.p95,
    bcastP95: r.broadcastLatency.count > 0 ? r.broadcastLatency.p95 : null,
    serverCores: u.serverCores,
    serverUs: perOp(u.serverCores, w.opsPerSecond),
    pgUs: perOp(u.postgresCores, w.opsPerSecond),
    genUs: perOp(u.generatorCores, w.opsPerSecond),
    opsPerCommit: u.opsPerCommit,
    warmup: r.warmupSeconds,
    jitCores: u.compilerCores,
    load: parseFloat(r.machine.loadBefore),
    converged: r.convergence.converged,
  };
}

// recovery runs have restarts instead of a window: their own table below.
const recoveries = runs.filter((run) => run.workload === 'recovery');
const editing = runs.filter((run) => run.workload !== 'recovery');

const label = (run) =>
  run.workload === 'many-docs' ? `many-docs ${run.size} × 2` : `${run.workload} ${run.size}`;
const order = [];
const groups = new Map();
for (const run of editing) {
  const key = label(run);
  if (!groups.has(key)) {
    groups.set(key, { old: [], new: [] });
    order.push(key);
  }
  groups.get(key)[run.side].push(run);
}

const out = [];
out.push(fs.readFileSync(setupFile, 'utf8').trim().split('\n').map((l) => `- ${l}`).join('\n'));
if (editing.length > 0) {
out.push('');
out.push(
  '| workload | side | runs ok | acked ops/s | ack p50 ms | ack p95 ms | broadcast p95 ms | server cores | server µs/op | PostgreSQL µs/op | generator µs/op | ops/commit | warm-up s | JIT cores | load avg before |'
);
out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
const ratios = [];
for (const key of order) {
  const medians = {};
  for (const side of ['old', 'new']) {
    const all = groups.get(key)[side];
    const ok = all.filter((run) => run.exit === 0 && run.result);
    const f = ok.map(figures);
    const m = {};
    for (const field of ['ops', 'ackP50', 'ackP95', 'bcastP95', 'serverCores', 'serverUs', 'pgUs', 'genUs', 'opsPerCommit', 'warmup', 'jitCores']) {
      m[field] = median(f.map((x) => x[field]));
    }
    medians[side] = m;
    const loads = f.map((x) => x.load).filter(Number.isFinite);
    const diverged = f.filter((x) => !x.converged).length;
    out.push(
      `| ${key} | ${side} | ${ok.length}/${all.length}${diverged ? ` (${diverged} diverged)` : ''} | ` +
        `${fmt(m.ops)} (${f.map((x) => fmt(x.ops)).join(', ')}) | ${fmt(m.ackP50, 2)} | ${fmt(m.ackP95, 2)} | ` +
        `${fmt(m.bcastP95, 1)} | ${fmt(m.serverCores, 2)} | ${fmt(m.serverUs)} (${f.map((x) => fmt(x.serverUs)).join(', ')}) | ` +
        `${fmt(m.pgUs)} | ${fmt(m.genUs)} | ${fmt(m.opsPerCommit, 1)} | ` +
        `${fmt(m.warmup)} | ${fmt(m.jitCores, 2)} | ` +
        `${loads.length ? `${fmt(Math.min(...loads), 1)}–${fmt(Math.max(...loads), 1)}` : '–'} |`
    );
  }
  const ratio = (field) =>
    medians.old[field] && medians.new[field] != null ? fmt(medians.new[field] / medians.old[field], 2) : '–';
  ratios.push(
    `| ${key} | ${ratio('ops')} | ${ratio('ackP50')} | ${ratio('ackP95')} | ${ratio('bcastP95')} | ${ratio('serverUs')} | ${ratio('pgUs')} |`
  );
}
out.push('');
out.push('new / old (medians):');
out.push('');
out.push('| workload | acked ops/s | ack p50 | ack p95 | broadcast p95 | server µs/op | PostgreSQL µs/op |');
out.push('|---|---|---|---|---|---|---|');
out.push(...ratios);
}
if (recoveries.length > 0) {
  out.push('');
  out.push('recovery, medians over every start of every run, seconds from the process start:');
  out.push('');
  out.push('| document | side | runs ok | after | starts | listening | WebSocket opened | REST text | same text | load avg before |');
  out.push('|---|---|---|---|---|---|---|---|---|---|');
  const sizes = [...new Set(recoveries.map((run) => run.size))];
  for (const size of sizes) {
    for (const side of ['old', 'new']) {
      const all = recoveries.filter((run) => run.size === size && run.side === side);
      const ok = all.filter((run) => run.exit === 0 && run.result);
      const loads = ok.map((run) => parseFloat(run.result.machine.loadBefore)).filter(Number.isFinite);
      for (const after of ['after SIGTERM', 'after SIGKILL']) {
        const starts = ok.flatMap((run) => run.result.restarts.filter((r) => r.after === after));
        out.push(
          `| ${fmt(size)} ops | ${side} | ${ok.length}/${all.length} | ${after} | ${starts.length} | ` +
            `${fmt(median(starts.map((r) => r.secondsToListening)), 2)} | ` +
            `${fmt(median(starts.map((r) => r.secondsToWebSocketOpened)), 2)} ` +
            `(${starts.map((r) => fmt(r.secondsToWebSocketOpened, 2)).join(', ')}) | ` +
            `${fmt(median(starts.map((r) => r.secondsToRestText)), 2)} | ` +
            `${starts.every((r) => r.same) ? 'yes' : 'NO'} | ` +
            `${loads.length ? `${fmt(Math.min(...loads), 1)}–${fmt(Math.max(...loads), 1)}` : '–'} |`
        );
      }
    }
  }
}
console.log(out.join('\n'));
