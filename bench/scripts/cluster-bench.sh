#!/bin/sh
# Three Tandem nodes on one PostgreSQL (the first node's embedded one) against one node, on one
# machine: the same three load generators (many-docs, documents of their own each) either spread
# over the three nodes or all on the first. Same total CPU, so the figure is the cost of
# coordination, not scaling (docs/scaling.md).
#   sh bench/scripts/cluster-bench.sh [documents per generator] [seconds] [rounds]
# Needs: mvn -B -q -pl sequencer -am package -DskipTests; mvn -B -q -Pbench package -pl bench -am -DskipTests
set -eu
DOCS=${1:-200}
SECONDS_RUN=${2:-20}
ROUNDS=${3:-2}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=$ROOT/sequencer/target/tandem-sequencer-0.1.0-SNAPSHOT.jar
BENCH=$ROOT/bench/target/benchmarks.jar
RUN=${TMPDIR:-/tmp}/tandem-cluster-bench
rm -rf "$RUN" && mkdir -p "$RUN"
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

start_node() { # name port [database flags]
  name=$1; port=$2; shift 2
  java -Xmx768m -jar "$JAR" --port "$port" --data-dir "$RUN/$name" --node-id "$name" \
    --static-dir= --max-connections-per-address 0 "$@" > "$RUN/$name.log" 2>&1 &
  PIDS="$PIDS $!"
  eval "PID_$name=$!"
  until grep -q "Tandem listening" "$RUN/$name.log"; do
    kill -0 "$!" 2>/dev/null || { cat "$RUN/$name.log"; exit 1; }
    sleep 0.5
  done
}

start_node a 18081
PGPORT=$(sed -n 4p "$RUN/a/postgres/postmaster.pid")
DB="--database-url=jdbc:postgresql://127.0.0.1:$PGPORT/postgres --database-user=postgres"
DB="$DB --database-password=$(cat "$RUN/a/postgres.password")"
# shellcheck disable=SC2086
start_node b 18082 $DB
# shellcheck disable=SC2086
start_node c 18083 $DB

generate() { # label port port port: three generators at once, one per port
  label=$1; shift
  i=0
  generators=""
  for port in "$@"; do
    i=$((i + 1))
    java -cp "$BENCH" dev.tandem.bench.load.LoadGenerator many-docs --documents "$DOCS" \
      --url "ws://127.0.0.1:$port/ws" --warmup 10 --seconds "$SECONDS_RUN" --seed "$i" \
      > "$RUN/$label-$i.out" 2>&1 &
    generators="$generators $!"
    sleep 0.05 # distinct document ids (the generator names them by the millisecond)
  done
  for g in $generators; do wait "$g"; done
  python3 - "$label" "$RUN/$label"-*.out <<'PY'
import json, sys
label, files = sys.argv[1], sys.argv[2:]
runs = []
for f in files:
    for line in open(f):
        line = line.strip()
        if line.startswith("{"):
            runs.append(json.loads(line))
ops = sum(r["window"]["opsPerSecond"] for r in runs)
p99s = [r["window"]["ackLatency"]["p99"] for r in runs]
print(f"{label}: {len(runs)} generators, {ops:,.0f} acked ops/s in all, ack p99 {p99s} ms")
PY
}

r=1
while [ "$r" -le "$ROUNDS" ]; do
  generate "one-node-r$r" 18081 18081 18081
  generate "three-nodes-r$r" 18081 18082 18083
  r=$((r + 1))
done
