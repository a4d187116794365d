#!/bin/sh
# Issue 14's figures of the tandem command on the load generator's recovery document (1,000,000
# ops made through the server by 50 editors, checkpoints every 1000 revisions): verify, export and
# import throughput (each command's summary line says ops/s) and the latency of GET ?rev= and
# GET /blame?rev=.
#
#   mvn -B -q -Pbench package -pl sequencer,bench -am -DskipTests
#   bench/cli-figures.sh [DATA_DIR]      # default /tmp/tandem-cli-figures; made if absent
#
# Run from the checkout's root. Everything runs against a stopped data directory, then a server
# started on it for ?rev (the commands against --server are timed as well).
set -eu

data=${1:-/tmp/tandem-cli-figures}
tandem=sequencer/target/tandem-0.1.0-SNAPSHOT/bin/tandem
doc=recovery
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -d "$data" ]; then
  java -cp bench/target/benchmarks.jar dev.tandem.bench.load.LoadGenerator recovery \
    --ops 1000000 --restarts 0 --data-dir "$data"
fi

uptime
echo "== against the stopped data directory"
for i in 1 2 3; do
  "$tandem" verify "$doc" --data-dir="$data"
done
for i in 1 2 3; do
  "$tandem" export "$doc" -o "$work/$doc.ndjson" --data-dir="$data"
done
ls -l "$work/$doc.ndjson"
for i in 1 2 3; do
  "$tandem" import "$work/$doc.ndjson" --as "$doc-copy-$i" --data-dir="$data"
  "$tandem" delete "$doc-copy-$i" --data-dir="$data"
done

echo "== against a server on it"
"$tandem" serve --data-dir="$data" --port=0 --static-dir= >"$work/server.log" 2>&1 &
server=$!
url=
for i in $(seq 1 300); do
  url=$(sed -n 's/^Tandem listening on \(http:[^ ]*\).*/\1/p' "$work/server.log")
  [ -n "$url" ] && break
  sleep 0.2
done
[ -n "$url" ] || { cat "$work/server.log"; kill "$server"; exit 1; }
head=$(curl -s "${url}api/docs/$doc" | sed -n 's/.*"rev":\([0-9]*\).*/\1/p')
echo "head revision $head"
# ?rev: the nearest checkpoint at or below it plus at most 999 ops replayed; times in seconds.
for rev in 1 999 1000 250500 500999 750000 999999 "$head"; do
  for i in 1 2 3 4 5; do
    curl -s -o /dev/null -w "%{time_total}\n" "${url}api/docs/$doc?rev=$rev"
  done | sort -n | sed -n 3p | sed "s/^/?rev=$rev median of 5: /"
done
# blame: the nearest checkpoint storing authorship (one every 10,000 revisions or so) plus the ops
# after it; 10008 and 52028 replay about 10,000 and 11,000 ops in the document this made once.
for rev in 1 10008 52028 500000 999999 "$head"; do
  curl -s -o /dev/null "${url}api/docs/$doc/blame?rev=$rev" # a first, cold one apart
  for i in 1 2 3 4 5; do
    curl -s -o /dev/null -w "%{time_total}\n" "${url}api/docs/$doc/blame?rev=$rev"
  done | sort -n | sed -n 3p | sed "s/^/blame?rev=$rev median of 5: /"
done
"$tandem" verify "$doc" --server="$url"
"$tandem" export "$doc" -o "$work/$doc-server.ndjson" --server="$url"
"$tandem" import "$work/$doc-server.ndjson" --as "$doc-copy" --server="$url"
"$tandem" delete "$doc-copy" --server="$url"
kill "$server"
wait "$server" || true
uptime
