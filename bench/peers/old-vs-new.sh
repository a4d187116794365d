#!/usr/bin/env bash
# Before/after of a server change, alternated run by run so that the machine's noise falls on both:
# for each repetition and workload, the old jar with the old adapter, then the new jar with this
# directory's adapter (each a fresh server on a fresh data directory, through run.sh). The runs
# are labelled tandem-old and tandem-new; compare.js prints them side by side.
#
#   OLD_JAR=/tmp/old/sequencer/target/tandem-sequencer-0.1.0-SNAPSHOT.jar bench/peers/old-vs-new.sh
#
# Knobs (defaults in brackets): OLD_JAR (required), NEW_JAR [sequencer/target/...jar],
#   OLD_ADAPTER [shared] (the adapter that speaks what the old server's clients speak), REPEAT [3],
#   WORKLOADS ["hot:1 hot:10 many:100"], BENCH_WARMUP [30], BENCH_SECONDS [20], and run.sh's.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT="$(cd "$HERE/../.." && pwd)"
: "${OLD_JAR:?set OLD_JAR to the jar built from the old commit}"
NEW_JAR="${NEW_JAR:-$PROJECT/sequencer/target/tandem-sequencer-0.1.0-SNAPSHOT.jar}"
export BENCH_WARMUP="${BENCH_WARMUP:-30}" BENCH_SECONDS="${BENCH_SECONDS:-20}"
export BENCH_RESULTS="${BENCH_RESULTS:-/tmp/tandem-peers/results}"
STAMP="$(date -u +%Y%m%d-%H%M%SZ)"
OUT="$BENCH_RESULTS/old-vs-new-$STAMP.jsonl"
mkdir -p "$BENCH_RESULTS"

for rep in $(seq 1 "${REPEAT:-3}"); do
  for workload in ${WORKLOADS:-hot:1 hot:10 many:100}; do
    for side in old new; do
      if [[ $side == old ]]; then jar="$OLD_JAR" adapter="${OLD_ADAPTER:-shared}"; else jar="$NEW_JAR" adapter=here; fi
      echo "[old-vs-new] repetition $rep, $workload, $side ($jar)" >&2
      before="$(ls "$BENCH_RESULTS"/tandem-*.jsonl 2>/dev/null)"
      TANDEM_JAR="$jar" PEERS_ADAPTER="$adapter" BENCH_WORKLOADS="$workload" \
        BENCH_LOADGEN_ARGS="--server tandem-$side ${BENCH_LOADGEN_ARGS:-}" "$HERE/run.sh" >&2
      for f in $(ls "$BENCH_RESULTS"/tandem-*.jsonl); do
        grep -qxF "$f" <<<"$before" || cat "$f" >>"$OUT"
      done
    done
  done
done
node "${PEERS_COPY:-/tmp/tandem-peers}/compare.js" "$OUT"
echo "results: $OUT" >&2
