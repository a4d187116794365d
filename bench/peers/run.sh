#!/usr/bin/env bash
# Runs the shared peer harness (../shared/bench/peers: loadgen.js, run-tandem.sh, compare.js; read
# only, without node_modules) from a writable copy, with this directory's adapters/tandem.js (the
# protocol client-js speaks) in place of the harness's own. Every argument and run-tandem.sh knob
# (BENCH_WORKLOADS, BENCH_SECONDS, BENCH_WARMUP, TANDEM_JAR, ...) passes through.
#
#   bench/peers/run.sh                                    # Tandem, run-tandem.sh's matrix
#   BENCH_WORKLOADS="hot:1" BENCH_WARMUP=30 bench/peers/run.sh
#
# Knobs of its own (defaults in brackets):
#   PEERS_DIR [<project>/../shared/bench/peers]  the shared harness
#   PEERS_COPY [/tmp/tandem-peers]  where it is copied (node_modules kept between runs: npm ci
#     only when package-lock.json changed)
#   BENCH_WORK [$PEERS_COPY/work], TANDEM_DATA_PREFIX [$PEERS_COPY/data], BENCH_RESULTS
#     [$PEERS_COPY/results]: under the copy rather than run-tandem.sh's shared /tmp defaults
#   PEERS_ADAPTER [here]  here = this directory's adapter; shared = the harness's own (the former
#     op/ack protocol, for a server from before the one delivery mode)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT="$(cd "$HERE/../.." && pwd)"
SOURCE="${PEERS_DIR:-$PROJECT/../shared/bench/peers}"
COPY="${PEERS_COPY:-/tmp/tandem-peers}"
[[ -f "$SOURCE/run-tandem.sh" ]] || { echo "no peer harness at $SOURCE (set PEERS_DIR)" >&2; exit 1; }

mkdir -p "$COPY"
if ! cmp -s "$SOURCE/package-lock.json" "$COPY/package-lock.json" || [[ ! -d "$COPY/node_modules" ]]; then
  rm -rf "$COPY/node_modules"
  cp "$SOURCE/package.json" "$SOURCE/package-lock.json" "$COPY/"
  (cd "$COPY" && npm ci --no-audit --no-fund --loglevel=error)
fi
tar -C "$SOURCE" --exclude=node_modules --exclude=results -cf - . | tar -C "$COPY" -xf -
chmod -R u+w "$COPY"
case "${PEERS_ADAPTER:-here}" in
  here) cp "$HERE/adapters/tandem.js" "$COPY/adapters/tandem.js" ;;
  shared) ;;
  *) echo "PEERS_ADAPTER is here or shared" >&2; exit 1 ;;
esac

export TANDEM_DIR="${TANDEM_DIR:-$PROJECT}"
export BENCH_RESULTS="${BENCH_RESULTS:-$COPY/results}"
export BENCH_WORK="${BENCH_WORK:-$COPY/work}" # run-tandem.sh wipes it: not the shared default
export TANDEM_DATA_PREFIX="${TANDEM_DATA_PREFIX:-$COPY/data}"
# Every client of the load generator comes from 127.0.0.1: many-docs 100 x 2 is more sockets than
# the server's default per-address bound (200; the WebSocket upgrade gets 429). The server reads it
# from its environment (run-tandem.sh starts it with --port and --data-dir only).
export TANDEM_MAX_CONNECTIONS_PER_ADDRESS="${TANDEM_MAX_CONNECTIONS_PER_ADDRESS:-0}"
exec "$COPY/run-tandem.sh" "$@"
