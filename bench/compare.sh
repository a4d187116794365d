#!/usr/bin/env bash
# Before/after of the server on the issue's load rows, for a quiet machine: builds the server jar of
# OLD_REF and of NEW_REF (default: this working tree as it is, uncommitted changes included) in
# throw-away copies (git archive; nothing is installed into ~/.m2), then runs every workload with
# both jars, old and new alternated run by run (ABBA: the side that goes first swaps each
# repetition), each run a fresh server on a fresh data directory, and prints a markdown table of
# medians.
#
#   bench/compare.sh OLD_REF [NEW_REF]            # 3 runs each, 30 s warm-up, 20 s window
#   bench/compare.sh --quick OLD_REF              # smoke run: small settings, 1 run, 3 s + 3 s
#   bench/compare.sh --runs 5 --workloads "hot-doc:1 typists:500" OLD_REF
#
# The load generator is the project's Java one (dev.tandem.bench.load.LoadGenerator), built from
# NEW_REF and used for both sides, so both are measured by the same code. Its editors speak what
# client-js speaks: hello/open/submit, committed ops in binary `ops` frames (their own op in it is
# the ack), one op in flight per editor (typists: ops buffered behind it, as ot.js does). Both refs
# must speak that protocol (main from the one delivery mode on). It starts each server as its child
# (`java -jar`, port 0, --max-connections-per-address 0) and reads the server's CPU and memory, and
# those of its embedded PostgreSQL (postmaster and children), from /proc.
#
# Workloads (--workloads, space separated): hot-doc:N (N editors, one document), typists:N (N
# editors at 5 keystrokes/s), many-docs:D (D documents x 2 editors), recovery:N (a document of N
# ops, made once per side through that side's server in $WORK/<side>/recovery-data and reused,
# then 3 restarts after SIGTERM and 3 after SIGKILL (--quick: 1 each), each timed to listening, the WebSocket
# `opened` and the REST text). Default "hot-doc:1 hot-doc:50 typists:500 many-docs:1000"; --quick
# uses "hot-doc:1 hot-doc:5 typists:20 many-docs:20".
#
# Knobs (defaults in brackets): --runs N [3; --quick 1], --warmup S [30; --quick 3],
# --warmup-max S [180; --quick 3] (past --warmup, each run warms up until the server's JIT
# compilers are quiet, at most S s in all: the generator's --warmup-max),
# --seconds S [20; --quick 3], --work DIR [/tmp/tandem-compare-<stamp>] (sources, jars, results;
# kept; builds already there are reused), SERVER_JVM_ARGS [""] (e.g.
# "-XX:StartFlightRecording=filename=/tmp/x.jfr"; applied to both sides), OLD_JVM_ARGS and
# NEW_JVM_ARGS [""] (one side's only, e.g. NEW_JVM_ARGS=-XX:SharedArchiveFile=/tmp/t.jsa with
# OLD_REF = NEW_REF to measure a class-data-sharing archive), MVN_ARGS ["-o"].
#
# Output: $WORK/results.jsonl (one line per run: side, repetition, the generator's JSON) and
# $WORK/table.md (also printed), written by bench/compare-table.js.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT="$(cd "$HERE/.." && pwd)"

QUICK=0 RUNS="" WARMUP="" WARMUP_MAX="" SECONDS_RUN="" WORKLOADS="" WORK=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1; shift ;;
    --runs) RUNS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --warmup-max) WARMUP_MAX="$2"; shift 2 ;;
    --seconds) SECONDS_RUN="$2"; shift 2 ;;
    --workloads) WORKLOADS="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
    --*) echo "unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[[ $# -ge 1 && $# -le 2 ]] || { sed -n '2,40p' "$0" >&2; exit 2; }
OLD_REF="$1"
NEW_REF="${2:-}"
if [[ $QUICK == 1 ]]; then
  RUNS="${RUNS:-1}" WARMUP="${WARMUP:-3}" WARMUP_MAX="${WARMUP_MAX:-3}" SECONDS_RUN="${SECONDS_RUN:-3}" RESTARTS=1
  WORKLOADS="${WORKLOADS:-hot-doc:1 hot-doc:5 typists:20 many-docs:20}"
else
  RUNS="${RUNS:-3}" WARMUP="${WARMUP:-30}" WARMUP_MAX="${WARMUP_MAX:-180}" SECONDS_RUN="${SECONDS_RUN:-20}" RESTARTS=3
  WORKLOADS="${WORKLOADS:-hot-doc:1 hot-doc:50 typists:500 many-docs:1000}"
fi
WORK="${WORK:-/tmp/tandem-compare-$(date -u +%Y%m%d-%H%M%SZ)}"
read -r -a MVN_EXTRA <<<"${MVN_ARGS:--o}"
read -r -a JVM_ARGS <<<"${SERVER_JVM_ARGS:-}"

log() { echo "[compare $(date -u +%H:%M:%S)] $*" >&2; }

# Sources of one side into $WORK/<side>/src: a ref through git archive, or the working tree (tracked
# and untracked files that git does not ignore) when the ref is empty.
copy_sources() { # $1 = side, $2 = ref or ""
  local dest="$WORK/$1/src"
  rm -rf "$dest" && mkdir -p "$dest"
  if [[ -n "$2" ]]; then
    git -C "$PROJECT" archive "$2" | tar -x -C "$dest" || return 1
    git -C "$PROJECT" rev-parse --short "$2" >"$WORK/$1/commit"
  else
    (cd "$PROJECT" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) \
      | tar -x -C "$dest" || return 1
    echo "$(git -C "$PROJECT" rev-parse --short HEAD) + working tree" >"$WORK/$1/commit"
  fi
}

build() { # $1 = side
  if [[ -f "$WORK/$1/built" ]]; then
    log "reusing the build of $1 ($(cat "$WORK/$1/commit"))"
    return
  fi
  log "building $1 ($(cat "$WORK/$1/commit"))"
  (cd "$WORK/$1/src" && mvn -B -q "${MVN_EXTRA[@]}" -Pbench package -pl sequencer,bench -am \
    -DskipTests -DskipBrowserTests=true) >"$WORK/$1/build.log" 2>&1 \
    || { log "build of $1 failed, see $WORK/$1/build.log"; exit 1; }
  touch "$WORK/$1/built"
}

mkdir -p "$WORK"
git -C "$PROJECT" rev-parse --verify -q "$OLD_REF^{commit}" >/dev/null || { echo "no commit $OLD_REF" >&2; exit 2; }
[[ -z "$NEW_REF" ]] || git -C "$PROJECT" rev-parse --verify -q "$NEW_REF^{commit}" >/dev/null \
  || { echo "no commit $NEW_REF" >&2; exit 2; }
[[ -f "$WORK/old/built" ]] || copy_sources old "$OLD_REF" || exit 1
[[ -f "$WORK/new/built" ]] || copy_sources new "$NEW_REF" || exit 1
build old
build new
JAR=sequencer/target/tandem-sequencer-0.1.0-SNAPSHOT.jar
GENERATOR="$WORK/new/src/bench/target/benchmarks.jar"

RESULTS="$WORK/results.jsonl"
: >"$RESULTS"
{
  echo "old: $OLD_REF = $(cat "$WORK/old/commit"); new: ${NEW_REF:-working tree} = $(cat "$WORK/new/commit")"
  echo "runs $RUNS, warm-up $WARMUP s (until the JIT is quiet, at most $WARMUP_MAX s), window $SECONDS_RUN s, workloads: $WORKLOADS"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(java -version 2>&1 | head -1)"
  echo "server JVM args: ${SERVER_JVM_ARGS:-none}"
} >"$WORK/setup.txt"
cat "$WORK/setup.txt" >&2

for rep in $(seq 1 "$RUNS"); do
  for workload in $WORKLOADS; do
    name="${workload%%:*}" size="${workload#*:}"
    case "$name" in
      hot-doc | typists) sizeArgs=(--editors "$size") ;;
      many-docs) sizeArgs=(--documents "$size") ;;
      recovery) sizeArgs=(--ops "$size" --restarts "$RESTARTS") ;;
      *) echo "unknown workload $workload" >&2; exit 2 ;;
    esac
    sides=(old new)
    ((rep % 2 == 0)) && sides=(new old)
    for side in "${sides[@]}"; do
      log "run $rep/$RUNS $workload $side (load average $(cut -d' ' -f1-3 /proc/loadavg))"
      jvm=()
      if [[ $side == old ]]; then read -r -a sideArgs <<<"${OLD_JVM_ARGS:-}"; else read -r -a sideArgs <<<"${NEW_JVM_ARGS:-}"; fi
      for arg in "${JVM_ARGS[@]}" "${sideArgs[@]}"; do jvm+=(--server-jvm-arg "$arg"); done
      if [[ $name == recovery ]]; then
        mkdir -p "$WORK/$side/recovery-data" && chmod 755 "$WORK/$side/recovery-data"
        jvm+=(--data-dir "$WORK/$side/recovery-data")
      fi
      out="$WORK/runs/$rep-$name-$size-$side"
      mkdir -p "$WORK/runs"
      java -cp "$GENERATOR" dev.tandem.bench.load.LoadGenerator "$name" "${sizeArgs[@]}" \
        --server-jar "$WORK/$side/src/$JAR" --warmup "$WARMUP" --warmup-max "$WARMUP_MAX" \
        --seconds "$SECONDS_RUN" \
        --seed "$rep" "${jvm[@]}" >"$out.out" 2>"$out.err"
      status=$?
      json="$(grep -m1 '^{' "$out.out")"
      if [[ $status -ne 0 || -z "$json" ]]; then
        log "  failed (exit $status), see $out.err"
        json=null
      else
        grep -v '^{' "$out.out" | grep -E 'measured|acked ops/s|ack latency|broadcast latency|JIT compilers|CPU per acked op|converged|median of|as before' >&2
      fi
      printf '{"side":"%s","rep":%d,"workload":"%s","size":%d,"exit":%d,"result":%s}\n' \
        "$side" "$rep" "$name" "$size" "$status" "$json" >>"$RESULTS"
    done
  done
done

node "$HERE/compare-table.js" "$WORK/setup.txt" "$RESULTS" | tee "$WORK/table.md"
log "results: $RESULTS, table: $WORK/table.md"
